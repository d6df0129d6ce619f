//! The workspace the server knows: every ruleset folder under the roots (a
//! folder with `.osl` files of its own is one ruleset, the `.osl` files of
//! its subfolders included, as `osler_dsl::layout` says and the command
//! line reads it), each file's database input, and which documents the
//! editor has open (their text overlays the disk).
//!
//! The [`Workspace`] owns the one writable [`Database`]; requests work on
//! clones of it (snapshots), which a write cancels.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use osler_dsl::db::{Database, Ruleset, SourceFile};
use osler_dsl::layout::{is_skipped_folder, is_source_file};
use tower_lsp_server::gen_lsp_types as lsp;

use crate::convert::{path_to_uri, uri_to_path};

/// How deep the workspace scan goes, and how many files it reads at most:
/// a root such as a home folder must not freeze the server.
const MAX_SCAN_DEPTH: usize = 12;
const MAX_SCAN_FILES: usize = 50_000;

/// One file of the workspace.
#[derive(Clone, Debug)]
pub struct FileInfo {
    /// The URI the editor uses for it (or one made from its path).
    pub uri: lsp::Uri,
    /// Its input in the database.
    pub source: SourceFile,
    /// The key of its ruleset in [`Table::rulesets`].
    pub folder: String,
    /// Open in the editor: its text is the editor's, not the disk's.
    pub open: bool,
}

/// Files and rulesets by key. A file's key is its path (the same string is
/// the database input's path), or its URI when it has no path.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Every file, by key.
    pub files: BTreeMap<String, FileInfo>,
    /// Every ruleset, by its folder (or by the key of its only file).
    pub rulesets: BTreeMap<String, Ruleset>,
}

impl Table {
    /// The file of a document.
    pub fn file(&self, uri: &lsp::Uri) -> Option<&FileInfo> {
        self.files.get(&key_of(uri))
    }

    /// The file and ruleset of a document.
    pub fn locate(&self, uri: &lsp::Uri) -> Option<(SourceFile, Ruleset)> {
        let file = self.file(uri)?;
        Some((file.source, *self.rulesets.get(&file.folder)?))
    }

    /// The URI of a file by its database path.
    pub fn uri_of_path(&self, path: &str) -> lsp::Uri {
        self.files.get(path).map_or_else(|| path_to_uri(Path::new(path)), |file| file.uri.clone())
    }

    /// Every file of a ruleset folder, by key.
    pub fn files_in<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = (&'a String, &'a FileInfo)> + 'a {
        self.files.iter().filter(move |(_, file)| file.folder == folder)
    }
}

/// The key of a document: its path, or its URI when it is not a file.
pub fn key_of(uri: &lsp::Uri) -> String {
    match uri_to_path(uri) {
        Some(path) => path.to_string_lossy().into_owned(),
        None => uri.as_ref().to_owned(),
    }
}

/// What one folder holds on disk: its `.osl` files and the subfolders a
/// ruleset takes in, each sorted. A link to a folder is not followed.
fn listing(folder: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut sources, mut folders) = (Vec::new(), Vec::new());
    let Ok(entries) = std::fs::read_dir(folder) else { return (sources, folders) };
    for entry in entries.filter_map(Result::ok) {
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if kind.is_dir() {
            if !is_skipped_folder(&name) {
                folders.push(entry.path());
            }
        } else if is_source_file(&name) && entry.path().is_file() {
            sources.push(entry.path());
        }
    }
    sources.sort();
    folders.sort();
    (sources, folders)
}

/// Whether `folder` holds `.osl` files of its own on disk.
fn holds_sources(folder: &Path) -> bool {
    !listing(folder).0.is_empty()
}

/// The `.osl` files of a ruleset folder and of its subfolders, within the
/// scan's depth and file budget.
fn gather(folder: &Path, depth: usize, budget: &mut usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_SCAN_DEPTH || *budget == 0 {
        return;
    }
    let (sources, folders) = listing(folder);
    for source in sources {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        out.push(source);
    }
    for subfolder in folders {
        gather(&subfolder, depth + 1, budget, out);
    }
}

