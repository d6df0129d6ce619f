//! The salsa database: the inputs (files and rulesets), the tracked items
//! (one per declaration) and the parsing queries the checker, the
//! formatter and the language server share.
//!
//! Granularity, from coarse to fine:
//! - [`parse_file`] re-runs when its file's text changes;
//! - [`file_items`] gives each declaration a stable identity ([`Item`]) whose
//!   fields (`syntax`, `doc`, `offset`) are tracked separately, so moving or
//!   documenting a declaration does not invalidate its type check.
//!
//! Name lookups and checks build on these in the `check` module.

use std::sync::{Arc, Mutex};

use crate::syntax::{self, DeclKind, ParsedFile};

pub use salsa_items::{DeclText, Item, ItemKey, Name, Ruleset, SourceFile};

/// The salsa structs. Salsa generates their constructors and setters
/// without doc comments, so the lint is expected here only; the structs and
/// their fields are documented.
mod salsa_items {
    #![expect(missing_docs, reason = "salsa generates undocumented constructors and setters")]

    use std::sync::Arc;

    use crate::syntax::{Decl, DocComment};

    /// One `.osl` file.
    #[salsa::input(debug)]
    pub struct SourceFile {
        /// The file's path, as the ruleset names it.
        #[returns(ref)]
        pub path: String,
        /// The file's text.
        #[returns(ref)]
        pub text: String,
    }

    /// A ruleset: the files that share one namespace, sorted by path.
    #[salsa::input(debug)]
    pub struct Ruleset {
        /// The files, sorted by path.
        #[returns(ref)]
        pub files: Vec<SourceFile>,
    }

    /// A name as a query key.
    #[salsa::interned(debug)]
    pub struct Name<'db> {
        /// The name as written.
        #[returns(ref)]
        pub text: String,
    }

    /// One declaration with a stable identity: its kind and name (or test
    /// title, or ordinal for unnamed rules) within its file.
    #[salsa::tracked(debug)]
    pub struct Item<'db> {
        /// The file declaring it.
        pub file: SourceFile,
        /// Its identity within the file.
        #[returns(ref)]
        pub key: ItemKey,
        /// Its syntax tree, spans relative to [`Item::offset`].
        #[tracked]
        #[returns(ref)]
        pub syntax: Arc<Decl>,
        /// The `///` comment above it.
        #[tracked]
        #[returns(ref)]
        pub doc: Option<DocComment>,
        /// Where the declaration starts in its file; spans in `syntax` are
        /// relative to it.
        #[tracked]
        #[returns(copy)]
        pub offset: u32,
    }

    /// What identifies a declaration within its file.
    #[derive(Clone, PartialEq, Eq, Hash, Debug)]
    pub struct ItemKey {
        /// The declaration keyword (`rule`, `fact`, ...).
        pub kind: &'static str,
        /// The declared name; an unnamed rule's or assert's generated id; a
        /// test's title; an `exclusive`'s action.
        pub name: String,
    }

    /// The text of one declaration, as a query key.
    #[salsa::interned(debug)]
    pub struct DeclText<'db> {
        /// The declaration's text (doc comment removed).
        #[returns(ref)]
        pub text: String,
    }
}

/// The database every Osler tool uses.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    log: Option<Arc<Mutex<Vec<String>>>>,
}

// Editing and cancellation, the API the language server uses, so that
// salsa stays a detail of this crate (begin).

impl Database {
    /// Sets a file's text. An unchanged text is not written, so a no-op
    /// edit neither cancels the snapshots in flight nor re-runs a query.
    pub fn set_file_text(&mut self, file: SourceFile, text: String) {
        use salsa::Setter as _;
        if file.text(&*self) != &text {
            file.set_text(self).to(text);
        }
    }

    /// Sets a ruleset's files (sorted by path). An unchanged list is not
    /// written, for the same reason as in [`Database::set_file_text`].
    pub fn set_ruleset_files(&mut self, ruleset: Ruleset, files: Vec<SourceFile>) {
        use salsa::Setter as _;
        if ruleset.files(&*self) != &files {
            ruleset.set_files(self).to(files);
        }
    }

    /// Runs `f`, a computation on a clone (a snapshot) of a database, and
    /// gives [`Cancelled`] if a write to the database interrupted it: a
    /// write waits for every snapshot to be dropped, and the queries they
    /// run unwind as soon as one is pending. Any other panic goes on
    /// unwinding.
    pub fn cancellable<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, Cancelled> {
        salsa::Cancelled::catch(f).map_err(|_| Cancelled)
    }
}

/// A computation on a database snapshot was abandoned because the
/// database was written meanwhile (see [`Database::cancellable`]); its
/// answer would have been stale.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled by a newer edit")
    }
}

impl std::error::Error for Cancelled {}

// Editing and cancellation (end).

#[salsa::db]
impl salsa::Database for Database {}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("logging", &self.log.is_some()).finish_non_exhaustive()
    }
}

impl Database {
    /// A database that records the name of every query it executes, for
    /// tests that prove incrementality.
    pub fn with_execution_log() -> Database {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&log);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = sink.lock()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        Database { storage, log: Some(log) }
    }

    /// The queries executed since the last call (`WillExecute` events).
    pub fn take_execution_log(&self) -> Vec<String> {
        self.log.as_ref().and_then(|log| log.lock().ok().map(|mut log| std::mem::take(&mut *log))).unwrap_or_default()
    }
}

/// Parses one declaration; memoised by its text, so editing one rule of a
/// large file re-parses that rule only.
#[salsa::tracked(returns(ref))]
pub fn parse_declaration<'db>(db: &'db dyn salsa::Database, text: DeclText<'db>) -> syntax::DeclResult {
    syntax::parse_declaration(text.text(db))
}

/// Splits and parses one file, each declaration through
/// [`parse_declaration`].
#[salsa::tracked(returns(ref))]
pub fn parse_file(db: &dyn salsa::Database, file: SourceFile) -> ParsedFile {
    syntax::parse_with(file.text(db), &mut |source| parse_declaration(db, DeclText::new(db, source.to_owned())).clone())
}

/// The file's name without folder and extension, for unnamed rule ids.
pub fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".osl").unwrap_or(name)
}

/// One tracked [`Item`] per declaration of a file.
#[salsa::tracked(returns(ref))]
pub fn file_items<'db>(db: &'db dyn salsa::Database, file: SourceFile) -> Vec<Item<'db>> {
    let parsed = parse_file(db, file);
    let stem = file_stem(file.path(db));
    let mut unnamed = 0;
    let mut unnamed_asserts = 0;
    parsed
        .decls
        .iter()
        .map(|decl| {
            let name = match &decl.decl.kind {
                DeclKind::Test(test) => test.title.value.clone(),
                DeclKind::Rule(rule) if rule.name.is_none() => {
                    unnamed += 1;
                    format!("{stem}_{unnamed}")
                }
                DeclKind::Assert(assert) if assert.name.is_none() => {
                    unnamed_asserts += 1;
                    format!("{stem}_assert_{unnamed_asserts}")
                }
                kind => kind.name().map(|name| name.text.clone()).unwrap_or_default(),
            };
            let key = ItemKey { kind: decl.decl.kind.keyword(), name };
            Item::new(db, file, key, Arc::clone(&decl.decl), decl.doc.clone(), decl.offset)
        })
        .collect()
}
