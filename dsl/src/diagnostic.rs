//! The one diagnostic type every part of Osler reports through, and its
//! terminal (miette) and machine (JSON) renderings. The language server
//! converts the same values to LSP diagnostics.

use std::fmt;

use serde::Serialize;

use crate::code::Code;
use crate::line_index::LineIndex;
use crate::span::{Span, floor_char_boundary};

/// How bad a diagnostic is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The ruleset cannot be used until it is fixed.
    Error,
    /// Worth a look; the ruleset still works.
    Warning,
    /// A remark on style or redundancy (`--deny warnings` ignores hints).
    Hint,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Hint => "hint",
        })
    }
}

/// A secondary location: the other declaration of a duplicate, a member of
/// a cycle. `path` is `None` for "the same file as the diagnostic".
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Related {
    /// The other file, or `None` for the diagnostic's own file.
    pub path: Option<String>,
    /// Where in that file.
    pub span: Span,
    /// What the location is, shown as its label.
    pub message: String,
}

/// A problem found in a ruleset.
///
/// Messages are lowercase, one sentence, no final period, with user text in
/// backticks; `help` says how to fix it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Diagnostic {
    /// A stable code such as `osler::syntax`; tools and docs key on it.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where it is.
    pub span: Span,
    /// A short label shown under the primary span.
    pub label: Option<String>,
    /// Other places involved.
    pub related: Vec<Related>,
    /// How to fix it.
    pub help: Option<String>,
    /// A replacement that fixes the problem (used by "did you mean" code
    /// actions): the primary span's text becomes this.
    pub fix: Option<String>,
    /// For an analysis finding: the record on which the engine shows it,
    /// facts in declaration order, unknown facts left out.
    pub example: Option<Example>,
}

/// A record that shows a finding: `(fact, value)` in the ruleset's fact
/// order, as a record gives them (unknown facts are left out).
pub type Example = Vec<(String, ExampleValue)>;

/// A fact's value in an [`Example`], in its JSON form.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExampleValue {
    /// `true` or `false`.
    Bool(bool),
    /// A number (a bare number or a quantity's magnitude), as JSON writes it.
    Number(String),
    /// A string: a variant's name, a duration such as `"73h"`, a string fact.
    Text(String),
}

impl ExampleValue {
    /// The value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ExampleValue::Bool(b) => serde_json::Value::Bool(*b),
            ExampleValue::Number(text) => {
                text.parse::<serde_json::Number>().map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
            }
            ExampleValue::Text(text) => serde_json::Value::String(text.clone()),
        }
    }
}

/// An example as one JSON object, `{"fact": value, ..}`, on one line, in
/// the example's own (fact declaration) order.
pub fn example_json(example: &Example) -> String {
    serde_json::to_string(&ExampleJson(example)).unwrap_or_default()
}

/// Serializes an [`Example`] as a JSON object, keys in the example's order.
#[derive(Debug)]
pub struct ExampleJson<'a>(pub &'a Example);

impl Serialize for ExampleJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (fact, value) in self.0 {
            map.serialize_entry(fact, &value.to_json())?;
        }
        map.end()
    }
}

impl Diagnostic {
    /// An error with `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
            fix: None,
            example: None,
        }
    }

    /// A warning with `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    /// A hint with `code` at `span`.
    pub fn hint(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Hint, ..Diagnostic::error(code, span, message) }
    }

    /// Sets the example record.
    pub fn with_example(mut self, example: Example) -> Diagnostic {
        self.example = Some(example);
        self
    }

    /// Sets the label under the primary span.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the replacement for the primary span's text.
    pub fn with_fix(mut self, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(replacement.into());
        self
    }

    /// Adds a related location (`path` `None` for this file).
    pub fn with_related(mut self, path: Option<String>, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related { path, span, message: message.into() });
        self
    }

    /// The same diagnostic with every same-file span moved by `offset`.
    pub fn shifted(mut self, offset: u32) -> Diagnostic {
        self.span = self.span.shift(offset);
        for related in &mut self.related {
            if related.path.is_none() {
                related.span = related.span.shift(offset);
            }
        }
        self
    }
}