fn read_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    // A file that is not UTF-8 is read lossily: the checker reports what it can.
    Some(String::from_utf8(bytes).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()))
}

/// The server's writable state.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The one writable database.
    pub db: Database,
    /// Files and rulesets; requests read a shared copy.
    pub table: Arc<Table>,
    /// Versions of open documents, by key.
    pub versions: HashMap<String, i32>,
    /// The workspace folders scanned: a file under one belongs to the
    /// highest folder between it and that root that holds `.osl` files.
    pub roots: Vec<PathBuf>,
}

/// What a change touched: rulesets to re-check, documents that left the
/// workspace (their diagnostics are cleared).
#[derive(Debug, Default)]
pub struct Touched {
    /// Keys of the rulesets to re-check.
    pub folders: Vec<String>,
    /// Documents that left the workspace.
    pub removed: Vec<lsp::Uri>,
}

impl Touched {
    fn folder(&mut self, folder: &str) {
        if !self.folders.iter().any(|f| f == folder) {
            self.folders.push(folder.to_owned());
        }
    }
}

impl Workspace {
    /// Loads every ruleset folder under the roots.
    pub fn scan(&mut self, roots: &[PathBuf]) -> Touched {
        let mut touched = Touched::default();
        let mut budget = MAX_SCAN_FILES;
        let mut found = Vec::new();
        for root in roots {
            if !self.roots.contains(root) {
                self.roots.push(root.clone());
            }
            collect_rulesets(root, 0, &mut budget, &mut found);
        }
        for (folder, files) in found {
            let key = folder.to_string_lossy().into_owned();
            if !self.table.rulesets.contains_key(&key) {
                self.load_ruleset(&folder, files);
                touched.folder(&key);
            }
        }
        touched
    }

    /// Makes `folder` a ruleset of `files` (read from disk unless the table
    /// knows them); the files of rulesets inside it join it.
    fn load_ruleset(&mut self, folder: &Path, files: Vec<PathBuf>) {
        let key = folder.to_string_lossy().into_owned();
        let table = Arc::make_mut(&mut self.table);
        for path in files {
            let file_key = path.to_string_lossy().into_owned();
            if table.files.contains_key(&file_key) {
                continue;
            }
            let Some(text) = read_text(&path) else { continue };
            let source = SourceFile::new(&self.db, file_key.clone(), text);
            let info = FileInfo { uri: path_to_uri(&path), source, folder: key.clone(), open: false };
            table.files.insert(file_key, info);
        }
        let prefix = format!("{key}{}", std::path::MAIN_SEPARATOR);
        let inner: Vec<String> = table.rulesets.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
        for file in table.files.values_mut().filter(|file| inner.contains(&file.folder)) {
            file.folder = key.clone();
        }
        for folder in &inner {
            table.rulesets.remove(folder);
        }
        self.refresh_ruleset(&key);
    }

    /// The folder of the ruleset a file at `path` belongs to, from the
    /// disk: under a workspace root, the highest folder between that root
    /// and the file that holds `.osl` files of its own; outside every
    /// root, the highest of the folders just above the file that each hold
    /// some (the disk far above a stray file is not searched). The walk
    /// stops below a hidden or build folder, which no ruleset takes in.
    fn ruleset_folder_of(&self, path: &Path) -> PathBuf {
        let Some(folder) = path.parent() else { return path.to_path_buf() };
        let root = self.roots.iter().filter(|root| folder.starts_with(root)).max_by_key(|root| root.as_os_str().len());
        let mut best = folder;
        let mut current = folder;
        for _ in 0..MAX_SCAN_DEPTH {
            let skipped = current.file_name().is_some_and(|name| is_skipped_folder(&name.to_string_lossy()));
            let Some(parent) = current.parent() else { break };
            if skipped || root.is_some_and(|root| !parent.starts_with(root)) {
                break;
            }
            match (root, holds_sources(parent)) {
                (_, true) => best = parent,
                (None, false) => break,
                (Some(_), false) => {}
            }
            current = parent;
        }
        best.to_path_buf()
    }

