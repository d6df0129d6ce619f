//! Conversions between Osler's byte offsets and LSP positions, and from
//! Osler diagnostics to LSP diagnostics. The only place that knows how the
//! protocol counts characters (UTF-16 code units).
//!
//! Every conversion is a binary search, never a scan of the line: a file
//! may be one line of a megabyte, and semantic tokens convert a position
//! for every token of it. Besides the line starts, the index remembers each
//! character that is not ASCII (its offset, its lengths in bytes and in
//! UTF-16 units, and the running difference between the two over the text
//! before it); columns on ASCII-only stretches are byte differences.

use std::collections::HashMap;

use osler_dsl::LineIndex;
use osler_dsl::span::floor_char_boundary;
use osler_dsl::syntax::Span;
use tower_lsp_server::gen_lsp_types as lsp;

/// A text with its line index, for converting positions both ways.
#[derive(Debug)]
pub struct Document<'a> {
    /// The text the positions are in.
    pub text: &'a str,
    index: Utf16Index,
}

impl<'a> Document<'a> {
    /// Indexes `text` (one pass over it).
    pub fn new(text: &'a str) -> Document<'a> {
        Document { text, index: Utf16Index::new(text) }
    }

    /// The LSP position of a byte offset (clamped to the text and to a
    /// character boundary).
    pub fn position(&self, offset: u32) -> lsp::Position {
        let (line, character) = self.index.position(self.text, offset);
        lsp::Position { line, character }
    }

    /// The LSP range of a byte span.
    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range { start: self.position(span.start), end: self.position(span.end) }
    }

    /// The byte offset of a position, clamped to the text.
    pub fn offset(&self, position: lsp::Position) -> u32 {
        self.index.offset(self.text, position.line, position.character)
    }

    /// The byte span of a range, clamped and ordered.
    pub fn span(&self, range: lsp::Range) -> Span {
        let start = self.offset(range.start);
        let end = self.offset(range.end);
        Span { start: start.min(end), end: start.max(end) }
    }

    /// The range covering the whole text.
    pub fn full_range(&self) -> lsp::Range {
        lsp::Range { start: lsp::Position { line: 0, character: 0 }, end: self.position(self.text.len() as u32) }
    }
}

/// A text's lines (the dsl's [`LineIndex`]) and its non-ASCII characters
/// measured in UTF-16 units, for LSP positions.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Utf16Index {
    lines: LineIndex,
    /// The non-ASCII characters, in text order.
    wide: Vec<Wide>,
}

/// One non-ASCII character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Wide {
    /// Its byte offset.
    start: u32,
    /// Its length in bytes (2 to 4).
    len_utf8: u8,
    /// Its length in UTF-16 units (1 or 2).
    len_utf16: u8,
    /// Bytes minus UTF-16 units of every non-ASCII character before it.
    excess: u32,
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Utf16Index {
    fn new(text: &str) -> Utf16Index {
        let lines = LineIndex::new(text);
        let mut excess = 0u32;
        let wide = lines
            .non_ascii()
            .map(|(start, len_utf8)| {
                // Exactly the characters of four UTF-8 bytes lie outside the
                // Basic Multilingual Plane and take a surrogate pair.
                let len_utf16 = if len_utf8 == 4 { 2 } else { 1 };
                let wide = Wide { start, len_utf8, len_utf16, excess };
                excess += u32::from(len_utf8 - len_utf16);
                wide
            })
            .collect();
        Utf16Index { lines, wide }
    }

    /// How many non-ASCII characters start before `offset`.
    fn wide_before(&self, offset: u32) -> usize {
        self.wide.partition_point(|wide| wide.start < offset)
    }

    /// Bytes minus UTF-16 units of every non-ASCII character that starts
    /// before `offset`.
    fn excess_before(&self, offset: u32) -> u32 {
        match self.wide_before(offset).checked_sub(1).map(|last| &self.wide[last]) {
            Some(last) => last.excess + u32::from(last.len_utf8) - u32::from(last.len_utf16),
            None => 0,
        }
    }

    /// UTF-16 units from `start` to `offset` (both character boundaries).
    fn utf16_between(&self, start: u32, offset: u32) -> u32 {
        (offset - start) - (self.excess_before(offset) - self.excess_before(start))
    }

    /// The line and UTF-16 column of a byte offset (clamped to the text
    /// and to a character boundary).
    fn position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset as usize) as u32;
        let line = self.lines.line_of(offset);
        (line as u32, self.utf16_between(self.lines.line_starts()[line], offset))
    }

    /// The byte offset of a line and UTF-16 column, clamped to the line's
    /// end (a line past the last is the text's end). A column inside a
    /// character (between the two halves of a surrogate pair) rounds up to
    /// the character's end.
    fn offset(&self, text: &str, line: u32, column: u32) -> u32 {
        let line_starts = self.lines.line_starts();
        let Some(&start) = line_starts.get(line as usize) else {
            return to_u32(text.len());
        };
        // The line's end, before its `\n`.
        let end = match line_starts.get(line as usize + 1) {
            Some(&next) => next - 1,
            None => to_u32(text.len()),
        };
        // The line's non-ASCII characters, and the last one that starts
        // before the column.
        let (first, past) = (self.wide_before(start), self.wide_before(end));
        let in_line = &self.wide[first..past];
        let before = in_line.partition_point(|wide| self.utf16_between(start, wide.start) < column);
        let Some(wide) = before.checked_sub(1).map(|last| in_line[last]) else {
            // Only ASCII before the column.
            return start.saturating_add(column).min(end);
        };
        let wide_column = self.utf16_between(start, wide.start);
        let wide_end = wide.start + u32::from(wide.len_utf8);
        let after = wide_column + u32::from(wide.len_utf16);
        if column <= after {
            return wide_end;
        }
        // ASCII from the character's end up to the next non-ASCII
        // character, which starts at or after the column.
        wide_end.saturating_add(column - after).min(end)
    }
}
/// Applies one LSP content change to a text. Positions out of range are
/// clamped; a change without a range replaces the whole text.
pub fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    match change {
        lsp::TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(whole) => *text = whole.text,
        lsp::TextDocumentContentChangeEvent::TextDocumentContentChangePartial(partial) => {
            let span = Document::new(text).span(partial.range);
            let (start, end) = (span.start as usize, span.end as usize);
            if text.is_char_boundary(start) && text.is_char_boundary(end) && start <= end && end <= text.len() {
                text.replace_range(start..end, &partial.text);
            }
        }
    }
}

