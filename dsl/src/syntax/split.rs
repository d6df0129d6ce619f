//! Cuts a file into declarations before parsing.
//!
//! pest stops at the first error, so each declaration is parsed on its own:
//! one broken rule cannot hide the rest of the file. A declaration starts on
//! a line at column 0 (unless that line continues the previous declaration)
//! or on a line starting with a declaration keyword outside brackets. The
//! `///` lines just above a declaration are its doc comment.

use super::keywords::DECLARATION_KEYWORDS;

/// One piece of a file: an optional doc comment and a declaration.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Chunk {
    /// Where the doc comment starts, if there is one.
    pub doc_start: Option<usize>,
    /// Where the declaration's own text starts.
    pub start: usize,
    /// The end of the declaration's text (trailing blank lines excluded).
    pub end: usize,
    /// Where the first line that continues the declaration but starts at
    /// column 0 begins: a line after one that cannot end a declaration
    /// (`rule x:`, `a and`), which the author forgot to indent. It is kept
    /// in the declaration, and the parser reports the missing indentation.
    pub unindented: Option<usize>,
}

const CONTINUATION_WORDS: [&str; 4] = ["and", "or", "cite", "overrides"];
const CONTINUATION_SYMBOLS: [&str; 6] = ["->", ",", ")", "}", "=", "+"];

fn starts_with_word(line: &str, word: &str) -> bool {
    line.strip_prefix(word).is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

fn starts_with_keyword(line: &str) -> bool {
    DECLARATION_KEYWORDS.iter().any(|keyword| starts_with_word(line, keyword))
}

/// Whether a line cannot end a declaration: its code ends with `:`, `=`,
/// `,`, `(`, an operator, or a word that needs something after it.
fn wants_more(line: &str) -> bool {
    let code = super::errors::strip_trailing_comments(line);
    const WORDS: [&str; 6] = ["and", "or", "not", "in", "overrides", "cite"];
    code.ends_with([':', '=', ',', '+', '-', '*', '/', '<', '>', '!', '('])
        || WORDS.iter().any(|word| {
            code.strip_suffix(word).is_some_and(|before| {
                before.is_empty() || before.ends_with(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            })
        })
}

fn is_continuation(line: &str) -> bool {
    CONTINUATION_WORDS.iter().any(|word| starts_with_word(line, word))
        || CONTINUATION_SYMBOLS.iter().any(|symbol| line.starts_with(symbol))
}

/// Bracket depth change over one line, ignoring strings and comments.
fn depth_change(line: &str) -> i32 {
    let mut change = 0;
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(character) = chars.next() {
        if in_string {
            match character {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match character {
            '"' => in_string = true,
            '/' if chars.peek() == Some(&'/') => break,
            '(' | '{' => change += 1,
            ')' | '}' => change -= 1,
            _ => {}
        }
    }
    change
}

pub(crate) fn split(text: &str) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut depth: i32 = 0;
    let mut pending_doc: Option<usize> = None;
    let mut offset = 0;
    // Whether the last line of the current declaration cannot end it.
    let mut open = false;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        // The grammar's own blanks only: a form feed or a Unicode space at
        // the start of a line belongs to the declaration, where the parser
        // reports it (found by the `format` fuzz target).
        let trimmed = line.trim_start_matches([' ', '\t', '\r']);
        let indented = trimmed.len() != line.len();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("///") && depth <= 0 {
            pending_doc.get_or_insert(line_start);
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let keyword = starts_with_keyword(trimmed);
        let column_zero = depth <= 0 && !indented && !is_continuation(trimmed);
        let starts = chunks.is_empty() || (keyword && (depth <= 0 || !indented)) || (column_zero && !open);
        if starts {
            let start = line_start + (line.len() - trimmed.len());
            chunks.push(Chunk { doc_start: pending_doc.take(), start, end: start, unindented: None });
            depth = 0;
        } else {
            if column_zero && let Some(last) = chunks.last_mut() {
                last.unindented.get_or_insert(line_start);
            }
            // Doc lines followed by something that is not a declaration
            // start are ordinary comments inside the current declaration.
            pending_doc = None;
        }
        depth += depth_change(line);
        open = depth <= 0 && wants_more(line);
        if let Some(last) = chunks.last_mut() {
            last.end = line_start + line.len();
        }
    }
    if let Some(doc_start) = pending_doc {
        // A doc comment with nothing after it: an empty declaration that the
        // parser reports.
        chunks.push(Chunk { doc_start: Some(doc_start), start: text.len(), end: text.len(), unindented: None });
    }
    chunks
}