    /// Sets a ruleset's files to the table's files of that folder.
    fn refresh_ruleset(&mut self, folder: &str) {
        let files: Vec<SourceFile> = self.table.files_in(folder).map(|(_, file)| file.source).collect();
        match self.table.rulesets.get(folder).copied() {
            Some(ruleset) => self.db.set_ruleset_files(ruleset, files),
            None => {
                let ruleset = Ruleset::new(&self.db, files);
                Arc::make_mut(&mut self.table).rulesets.insert(folder.to_owned(), ruleset);
            }
        }
    }

    /// Adds a file to its ruleset, loading the ruleset's folder from disk
    /// first if the server did not know it.
    fn add_file(&mut self, uri: &lsp::Uri, text: String, open: bool) -> String {
        let key = key_of(uri);
        let folder = match (self.table.files.get(&key), uri_to_path(uri)) {
            (Some(file), _) => file.folder.clone(),
            (None, Some(path)) => {
                let folder = self.ruleset_folder_of(&path);
                let folder_key = folder.to_string_lossy().into_owned();
                if !self.table.rulesets.contains_key(&folder_key) {
                    let (mut files, mut budget) = (Vec::new(), MAX_SCAN_FILES);
                    gather(&folder, 0, &mut budget, &mut files);
                    self.load_ruleset(&folder, files);
                }
                folder_key
            }
            // A document without a path is a ruleset of its own.
            (None, None) => key.clone(),
        };
        if let Some(existing) = self.table.files.get(&key).map(|f| f.source) {
            self.db.set_file_text(existing, text);
            if let Some(file) = Arc::make_mut(&mut self.table).files.get_mut(&key) {
                file.open |= open;
                if open {
                    file.uri = uri.clone();
                }
            }
        } else {
            let source = SourceFile::new(&self.db, key.clone(), text);
            let info = FileInfo { uri: uri.clone(), source, folder: folder.clone(), open };
            Arc::make_mut(&mut self.table).files.insert(key, info);
        }
        self.refresh_ruleset(&folder);
        folder
    }

    /// After a file left `folder`: when the folder holds no `.osl` file of
    /// its own any more it is no ruleset, and its files go to the rulesets
    /// of their subfolders.
    fn split_if_rootless(&mut self, folder: &str, touched: &mut Touched) {
        let path = Path::new(folder);
        if !path.is_dir() || holds_sources(path) {
            return;
        }
        let members: Vec<String> = self.table.files_in(folder).map(|(key, _)| key.clone()).collect();
        let mut moved = Vec::new();
        for key in members {
            let Some(file_path) = self.table.files.get(&key).and_then(|file| uri_to_path(&file.uri)) else { continue };
            let new_folder = self.ruleset_folder_of(&file_path).to_string_lossy().into_owned();
            if new_folder != folder
                && let Some(file) = Arc::make_mut(&mut self.table).files.get_mut(&key)
            {
                file.folder = new_folder.clone();
                moved.push(new_folder);
            }
        }
        if moved.is_empty() {
            return;
        }
        self.refresh_ruleset(folder);
        moved.sort();
        moved.dedup();
        for new_folder in moved {
            self.refresh_ruleset(&new_folder);
            touched.folder(&new_folder);
        }
    }

    fn remove_file(&mut self, key: &str, touched: &mut Touched) {
        if let Some(file) = Arc::make_mut(&mut self.table).files.remove(key) {
            self.versions.remove(key);
            touched.removed.push(file.uri.clone());
            self.refresh_ruleset(&file.folder);
            touched.folder(&file.folder);
            self.split_if_rootless(&file.folder, touched);
        }
    }

    /// A document the editor opened: its text overlays the disk's.
    pub fn open(&mut self, document: lsp::TextDocumentItem) -> Touched {
        let key = key_of(&document.uri);
        self.versions.insert(key, document.version);
        let folder = self.add_file(&document.uri, document.text, true);
        Touched { folders: vec![folder], removed: Vec::new() }
    }