/// Where a related location's file can be found: its URI and text.
pub type RelatedLookup<'a> = dyn Fn(&str) -> Option<(lsp::Uri, &'a str)> + 'a;

/// Converts spans in other files (a diagnostic's related locations),
/// looking each file up and indexing its lines once, however many
/// diagnostics point into it.
pub struct Related<'a> {
    lookup: &'a RelatedLookup<'a>,
    documents: HashMap<String, Option<(lsp::Uri, Document<'a>)>>,
}

impl std::fmt::Debug for Related<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Related").field("documents", &self.documents.len()).finish_non_exhaustive()
    }
}

impl<'a> Related<'a> {
    /// Converts through `lookup`, which finds a file by its path.
    pub fn new(lookup: &'a RelatedLookup<'a>) -> Related<'a> {
        Related { lookup, documents: HashMap::new() }
    }

    /// The location of `span` in the file at `path`, if it is known.
    pub fn location(&mut self, path: &str, span: Span) -> Option<lsp::Location> {
        let lookup = self.lookup;
        let entry = self
            .documents
            .entry(path.to_owned())
            .or_insert_with(|| lookup(path).map(|(uri, text)| (uri, Document::new(text))));
        let (uri, document) = entry.as_ref()?;
        Some(lsp::Location { uri: uri.clone(), range: document.range(span) })
    }
}

/// An Osler diagnostic as an LSP diagnostic: the code, the message with its
/// help text and its example record (one line of JSON), related locations (the other declaration of a duplicate, the
/// members of a cycle), and the "did you mean" replacement in `data.fix`.
pub fn diagnostic(
    document: &Document<'_>,
    uri: &lsp::Uri,
    diagnostic: &osler_dsl::Diagnostic,
    related: &mut Related<'_>,
) -> lsp::Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(example) = &diagnostic.example {
        message.push_str("\nexample: ");
        message.push_str(&osler_dsl::diagnostic::example_json(example));
    }
    let related_information: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter_map(|other| {
            let location = match &other.path {
                None => lsp::Location { uri: uri.clone(), range: document.range(other.span) },
                Some(path) => related.location(path, other.span)?,
            };
            Some(lsp::DiagnosticRelatedInformation { location, message: other.message.clone() })
        })
        .collect();
    lsp::Diagnostic {
        range: document.range(diagnostic.span),
        severity: Some(match diagnostic.severity {
            osler_dsl::Severity::Error => lsp::DiagnosticSeverity::Error,
            osler_dsl::Severity::Warning => lsp::DiagnosticSeverity::Warning,
            osler_dsl::Severity::Hint => lsp::DiagnosticSeverity::Hint,
        }),
        code: Some(lsp::Code::String(diagnostic.code.as_str().to_owned())),
        source: Some("osler".to_owned()),
        message: lsp::Message::String(message),
        related_information: (!related_information.is_empty()).then_some(related_information),
        data: diagnostic.fix.as_ref().map(|fix| serde_json::json!({ "fix": fix })),
        ..Default::default()
    }
}

