//! Reads a ruleset from disk: a folder's `.osl` files (sorted by path) or a
//! single file. The only place the CLI touches ruleset files.

use std::path::Path;

/// The `(path, text)` pairs of a ruleset, or a message saying what could
/// not be read.
pub fn load_ruleset(path: &Path) -> Result<Vec<(String, String)>, String> {
    let metadata = std::fs::metadata(path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
    let mut paths = Vec::new();
    if metadata.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|error| format!("cannot list `{}`: {error}", path.display()))?;
        for entry in entries {
            let entry = entry.map_err(|error| format!("cannot list `{}`: {error}", path.display()))?;
            let file = entry.path();
            if file.extension().is_some_and(|ext| ext == "osl") && file.is_file() {
                paths.push(file);
            }
        }
        if paths.is_empty() {
            return Err(format!("`{}` contains no `.osl` files", path.display()));
        }
    } else {
        paths.push(path.to_path_buf());
    }
    paths.sort();
    paths
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).map_err(|error| format!("cannot read `{}`: {error}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| format!("`{}` is not valid UTF-8", file.display()))?;
            Ok((file.display().to_string(), text))
        })
        .collect()
}