    /// Incremental or whole changes to an open document, in order.
    pub fn change(&mut self, params: lsp::DidChangeTextDocumentParams) -> Touched {
        let uri = &params.text_document.text_document_identifier.uri;
        let key = key_of(uri);
        let Some(file) = self.table.files.get(&key).cloned() else { return Touched::default() };
        let mut text = file.source.text(&self.db).clone();
        for change in params.content_changes {
            crate::convert::apply_change(&mut text, change);
        }
        self.db.set_file_text(file.source, text);
        self.versions.insert(key, params.text_document.version);
        Touched { folders: vec![file.folder], removed: Vec::new() }
    }

    /// A closed document goes back to its disk text, or leaves the
    /// workspace if it is not on disk.
    pub fn close(&mut self, uri: &lsp::Uri) -> Touched {
        let key = key_of(uri);
        let mut touched = Touched::default();
        let Some(file) = self.table.files.get(&key).cloned() else { return touched };
        self.versions.remove(&key);
        match uri_to_path(uri).and_then(|path| read_text(&path)) {
            Some(text) => {
                self.db.set_file_text(file.source, text);
                if let Some(file) = Arc::make_mut(&mut self.table).files.get_mut(&key) {
                    file.open = false;
                }
                touched.folder(&file.folder);
            }
            None => self.remove_file(&key, &mut touched),
        }
        touched
    }

    /// Files created, changed or deleted on disk. Open documents keep the
    /// editor's text.
    pub fn watched(&mut self, changes: Vec<lsp::FileEvent>) -> Touched {
        let mut touched = Touched::default();
        for event in changes {
            let Some(path) = uri_to_path(&event.uri) else { continue };
            let key = key_of(&event.uri);
            let known = self.table.files.get(&key).cloned();
            if known.as_ref().is_some_and(|file| file.open) {
                continue;
            }
            match event.kind {
                lsp::FileChangeType::Deleted => {
                    if known.is_some() {
                        self.remove_file(&key, &mut touched);
                    } else {
                        // A deleted folder: drop the files it held.
                        let prefix = format!("{key}{}", std::path::MAIN_SEPARATOR);
                        let inside: Vec<String> =
                            self.table.files.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
                        for file_key in inside {
                            if self.table.files.get(&file_key).is_some_and(|f| !f.open) {
                                self.remove_file(&file_key, &mut touched);
                            }
                        }
                    }
                }
                _ if path.file_name().is_some_and(|name| is_source_file(&name.to_string_lossy())) => {
                    let Some(text) = read_text(&path) else { continue };
                    let uri = known.map_or_else(|| path_to_uri(&path), |file| file.uri);
                    let folder = self.add_file(&uri, text, false);
                    touched.folder(&folder);
                }
                _ => {}
            }
        }
        touched
    }
}

/// The rulesets under `folder`: each folder that holds `.osl` files of its
/// own, with its files and its subfolders' (a folder inside a ruleset is
/// part of it, not another ruleset).
fn collect_rulesets(folder: &Path, depth: usize, budget: &mut usize, out: &mut Vec<(PathBuf, Vec<PathBuf>)>) {
    if depth > MAX_SCAN_DEPTH || *budget == 0 {
        return;
    }
    let (sources, folders) = listing(folder);
    if !sources.is_empty() {
        let mut files = Vec::new();
        gather(folder, depth, budget, &mut files);
        out.push((folder.to_path_buf(), files));
        return;
    }
    for subfolder in folders {
        collect_rulesets(&subfolder, depth + 1, budget, out);
    }
}

#[cfg(test)]
mod tests {
    //! The workspace reads a ruleset folder as the command line does, and
    //! regroups its rulesets when a file at the top of a tree comes or goes.

    use super::*;

    fn tree(name: &str, files: &[&str]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("osler-lsp-tree-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap_or(&root)).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(&path, "fact a: bool\n").unwrap_or_else(|e| panic!("{e}"));
        }
        root
    }

