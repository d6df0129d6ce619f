//! The language's lexer: cuts text into the tokens the grammar reads. The
//! formatter and the editor queries work on these tokens; a test
//! (`lexer_agrees_with_the_grammar` in `dsl/tests/syntax.rs`) checks that they agree with the grammar's own
//! terminals on every clean corpus file and shipped ruleset.

use crate::units::{TimeUnit, Unit};

/// What a token is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TokenKind {
    /// A name or a keyword.
    Word,
    /// A number without a unit (`50`, `0.9`).
    Number,
    /// `6h`, `30min`.
    Duration,
    /// `50 mmHg`; `unit_start` is where the unit begins.
    Quantity {
        /// The byte offset of the unit, after the spaces that follow the
        /// number.
        unit_start: u32,
    },
    /// A unit written after `number` in a type (`number mmol/L`).
    Unit,
    /// A string with its quotes, escapes as written.
    String,
    /// `// ...` to the end of the line (line end excluded).
    Comment,
    /// Operators and punctuation: `-> == != <= >= < > = + - * / ( ) { } , : .`
    Punct,
    /// A character the grammar does not know.
    Unknown,
}

/// One token of a file, by byte range.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// The token's first byte.
    pub start: u32,
    /// One past the token's last byte.
    pub end: u32,
}

impl Token {
    /// The token's text in `source` (the text it was lexed from).
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start as usize..self.end as usize).unwrap_or("")
    }
}

fn is_ident_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Cuts a text into tokens the way the grammar reads it. Never fails: a
/// character the grammar does not know becomes an [`TokenKind::Unknown`]
/// token, an unclosed string ends at the end of its line.
pub fn lex(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let start = index;
        let kind = match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {
                index += 1;
                continue;
            }
            b'/' if bytes.get(index + 1) == Some(&b'/') => {
                while index < bytes.len() && bytes[index] != b'\n' {
                    index += 1;
                }
                while index > start && bytes[index - 1].is_ascii_whitespace() {
                    index -= 1;
                }
                TokenKind::Comment
            }
            b'"' => {
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' && bytes[index] != b'\n' {
                    if bytes[index] == b'\\' && matches!(bytes.get(index + 1), Some(b'"' | b'\\')) {
                        index += 1;
                    }
                    index += 1;
                }
                if bytes.get(index) == Some(&b'"') {
                    index += 1;
                }
                TokenKind::String
            }
            b'0'..=b'9' => {
                while index < bytes.len() && bytes[index].is_ascii_digit() {
                    index += 1;
                }
                if bytes.get(index) == Some(&b'.') && bytes.get(index + 1).is_some_and(u8::is_ascii_digit) {
                    index += 1;
                    while index < bytes.len() && bytes[index].is_ascii_digit() {
                        index += 1;
                    }
                }
                number_suffix(text, &mut index)
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while index < bytes.len() && is_ident_char(bytes[index]) {
                    index += 1;
                }
                if &text[start..index] == "number" {
                    // The type's unit, read as the grammar reads it.
                    tokens.push(Token { kind: TokenKind::Word, start: to_u32(start), end: to_u32(index) });
                    let rest = &text[index..];
                    let unit_start = index + rest.len() - rest.trim_start_matches([' ', '\t']).len();
                    let Some((_, unit_len)) = Unit::prefix_of(&text[unit_start..]) else { continue };
                    index = unit_start + unit_len;
                    tokens.push(Token { kind: TokenKind::Unit, start: to_u32(unit_start), end: to_u32(index) });
                    continue;
                }
                TokenKind::Word
            }
            _ => {
                let two = text.get(index..index + 2).unwrap_or("");
                if ["->", "==", "!=", "<=", ">="].contains(&two) {
                    index += 2;
                    TokenKind::Punct
                } else if b"=<>+-*/(){},:.".contains(&byte) {
                    index += 1;
                    TokenKind::Punct
                } else {
                    index += text[index..].chars().next().map_or(1, char::len_utf8);
                    TokenKind::Unknown
                }
            }
        };
        tokens.push(Token { kind, start: to_u32(start), end: to_u32(index) });
    }
    tokens
}

/// The length of the word (a run of name characters) at the start of
/// `text`.
fn word_len(text: &str) -> usize {
    text.bytes().take_while(|b| is_ident_char(*b)).count()
}

/// After a number: a duration unit written against it, or a quantity unit
/// after optional spaces, or nothing. A unit is a whole word, as the
/// grammar's `!ident_char` after each unit requires (`6hx` is no duration).
fn number_suffix(text: &str, index: &mut usize) -> TokenKind {
    let bytes = text.as_bytes();
    let rest = &text[*index..];
    let against = word_len(rest);
    if TimeUnit::parse(&rest[..against]).is_some() {
        *index += against;
        return TokenKind::Duration;
    }
    let mut after_spaces = *index;
    while bytes.get(after_spaces) == Some(&b' ') {
        after_spaces += 1;
    }
    let rest = &text[after_spaces..];
    if let Some((_, unit_len)) = Unit::prefix_of(rest) {
        *index = after_spaces + unit_len;
        return TokenKind::Quantity { unit_start: to_u32(after_spaces) };
    }
    TokenKind::Number
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        lex(text).into_iter().map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn lexes_literals_like_the_grammar() {
        let text = "a >= 50 mmHg and b < 6h or c == 7 % // done";
        let tokens = kinds(text);
        assert_eq!(tokens[2], (TokenKind::Quantity { unit_start: 8 }, "50 mmHg"));
        assert_eq!(tokens[6], (TokenKind::Duration, "6h"));
        assert_eq!(tokens[10].1, "7 %");
        assert_eq!(tokens[11], (TokenKind::Comment, "// done"));
        assert_eq!(kinds("5 min")[0], (TokenKind::Number, "5"));
        assert_eq!(kinds("\"a \\\" b\" x")[0], (TokenKind::String, "\"a \\\" b\""));
        assert_eq!(kinds("é")[0].0, TokenKind::Unknown);
    }

    #[test]
    fn a_unit_is_a_whole_word() {
        assert_eq!(kinds("6hx")[0], (TokenKind::Number, "6"));
        assert_eq!(kinds("6mo")[0], (TokenKind::Duration, "6mo"));
        assert_eq!(kinds("6min")[0], (TokenKind::Duration, "6min"));
        assert_eq!(kinds("5 mmHgx")[0], (TokenKind::Number, "5"));
        assert_eq!(kinds("5mm")[0], (TokenKind::Quantity { unit_start: 1 }, "5mm"));
        assert_eq!(kinds("5%x")[0], (TokenKind::Quantity { unit_start: 1 }, "5%"));
    }
}
