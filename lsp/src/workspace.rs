//! The workspace the server knows: every ruleset folder under the roots (a
//! folder with `.osl` files is one ruleset), each file's database input,
//! and which documents the editor has open (their text overlays the disk).
//!
//! The [`Workspace`] owns the one writable [`Database`]; requests work on
//! clones of it (snapshots), which a write cancels.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use osler_dsl::db::{Database, Ruleset, SourceFile};
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

fn folder_of(uri: &lsp::Uri) -> String {
    match uri_to_path(uri) {
        Some(path) => path.parent().map_or_else(String::new, |parent| parent.to_string_lossy().into_owned()),
        None => uri.as_ref().to_owned(),
    }
}

fn is_osl(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "osl")
}

/// The `.osl` files of one folder (not its subfolders), sorted.
fn osl_files_in(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| is_osl(p) && p.is_file()).collect();
    files.sort();
    files
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
        let mut folders = Vec::new();
        for root in roots {
            collect_folders(root, 0, &mut budget, &mut folders);
        }
        for folder in folders {
            let key = folder.to_string_lossy().into_owned();
            if !self.table.rulesets.contains_key(&key) {
                self.load_folder(&folder);
                touched.folder(&key);
            }
        }
        touched
    }

    /// Creates the ruleset of a folder from the disk.
    fn load_folder(&mut self, folder: &Path) {
        let key = folder.to_string_lossy().into_owned();
        let mut sources = Vec::new();
        for path in osl_files_in(folder) {
            let Some(text) = read_text(&path) else { continue };
            let file_key = path.to_string_lossy().into_owned();
            let source = SourceFile::new(&self.db, file_key.clone(), text);
            sources.push(source);
            let info = FileInfo { uri: path_to_uri(&path), source, folder: key.clone(), open: false };
            Arc::make_mut(&mut self.table).files.insert(file_key, info);
        }
        let ruleset = Ruleset::new(&self.db, sources);
        Arc::make_mut(&mut self.table).rulesets.insert(key, ruleset);
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

    /// Adds a file to its folder's ruleset, loading the folder from disk
    /// first if the server did not know it.
    fn add_file(&mut self, uri: &lsp::Uri, text: String, open: bool) -> String {
        let key = key_of(uri);
        let folder = folder_of(uri);
        if !self.table.rulesets.contains_key(&folder)
            && let Some(path) = uri_to_path(uri)
            && let Some(parent) = path.parent()
        {
            self.load_folder(parent);
        }
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

    fn remove_file(&mut self, key: &str, touched: &mut Touched) {
        if let Some(file) = Arc::make_mut(&mut self.table).files.remove(key) {
            self.versions.remove(key);
            touched.removed.push(file.uri.clone());
            self.refresh_ruleset(&file.folder);
            touched.folder(&file.folder);
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
                _ if is_osl(&path) => {
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

fn collect_folders(folder: &Path, depth: usize, budget: &mut usize, out: &mut Vec<PathBuf>) {
    if depth > MAX_SCAN_DEPTH || *budget == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    let mut has_osl = false;
    let mut subfolders = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                subfolders.push(path);
            }
        } else if kind.is_file() && is_osl(&path) {
            has_osl = true;
            *budget = budget.saturating_sub(1);
        }
    }
    if has_osl {
        out.push(folder.to_path_buf());
    }
    subfolders.sort();
    for subfolder in subfolders {
        collect_folders(&subfolder, depth + 1, budget, out);
    }
}
