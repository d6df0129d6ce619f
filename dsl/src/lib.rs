//! The Osler rule language front end: grammar, syntax tree, incremental
//! checker (salsa), diagnostics and formatter.
//!
//! This crate is pure: no file system, no environment, no LSP types. Text
//! goes in through salsa inputs; plain data comes out.

pub mod diagnostic;
pub mod line_index;
pub mod syntax;

pub use diagnostic::{Diagnostic, FileDiagnostic, Severity};
pub use line_index::{LineCol, LineIndex};