/// A diagnostic with the file it belongs to.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FileDiagnostic {
    /// The file's path, as given to the checker.
    pub path: String,
    /// The diagnostic, spans absolute in that file.
    pub diagnostic: Diagnostic,
}

/// The JSON form printed by `osler check --format json`, one object per
/// diagnostic. Lines and columns are 1-based; columns count characters.
#[derive(Serialize, Debug)]
pub struct JsonDiagnostic<'a> {
    /// The file's path.
    pub file: &'a str,
    /// The 1-based line of the start.
    pub line: u32,
    /// The 1-based column of the start, in characters.
    pub column: u32,
    /// Where the span ends.
    pub end: JsonPosition,
    /// The diagnostic's code, `osler::...`.
    pub code: &'a str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it, if known.
    pub help: Option<&'a str>,
    /// For an analysis finding, the record that shows it (`{fact: value}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<ExampleJson<'a>>,
}

/// A 1-based line and column (in characters) in the JSON form.
#[derive(Serialize, Debug)]
pub struct JsonPosition {
    /// The 1-based line.
    pub line: u32,
    /// The 1-based column, in characters.
    pub column: u32,
}

impl FileDiagnostic {
    /// The JSON form of this diagnostic; `text` is its file's text.
    pub fn to_json<'a>(&'a self, text: &str) -> JsonDiagnostic<'a> {
        self.to_json_indexed(text, &LineIndex::new(text))
    }

    /// [`FileDiagnostic::to_json`] with the file's line index built once
    /// for all its diagnostics (building it per diagnostic is quadratic).
    pub fn to_json_indexed<'a>(&'a self, text: &str, index: &LineIndex) -> JsonDiagnostic<'a> {
        let start = index.line_col(text, self.diagnostic.span.start);
        let end = index.line_col(text, self.diagnostic.span.end);
        JsonDiagnostic {
            file: &self.path,
            line: start.line + 1,
            column: start.column + 1,
            end: JsonPosition { line: end.line + 1, column: end.column + 1 },
            code: self.diagnostic.code.as_str(),
            severity: self.diagnostic.severity,
            message: &self.diagnostic.message,
            help: self.diagnostic.help.as_deref(),
            example: self.diagnostic.example.as_ref().map(ExampleJson),
        }
    }
}

/// Renders diagnostics for a terminal through miette, with source snippets.
/// `source_of` returns the text of a file by path.
///
/// Lines longer than [`LONG_LINE`] characters are cut to windows of
/// [`WINDOW`] characters on each side of every label end on them, with `…`
/// where text was left out (miette would otherwise pad to the label's
/// column, which panics past 65,535 columns and is unreadable long before).
/// Line and column numbers in the header stay those of the real file;
/// columns count characters, as in the JSON form.
pub fn render_terminal<'a>(
    diagnostics: &[FileDiagnostic],
    source_of: &dyn Fn(&str) -> Option<&'a str>,
    color: bool,
) -> String {
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let text = source_of(&diagnostic.path).unwrap_or("");
        let report = MietteReport::new(diagnostic, text, source_of);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", diagnostic.path, diagnostic.diagnostic.message));
        }
    }
    out
}

/// Lines with more characters than this are cut around the labels.
pub const LONG_LINE: usize = 240;
/// Characters kept on each side of a label end in a cut line.
pub const WINDOW: usize = 60;
/// What stands for the text left out of a cut line.
const ELLIPSIS: &str = "…";

/// Adapts a [`FileDiagnostic`] to miette's `Diagnostic` trait.
#[derive(Debug)]
struct MietteReport<'t> {
    code: Code,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Excerpt<'t>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<MietteReport<'t>>,
}

