//! Static analysis of a checked ruleset: proves what holds for every
//! record and finds a record where something does not. Facts compared
//! only with constants make the question finite (see `domain`), logic is
//! encoded in two rails (see `encode`) and a SAT solver decides each
//! question, one small formula per question. Every finding that something
//! can happen carries a canonical example record; the engine replays it
//! before it is reported (`osler_engine::analysis`).

mod builtin;
mod diff;
mod domain;
mod encode;
mod finding;
mod properties;
mod queries;
mod run;
mod sat;
mod search;

pub use builtin::MAX_COVERERS;
pub use diff::{Change, DiffError, Side, diff};
pub use domain::example_value;
pub use encode::Index;
pub use finding::{Claim, Finding, NOT_FOLLOWED, Subject};
pub use queries::{
    ConeItems, Findings, RuleGraph, Shape, rule_analysis, rule_cone, rule_graph, rule_shape, ruleset_findings,
    ruleset_model,
};
pub use run::analyze;
