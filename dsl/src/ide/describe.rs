//! Declarations as editors show them: signatures, citations, type texts and
//! doc comments, shared by hover, completion, signature help and the
//! outline.

use super::names::{Target, declaring_item};
use crate::db::{Item, Ruleset};
use crate::syntax::{DeclKind, Span, TypeExpr, TypeExprKind};

/// A fenced Osler code block (Markdown).
pub(crate) fn code(text: &str) -> String {
    format!("```osler\n{text}\n```")
}

/// The doc comment of an item, if any.
pub(crate) fn doc_of(db: &dyn salsa::Database, item: Option<Item<'_>>) -> Option<String> {
    item.and_then(|item| item.doc(db).as_ref().map(|doc| doc.text.clone()))
}

/// A declaration's source text with runs of blanks collapsed.
pub(crate) fn text_of(db: &dyn salsa::Database, item: Item<'_>, span: Span) -> String {
    let text = item.file(db).text(db);
    let absolute = span.shift(item.offset(db));
    let slice = text.get(absolute.range()).unwrap_or("");
    slice.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A type expression as written (`number mmHg`, `Pulse`).
pub(crate) fn type_text(ty: &TypeExpr) -> String {
    match &ty.kind {
        TypeExprKind::Bool => "bool".to_owned(),
        TypeExprKind::Number => "number".to_owned(),
        TypeExprKind::Quantity(unit) => format!("number {unit}"),
        TypeExprKind::Duration => "duration".to_owned(),
        TypeExprKind::String => "string".to_owned(),
        TypeExprKind::Named(name) => name.text.clone(),
    }
}

/// The one-line signature of an action, `name(p: T, q: U)`, with the byte
/// range of each parameter in it.
pub fn action_signature(db: &dyn salsa::Database, ruleset: Ruleset, action: &str) -> Option<(String, Vec<(u32, u32)>)> {
    let item = declaring_item(db, ruleset, &Target::Action(action.to_owned()))?;
    let DeclKind::Action(decl) = &item.syntax(db).kind else { return None };
    let mut label = format!("{action}(");
    let mut ranges = Vec::new();
    for (index, param) in decl.params.iter().enumerate() {
        if index > 0 {
            label.push_str(", ");
        }
        let start = label.len() as u32;
        label.push_str(&format!("{}: {}", param.name.text, type_text(&param.ty)));
        ranges.push((start, label.len() as u32));
    }
    label.push(')');
    Some((label, ranges))
}

/// A source's citation: *title*, year, <url>.
pub(crate) fn source_citation(db: &dyn salsa::Database, ruleset: Ruleset, name: &str) -> Option<String> {
    let item = declaring_item(db, ruleset, &Target::Source(name.to_owned()))?;
    let DeclKind::Source(decl) = &item.syntax(db).kind else { return None };
    let mut citation = format!("*{}*", decl.title.value);
    if let Some((year, _)) = decl.year {
        citation.push_str(&format!(", {year}"));
    }
    if let Some(url) = &decl.url {
        citation.push_str(&format!(", <{}>", url.value));
    }
    Some(citation)
}

/// Markdown paragraphs, the empty and missing ones left out.
pub(crate) fn join_markdown(parts: Vec<Option<String>>) -> String {
    parts.into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}
