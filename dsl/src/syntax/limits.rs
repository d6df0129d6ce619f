//! The parser's limits, in a leaf module so that every part of the parser
//! can read them.

/// The largest file Osler parses; offsets are `u32`.
pub const MAX_FILE_SIZE: usize = u32::MAX as usize / 2;

/// How deep a declaration may nest: brackets (`(..)`, `{..}`), prefix
/// operators (each `not` and `-` of a run), comparisons, calls and each
/// operator of an arithmetic chain (`a + b + c` folds to the left) open a
/// level each; an `and`/`or` chain is one level however long it is. Deeper
/// declarations get `osler::too_deep`, so every layer that walks a tree
/// (parser, checker, model builder, engine, formatter, editor queries)
/// recurses at most this far: comfortably inside a 2 MiB thread stack even
/// in a debug build (`tests/tests/hostile.rs`).
pub const MAX_NESTING: u32 = 64;