    /// Each ruleset with its files, relative to `root`.
    fn rulesets(workspace: &Workspace, root: &Path) -> Vec<(String, Vec<String>)> {
        let relative =
            |key: &str| Path::new(key).strip_prefix(root).map_or(key.to_owned(), |p| p.display().to_string());
        let table = &workspace.table;
        let mut out: Vec<(String, Vec<String>)> = table
            .rulesets
            .keys()
            .map(|folder| (relative(folder), table.files_in(folder).map(|(key, _)| relative(key)).collect()))
            .filter(|(_, files): &(String, Vec<String>)| !files.is_empty())
            .collect();
        out.sort();
        out
    }

    fn event(path: &Path, kind: lsp::FileChangeType) -> lsp::FileEvent {
        lsp::FileEvent::new(path_to_uri(path), kind)
    }

    fn owned(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        list.iter()
            .map(|(folder, files)| ((*folder).to_owned(), files.iter().map(|f| (*f).to_owned()).collect()))
            .collect()
    }

    #[test]
    fn subfolders_belong_to_the_ruleset_above_them() {
        let root = tree(
            "scan",
            &[
                "demo/a.osl",
                "demo/tests/b.osl",
                "demo/tests/deep/c.osl",
                "demo/.old/d.osl",
                "demo/target/e.osl",
                "other/f.osl",
            ],
        );
        let mut workspace = Workspace::default();
        workspace.scan(std::slice::from_ref(&root));
        let expected: &[(&str, &[&str])] =
            &[("demo", &["demo/a.osl", "demo/tests/b.osl", "demo/tests/deep/c.osl"]), ("other", &["other/f.osl"])];
        assert_eq!(rulesets(&workspace, &root), owned(expected));

        // A file created in a new subfolder joins its ruleset.
        let late = root.join("demo/tests/late/g.osl");
        std::fs::create_dir_all(late.parent().unwrap_or(&root)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&late, "fact g: bool\n").unwrap_or_else(|e| panic!("{e}"));
        let touched = workspace.watched(vec![event(&late, lsp::FileChangeType::Created)]);
        assert_eq!(touched.folders, [root.join("demo").to_string_lossy().into_owned()]);

        // A file at the top makes the whole tree one ruleset ...
        let top = root.join("top.osl");
        std::fs::write(&top, "fact top: bool\n").unwrap_or_else(|e| panic!("{e}"));
        workspace.watched(vec![event(&top, lsp::FileChangeType::Created)]);
        let all = rulesets(&workspace, &root);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].0, "");
        assert_eq!(all[0].1.len(), 6, "{all:?}");

        // ... and without it the rulesets are its subfolders again.
        std::fs::remove_file(&top).unwrap_or_else(|e| panic!("{e}"));
        let touched = workspace.watched(vec![event(&top, lsp::FileChangeType::Deleted)]);
        assert!(touched.folders.contains(&root.join("demo").to_string_lossy().into_owned()), "{:?}", touched.folders);
        let expected: &[(&str, &[&str])] = &[
            ("demo", &["demo/a.osl", "demo/tests/b.osl", "demo/tests/deep/c.osl", "demo/tests/late/g.osl"]),
            ("other", &["other/f.osl"]),
        ];
        assert_eq!(rulesets(&workspace, &root), owned(expected));
    }

    #[test]
    fn a_file_outside_the_workspace_finds_the_ruleset_folder_above_it() {
        let root = tree("outside", &["rules/a.osl", "rules/tests/b.osl"]);
        let mut workspace = Workspace::default();
        let opened = root.join("rules/tests/b.osl");
        let folder = workspace.add_file(&path_to_uri(&opened), "fact b: bool\n".to_owned(), true);
        assert_eq!(folder, root.join("rules").to_string_lossy());
        let expected: &[(&str, &[&str])] = &[("rules", &["rules/a.osl", "rules/tests/b.osl"])];
        assert_eq!(rulesets(&workspace, &root), owned(expected));
    }
}
