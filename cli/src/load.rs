//! Reads a ruleset from disk for the subcommands: a folder's `.osl` files
//! (sorted by path) or a single file, through the engine's loader so every
//! command and embedder reads rulesets the same way.

use std::path::Path;

/// The `(path, text)` pairs of a ruleset, or a message saying what could
/// not be read.
pub fn load_ruleset(path: &Path) -> Result<Vec<(String, String)>, String> {
    osler_engine::load_sources(path).map_err(|error| match error {
        osler_engine::LoadError::Io(message) => message,
        other => other.to_string(),
    })
}
