//! The one diagnostic type every part of Osler reports through, and its
//! terminal (miette) and machine (JSON) renderings. The language server
//! converts the same values to LSP diagnostics.

use std::fmt;

use serde::Serialize;

use crate::line_index::LineIndex;
use crate::syntax::Span;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A secondary location: the other declaration of a duplicate, a member of
/// a cycle. `path` is `None` for "the same file as the diagnostic".
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Related {
    pub path: Option<String>,
    pub span: Span,
    pub message: String,
}

/// A problem found in a ruleset.
///
/// Messages are lowercase, one sentence, no final period, with user text in
/// backticks; `help` says how to fix it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Diagnostic {
    /// A stable code such as `osler::syntax`; tools and docs key on it.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// A short label shown under the primary span.
    pub label: Option<String>,
    pub related: Vec<Related>,
    pub help: Option<String>,
    /// A replacement that fixes the problem (used by "did you mean" code
    /// actions): the primary span's text becomes this.
    pub fix: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(replacement.into());
        self
    }

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
    pub path: String,
    pub diagnostic: Diagnostic,
}

/// The JSON form printed by `osler check --format json`, one object per
/// diagnostic. Lines and columns are 1-based; columns count characters.
#[derive(Serialize, Debug)]
pub struct JsonDiagnostic<'a> {
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub end: JsonPosition,
    pub code: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

#[derive(Serialize, Debug)]
pub struct JsonPosition {
    pub line: u32,
    pub column: u32,
}

impl FileDiagnostic {
    pub fn to_json<'a>(&'a self, text: &str) -> JsonDiagnostic<'a> {
        let index = LineIndex::new(text);
        let start = index.line_col(text, self.diagnostic.span.start);
        let end = index.line_col(text, self.diagnostic.span.end);
        JsonDiagnostic {
            file: &self.path,
            line: start.line + 1,
            column: start.column + 1,
            end: JsonPosition { line: end.line + 1, column: end.column + 1 },
            code: self.diagnostic.code,
            severity: self.diagnostic.severity,
            message: &self.diagnostic.message,
            help: self.diagnostic.help.as_deref(),
        }
    }
}

/// Renders diagnostics for a terminal through miette, with source snippets.
/// `source_of` returns the text of a file by path.
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

/// Adapts a [`FileDiagnostic`] to miette's `Diagnostic` trait.
#[derive(Debug)]
struct MietteReport {
    code: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: miette::NamedSource<String>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<MietteReport>,
}

impl MietteReport {
    fn new<'a>(diagnostic: &FileDiagnostic, text: &str, source_of: &dyn Fn(&str) -> Option<&'a str>) -> MietteReport {
        let d = &diagnostic.diagnostic;
        let mut labels = vec![miette::LabeledSpan::new_primary_with_span(d.label.clone(), clamp(d.span, text))];
        let mut related = Vec::new();
        for other in &d.related {
            match &other.path {
                Some(path) if path != &diagnostic.path => {
                    let other_text = source_of(path).unwrap_or("");
                    related.push(MietteReport {
                        code: d.code,
                        severity: d.severity,
                        message: other.message.clone(),
                        help: None,
                        source: miette::NamedSource::new(path.clone(), other_text.to_owned()),
                        labels: vec![miette::LabeledSpan::new_with_span(
                            Some(other.message.clone()),
                            clamp(other.span, other_text),
                        )],
                        related: Vec::new(),
                    });
                }
                _ => labels
                    .push(miette::LabeledSpan::new_with_span(Some(other.message.clone()), clamp(other.span, text))),
            }
        }
        MietteReport {
            code: d.code,
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            source: miette::NamedSource::new(diagnostic.path.clone(), text.to_owned()),
            labels,
            related,
        }
    }
}

fn clamp(span: Span, text: &str) -> miette::SourceSpan {
    let len = text.len();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    (start, end - start).into()
}

impl fmt::Display for MietteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteReport {}

impl miette::Diagnostic for MietteReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
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
