//! The Osler language server: `osler lsp` over standard input/output.
//!
//! A thin layer over the dsl's database and editor queries
//! (`osler_dsl::ide`): the same `file_diagnostics` query as `osler check`,
//! so the editor and the command line never disagree, and the same
//! analysis findings, confirmed by the engine. This crate is the only one
//! that knows the Language Server Protocol.
//!
//! - `session` wires a session together and ends it ([`serve`]);
//! - `ordered` applies document changes strictly in arrival order;
//! - `workspace` holds the database, the ruleset folders and open files;
//! - `shared` is the state every part of a session shares;
//! - `diagnostics` publishes per-file diagnostics with document versions;
//! - `analysis` turns the static analysis' findings into diagnostics and
//!   "Add as test" code actions;
//! - `server` and `handlers` answer requests on database snapshots;
//! - [`convert`] turns byte offsets into UTF-16 positions and back;
//! - `transport` keeps malformed messages from stopping the server;
//! - `panics` reports caught panics in the editor's log.
//!
//! This file is a façade: the modules never import it.

mod analysis;
pub mod convert;
mod diagnostics;
mod handlers;
mod ordered;
mod panics;
mod server;
mod session;
mod shared;
mod transport;
mod workspace;

/// Test support (the `testing` feature): an in-process LSP client for
/// tests and benchmarks. Not part of the server.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod tests;

pub use session::{run_stdio, serve};
