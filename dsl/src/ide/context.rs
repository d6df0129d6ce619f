//! The completion context: what the cursor is in the middle of, read from
//! the text of its declaration before it (the declaration is cut where the
//! parser's splitter cuts it), for completion and signature help.

use crate::span::floor_char_boundary;
use crate::syntax::{DECLARATION_KEYWORDS, Token, TokenKind, is_keyword, lex, split};
use crate::types::Ty;

/// What the cursor is in the middle of, read from the text before it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CompletionContext {
    /// The start of a declaration: keywords, or a short rule's condition.
    DeclarationStart,
    /// A condition: facts, lets, `count`, `known`, `not`.
    Condition,
    /// A side of an `assert`: a condition, where actions (as patterns)
    /// may stand too.
    AssertCondition,
    /// After `==`, `!=` or inside `in {`: the variants of this enum.
    Variants(String),
    /// After `->`, `expect`, `exclusive`, `priority` or a priority's `>`.
    Actions,
    /// After `cite`.
    Sources,
    /// After `overrides`.
    Rules,
    /// After `examine` in an `expect`: facts only.
    Facts,
    /// After `given` (or a comma of a `given`): facts, and baselines to
    /// include.
    Givens,
    /// After `expect` (`negated`: `expect not`): actions, rules (`RULE
    /// fires`) and the words of the `expect` forms.
    Expect {
        /// After `expect not`.
        negated: bool,
    },
    /// After `expect NAME` or `expect ACTION(..)`: `fires`, `from`, or
    /// the next statement.
    AfterExpected,
    /// A type after `:` in a fact or parameter.
    TypeName,
    /// A unit after `number`.
    Unit,
    /// An argument of an action call.
    Argument {
        /// The action called.
        action: String,
        /// Which argument (0 for the first).
        index: usize,
    },
    /// The value after `given fact =`.
    GivenValue(String),
    /// After a complete operand: operators and clause keywords.
    AfterOperand,
    /// A statement of a test block.
    TestStatement,
    /// A statement of a baseline block: `given` only.
    BaselineStatement,
    /// Nothing to offer (in a comment, a string, a name being declared).
    Nothing,
}

/// Where the declaration around `offset` starts: where the parser's
/// splitter starts the last declaration beginning at or before it (or
/// `offset` itself, before the first one).
fn declaration_start(text: &str, offset: usize) -> usize {
    split(text).iter().map(|chunk| chunk.start).take_while(|&start| start <= offset).last().unwrap_or(offset)
}

/// The start of the word the cursor is in (or right after).
pub(crate) fn word_start(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    start
}
/// Reads the completion context at `offset` from the text alone;
/// `value_type` gives the type of a fact or let by name.
pub fn completion_context(text: &str, offset: u32, value_type: &dyn Fn(&str) -> Option<Ty>) -> CompletionContext {
    let offset = floor_char_boundary(text, offset as usize);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    // In a comment, or in a string still open at the cursor: nothing.
    if let Some(last) = lex(line).last() {
        let unclosed_string =
            last.kind == TokenKind::String && (last.end - last.start < 2 || !last.text(line).ends_with('"'));
        if last.kind == TokenKind::Comment || unclosed_string {
            return CompletionContext::Nothing;
        }
    }
    let start = word_start(text, offset);
    let decl_start = declaration_start(text, start).min(start);
    let source = &text[decl_start..start];
    let tokens: Vec<Token> = lex(source).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    if tokens.is_empty() {
        return CompletionContext::DeclarationStart;
    }
    let reader = Reader { source, tokens, value_type };
    let context = reader.in_brackets().or_else(|| reader.after_last()).unwrap_or_else(|| reader.after_clause());
    match (reader.first(), context) {
        // Both sides of an assert are conditions with action patterns.
        ("assert", CompletionContext::Condition | CompletionContext::Actions) => CompletionContext::AssertCondition,
        (_, context) => context,
    }
}

