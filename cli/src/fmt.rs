//! `osler fmt RULESET [--check]`: rewrite `.osl` files in the one canonical
//! layout (`osler_dsl::format`), comments kept. `RULESET` is a `.osl` file or
//! a folder; a folder is searched recursively, so `osler fmt rulesets`
//! formats every ruleset under it. With `--check` nothing is written: the
//! files that would change are listed and the exit status is 1.

use std::path::{Path, PathBuf};

use osler_dsl::format::{FormatError, format};
use osler_engine::LoadError;
use osler_engine::files::ruleset_folders;

use crate::exit;

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// A `.osl` file, a ruleset folder, or a folder of ruleset folders.
    pub ruleset: PathBuf,
    /// Only report the files that are not formatted; change nothing.
    #[arg(long)]
    pub check: bool,
}

/// Every `(path, text)` to format.
fn files_to_format(path: &Path) -> Result<Vec<(String, String)>, String> {
    if !path.is_dir() {
        return crate::load::load_ruleset(path);
    }
    let folders = ruleset_folders(path).map_err(|error| error.to_string())?;
    if folders.is_empty() {
        return Err(LoadError::NoSources { path: path.to_path_buf() }.to_string());
    }
    let mut files = Vec::new();
    for folder in folders {
        files.extend(crate::load::load_ruleset(&folder)?);
    }
    Ok(files)
}

/// The first line where two texts differ, 1-based.
fn first_difference(before: &str, after: &str) -> usize {
    before
        .lines()
        .zip(after.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| before.lines().count().min(after.lines().count()))
        + 1
}

pub fn run_fmt(args: FmtArgs) -> u8 {
    let files = match files_to_format(&args.ruleset) {
        Ok(files) => files,
        Err(message) => {
            errln!("error: {message}");
            return exit::USAGE;
        }
    };
    let mut unformatted = 0;
    let mut written = 0;
    let mut refused = 0;
    for (path, text) in &files {
        match format(text) {
            Ok(formatted) if &formatted == text => {}
            Ok(formatted) => {
                if args.check {
                    outln!("{path}: not formatted (first difference at line {})", first_difference(text, &formatted));
                    unformatted += 1;
                } else if let Err(error) = std::fs::write(path, &formatted) {
                    errln!("error: cannot write `{path}`: {error}");
                    return exit::USAGE;
                } else {
                    outln!("formatted {path}");
                    written += 1;
                }
            }
            Err(FormatError::Syntax) => {
                errln!("error: `{path}` has syntax errors and was left as it is (run `osler check` to see them)");
                refused += 1;
            }
            Err(error @ FormatError::Internal(_)) => {
                errln!("error: `{path}` was left as it is: {error}");
                refused += 1;
            }
        }
    }
    let count = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    if args.check {
        errln!("checked {}: {} not formatted", count(files.len()), count(unformatted));
    } else {
        errln!("formatted {} of {}", count(written), count(files.len()));
    }
    if unformatted > 0 || refused > 0 { exit::ERRORS } else { exit::OK }
}
