//! Parsing a file: the splitter cuts it into declarations, each is parsed
//! on its own (so one syntax error hides nothing else), and doc comments
//! and `// osler: allow(..)` comments are attached to their declarations.

use std::sync::Arc;

use super::ast::{Decl, Span};
use super::keywords::DECLARATION_KEYWORDS;
use super::limits::{MAX_FILE_SIZE, MAX_NESTING};
use super::{errors, lower, split};
use crate::code::Code;
use crate::diagnostic::Diagnostic;

/// A parsed file: its declarations and its syntax errors.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ParsedFile {
    /// The declarations that parsed, in file order.
    pub decls: Vec<ParsedDecl>,
    /// Syntax diagnostics, with spans absolute in the file.
    pub errors: Vec<Diagnostic>,
    /// Names of declarations that failed to parse (`fact foo: numbr`), so
    /// the checker does not report every use of `foo` as unknown too.
    pub broken_names: Vec<String>,
    /// The names written in the broken `let`s and rules (sorted): what they
    /// may use, so that no fact, let, action or source is reported unused
    /// because the declaration using it does not parse.
    pub broken_uses: Vec<String>,
    /// The names written in broken `assert`s (sorted): they count as used
    /// the way an assert's names do (facts and lets, not actions).
    pub broken_asserted: Vec<String>,
}

/// One declaration of a file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParsedDecl {
    /// Byte offset of the declaration's text in the file; the spans inside
    /// `decl` are relative to it.
    pub offset: u32,
    /// The `///` comment just above the declaration, if any.
    pub doc: Option<DocComment>,
    /// The declaration's tree (shared: the database memoises it by text).
    pub decl: Arc<Decl>,
}

impl ParsedDecl {
    /// The declaration's span in the file.
    pub fn absolute_span(&self) -> Span {
        self.decl.span.shift(self.offset)
    }
}

/// A `///` doc comment: its text with the markers removed.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DocComment {
    /// The comment's lines, joined with newlines.
    pub text: String,
    /// Absolute span of the comment lines.
    pub span: Span,
}

/// The result of parsing one declaration's text: the tree and naming
/// diagnostics, or the syntax error. Spans are relative to the text.
pub type DeclResult = Result<(Arc<Decl>, Vec<Diagnostic>), Box<Diagnostic>>;

/// Parses one declaration's text (as cut by the splitter, doc comment
/// removed).
pub fn parse_declaration(source: &str) -> DeclResult {
    // pest is recursive descent: it must never see brackets nested deeper
    // than the limit.
    if let Some(span) = too_deep_brackets(source) {
        return Err(lower::too_deep(span));
    }
    lower::parse_declaration(source).map(|(mut decl, warnings)| {
        decl.allow = allowed_warnings(source);
        (Arc::new(decl), warnings)
    })
}