/// `file://` URIs to paths and back. Other schemes (`untitled:`) have no
/// path; such documents are rulesets of their own.
pub fn uri_to_path(uri: &lsp::Uri) -> Option<std::path::PathBuf> {
    let rest = uri.as_ref().strip_prefix("file://")?;
    // `file://host/path` is not supported; `file:///path` has an empty host.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode(path)?;
    // `file:///C:/x` on Windows: drop the slash before the drive letter.
    let bytes = decoded.as_bytes();
    let decoded = if bytes.len() > 2 && bytes[2] == b':' && bytes[1].is_ascii_alphabetic() {
        decoded[1..].to_owned()
    } else {
        decoded
    };
    Some(std::path::PathBuf::from(decoded))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `file://` URI of a path, percent-encoding everything but unreserved
/// characters and slashes.
pub fn path_to_uri(path: &std::path::Path) -> lsp::Uri {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    lsp::Uri::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let document = Document::new("a\n💡b = 1\n");
        let position = document.position(7);
        assert_eq!((position.line, position.character), (1, 3));
        assert_eq!(document.offset(lsp::Position { line: 1, character: 3 }), 7);
        // Past the end of a line: the line's end.
        assert_eq!(document.offset(lsp::Position { line: 0, character: 99 }), 1);
        assert_eq!(document.offset(lsp::Position { line: 99, character: 0 }), 12);
    }

    /// The line and UTF-16 column of an offset by scanning the text, as the
    /// index must answer.
    fn slow_position(text: &str, offset: usize) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset);
        let before = &text[..offset];
        let line = before.matches('\n').count() as u32;
        let rest = before.rsplit('\n').next().unwrap_or("");
        (line, rest.encode_utf16().count() as u32)
    }

    fn slow_offset(text: &str, line: u32, column: u32) -> u32 {
        let mut start = 0;
        for _ in 0..line {
            match text[start..].find('\n') {
                Some(newline) => start += newline + 1,
                None => return text.len() as u32,
            }
        }
        let mut units = 0;
        for (index, character) in text[start..].char_indices() {
            if units >= column || character == '\n' {
                return (start + index) as u32;
            }
            units += character.len_utf16() as u32;
        }
        text.len() as u32
    }

    #[test]
    fn agrees_with_scanning_the_text() {
        for text in ["", "a", "\n", "ab\ncd\n", "é💡x\r\n日本\n\nz💡💡", "💡", "a\n💡b = 1\n", "x\u{0}é\n"]
        {
            let index = Utf16Index::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(index.position(text, offset as u32), slow_position(text, offset), "{text:?} {offset}");
            }
            for line in 0..6 {
                for column in 0..12 {
                    assert_eq!(
                        index.offset(text, line, column),
                        slow_offset(text, line, column),
                        "{text:?} {line}:{column}"
                    );
                }
            }
        }
    }

    #[test]
    fn long_lines_convert_every_offset() {
        let text = "a, é, 💡, ".repeat(20_000);
        let index = Utf16Index::new(&text);
        let mut expected = 0;
        for (offset, character) in text.char_indices() {
            let (line, column) = index.position(&text, offset as u32);
            assert_eq!((line, column), (0, expected));
            assert_eq!(index.offset(&text, line, column), offset as u32);
            expected += character.len_utf16() as u32;
        }
    }

    #[test]
    fn applies_incremental_changes() {
        let mut text = "fact a: bool\n".to_owned();
        let range =
            lsp::Range { start: lsp::Position { line: 0, character: 5 }, end: lsp::Position { line: 0, character: 6 } };
        let change = lsp::TextDocumentContentChangePartial::new(range, None, "abc".to_owned());
        apply_change(&mut text, change.into());
        assert_eq!(text, "fact abc: bool\n");
    }

    #[test]
    fn uris_round_trip() {
        let path = std::path::Path::new("/tmp/a b/ü.osl");
        let uri = path_to_uri(path);
        assert_eq!(uri.as_ref(), "file:///tmp/a%20b/%C3%BC.osl");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
        assert_eq!(uri_to_path(&lsp::Uri::from("untitled:Untitled-1")), None);
        assert_eq!(uri_to_path(&lsp::Uri::from("file:///bad%zz")), None);
    }
}
