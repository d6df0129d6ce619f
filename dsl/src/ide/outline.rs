//! The outline of a file (document and workspace symbols) and the ranges
//! an editor may fold.

use super::describe::type_text;
use crate::db::{SourceFile, file_items, parse_file};
use crate::syntax::{DeclKind, Ident, Span, TokenKind, lex};

/// What an outline entry declares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OutlineKind {
    /// The `ruleset` declaration.
    Ruleset,
    /// A `source`.
    Source,
    /// An `enum`.
    Enum,
    /// A variant of an enum (a child of it).
    Variant,
    /// A `fact`.
    Fact,
    /// A `let`.
    Let,
    /// An `action`.
    Action,
    /// A parameter of an action (a child of it).
    Param,
    /// A `rule`.
    Rule,
    /// A `test`.
    Test,
}

/// One entry of a file's outline.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OutlineItem {
    /// The declared name (a rule's id, a test's title).
    pub name: String,
    /// What it declares.
    pub kind: OutlineKind,
    /// A short description: a type, a title.
    pub detail: Option<String>,
    /// The whole declaration.
    pub span: Span,
    /// The name (or, without one, the start of the declaration).
    pub name_span: Span,
    /// Variants of an enum, parameters of an action.
    pub children: Vec<OutlineItem>,
}

/// The declarations of a file, for the outline and workspace symbols.
pub fn outline(db: &dyn salsa::Database, file: SourceFile) -> Vec<OutlineItem> {
    let mut out = Vec::new();
    for &item in file_items(db, file) {
        let decl = item.syntax(db);
        let offset = item.offset(db);
        let span = decl.span.shift(offset);
        let leaf = |name: &Ident, kind, detail: Option<String>| OutlineItem {
            name: name.text.clone(),
            kind,
            detail,
            span: name.span.shift(offset),
            name_span: name.span.shift(offset),
            children: Vec::new(),
        };
        let (name, name_span, kind, detail, children) = match &decl.kind {
            DeclKind::Ruleset(d) => (
                d.name.text.clone(),
                d.name.span,
                OutlineKind::Ruleset,
                d.title.as_ref().map(|t| t.value.clone()),
                vec![],
            ),
            DeclKind::Source(d) => {
                (d.name.text.clone(), d.name.span, OutlineKind::Source, Some(d.title.value.clone()), vec![])
            }
            DeclKind::Enum(d) => (
                d.name.text.clone(),
                d.name.span,
                OutlineKind::Enum,
                None,
                d.variants.iter().map(|v| leaf(v, OutlineKind::Variant, None)).collect(),
            ),
            DeclKind::Fact(d) => (d.name.text.clone(), d.name.span, OutlineKind::Fact, Some(type_text(&d.ty)), vec![]),
            DeclKind::Let(d) => (d.name.text.clone(), d.name.span, OutlineKind::Let, None, vec![]),
            DeclKind::Action(d) => (
                d.name.text.clone(),
                d.name.span,
                OutlineKind::Action,
                None,
                d.params.iter().map(|p| leaf(&p.name, OutlineKind::Param, Some(type_text(&p.ty)))).collect(),
            ),
            DeclKind::Rule(d) => {
                let name_span = d.name.as_ref().map_or(d.arrow, |n| n.span);
                (
                    item.key(db).name.clone(),
                    name_span,
                    OutlineKind::Rule,
                    d.title.as_ref().map(|t| t.value.clone()),
                    vec![],
                )
            }
            DeclKind::Test(d) => (d.title.value.clone(), d.title.span, OutlineKind::Test, None, vec![]),
            // A baseline is listed with the tests, told apart by its detail.
            DeclKind::Baseline(d) => {
                (d.name.text.clone(), d.name.span, OutlineKind::Test, Some("baseline".to_owned()), vec![])
            }
            // Properties are listed with the rules (the outline kinds are
            // the language server's symbol kinds), told apart by their
            // detail.
            DeclKind::Assert(d) => {
                let name_span = d.name.as_ref().map_or(d.when.span, |n| n.span);
                let detail = match &d.title {
                    Some(title) => format!("assert: {}", title.value),
                    None => "assert".to_owned(),
                };
                (item.key(db).name.clone(), name_span, OutlineKind::Rule, Some(detail), vec![])
            }
            DeclKind::Exclusive(d) => (
                format!("exclusive {}", d.action.text),
                d.action.span,
                OutlineKind::Rule,
                Some("exclusive".to_owned()),
                vec![],
            ),
            // The one `priority`, by its keyword, its actions in the detail.
            DeclKind::Priority(d) => {
                let ranked: Vec<&str> = d.actions.iter().map(|action| action.text.as_str()).collect();
                ("priority".to_owned(), d.keyword, OutlineKind::Rule, Some(ranked.join(" > ")), vec![])
            }
        };
        out.push(OutlineItem { name, kind, detail, span, name_span: name_span.shift(offset), children });
    }
    out
}

/// Ranges worth folding: declarations and runs of comment lines. Each is
/// `(start, end)` in bytes; `true` marks a comment block.
pub fn folding_ranges(db: &dyn salsa::Database, file: SourceFile) -> Vec<(Span, bool)> {
    let text = file.text(db);
    let mut out: Vec<(Span, bool)> = parse_file(db, file).decls.iter().map(|d| (d.absolute_span(), false)).collect();
    let mut block: Option<Span> = None;
    for token in lex(text) {
        if token.kind != TokenKind::Comment {
            out.extend(block.take().map(|span| (span, true)));
            continue;
        }
        let span = Span { start: token.start, end: token.end };
        block = match block {
            Some(open)
                if text
                    .get(open.end as usize..span.start as usize)
                    .is_some_and(|gap| gap.matches('\n').count() == 1 && gap.trim().is_empty()) =>
            {
                Some(open.cover(span))
            }
            Some(open) => {
                out.push((open, true));
                Some(span)
            }
            None => Some(span),
        };
    }
    out.extend(block.map(|span| (span, true)));
    out.retain(|(span, _)| text.get(span.range()).is_some_and(|t| t.contains('\n')));
    out.sort_by_key(|(span, _)| (span.start, span.end));
    out
}
