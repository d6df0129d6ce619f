//! The Osler rule language front end: grammar, syntax tree, incremental
//! checker (salsa), diagnostics and formatter.
//!
//! This crate is pure: no file system, no environment, no LSP types. Text
//! goes in through salsa inputs; plain data comes out.

pub mod code;
pub mod diagnostic;
pub mod generate;
pub mod line_index;
pub mod model;
pub mod syntax;

pub use code::Code;
pub use diagnostic::{Diagnostic, FileDiagnostic, Severity};
pub use line_index::{LineCol, LineIndex};
pub mod check;
pub mod db;
pub mod format;
pub mod ide;
pub mod types;

use std::sync::Arc;

/// The result of checking a ruleset given as text.
#[derive(Clone, Debug)]
pub struct Checked {
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<FileDiagnostic>,
    /// The checked model; `None` when there are errors.
    pub model: Option<Arc<model::Model>>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.diagnostic.severity == Severity::Error)
    }
}

/// Checks a ruleset given as `(path, text)` pairs, one per `.osl` file,
/// in a fresh database. Tools that re-check after edits keep a
/// [`db::Database`] instead.
pub fn check_sources(files: &[(String, String)]) -> Checked {
    let db = db::Database::default();
    let ruleset = load_ruleset(&db, files);
    check_ruleset(&db, ruleset)
}

/// Creates the salsa inputs for a ruleset, files sorted by path.
pub fn load_ruleset(db: &db::Database, files: &[(String, String)]) -> db::Ruleset {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let inputs = sorted.into_iter().map(|(path, text)| db::SourceFile::new(db, path.clone(), text.clone())).collect();
    db::Ruleset::new(db, inputs)
}

/// Diagnostics and (when clean of errors) the model of a loaded ruleset.
pub fn check_ruleset(db: &dyn salsa::Database, ruleset: db::Ruleset) -> Checked {
    let diagnostics = check::ruleset_check(db, ruleset);
    let has_errors = diagnostics.iter().any(|d| d.diagnostic.severity == Severity::Error);
    let model = (!has_errors).then(|| Arc::new(check::build_model(db, ruleset)));
    Checked { diagnostics, model }
}
