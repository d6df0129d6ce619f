//! Semantic tokens: every token of a file with its meaning, the names'
//! meanings as the checker resolved them.

use std::collections::BTreeMap;

use super::names::{NameRef, Target, file_names};
use crate::db::{Ruleset, SourceFile};
use crate::syntax::{Span, TokenKind, is_keyword, is_reserved, lex};

/// What a token is, for highlighting.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SemanticKind {
    /// A keyword (`rule`, `and`, `cite`).
    Keyword,
    /// A built-in type (`bool`, `number`, `duration`, `string`).
    Type,
    /// A comment.
    Comment,
    /// A string literal.
    String,
    /// A number, quantity or duration literal.
    Number,
    /// An operator (`->`, `==`, `+`).
    Operator,
    /// A fact.
    Fact,
    /// A let.
    Let,
    /// An action.
    Action,
    /// A parameter of an action.
    Param,
    /// An enum type.
    Enum,
    /// A variant.
    Variant,
    /// A rule.
    Rule,
    /// A source.
    Source,
    /// The ruleset's name.
    Ruleset,
    /// A built-in function (`count`, `known`).
    Function,
    /// A `baseline` of test givens.
    Baseline,
}

/// One highlighted token.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SemanticToken {
    /// Where it is, absolute in its file.
    pub span: Span,
    /// What it is.
    pub kind: SemanticKind,
    /// A name being declared.
    pub declaration: bool,
    /// A `///` doc comment.
    pub documentation: bool,
}

/// Every token of a file with its meaning, in order, for highlighting.
pub fn semantic_tokens(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<SemanticToken> {
    let text = file.text(db);
    let names: BTreeMap<u32, NameRef> = file_names(db, ruleset, file).into_iter().map(|n| (n.span.start, n)).collect();
    let mut out = Vec::new();
    for token in lex(text) {
        let span = Span { start: token.start, end: token.end };
        let word = token.text(text);
        let (kind, declaration, documentation) = match token.kind {
            TokenKind::Comment => (SemanticKind::Comment, false, word.starts_with("///")),
            TokenKind::String => (SemanticKind::String, false, false),
            TokenKind::Number | TokenKind::Duration | TokenKind::Quantity { .. } => {
                (SemanticKind::Number, false, false)
            }
            TokenKind::Punct if word == "->" || word.len() > 1 || "=<>+-*/".contains(word) => {
                (SemanticKind::Operator, false, false)
            }
            TokenKind::Unit => (SemanticKind::Type, false, false),
            TokenKind::Punct | TokenKind::Unknown => continue,
            TokenKind::Word if matches!(word, "bool" | "number" | "duration" | "string") => {
                (SemanticKind::Type, false, false)
            }
            TokenKind::Word if is_reserved(word) => (SemanticKind::Keyword, false, false),
            // A contextual keyword (`test`, `examine`, `from`) is a name
            // where the checker resolved one.
            TokenKind::Word => match names.get(&token.start) {
                Some(name) => {
                    let kind = match name.target {
                        Target::Ruleset(_) => SemanticKind::Ruleset,
                        Target::Source(_) => SemanticKind::Source,
                        Target::Enum(_) => SemanticKind::Enum,
                        Target::Variant { .. } => SemanticKind::Variant,
                        Target::Fact(_) => SemanticKind::Fact,
                        Target::Let(_) => SemanticKind::Let,
                        Target::Action(_) => SemanticKind::Action,
                        Target::Param { .. } => SemanticKind::Param,
                        Target::Rule(_) => SemanticKind::Rule,
                        Target::Baseline(_) => SemanticKind::Baseline,
                    };
                    (kind, name.declaration, false)
                }
                None if is_keyword(word) => (SemanticKind::Keyword, false, false),
                None if word == "count" || word == "known" => (SemanticKind::Function, false, false),
                None => continue,
            },
        };
        out.push(SemanticToken { span, kind, declaration, documentation });
    }
    out
}
