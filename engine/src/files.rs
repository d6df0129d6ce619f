//! Finding and reading ruleset files on disk: a ruleset is a folder that
//! holds `.osl` files of its own, with the `.osl` files of its subfolders
//! at any depth (sorted by path), or one file; a tree of folders holds
//! rulesets wherever a folder has `.osl` files of its own. Hidden folders,
//! `target` and `node_modules` are skipped (`osler_dsl::layout`), and
//! links to folders are not followed. The one walker for the engine and
//! the command line, so every command and embedder reads rulesets the
//! same way (the language server applies the same rule).

use std::io;
use std::path::{Path, PathBuf};

use osler_dsl::layout::{is_skipped_folder, is_source_file};

use crate::error::LoadError;

/// Reads a ruleset's sources as `(path, text)` pairs: every `.osl` file of
/// a folder and of its subfolders (sorted by path), or one file. A folder
/// without `.osl` files of its own is not a ruleset
/// ([`LoadError::NoSources`]).
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
        let mut paths = listing.sources;
        // An explicit stack of the subfolders still to list: a deep tree
        // is as safe as a flat one.
        let mut folders = listing.folders;
        while let Some(folder) = folders.pop() {
            let inner = list(&folder, io(&folder))?;
            paths.extend(inner.sources);
            folders.extend(inner.folders);
        }
        paths
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

/// The rulesets under `root` (itself included): the folders that hold
/// `.osl` files of their own and lie in no such folder, in sorted order.
/// Each one's subfolders belong to it ([`read_ruleset`] reads them).
pub fn ruleset_folders(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    // An explicit stack of folders still to list, last first, so the
    // order is a sorted depth-first walk.
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let listing = list(&folder, |source| LoadError::List { path: folder.clone(), source })?;
        if !listing.sources.is_empty() {
            out.push(folder.clone());
            continue;
        }
        let mut folders = listing.folders;
        folders.sort();
        stack.extend(folders.into_iter().rev());
    }
    Ok(out)
}

/// What one folder holds: its `.osl` files and the subfolders a ruleset
/// takes in.
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
        let name = name.to_string_lossy();
        // The entry's own type: a link to a folder is not walked (it could
        // lead back up the tree).
        if entry.file_type().map_err(&error)?.is_dir() {
            if !is_skipped_folder(&name) {
                listing.folders.push(path);
            }
        } else if is_source_file(&name) && path.is_file() {
            listing.sources.push(path);
        }
    }
    Ok(listing)
}
