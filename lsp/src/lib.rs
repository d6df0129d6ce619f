//! The Osler language server.