/// The tokens of a declaration up to the cursor (at least one).
struct Reader<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    value_type: &'a dyn Fn(&str) -> Option<Ty>,
}

impl Reader<'_> {
    fn word(&self, index: usize) -> &str {
        self.tokens.get(index).map_or("", |t| t.text(self.source))
    }

    fn first(&self) -> &str {
        self.word(0)
    }

    fn last_index(&self) -> usize {
        self.tokens.len().saturating_sub(1)
    }

    /// The word before token `index`, or "" at the start.
    fn before(&self, index: usize) -> &str {
        index.checked_sub(1).map_or("", |previous| self.word(previous))
    }

    /// The variants after `name ==` or `name in {`, when `name` is an enum
    /// value; else a plain condition.
    fn variants_of(&self, name: &str) -> CompletionContext {
        match (self.value_type)(name) {
            Some(Ty::Enum(enum_name)) => CompletionContext::Variants(enum_name),
            _ => CompletionContext::Condition,
        }
    }

    /// The innermost bracket still open at the cursor.
    fn open_bracket(&self) -> Option<usize> {
        let mut stack: Vec<usize> = Vec::new();
        for (index, token) in self.tokens.iter().enumerate() {
            match token.text(self.source) {
                "(" | "{" => stack.push(index),
                ")" | "}" => {
                    stack.pop();
                }
                _ => {}
            }
        }
        stack.last().copied()
    }

    /// Commas at the top level of the bracket opened at `open`.
    fn commas_since(&self, open: usize) -> usize {
        let mut depth = 0;
        let mut commas = 0;
        for token in &self.tokens[open + 1..] {
            match token.text(self.source) {
                "(" | "{" => depth += 1,
                ")" | "}" => depth -= 1,
                "," if depth == 0 => commas += 1,
                _ => {}
            }
        }
        commas
    }

    /// Inside an action's parameter list, a call's arguments, an enum's or
    /// an `in` set's braces.
    fn in_brackets(&self) -> Option<CompletionContext> {
        let open = self.open_bracket()?;
        let before = self.before(open);
        let first = self.first();
        if self.word(open) == "(" {
            if first == "action" && open == 2 {
                return Some(match self.word(self.last_index()) {
                    ":" => CompletionContext::TypeName,
                    "number" => CompletionContext::Unit,
                    _ => CompletionContext::Nothing,
                });
            }
            let callee =
                open.checked_sub(1).and_then(|i| self.tokens.get(i)).is_some_and(|t| t.kind == TokenKind::Word)
                    && !is_keyword(before);
            if callee && before != "count" && before != "known" {
                return Some(CompletionContext::Argument { action: before.to_owned(), index: self.commas_since(open) });
            }
            None
        } else if first == "enum" {
            Some(CompletionContext::Nothing)
        } else if (first == "test" || first == "baseline") && open == 2 {
            // Inside the test body: the statement contexts.
            None
        } else if before == "in" {
            let operand = open.checked_sub(2).map_or("", |i| self.word(i));
            Some(self.variants_of(operand))
        } else {
            None
        }
    }

    /// What the last token asks for (`->` an action, `cite` a source).
    fn after_last(&self) -> Option<CompletionContext> {
        let last_index = self.last_index();
        let first = self.first();
        Some(match self.word(last_index) {
            "expect" => CompletionContext::Expect { negated: false },
            "->" | "exclusive" | "priority" => CompletionContext::Actions,
            ">" if first == "priority" => CompletionContext::Actions,
            // `assert |`: an unnamed assert's condition (or its name).
            "assert" => CompletionContext::Condition,
            "cite" => CompletionContext::Sources,
            "overrides" => CompletionContext::Rules,
            "not" if self.before(last_index) == "expect" => CompletionContext::Expect { negated: true },
            "examine" if self.in_expect(last_index) => CompletionContext::Facts,
            "undetermined" | "from" if self.in_expect(last_index) => CompletionContext::Rules,
            "given" => CompletionContext::Givens,
            "{" if first == "test" => CompletionContext::TestStatement,
            "{" if first == "baseline" => CompletionContext::BaselineStatement,
            "==" | "!=" => self.variants_of(self.before(last_index)),
            "=" if first == "let" => CompletionContext::Condition,
            "=" if first == "test" => CompletionContext::GivenValue(self.before(last_index).to_owned()),
            ":" if first == "fact" => CompletionContext::TypeName,
            ":" if first == "rule" || first == "assert" => CompletionContext::Condition,
            "number" if first == "fact" => CompletionContext::Unit,
            "," => {
                let clauses = ["->", "cite", "overrides", "given"];
                let clause = self.tokens.iter().rev().map(|t| t.text(self.source)).find(|w| clauses.contains(w));
                match clause {
                    Some("->") => CompletionContext::Actions,
                    Some("cite") => CompletionContext::Sources,
                    Some("overrides") => CompletionContext::Rules,
                    Some("given") => CompletionContext::Givens,
                    _ => CompletionContext::Condition,
                }
            }
            "and" | "or" | "not" | "(" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" => {
                CompletionContext::Condition
            }
            _ => return None,
        })
    }

    /// Whether token `index` is in an `expect` statement: the last
    /// statement word before it is `expect`.
    fn in_expect(&self, index: usize) -> bool {
        self.tokens[..index].iter().rev().map(|t| t.text(self.source)).find(|w| *w == "expect" || *w == "given")
            == Some("expect")
    }

    /// Whether the statement up to token `index` is `expect [not] NAME`
    /// or `expect [not] NAME(..)`: `fires` or `from` may follow.
    fn expects_a_name_before(&self, index: usize) -> bool {
        let Some(start) = self.tokens[..=index].iter().rposition(|t| t.text(self.source) == "expect") else {
            return false;
        };
        let mut words = self.tokens[start + 1..=index].iter().map(|t| t.text(self.source)).peekable();
        if words.peek() == Some(&"not") {
            words.next();
        }
        let rest: Vec<&str> = words.collect();
        match rest.as_slice() {
            [name] => !matches!(*name, "nothing" | "examine" | "undetermined" | "not"),
            [_, "(", .., ")"] => {
                let depth = |word: &&str| match *word {
                    "(" => 1,
                    ")" => -1,
                    _ => 0,
                };
                rest.iter().map(depth).sum::<i32>() == 0
            }
            _ => false,
        }
    }

    /// After a complete operand, statement or name.
    fn after_clause(&self) -> CompletionContext {
        let last_index = self.last_index();
        let last_token = &self.tokens[last_index];
        let first = self.first();
        if first == "test" {
            // After a complete statement: the next one (or, after the name
            // an `expect` starts with, `fires` or `from`).
            return if last_token.kind == TokenKind::String && last_index == 1 {
                CompletionContext::Nothing
            } else if self.expects_a_name_before(last_index) {
                CompletionContext::AfterExpected
            } else {
                CompletionContext::TestStatement
            };
        }
        if first == "baseline" {
            return if last_index <= 1 { CompletionContext::Nothing } else { CompletionContext::BaselineStatement };
        }
        if last_index == 0 && DECLARATION_KEYWORDS.contains(&first) {
            // The name being declared.
            return CompletionContext::Nothing;
        }
        if first == "rule" && !self.tokens.iter().any(|t| t.text(self.source) == ":") {
            return CompletionContext::Nothing;
        }
        if matches!(first, "fact" | "action" | "source" | "ruleset" | "enum" | "priority") {
            return CompletionContext::Nothing;
        }
        match last_token.kind {
            TokenKind::Word
            | TokenKind::Number
            | TokenKind::Duration
            | TokenKind::Quantity { .. }
            | TokenKind::String => CompletionContext::AfterOperand,
            TokenKind::Punct if matches!(self.word(last_index), ")" | "}") => CompletionContext::AfterOperand,
            _ => CompletionContext::Condition,
        }
    }
}
