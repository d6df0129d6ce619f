//! The Osler engine.
