//! The incremental checker: per-declaration checks, let typing and
//! cycles, ruleset-wide checks (duplicates, override cycles, unused names),
//! the per-file diagnostics the CLI and the language server publish, and
//! the model of a ruleset without errors.
//!
//! A façade: the work is in leaf-first modules that import one another,
//! never this one. `env` and `resolution` are leaves; `expr` types one
//! expression; `names` holds every name lookup (the symbol table,
//! `name_info`, let typing); `item` checks one declaration and records
//! what its names resolved to; `ruleset` does the ruleset-wide checks and
//! the per-file diagnostics; `model_build` builds the
//! [`Model`](crate::model::Model); `checked` checks text in one call.

mod checked;
mod env;
mod expr;
mod graph;
mod item;
mod model_build;
mod names;
mod resolution;
mod ruleset;

pub use checked::{Checked, check_ruleset, check_sources, load_ruleset};
pub use env::NameInfo;
pub(crate) use expr::{ExprChecker, RExpr};
pub use item::{check_item, item_resolutions};
pub(crate) use model_build::call_args;
pub use model_build::{build_model, build_model_of};
pub(crate) use names::QueryEnv;
pub use names::{
    LetAnalysis, Symbol, SymbolKind, Symbols, broken_names, let_analysis, name_info, resolve_type, symbols,
};
pub use resolution::{NameUse, Target};
pub use ruleset::{
    References, UsedNames, baseline_diagnostics, declaration_diagnostics, file_diagnostics, file_rule_refs,
    file_used_names, item_references, rule_graph_diagnostics, ruleset_check, ruleset_diagnostics, unused_diagnostics,
};