/// The bracket that opens level `MAX_NESTING + 1` of a declaration, read
/// lexically (strings and comments skipped, as the grammar reads them), if
/// any. A closing bracket with nothing open is left for the parser to
/// report.
fn too_deep_brackets(source: &str) -> Option<Span> {
    let bytes = source.as_bytes();
    let mut depth: u32 = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                // A string runs to its closing quote or the end of its line.
                index += 1;
                while index < bytes.len() && !matches!(bytes[index], b'"' | b'\n') {
                    let escape = bytes[index] == b'\\' && matches!(bytes.get(index + 1), Some(b'"' | b'\\'));
                    index += if escape { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(index + 1) == Some(&b'/') => {
                while index < bytes.len() && bytes[index] != b'\n' {
                    index += 1;
                }
            }
            b'(' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(Span::new(index, index + 1));
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        index += 1;
    }
    None
}

/// The codes named by `// osler: allow(code, ...)` comments in a
/// declaration's text. Only warnings can be silenced, one declaration at a
/// time, and the reason belongs in the same comment.
fn allowed_warnings(source: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for line in source.lines() {
        let Some(comment) = line.find("//").map(|index| &line[index + 2..]) else { continue };
        let Some(rest) = comment.trim_start().strip_prefix("osler:") else { continue };
        let Some(list) = rest.trim_start().strip_prefix("allow(").and_then(|r| r.split(')').next()) else { continue };
        codes.extend(list.split(',').map(|code| code.trim().trim_start_matches("osler::").to_owned()));
    }
    codes.retain(|code| !code.is_empty());
    codes
}

/// Parses a whole file. Each declaration is parsed on its own, so a syntax
/// error in one does not hide the others.
pub fn parse(text: &str) -> ParsedFile {
    parse_with(text, &mut parse_declaration)
}

/// Parses a whole file, parsing each declaration with `parse_one` (the
/// salsa database memoises it, so an edit re-parses only the declarations
/// whose text changed).
pub fn parse_with(text: &str, parse_one: &mut dyn FnMut(&str) -> DeclResult) -> ParsedFile {
    let mut file = ParsedFile::default();
    if text.len() > MAX_FILE_SIZE {
        file.errors.push(
            Diagnostic::error(Code::FileTooLarge, Span::new(0, 0), "this file is too large to parse")
                .with_help("split the ruleset into several files"),
        );
        return file;
    }
    for chunk in split::split(text) {
        let doc = chunk.doc_start.map(|doc_start| doc_comment(text, doc_start, chunk.start));
        let source = &text[chunk.start..chunk.end];
        let offset = chunk.start as u32;
        if source.trim().is_empty() {
            let span = doc.as_ref().map_or(Span::new(chunk.start, chunk.end), |doc| doc.span);
            file.errors.push(
                Diagnostic::error(Code::Syntax, span, "expected a declaration after this doc comment")
                    .with_label("documents nothing")
                    .with_help(
                        "put the doc comment right above the declaration it describes, or make it a `//` comment",
                    ),
            );
            continue;
        }
        if let Some(line_start) = chunk.unindented {
            file.errors.push(unindented(text, chunk.start, line_start));
        }
        match parse_one(source) {
            Ok((decl, warnings)) => {
                file.errors.extend(warnings.into_iter().map(|d| d.shifted(offset)));
                file.decls.push(ParsedDecl { offset, doc, decl });
            }
            Err(error) => {
                file.errors.push((*error).shifted(offset));
                if let Some(name) = declared_name(source) {
                    file.broken_names.push(name);
                }
                match source.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next() {
                    Some("let" | "rule") => file.broken_uses.extend(written_names(source).skip(2)),
                    Some("assert") => file.broken_asserted.extend(written_names(source)),
                    // A short-form rule: every name it writes.
                    Some(word) if !DECLARATION_KEYWORDS.contains(&word) => {
                        file.broken_uses.extend(written_names(source))
                    }
                    _ => {}
                }
            }
        }
    }
    for names in [&mut file.broken_uses, &mut file.broken_asserted] {
        names.sort();
        names.dedup();
    }
    file
}

/// The names a declaration's text writes, in order, read loosely (it may
/// not parse): words outside strings and comments that start with a letter
/// or `_` (so `6h` and `50` are not names), keywords included.
fn written_names(source: &str) -> impl Iterator<Item = String> + '_ {
    let mut names = Vec::new();
    for line in source.lines() {
        let code = errors::strip_trailing_comments(line);
        let mut in_string = false;
        let mut escaped = false;
        let mut word = String::new();
        let mut word_is_name = false;
        for character in code.chars().chain([' ']) {
            if in_string {
                match character {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            if character.is_ascii_alphanumeric() || character == '_' {
                if word.is_empty() {
                    word_is_name = !character.is_ascii_digit();
                }
                word.push(character);
                continue;
            }
            if word_is_name && !word.is_empty() {
                names.push(std::mem::take(&mut word));
            }
            word.clear();
            in_string = character == '"';
        }
    }
    names.into_iter()
}

/// `osler::syntax` at a line that continues a declaration but starts at
/// column 0 (see [`split::Chunk::unindented`]). The declaration is still
/// parsed whole, so that this is the only error when nothing else is
/// wrong.
fn unindented(text: &str, start: usize, line_start: usize) -> Diagnostic {
    let line = text[line_start..].lines().next().unwrap_or("");
    let line = errors::strip_trailing_comments(line);
    let span = Span::new(line_start, line_start + line.len());
    let header = errors::strip_trailing_comments(&text[start..line_start]);
    let rule_header = header.ends_with(':')
        && header.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().is_some_and(|word| word == "rule");
    let (message, help) = match declared_name(header).filter(|_| rule_header) {
        Some(name) => (
            format!("the body of rule `{name}` is not indented"),
            format!(
                "indent the condition and actions of `{name}` (by two spaces, as `osler fmt` writes them); a line that starts at column 1 starts a new declaration"
            ),
        ),
        None => (
            "this line continues the declaration above but is not indented".to_owned(),
            "indent every line of a declaration after its first; a line that starts at column 1 starts a new declaration"
                .to_owned(),
        ),
    };
    Diagnostic::error(Code::Syntax, span, message).with_label("indent this line").with_help(help)
}

fn doc_comment(text: &str, start: usize, end: usize) -> DocComment {
    let mut lines = Vec::new();
    let mut last_end = start;
    let mut offset = start;
    for line in text[start..end].split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("///") {
            let rest = rest.trim_start_matches('/');
            lines.push(rest.strip_prefix(' ').unwrap_or(rest).trim_end().to_owned());
            last_end = line_start + line.trim_end().len();
        }
    }
    DocComment { text: lines.join("\n"), span: Span::new(start, last_end) }
}

/// The name a broken declaration was going to declare, read loosely.
fn declared_name(source: &str) -> Option<String> {
    let mut words = source.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty());
    let keyword = words.next()?;
    if !["source", "enum", "fact", "let", "action", "rule"].contains(&keyword) {
        return None;
    }
    words.next().map(str::to_owned)
}