impl<'t> MietteReport<'t> {
    fn new(
        diagnostic: &FileDiagnostic,
        text: &'t str,
        source_of: &dyn Fn(&str) -> Option<&'t str>,
    ) -> MietteReport<'t> {
        let d = &diagnostic.diagnostic;
        let mut labels = vec![(d.label.clone(), clamp(d.span, text), true)];
        let mut related = Vec::new();
        for other in &d.related {
            match &other.path {
                Some(path) if path != &diagnostic.path => {
                    let other_text = source_of(path).unwrap_or("");
                    let (source, labels) = Excerpt::new(
                        path.clone(),
                        other_text,
                        vec![(Some(other.message.clone()), clamp(other.span, other_text), false)],
                    );
                    related.push(MietteReport {
                        code: d.code,
                        severity: d.severity,
                        message: other.message.clone(),
                        help: None,
                        source,
                        labels,
                        related: Vec::new(),
                    });
                }
                _ => labels.push((Some(other.message.clone()), clamp(other.span, text), false)),
            }
        }
        let (source, labels) = Excerpt::new(diagnostic.path.clone(), text, labels);
        MietteReport {
            code: d.code,
            severity: d.severity,
            message: d.message.clone(),
            help: match (&d.help, &d.example) {
                (help, None) => help.clone(),
                (None, Some(example)) => Some(format!("example: {}", example_json(example))),
                (Some(help), Some(example)) => Some(format!("{help}\nexample: {}", example_json(example))),
            },
            source,
            labels,
            related,
        }
    }
}

/// A byte range of `text` as `(start, end)`, clamped to the text and to
/// character boundaries.
fn clamp(span: Span, text: &str) -> (usize, usize) {
    let start = floor_char_boundary(text, span.start as usize);
    let end = floor_char_boundary(text, (span.end as usize).max(start));
    (start, end.max(start))
}
/// The source miette renders: the file's text, or, when some line is too
/// long, a copy with every long line cut to windows around the labels.
/// Lines are never dropped, so line numbers are those of the file; the
/// columns miette reports are mapped back to the file's.
#[derive(Debug)]
struct Excerpt<'t> {
    name: String,
    original: &'t str,
    /// `None` when nothing was cut (miette reads `original`).
    cut: Option<Cut>,
}

#[derive(Debug)]
struct Cut {
    text: String,
    /// Kept runs of the original as `(original start, cut start, length)`,
    /// ascending on both sides; text between runs was left out.
    runs: Vec<(usize, usize, usize)>,
}

impl Cut {
    /// Where `offset` of the original lands in the cut text (offsets left
    /// out map to the end of the run before them).
    fn to_cut(&self, offset: usize) -> usize {
        let index = self.runs.partition_point(|&(original, _, _)| original <= offset);
        match index.checked_sub(1).and_then(|i| self.runs.get(i)) {
            Some(&(original, cut, length)) => cut + (offset - original).min(length),
            None => 0,
        }
    }

    /// Where `offset` of the cut text comes from in the original (an
    /// ellipsis maps to the end of the run before it).
    fn to_original(&self, offset: usize) -> usize {
        let index = self.runs.partition_point(|&(_, cut, _)| cut <= offset);
        match index.checked_sub(1).and_then(|i| self.runs.get(i)) {
            Some(&(original, cut, length)) => original + (offset - cut).min(length),
            None => 0,
        }
    }
}

impl<'t> Excerpt<'t> {
    /// The source for `labels` (`(label, (start, end), primary)`, byte
    /// ranges of `text`) and the labels as miette spans into it.
    fn new(
        name: String,
        text: &'t str,
        labels: Vec<(Option<String>, (usize, usize), bool)>,
    ) -> (Excerpt<'t>, Vec<miette::LabeledSpan>) {
        let points: Vec<usize> = labels.iter().flat_map(|&(_, (start, end), _)| [start, end]).collect();
        let cut = cut_long_lines(text, points);
        let spans = labels
            .into_iter()
            .map(|(label, (start, end), primary)| {
                let (start, end) = match &cut {
                    Some(cut) => (cut.to_cut(start), cut.to_cut(end)),
                    None => (start, end),
                };
                let span = miette::SourceSpan::from((start, end.saturating_sub(start)));
                if primary {
                    miette::LabeledSpan::new_primary_with_span(label, span)
                } else {
                    miette::LabeledSpan::new_with_span(label, span)
                }
            })
            .collect();
        (Excerpt { name, original: text, cut }, spans)
    }
}

