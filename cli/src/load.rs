//! Reads a ruleset from disk for the subcommands: a folder's `.osl` files
//! (sorted by path) or a single file, through the engine's walker so every
//! command and embedder reads rulesets the same way; and loads and
//! compiles it, printing what went wrong.

use std::io::{self, IsTerminal as _};
use std::path::Path;

use osler_engine::{LoadError, RenderOptions, Ruleset};

use crate::exit;

/// The `(path, text)` pairs of a ruleset, or a message saying what could
/// not be read.
pub fn load_ruleset(path: &Path) -> Result<Vec<(String, String)>, String> {
    osler_engine::files::read_ruleset(path).map_err(|error| error.to_string())
}

/// Loads and compiles a ruleset, printing what went wrong. The error is the
/// exit status: 1 for a ruleset with errors, 2 for files that cannot be read.
pub fn load(path: &Path) -> Result<Ruleset, u8> {
    let files = load_ruleset(path).map_err(|message| {
        errln!("error: {message}");
        exit::USAGE
    })?;
    Ruleset::from_sources(&files).map_err(|error| {
        let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        match &error {
            LoadError::Invalid { .. } | LoadError::Compile(_) => {
                err!("{}", error.render(RenderOptions::default().color(color)));
                errln!("error: the ruleset `{}` has errors; run `osler check` for details", path.display());
                exit::ERRORS
            }
            _ => {
                errln!("error: {error}");
                exit::USAGE
            }
        }
    })
}
