//! Reading ruleset folders from disk: a folder's `.osl` files and those of
//! its subfolders at any depth, hidden and build folders left out; the
//! rulesets of a tree are the folders with `.osl` files of their own that
//! lie in no such folder.

use std::path::{Path, PathBuf};

use osler_engine::LoadError;
use osler_engine::files::{read_ruleset, ruleset_folders};

/// A fresh folder holding `files`.
fn tree(name: &str, files: &[&str]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("osler-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for file in files {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(&root)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, format!("// {file}\n")).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{e}"));
    root
}

fn relative(root: &Path, paths: impl IntoIterator<Item = String>) -> Vec<String> {
    paths
        .into_iter()
        .map(|path| Path::new(&path).strip_prefix(root).map_or(path.clone(), |p| p.display().to_string()))
        .collect()
}

#[test]
fn a_ruleset_folder_takes_in_its_subfolders_but_not_hidden_or_build_ones() {
    let root = tree(
        "recursive",
        &[
            "rules.osl",
            "tests/a.osl",
            "tests/deeper/b.osl",
            "tests/notes.md",
            ".git/c.osl",
            "target/d.osl",
            "node_modules/e.osl",
            "tests/.cache/f.osl",
        ],
    );
    let files = read_ruleset(&root).unwrap_or_else(|e| panic!("{e}"));
    let paths = relative(&root, files.iter().map(|(path, _)| path.clone()));
    assert_eq!(paths, ["rules.osl", "tests/a.osl", "tests/deeper/b.osl"]);
    assert_eq!(files[1].1, "// tests/a.osl\n");
}

#[test]
fn a_folder_without_files_of_its_own_is_no_ruleset_but_may_hold_rulesets() {
    let root = tree("rulesets", &["one/a.osl", "one/tests/t.osl", "two/b.osl", "empty/notes.md"]);
    match read_ruleset(&root) {
        Err(error @ LoadError::NoSources { .. }) => {
            assert!(error.to_string().contains("holds no `.osl` files of its own"), "{error}");
        }
        other => panic!("expected NoSources, got {other:?}"),
    }
    let folders = ruleset_folders(&root).unwrap_or_else(|e| panic!("{e}"));
    let folders = relative(&root, folders.iter().map(|f| f.display().to_string()));
    // `one/tests` is part of `one`, not a ruleset of its own.
    assert_eq!(folders, ["one", "two"]);
    let one = read_ruleset(&root.join("one")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(relative(&root, one.into_iter().map(|(path, _)| path)), ["one/a.osl", "one/tests/t.osl"]);
}

#[cfg(unix)]
#[test]
fn links_to_folders_are_not_followed() {
    let root = tree("links", &["rules.osl", "sub/a.osl"]);
    // A link back up the tree would make the walk endless.
    std::os::unix::fs::symlink(&root, root.join("sub/up")).unwrap_or_else(|e| panic!("{e}"));
    let files = read_ruleset(&root).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(relative(&root, files.into_iter().map(|(path, _)| path)), ["rules.osl", "sub/a.osl"]);
}