/// `text` with each line of more than [`LONG_LINE`] characters cut to
/// windows around the `points` (byte offsets on character boundaries) that
/// fall on it, or to its start when none does; `None` when no line is long.
fn cut_long_lines(text: &str, mut points: Vec<usize>) -> Option<Cut> {
    let long = |line: &str| line.len() > LONG_LINE && line.chars().count() > LONG_LINE;
    if !text.split('\n').any(long) {
        return None;
    }
    points.sort_unstable();
    points.dedup();
    let mut cut = Cut { text: String::with_capacity(text.len().min(1 << 16)), runs: Vec::new() };
    let keep = |cut: &mut Cut, start: usize, end: usize| {
        if start == end {
            return;
        }
        let at = cut.text.len();
        match cut.runs.last_mut() {
            Some((original, from, length)) if *original + *length == start && *from + *length == at => {
                *length += end - start;
            }
            _ => cut.runs.push((start, at, end - start)),
        }
        cut.text.push_str(text.get(start..end).unwrap_or_default());
    };
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let content_end = line_start + content.len();
        if !long(content) {
            keep(&mut cut, line_start, line_end);
            line_start = line_end;
            continue;
        }
        // Windows (byte ranges of the line) around its points, merged.
        let on_line = points.iter().filter(|&&p| p >= line_start && p <= content_end).map(|&p| p - line_start);
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for point in on_line.chain(points.iter().all(|&p| p < line_start || p > content_end).then_some(0)) {
            let before = content.get(..point).unwrap_or_default();
            let start = before.char_indices().rev().take(WINDOW).last().map_or(point, |(index, _)| index);
            let after = content.get(point..).unwrap_or_default();
            let end = after.char_indices().nth(WINDOW).map_or(content.len(), |(index, _)| point + index);
            match windows.last_mut() {
                // Joined when the gap is no longer than an ellipsis.
                Some(last) if start <= last.1 + ELLIPSIS.len() => last.1 = last.1.max(end),
                _ => windows.push((start, end)),
            }
        }
        let mut shown = 0;
        for (start, end) in windows {
            if start > shown {
                cut.text.push_str(ELLIPSIS);
            }
            keep(&mut cut, line_start + start, line_start + end);
            shown = end;
        }
        if shown < content.len() {
            cut.text.push_str(ELLIPSIS);
        }
        keep(&mut cut, content_end, line_end);
        line_start = line_end;
    }
    Some(cut)
}

impl miette::SourceCode for Excerpt<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let (text, original) = match &self.cut {
            Some(cut) => (cut.text.as_str(), cut.to_original(span.offset())),
            None => (self.original, span.offset()),
        };
        let contents = text.read_span(span, context_lines_before, context_lines_after)?;
        // The column of the same place in the file, in characters as in the
        // JSON form (miette counts bytes, and would count the cut text's).
        let original = floor_char_boundary(self.original, original);
        let before = self.original.get(..original).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before.get(line_start..).unwrap_or_default().chars().count();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

impl fmt::Display for MietteReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport<'_> {}

