//! The edits behind quick fixes: declaring an unknown fact (typed by what
//! the checker found on the other side of its comparison) and adding a
//! `cite` to a rule.

use std::collections::BTreeMap;

use super::names::{Target, file_names, item_at, name_uses};
use crate::check::{SymbolKind, symbols};
use crate::db::{Ruleset, SourceFile, file_items};
use crate::syntax::{DeclKind, Span};
use crate::types::Ty;

/// Text to insert at an offset of a file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Insertion {
    /// The file to edit.
    pub file: SourceFile,
    /// Where to insert, absolute in the file.
    pub offset: u32,
    /// What to insert.
    pub text: String,
}

/// The type a name written at `span` is expected to have, as the checker
/// found it: the type of the other operand of its comparison or
/// arithmetic (`x == absent` makes `x` a `Pulse`; `x > 2 * 50 mmHg` a
/// quantity in `mmHg`), or of the set it is tested against with `in`;
/// `bool` when nothing says otherwise.
fn expected_type_of_use(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, span: Span) -> String {
    let Some(item) = item_at(db, file, span.start) else { return "bool".to_owned() };
    let base = item.offset(db);
    let relative = Span { start: span.start.saturating_sub(base), end: span.end.saturating_sub(base) };
    let peer =
        name_uses(db, ruleset, item).iter().find(|name| name.span == relative).and_then(|name| name.peer.clone());
    match peer {
        Some(Ty::Error) | None => "bool".to_owned(),
        Some(ty) => ty.to_string(),
    }
}

/// The edit that declares an unknown fact used at `span`: `fact NAME: TYPE`
/// after the last fact declaration of the ruleset (the current file's
/// first), or above the current declaration.
pub fn declare_fact(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, span: Span) -> Option<Insertion> {
    let text = file.text(db);
    let name = text.get(span.range())?.to_owned();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let ty = expected_type_of_use(db, ruleset, file, span);
    let declaration = format!("fact {name}: {ty}");
    let last_fact_in = |f: SourceFile| {
        file_items(db, f)
            .iter()
            .filter(|item| item.key(db).kind == "fact")
            .map(|item| item.syntax(db).span.shift(item.offset(db)).end)
            .max()
    };
    if let Some(end) = last_fact_in(file) {
        return Some(Insertion { file, offset: end, text: format!("\n{declaration}") });
    }
    for &other in ruleset.files(db) {
        if let Some(end) = last_fact_in(other) {
            return Some(Insertion { file: other, offset: end, text: format!("\n{declaration}") });
        }
    }
    let item = item_at(db, file, span.start)?;
    let start = item.doc(db).as_ref().map_or(item.syntax(db).span.shift(item.offset(db)).start, |doc| doc.span.start);
    Some(Insertion { file, offset: start, text: format!("{declaration}\n\n") })
}

/// Edits that add a `cite` to the rule named at `span`, one per source,
/// the sources this file cites most often first.
pub fn add_cite(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, span: Span) -> Vec<(String, Insertion)> {
    let Some(item) = item_at(db, file, span.start) else { return Vec::new() };
    let decl = item.syntax(db);
    let DeclKind::Rule(rule) = &decl.kind else { return Vec::new() };
    if !rule.cites.is_empty() {
        return Vec::new();
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for name in file_names(db, ruleset, file) {
        if let (Target::Source(source), false) = (&name.target, name.declaration) {
            *counts.entry(source.clone()).or_default() += 1;
        }
    }
    let table = symbols(db, ruleset);
    let mut sources: Vec<(usize, String)> = table
        .names_of(|k| k == SymbolKind::Source)
        .map(|s| (counts.get(s).copied().unwrap_or(0), s.to_owned()))
        .collect();
    sources.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let end = decl.span.shift(item.offset(db)).end;
    let separator = if rule.name.is_some() { "\n  " } else { " " };
    sources
        .into_iter()
        .take(5)
        .map(|(_, source)| (source.clone(), Insertion { file, offset: end, text: format!("{separator}cite {source}") }))
        .collect()
}
