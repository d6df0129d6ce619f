//! The grammar's own tokens of a declaration: the terminals of its pest
//! parse, so that other readers of the language (the lexer, which the
//! formatter and the editor use) can be checked against the grammar itself.

use pest::Parser as _;
use pest::iterators::Pair;

use super::errors::strip_trailing_comments;
use super::grammar::{OslerParser, Rule};
use super::lexer::TokenKind;
use crate::span::Span;

/// One token as the grammar reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Terminal {
    /// Where it is in the declaration's text.
    pub span: Span,
    /// The lexer kind this terminal must have; `None` where the grammar
    /// does not decide one (a quantity type's unit, `number mmHg`, is a
    /// word to the lexer but `%` is not).
    pub kind: Option<TokenKind>,
}

/// The terminals of one declaration's parse, in order, or `None` when the
/// text does not parse. A terminal is a pair with no inner pairs, except
/// that a string, a duration and a quantity are one terminal each (as they
/// are one token to the lexer); spans leave out the blanks and comments
/// pest keeps at the end of a pair, and empty pairs (an absent `cite` list,
/// the end of input) are left out.
pub fn terminals(declaration: &str) -> Option<Vec<Terminal>> {
    let pairs = OslerParser::parse(Rule::declaration_input, declaration).ok()?;
    let mut out = Vec::new();
    // An explicit stack: a deeply nested declaration must not recurse.
    let mut stack: Vec<Pair<'_, Rule>> = pairs.rev().collect();
    while let Some(pair) = stack.pop() {
        let rule = pair.as_rule();
        let whole = matches!(rule, Rule::string | Rule::duration | Rule::quantity);
        if !whole && pair.clone().into_inner().next().is_some() {
            let inner: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
            stack.extend(inner.into_iter().rev());
            continue;
        }
        let start = pair.as_span().start();
        let span = Span::new(start, start + strip_trailing_comments(pair.as_str()).len());
        if span.is_empty() {
            continue;
        }
        out.push(Terminal { span, kind: kind_of(&pair) });
    }
    Some(out)
}

/// The lexer kind a terminal must have.
fn kind_of(pair: &Pair<'_, Rule>) -> Option<TokenKind> {
    Some(match pair.as_rule() {
        Rule::number => TokenKind::Number,
        Rule::duration => TokenKind::Duration,
        Rule::string => TokenKind::String,
        Rule::quantity => {
            let unit = pair.clone().into_inner().find(|inner| inner.as_rule() == Rule::unit)?;
            TokenKind::Quantity { unit_start: u32::try_from(unit.as_span().start()).unwrap_or(u32::MAX) }
        }
        Rule::unit => TokenKind::Unit,
        Rule::arrow
        | Rule::colon
        | Rule::comma
        | Rule::equals
        | Rule::lparen
        | Rule::rparen
        | Rule::lbrace
        | Rule::rbrace
        | Rule::dot
        | Rule::neg_op
        | Rule::cmp_op
        | Rule::add_op
        | Rule::mul_op
        | Rule::priority_gt => TokenKind::Punct,
        // Names, keywords, `true`/`false` and the word operators.
        _ => TokenKind::Word,
    })
}
