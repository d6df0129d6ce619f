//! Hover: what the name under the cursor is, as Markdown. Types are the
//! ones the checker gave the name.

use super::describe::{action_signature, code, doc_of, join_markdown, source_citation, text_of};
use super::names::{Target, declaring_item, info, name_use_at, references};
use crate::db::{Item, Ruleset, SourceFile};
use crate::syntax::{DeclKind, Span};
use crate::types::Ty;

/// Hover text (Markdown) for the name at an offset.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HoverInfo {
    /// The name hovered, absolute in its file.
    pub span: Span,
    /// What to show.
    pub markdown: String,
}

/// Hover for the name at `offset`: a fact's type, unit and doc; a let's
/// expression and type; an action's signature; a rule's title, citations
/// and overrides; a source's full citation; what a baseline gives.
pub fn hover(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, offset: u32) -> Option<HoverInfo> {
    let name = name_use_at(db, ruleset, file, offset)?;
    let target = name.target?;
    let item = declaring_item(db, ruleset, &target);
    let doc = doc_of(db, item);
    // The type the checker gave this use; at a declaration, the name's.
    let ty = name.ty;
    let markdown = match &target {
        Target::Fact(fact) => fact_hover(db, ruleset, fact, ty, doc),
        Target::Let(name) => {
            let ty = ty.or_else(|| info(db, ruleset, name).let_type).unwrap_or(Ty::Error);
            let value = item.and_then(|item| match &item.syntax(db).kind {
                DeclKind::Let(decl) => Some(text_of(db, item, decl.value.span)),
                _ => None,
            });
            join_markdown(vec![
                Some(code(&format!("let {name} = {}", value.unwrap_or_default()))),
                Some(format!("Type: `{ty}`")),
                doc,
            ])
        }
        Target::Action(action) => {
            let signature =
                action_signature(db, ruleset, action).map(|(label, _)| label).unwrap_or_else(|| action.clone());
            join_markdown(vec![Some(code(&format!("action {signature}"))), doc])
        }
        Target::Param { action, param } => {
            let ty = info(db, ruleset, action)
                .action
                .and_then(|params| params.into_iter().find(|(p, _)| p == param).map(|(_, ty)| ty));
            let ty = ty.map(|ty| ty.to_string()).unwrap_or_default();
            join_markdown(vec![Some(code(&format!("{param}: {ty}"))), Some(format!("Parameter of action `{action}`."))])
        }
        Target::Rule(rule) => rule_hover(db, ruleset, rule, item, doc),
        Target::Source(source) => {
            let citation = source_citation(db, ruleset, source);
            join_markdown(vec![Some(code(&format!("source {source}"))), citation, doc])
        }
        Target::Enum(enum_name) => {
            let variants = info(db, ruleset, enum_name).enum_variants.unwrap_or_default();
            join_markdown(vec![Some(code(&format!("enum {enum_name} {{ {} }}", variants.join(", ")))), doc])
        }
        Target::Variant { enum_name, variant } => join_markdown(vec![
            Some(code(&format!("{enum_name}.{variant}"))),
            Some(format!("Variant of `{enum_name}`.")),
            doc,
        ]),
        Target::Baseline(baseline) => baseline_hover(db, baseline, item, doc),
        Target::Ruleset(ruleset_name) => {
            let title = item.and_then(|item| match &item.syntax(db).kind {
                DeclKind::Ruleset(decl) => decl.title.as_ref().map(|t| t.value.clone()),
                _ => None,
            });
            join_markdown(vec![Some(code(&format!("ruleset {ruleset_name}"))), title, doc])
        }
    };
    Some(HoverInfo { span: name.span, markdown })
}

/// A fact: its type, what values of it look like, its doc.
fn fact_hover(db: &dyn salsa::Database, ruleset: Ruleset, fact: &str, ty: Option<Ty>, doc: Option<String>) -> String {
    let ty = ty.or_else(|| info(db, ruleset, fact).fact).unwrap_or(Ty::Error);
    let detail = match &ty {
        Ty::Quantity(unit) => Some(format!("A quantity in `{unit}`: compare it with values such as `50 {unit}`.")),
        Ty::Enum(enum_name) => info(db, ruleset, enum_name).enum_variants.map(|variants| {
            format!("One of {}.", variants.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
        }),
        Ty::Duration => Some("A duration: compare it with values such as `6h` or `2d`.".to_owned()),
        _ => None,
    };
    join_markdown(vec![Some(code(&format!("fact {fact}: {ty}"))), detail, doc])
}

/// A baseline: the baselines it includes and the values it gives.
fn baseline_hover(db: &dyn salsa::Database, baseline: &str, item: Option<Item<'_>>, doc: Option<String>) -> String {
    let mut parts = vec![Some(code(&format!("baseline {baseline}")))];
    if let Some(item) = item
        && let DeclKind::Baseline(decl) = &item.syntax(db).kind
    {
        if !decl.baselines.is_empty() {
            let names: Vec<String> = decl.baselines.iter().map(|b| format!("`{}`", b.text)).collect();
            parts.push(Some(format!("Includes {}.", names.join(", "))));
        }
        if !decl.givens.is_empty() {
            let givens: Vec<String> = decl
                .givens
                .iter()
                .map(|given| format!("`{} = {}`", given.fact.text, text_of(db, item, given.value.span)))
                .collect();
            parts.push(Some(format!("Gives {}.", givens.join(", "))));
        }
    }
    parts.push(doc);
    join_markdown(parts)
}

/// A rule: its title, what it cites and overrides, what overrides it.
fn rule_hover(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    rule: &str,
    item: Option<Item<'_>>,
    doc: Option<String>,
) -> String {
    let mut parts = Vec::new();
    if let Some(item) = item
        && let DeclKind::Rule(decl) = &item.syntax(db).kind
    {
        let title = decl.title.as_ref().map(|t| format!(" \"{}\"", t.value)).unwrap_or_default();
        parts.push(Some(code(&format!("rule {rule}{title}"))));
        if !decl.cites.is_empty() {
            let cites: Vec<String> = decl
                .cites
                .iter()
                .map(|cite| match source_citation(db, ruleset, &cite.text) {
                    Some(citation) => format!("- `{}`: {citation}", cite.text),
                    None => format!("- `{}`", cite.text),
                })
                .collect();
            parts.push(Some(format!("Cites:\n{}", cites.join("\n"))));
        }
        if !decl.overrides.is_empty() {
            let names: Vec<String> = decl.overrides.iter().map(|o| format!("`{}`", o.text)).collect();
            parts.push(Some(format!("Overrides {}.", names.join(", "))));
        }
    }
    let overridden_by = overriding_rules(db, ruleset, rule);
    if !overridden_by.is_empty() {
        let names: Vec<String> = overridden_by.iter().map(|o| format!("`{o}`")).collect();
        parts.push(Some(format!("Overridden by {}.", names.join(", "))));
    }
    parts.push(doc);
    join_markdown(parts)
}

/// Names of the rules that override `rule`.
fn overriding_rules(db: &dyn salsa::Database, ruleset: Ruleset, rule: &str) -> Vec<String> {
    let target = Target::Rule(rule.to_owned());
    let mut out = Vec::new();
    for location in references(db, ruleset, &target, false) {
        if let Some(item) = super::names::item_at(db, location.file, location.span.start)
            && let DeclKind::Rule(decl) = &item.syntax(db).kind
            && let Some(name) = &decl.name
        {
            out.push(name.text.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}
