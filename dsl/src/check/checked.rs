//! Checking a ruleset in one call: the entry points the CLI, the engine and
//! the tests use (the crate root re-exports them).

use std::sync::Arc;

use super::model_build::build_model;
use super::ruleset::ruleset_check;
use crate::db::{self, Database};
use crate::diagnostic::{FileDiagnostic, Severity};
use crate::model::Model;

/// The result of checking a ruleset given as text.
#[derive(Clone, Debug)]
pub struct Checked {
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<FileDiagnostic>,
    /// The checked model; `None` when there are errors.
    pub model: Option<Arc<Model>>,
}

impl Checked {
    /// Whether any diagnostic is an error (then there is no model).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.diagnostic.severity == Severity::Error)
    }
}

/// Checks a ruleset given as `(path, text)` pairs, one per `.osl` file,
/// in a fresh database. Tools that re-check after edits keep a
/// [`Database`] instead.
pub fn check_sources(files: &[(String, String)]) -> Checked {
    let db = Database::default();
    let ruleset = load_ruleset(&db, files);
    check_ruleset(&db, ruleset)
}

/// Creates the salsa inputs for a ruleset, files sorted by path.
pub fn load_ruleset(db: &Database, files: &[(String, String)]) -> db::Ruleset {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let inputs = sorted.into_iter().map(|(path, text)| db::SourceFile::new(db, path.clone(), text.clone())).collect();
    db::Ruleset::new(db, inputs)
}

/// Diagnostics and (when clean of errors) the model of a loaded ruleset.
pub fn check_ruleset(db: &dyn salsa::Database, ruleset: db::Ruleset) -> Checked {
    let diagnostics = ruleset_check(db, ruleset);
    let has_errors = diagnostics.iter().any(|d| d.diagnostic.severity == Severity::Error);
    let model = (!has_errors).then(|| Arc::new(build_model(db, ruleset)));
    Checked { diagnostics, model }
}
