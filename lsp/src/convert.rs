//! Conversions between Osler's byte offsets and LSP positions (UTF-16
//! columns), and from Osler diagnostics to LSP diagnostics. The only place
//! that knows how the protocol counts characters.

use std::collections::HashMap;

use osler_dsl::LineIndex;
use osler_dsl::line_index::LineCol;
use osler_dsl::syntax::Span;
use tower_lsp_server::gen_lsp_types as lsp;

/// A text with its line index, for converting positions both ways.
#[derive(Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    pub index: LineIndex,
}

impl<'a> Document<'a> {
    pub fn new(text: &'a str) -> Document<'a> {
        Document { text, index: LineIndex::new(text) }
    }

    pub fn position(&self, offset: u32) -> lsp::Position {
        let LineCol { line, column } = self.index.line_utf16(self.text, offset);
        lsp::Position { line, character: column }
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range { start: self.position(span.start), end: self.position(span.end) }
    }

    /// The byte offset of a position, clamped to the text.
    pub fn offset(&self, position: lsp::Position) -> u32 {
        self.index.offset_utf16(self.text, LineCol { line: position.line, column: position.character })
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
/// help text, related locations (the other declaration of a duplicate, the
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
