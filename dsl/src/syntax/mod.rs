//! Parsing: text in, a syntax tree and syntax diagnostics out. Parsing never
//! fails and never panics; pest stays behind this module.
//!
//! This file is the module's façade: it only declares the parts and
//! re-exports what the rest of the crate uses, and no part imports it.

mod ast;
mod errors;
mod grammar;
mod keywords;
mod lexer;
mod limits;
mod lower;
mod parse;
mod split;
mod terminals;

pub use ast::*;
pub use keywords::{DECLARATION_KEYWORDS, KEYWORDS, Keyword, RESERVED_WORDS, is_keyword, is_reserved};
pub use lexer::{Token, TokenKind, lex};
pub use limits::{MAX_FILE_SIZE, MAX_NESTING};
pub use parse::{DeclResult, DocComment, ParsedDecl, ParsedFile, parse, parse_declaration, parse_with};
pub(crate) use split::split;
pub use terminals::{Terminal, terminals};
