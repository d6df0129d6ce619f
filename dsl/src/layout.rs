//! Which files make up a ruleset folder, as a rule on names (the dsl reads
//! no file system; the engine's walker and the language server's workspace
//! both apply it, so every tool reads a ruleset folder the same way).
//!
//! A ruleset is a folder that holds `.osl` files of its own, together with
//! the `.osl` files of its subfolders at any depth, except the subfolders
//! [`is_skipped_folder`] names. A folder without `.osl` files of its own is
//! not a ruleset, but its subfolders may be.

/// Whether a file of this name is an Osler source file.
///
/// ```
/// assert!(osler_dsl::layout::is_source_file("vascular.osl"));
/// assert!(!osler_dsl::layout::is_source_file("notes.md"));
/// ```
pub fn is_source_file(name: &str) -> bool {
    name.strip_suffix(".osl").is_some_and(|stem| !stem.is_empty())
}

/// Whether a subfolder of this name is left out of a ruleset (and out of
/// the search for rulesets): hidden folders (`.git`, `.cache`) and the
/// build folders of tools that may sit beside rules (`target`,
/// `node_modules`).
///
/// ```
/// use osler_dsl::layout::is_skipped_folder;
/// assert!(is_skipped_folder(".git") && is_skipped_folder("target") && is_skipped_folder("node_modules"));
/// assert!(!is_skipped_folder("tests"));
/// ```
pub fn is_skipped_folder(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}
