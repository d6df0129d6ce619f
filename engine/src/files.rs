//! Finding and reading ruleset files on disk: a ruleset is every `.osl`
//! file of a folder (sorted by path) or one file, and a tree of folders
//! holds rulesets wherever a folder has `.osl` files. The one walker for
//! the engine and the command line, so every command and embedder reads
//! rulesets the same way.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::LoadError;

/// Reads a ruleset's sources as `(path, text)` pairs: every `.osl` file of
/// a folder (sorted by path), or one file.
///
/// ```no_run
/// let sources = osler_engine::files::read_ruleset("rulesets/leg_pain".as_ref())?;
/// let ruleset = osler_engine::Ruleset::from_sources(&sources)?;
/// # Ok::<(), osler_engine::LoadError>(())
/// ```
pub fn read_ruleset(path: &Path) -> Result<Vec<(String, String)>, LoadError> {
    fn io(what: &Path) -> impl Fn(io::Error) -> LoadError + '_ {
        move |source| LoadError::Io { path: what.to_path_buf(), source }
    }
    let metadata = std::fs::metadata(path).map_err(io(path))?;
    let mut paths = if metadata.is_dir() {
        let listing = list(path, io(path))?;
        if listing.sources.is_empty() {
            return Err(LoadError::NoSources { path: path.to_path_buf() });
        }
        listing.sources
    } else {
        vec![path.to_path_buf()]
    };
    paths.sort();
    paths
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(io(&file))?;
            Ok((file.display().to_string(), text))
        })
        .collect()
}

/// The folders under `root` (itself included) that hold `.osl` files, in
/// sorted order, each before the folders inside it. Hidden folders and
/// folders named `target` are skipped.
pub fn ruleset_folders(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    // An explicit stack of folders still to list, last first, so the
    // order is a sorted depth-first walk.
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let listing = list(&folder, |source| LoadError::List { path: folder.clone(), source })?;
        if !listing.sources.is_empty() {
            out.push(folder.clone());
        }
        let mut folders = listing.folders;
        folders.sort();
        stack.extend(folders.into_iter().rev());
    }
    Ok(out)
}

/// What one folder holds: its `.osl` files and its subfolders.
struct Listing {
    sources: Vec<PathBuf>,
    folders: Vec<PathBuf>,
}

/// Lists `folder` (unsorted); `error` turns a failure into the caller's
/// error.
fn list(folder: &Path, error: impl Fn(io::Error) -> LoadError) -> Result<Listing, LoadError> {
    let mut listing = Listing { sources: Vec::new(), folders: Vec::new() };
    for entry in std::fs::read_dir(folder).map_err(&error)? {
        let entry = entry.map_err(&error)?;
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if !name.to_string_lossy().starts_with('.') && name != "target" {
                listing.folders.push(path);
            }
        } else if path.extension().is_some_and(|ext| ext == "osl") && path.is_file() {
            listing.sources.push(path);
        }
    }
    Ok(listing)
}