impl miette::Diagnostic for MietteReport<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Hint => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn render(path: &str, text: &str, diagnostic: Diagnostic, other: &str) -> String {
        let diagnostics = [FileDiagnostic { path: path.to_owned(), diagnostic }];
        let source_of = |p: &str| match p {
            "other.osl" => Some(other),
            _ => Some(text),
        };
        render_terminal(&diagnostics, &source_of, false)
    }

    /// No rendered line wider than the windows its labels keep: each
    /// label end keeps up to `WINDOW` characters on each side, and the
    /// lines miette draws under the source (padding, underlines) count a
    /// wide character (`中`, `🦀`) as two columns, so a label end costs at
    /// most `4 * WINDOW`; `label_ends` counts them in one file (at least
    /// two: one label).
    fn assert_readable(rendered: &str, label_ends: usize) {
        let bound = 4 * WINDOW * label_ends.max(2);
        for line in rendered.lines() {
            assert!(line.chars().count() < bound, "a rendered line of {} characters", line.chars().count());
        }
    }

    #[test]
    fn three_labels_over_wide_characters_keep_their_windows_and_no_more() {
        // Found by `any_span_on_any_line_renders`: the windows of labels
        // that lie 120 wide characters apart merge, and the underline row
        // counts those characters twice (481 columns for 6 label ends).
        let text = format!("{}{}", "x".repeat(1881), "中🦀".repeat(453));
        let diagnostic = Diagnostic::error(Code::Syntax, Span::new(0, 0), "bad")
            .with_label("here")
            .with_related(None, Span::new(0, 53), "there")
            .with_related(None, Span::new(2091, 2514), "there");
        let rendered = render("a.osl", &text, diagnostic, "");
        assert_readable(&rendered, 6);
        assert!(rendered.lines().any(|line| line.chars().count() > 8 * WINDOW), "{rendered}");
        // The line is still cut: far less than the 2,787 characters it has.
        assert!(rendered.lines().all(|line| line.chars().count() < 1000), "{rendered}");
    }

    #[test]
    fn two_labels_far_apart_on_one_line_get_a_window_each() {
        let text = format!("rule a: x{} and y\n", " or x".repeat(20_000));
        let end = text.len() - 2;
        let diagnostic = Diagnostic::error(Code::Syntax, Span::new(end, end + 1), "bad y")
            .with_label("this one")
            .with_related(None, Span::new(8, 9), "and this one");
        let rendered = render("a.osl", &text, diagnostic, "");
        assert_readable(&rendered, 2);
        assert!(rendered.contains(&format!("a.osl:1:{}]", end + 1)), "{rendered}");
        assert!(rendered.contains("rule a: x or x"), "{rendered}");
        assert!(rendered.contains("…"), "{rendered}");
        assert!(rendered.contains("or x and y"), "{rendered}");
        assert!(rendered.contains("this one") && rendered.contains("and this one"), "{rendered}");
    }

    #[test]
    fn short_lines_are_not_cut() {
        let text = "fact x: bool\nrule a: x and y -> z\n";
        let diagnostic = Diagnostic::error(Code::Syntax, Span::new(27, 28), "bad y").with_label("here");
        let rendered = render("a.osl", text, diagnostic, "");
        assert!(rendered.contains("a.osl:2:15]"), "{rendered}");
        assert!(rendered.contains("rule a: x and y -> z"), "{rendered}");
        assert!(!rendered.contains('…'), "{rendered}");
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_owned()),
            Just("é".to_owned()),
            Just("中".to_owned()),
            Just("🦀".to_owned()),
            Just("\t".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            (1usize..3000).prop_map(|n| "x".repeat(n)),
            (1usize..500).prop_map(|n| "中🦀".repeat(n)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any text, any spans (even out of range or inside a character):
        /// rendering neither panics nor prints an unreadable line.
        #[test]
        fn any_span_on_any_line_renders(
            pieces in proptest::collection::vec(piece(), 1..40),
            spans in proptest::collection::vec((0usize..200_000, 0usize..5_000), 1..4),
            other_span in (0usize..200_000, 0usize..5_000),
        ) {
            let text: String = pieces.concat();
            let (start, length) = spans[0];
            let mut diagnostic = Diagnostic::error(Code::Syntax, Span::new(start, start + length), "bad")
                .with_label("here");
            for &(start, length) in &spans[1..] {
                diagnostic = diagnostic.with_related(None, Span::new(start, start + length), "there");
            }
            let diagnostic = diagnostic.with_related(
                Some("other.osl".to_owned()),
                Span::new(other_span.0, other_span.0 + other_span.1),
                "elsewhere",
            );
            let other: String = pieces.iter().rev().cloned().collect();
            let rendered = render("a.osl", &text, diagnostic, &other);
            assert_readable(&rendered, 2 * spans.len());
            prop_assert!(rendered.contains("bad"));
        }
    }
}
