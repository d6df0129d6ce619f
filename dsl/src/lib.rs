//! The Osler rule language front end: grammar, syntax tree, incremental
//! checker (salsa), diagnostics and formatter.
//!
//! This crate is pure: no file system, no environment, no LSP types. Text
//! goes in through salsa inputs; plain data comes out.

pub mod code;
pub mod decimal;
pub mod diagnostic;
pub mod generate;
pub mod layout;
pub mod line_index;
pub mod model;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod units;

pub use code::Code;
pub use diagnostic::{Diagnostic, FileDiagnostic, Severity};
pub use line_index::{LineCol, LineIndex};
pub mod analysis;
pub mod check;
pub mod db;
pub mod format;
pub mod ide;
pub mod types;

pub use check::{Checked, check_ruleset, check_sources, load_ruleset};
