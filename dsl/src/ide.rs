//! Editor queries over a checked ruleset, as plain data: what a name at an
//! offset refers to, its definitions and references, rename, hover text,
//! outline, semantic classes, completion, signature help, inlay hints and
//! the edits behind code actions.
//!
//! Offsets and spans are byte offsets in a file's text; the language server
//! converts them to UTF-16 positions. Name resolution follows the checker's
//! rules (a bare name is a variant when the expected type is an enum that
//! has it, else a fact or let, else the variant of the only enum that has
//! it), so the editor and `osler check` agree on what every name means.

use std::collections::BTreeMap;

use crate::db::{Item, Name, NameInfo, Ruleset, SourceFile, SymbolKind, file_items, name_info, parse_file, symbols};
use crate::format::{TokenKind, is_keyword, lex};
use crate::syntax::{ActionCall, DeclKind, Expr, ExprKind, Ident, Span, TypeExpr, TypeExprKind, UnaryOp, Unit};
use crate::types::Ty;

/// What a name denotes.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Target {
    Ruleset(String),
    Source(String),
    Enum(String),
    Variant {
        enum_name: String,
        variant: String,
    },
    Fact(String),
    Let(String),
    Action(String),
    /// A parameter of an action declaration.
    Param {
        action: String,
        param: String,
    },
    Rule(String),
}

impl Target {
    /// The name as written at a use (a variant's own name).
    pub fn name(&self) -> &str {
        match self {
            Target::Ruleset(name)
            | Target::Source(name)
            | Target::Enum(name)
            | Target::Fact(name)
            | Target::Let(name)
            | Target::Action(name)
            | Target::Rule(name) => name,
            Target::Variant { variant, .. } => variant,
            Target::Param { param, .. } => param,
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Target::Ruleset(_) => "ruleset",
            Target::Source(_) => "source",
            Target::Enum(_) => "enum",
            Target::Variant { .. } => "variant",
            Target::Fact(_) => "fact",
            Target::Let(_) => "let",
            Target::Action(_) => "action",
            Target::Param { .. } => "parameter",
            Target::Rule(_) => "rule",
        }
    }
}

/// One written name and what it denotes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NameRef {
    pub span: Span,
    pub target: Target,
    /// The name is being declared here (not used).
    pub declaration: bool,
}

/// A place in a file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    pub file: SourceFile,
    pub span: Span,
}

fn info(db: &dyn salsa::Database, ruleset: Ruleset, name: &str) -> NameInfo {
    name_info(db, ruleset, Name::new(db, name.to_owned())).clone()
}

/// Every name written in one declaration, resolved. Spans are relative to
/// the item, so the result survives edits above it.
#[salsa::tracked(returns(ref))]
pub fn item_names<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Vec<NameRef> {
    let mut collector = Collector { db, ruleset, out: Vec::new() };
    collector.item(item);
    collector.out.sort_by_key(|name| (name.span.start, name.span.end));
    collector.out
}

struct Collector<'db> {
    db: &'db dyn salsa::Database,
    ruleset: Ruleset,
    out: Vec<NameRef>,
}

impl Collector<'_> {
    fn push(&mut self, ident: &Ident, target: Target, declaration: bool) {
        self.out.push(NameRef { span: ident.span, target, declaration });
    }

    fn info(&self, name: &str) -> NameInfo {
        info(self.db, self.ruleset, name)
    }

    fn item(&mut self, item: Item<'_>) {
        let decl = item.syntax(self.db);
        match &decl.kind {
            DeclKind::Ruleset(d) => self.push(&d.name, Target::Ruleset(d.name.text.clone()), true),
            DeclKind::Source(d) => self.push(&d.name, Target::Source(d.name.text.clone()), true),
            DeclKind::Enum(d) => {
                self.push(&d.name, Target::Enum(d.name.text.clone()), true);
                for variant in &d.variants {
                    let target = Target::Variant { enum_name: d.name.text.clone(), variant: variant.text.clone() };
                    self.push(variant, target, true);
                }
            }
            DeclKind::Fact(d) => {
                self.push(&d.name, Target::Fact(d.name.text.clone()), true);
                self.type_expr(&d.ty);
            }
            DeclKind::Let(d) => {
                self.push(&d.name, Target::Let(d.name.text.clone()), true);
                self.expr(&d.value, None);
            }
            DeclKind::Action(d) => {
                self.push(&d.name, Target::Action(d.name.text.clone()), true);
                for param in &d.params {
                    let target = Target::Param { action: d.name.text.clone(), param: param.name.text.clone() };
                    self.push(&param.name, target, true);
                    self.type_expr(&param.ty);
                }
            }
            DeclKind::Rule(rule) => {
                if let Some(name) = &rule.name {
                    self.push(name, Target::Rule(name.text.clone()), true);
                }
                for target in &rule.overrides {
                    self.push(target, Target::Rule(target.text.clone()), false);
                }
                self.expr(&rule.condition, Some(&Ty::Bool));
                for call in &rule.actions {
                    self.action_call(call);
                }
                for cite in &rule.cites {
                    self.push(cite, Target::Source(cite.text.clone()), false);
                }
            }
            DeclKind::Test(test) => {
                for given in &test.givens {
                    let fact_info = self.info(&given.fact.text);
                    let target = if fact_info.fact.is_none() && fact_info.let_type.is_some() {
                        Target::Let(given.fact.text.clone())
                    } else {
                        Target::Fact(given.fact.text.clone())
                    };
                    self.push(&given.fact, target, false);
                    let expected = fact_info.value_type().cloned();
                    self.expr(&given.value, expected.as_ref());
                }
                for expect in &test.expects {
                    self.action_call(&expect.action);
                }
            }
        }
    }

    fn type_expr(&mut self, ty: &TypeExpr) {
        if let TypeExprKind::Named(name) = &ty.kind {
            self.push(name, Target::Enum(name.text.clone()), false);
        }
    }

    fn action_call(&mut self, call: &ActionCall) {
        self.push(&call.name, Target::Action(call.name.text.clone()), false);
        let params = self.info(&call.name.text).action.unwrap_or_default();
        for (index, arg) in call.args.iter().flatten().enumerate() {
            let expected = params.get(index).map(|(_, ty)| ty.clone());
            self.expr(arg, expected.as_ref());
        }
    }

    /// The type of an expression, as far as name resolution needs it.
    fn type_of(&self, expr: &Expr) -> Option<Ty> {
        type_of(&|name| self.info(name), expr)
    }

    fn expr(&mut self, expr: &Expr, expected: Option<&Ty>) {
        match &expr.kind {
            ExprKind::Name(ident) => {
                if let Some(target) = resolve_bare(&self.info(&ident.text), &ident.text, expected) {
                    self.push(ident, target, false);
                }
            }
            ExprKind::Qualified { ty, variant } => {
                self.push(ty, Target::Enum(ty.text.clone()), false);
                let target = Target::Variant { enum_name: ty.text.clone(), variant: variant.text.clone() };
                self.push(variant, target, false);
            }
            ExprKind::Call { callee, args } => {
                let expected = (callee.text == "count").then_some(Ty::Bool);
                for arg in args {
                    self.expr(arg, expected.as_ref());
                }
            }
            ExprKind::Unary { op, operand } => {
                self.expr(operand, if *op == UnaryOp::Not { Some(&Ty::Bool) } else { None });
            }
            ExprKind::Logic { operands, .. } => {
                for operand in operands {
                    self.expr(operand, Some(&Ty::Bool));
                }
            }
            ExprKind::Binary { op, lhs, rhs, .. } if op.is_comparison() => {
                let left = self.type_of(lhs);
                let right = self.type_of(rhs);
                self.expr(lhs, right.as_ref());
                self.expr(rhs, left.as_ref());
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs, None);
                self.expr(rhs, None);
            }
            ExprKind::In { operand, set, .. } => {
                let operand_type = self.type_of(operand);
                self.expr(operand, None);
                for item in set {
                    self.expr(item, operand_type.as_ref());
                }
            }
            ExprKind::Paren(inner) => self.expr(inner, expected),
            ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::Quantity(..)
            | ExprKind::Duration(..)
            | ExprKind::String(_) => {}
        }
    }
}

/// What a bare name means where `expected` is the type the context wants.
fn resolve_bare(info: &NameInfo, name: &str, expected: Option<&Ty>) -> Option<Target> {
    let variant = |enum_name: &str| Target::Variant { enum_name: enum_name.to_owned(), variant: name.to_owned() };
    if let Some(Ty::Enum(wanted)) = expected
        && info.variant_of.contains(wanted)
    {
        return Some(variant(wanted));
    }
    if info.fact.is_some() {
        return Some(Target::Fact(name.to_owned()));
    }
    if info.let_type.is_some() {
        return Some(Target::Let(name.to_owned()));
    }
    match info.variant_of.as_slice() {
        [only] => Some(variant(only)),
        _ => None,
    }
}

fn type_of(info: &dyn Fn(&str) -> NameInfo, expr: &Expr) -> Option<Ty> {
    match &expr.kind {
        ExprKind::Name(ident) => {
            let info = info(&ident.text);
            info.value_type().cloned().or_else(|| match info.variant_of.as_slice() {
                [only] => Some(Ty::Enum(only.clone())),
                _ => None,
            })
        }
        ExprKind::Qualified { ty, .. } => Some(Ty::Enum(ty.text.clone())),
        ExprKind::Paren(inner) => type_of(info, inner),
        ExprKind::Bool(_) | ExprKind::In { .. } | ExprKind::Logic { .. } => Some(Ty::Bool),
        ExprKind::Number(_) => Some(Ty::Number),
        ExprKind::Quantity(_, unit) => Some(Ty::Quantity(*unit)),
        ExprKind::Duration(..) => Some(Ty::Duration),
        ExprKind::String(_) => Some(Ty::String),
        ExprKind::Unary { op: UnaryOp::Not, .. } => Some(Ty::Bool),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => type_of(info, operand),
        ExprKind::Binary { op, lhs, .. } => {
            if op.is_arithmetic() {
                type_of(info, lhs)
            } else {
                Some(Ty::Bool)
            }
        }
        ExprKind::Call { callee, .. } => match callee.text.as_str() {
            "count" => Some(Ty::Number),
            "known" => Some(Ty::Bool),
            _ => None,
        },
    }
}

/// The names of one file, absolute spans, in order.
pub fn file_names(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<NameRef> {
    let mut out = Vec::new();
    for &item in file_items(db, file) {
        let offset = item.offset(db);
        out.extend(
            item_names(db, ruleset, item).iter().map(|name| NameRef { span: name.span.shift(offset), ..name.clone() }),
        );
    }
    out
}

/// The item of `file` whose text contains `offset`.
fn item_at<'db>(db: &'db dyn salsa::Database, file: SourceFile, offset: u32) -> Option<Item<'db>> {
    file_items(db, file).iter().copied().find(|item| item.syntax(db).span.shift(item.offset(db)).contains(offset))
}

/// The name written at `offset` (touching either end counts), if any.
pub fn name_at(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, offset: u32) -> Option<NameRef> {
    let item = item_at(db, file, offset)?;
    let base = item.offset(db);
    let names = item_names(db, ruleset, item);
    // Prefer a name the offset is inside over one it only touches.
    let inside = names.iter().find(|n| n.span.shift(base).start <= offset && offset < n.span.shift(base).end);
    let touching = names.iter().find(|n| n.span.shift(base).contains(offset));
    inside.or(touching).map(|name| NameRef { span: name.span.shift(base), ..name.clone() })
}

/// Where `target` is declared.
pub fn definitions(db: &dyn salsa::Database, ruleset: Ruleset, target: &Target) -> Vec<Location> {
    let table = symbols(db, ruleset);
    let (name, filter): (&str, fn(SymbolKind) -> bool) = match target {
        Target::Ruleset(name) => (name, |k| k == SymbolKind::Ruleset),
        Target::Source(name) => (name, |k| k == SymbolKind::Source),
        Target::Enum(name) => (name, |k| k == SymbolKind::Enum),
        Target::Variant { enum_name, .. } => (enum_name, |k| k == SymbolKind::Enum),
        Target::Fact(name) => (name, |k| k == SymbolKind::Fact),
        Target::Let(name) => (name, |k| k == SymbolKind::Let),
        Target::Action(name) | Target::Param { action: name, .. } => (name, |k| k == SymbolKind::Action),
        Target::Rule(name) => (name, |k| k == SymbolKind::Rule),
    };
    let mut out = Vec::new();
    for symbol in table.get(name).iter().filter(|s| filter(s.kind)) {
        let item = symbol.item;
        let offset = item.offset(db);
        for name in item_names(db, ruleset, item).iter().filter(|n| n.declaration && &n.target == target) {
            out.push(Location { file: *item.file(db), span: name.span.shift(offset) });
        }
    }
    out
}

/// Every place `target` is written, declarations included when asked,
/// ordered by file path then position.
pub fn references(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    target: &Target,
    include_declaration: bool,
) -> Vec<Location> {
    let mut files = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    let mut out = Vec::new();
    for file in files {
        for &item in file_items(db, file) {
            let offset = item.offset(db);
            for name in item_names(db, ruleset, item) {
                if &name.target == target && (include_declaration || !name.declaration) {
                    out.push(Location { file, span: name.span.shift(offset) });
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------- rename

/// Checks that `name` is a valid new name for `target`'s kind and does not
/// collide with another declaration.
pub fn check_new_name(db: &dyn salsa::Database, ruleset: Ruleset, target: &Target, name: &str) -> Result<(), String> {
    let lower = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let valid = match target {
        Target::Enum(_) => {
            name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
        }
        Target::Variant { .. } => {
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => lower(name),
    };
    let what = target.describe();
    if !valid || name.is_empty() {
        let rule = match target {
            Target::Enum(_) => "UpperCamelCase (`[A-Z][A-Za-z0-9]*`)",
            Target::Variant { .. } => "letters, digits and `_` (`[A-Za-z_][A-Za-z0-9_]*`)",
            _ => "lower_snake_case (`[a-z_][a-z0-9_]*`)",
        };
        return Err(format!("`{name}` is not a valid {what} name: {what} names are {rule}"));
    }
    if is_keyword(name) {
        return Err(format!("`{name}` is a keyword"));
    }
    if matches!(target, Target::Fact(_) | Target::Let(_)) && (name == "count" || name == "known") {
        return Err(format!("`{name}` is a built-in function"));
    }
    if name == target.name() {
        return Ok(());
    }
    let table = symbols(db, ruleset);
    let clash = match target {
        Target::Variant { enum_name, .. } => info(db, ruleset, name).variant_of.contains(enum_name),
        Target::Param { action, .. } => {
            definitions(db, ruleset, &Target::Action(action.clone())).first().is_some_and(|location| {
                item_at(db, location.file, location.span.start).is_some_and(|item| match &item.syntax(db).kind {
                    DeclKind::Action(decl) => decl.params.iter().any(|p| p.name.text == name),
                    _ => false,
                })
            })
        }
        _ => {
            let kinds: &[SymbolKind] = match target {
                Target::Fact(_) | Target::Let(_) => &[SymbolKind::Fact, SymbolKind::Let],
                Target::Source(_) => &[SymbolKind::Source],
                Target::Enum(_) => &[SymbolKind::Enum],
                Target::Action(_) => &[SymbolKind::Action],
                Target::Rule(_) => &[SymbolKind::Rule],
                _ => &[SymbolKind::Ruleset],
            };
            table.get(name).iter().any(|s| kinds.contains(&s.kind))
        }
    };
    if clash {
        return Err(format!("a {what} named `{name}` already exists"));
    }
    Ok(())
}

/// The name at `offset` if it can be renamed.
pub fn prepare_rename(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> Result<NameRef, String> {
    name_at(db, ruleset, file, offset).ok_or_else(|| "there is no name to rename here".to_owned())
}

/// The spans to replace with `new_name` to rename the name at `offset`
/// everywhere in the ruleset.
pub fn rename(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
    new_name: &str,
) -> Result<Vec<Location>, String> {
    let name = prepare_rename(db, ruleset, file, offset)?;
    check_new_name(db, ruleset, &name.target, new_name)?;
    Ok(references(db, ruleset, &name.target, true))
}

// ---------------------------------------------------------------- hover

/// Hover text (Markdown) for the name at an offset.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HoverInfo {
    pub span: Span,
    pub markdown: String,
}

fn code(text: &str) -> String {
    format!("```osler\n{text}\n```")
}

/// The declaring item of a target.
fn declaring_item<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, target: &Target) -> Option<Item<'db>> {
    let location = definitions(db, ruleset, target).into_iter().next()?;
    item_at(db, location.file, location.span.start)
}

fn doc_of(db: &dyn salsa::Database, item: Option<Item<'_>>) -> Option<String> {
    item.and_then(|item| item.doc(db).as_ref().map(|doc| doc.text.clone()))
}

/// A declaration's source text with runs of blanks collapsed.
fn text_of(db: &dyn salsa::Database, item: Item<'_>, span: Span) -> String {
    let text = item.file(db).text(db);
    let absolute = span.shift(item.offset(db));
    let slice = text.get(absolute.range()).unwrap_or("");
    slice.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn type_text(ty: &TypeExpr) -> String {
    match &ty.kind {
        TypeExprKind::Bool => "bool".to_owned(),
        TypeExprKind::Number => "number".to_owned(),
        TypeExprKind::Quantity(unit) => format!("number {unit}"),
        TypeExprKind::Duration => "duration".to_owned(),
        TypeExprKind::String => "string".to_owned(),
        TypeExprKind::Named(name) => name.text.clone(),
    }
}

/// The one-line signature of an action: `name(p: T, q: U)`.
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

fn source_citation(db: &dyn salsa::Database, ruleset: Ruleset, name: &str) -> Option<String> {
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

fn join_markdown(parts: Vec<Option<String>>) -> String {
    parts.into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// Hover for the name at `offset`: a fact's type, unit and doc; a let's
/// expression and type; an action's signature; a rule's title, citations
/// and overrides; a source's full citation.
pub fn hover(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, offset: u32) -> Option<HoverInfo> {
    let name = name_at(db, ruleset, file, offset)?;
    let item = declaring_item(db, ruleset, &name.target);
    let doc = doc_of(db, item);
    let markdown = match &name.target {
        Target::Fact(fact) => {
            let ty = info(db, ruleset, fact).fact.unwrap_or(Ty::Error);
            let detail = match &ty {
                Ty::Quantity(unit) => {
                    Some(format!("A quantity in `{unit}`: compare it with values such as `50 {unit}`."))
                }
                Ty::Enum(enum_name) => info(db, ruleset, enum_name).enum_variants.map(|variants| {
                    format!("One of {}.", variants.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
                }),
                Ty::Duration => Some("A duration: compare it with values such as `6h` or `2d`.".to_owned()),
                _ => None,
            };
            join_markdown(vec![Some(code(&format!("fact {fact}: {ty}"))), detail, doc])
        }
        Target::Let(name) => {
            let ty = info(db, ruleset, name).let_type.unwrap_or(Ty::Error);
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
        Target::Rule(rule) => {
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

/// Names of the rules that override `rule`.
fn overriding_rules(db: &dyn salsa::Database, ruleset: Ruleset, rule: &str) -> Vec<String> {
    let target = Target::Rule(rule.to_owned());
    let mut out = Vec::new();
    for location in references(db, ruleset, &target, false) {
        if let Some(item) = item_at(db, location.file, location.span.start)
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

// ---------------------------------------------------------------- outline

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OutlineKind {
    Ruleset,
    Source,
    Enum,
    Variant,
    Fact,
    Let,
    Action,
    Param,
    Rule,
    Test,
}

/// One entry of a file's outline.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OutlineItem {
    pub name: String,
    pub kind: OutlineKind,
    pub detail: Option<String>,
    /// The whole declaration.
    pub span: Span,
    /// The name (or, without one, the start of the declaration).
    pub name_span: Span,
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

// ---------------------------------------------------------------- semantic tokens

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SemanticKind {
    Keyword,
    Type,
    Comment,
    String,
    Number,
    Operator,
    Fact,
    Let,
    Action,
    Param,
    Enum,
    Variant,
    Rule,
    Source,
    Ruleset,
    Function,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: SemanticKind,
    pub declaration: bool,
    /// A `///` doc comment.
    pub documentation: bool,
}

/// Every token of a file with its meaning, in order, for highlighting.
pub fn semantic_tokens(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<SemanticToken> {
    let text = file.text(db);
    let names: BTreeMap<u32, NameRef> = file_names(db, ruleset, file).into_iter().map(|n| (n.span.start, n)).collect();
    let mut out = Vec::new();
    for token in lex(text) {
        let span = Span { start: token.start, end: token.end };
        let word = token.text(text);
        let (kind, declaration, documentation) = match token.kind {
            TokenKind::Comment => (SemanticKind::Comment, false, word.starts_with("///")),
            TokenKind::String => (SemanticKind::String, false, false),
            TokenKind::Number | TokenKind::Duration | TokenKind::Quantity { .. } => {
                (SemanticKind::Number, false, false)
            }
            TokenKind::Punct if word == "->" || word.len() > 1 || "=<>+-*/".contains(word) => {
                (SemanticKind::Operator, false, false)
            }
            TokenKind::Punct | TokenKind::Unknown => continue,
            TokenKind::Word if matches!(word, "bool" | "number" | "duration" | "string") => {
                (SemanticKind::Type, false, false)
            }
            TokenKind::Word if is_keyword(word) => (SemanticKind::Keyword, false, false),
            TokenKind::Word => match names.get(&token.start) {
                Some(name) => {
                    let kind = match name.target {
                        Target::Ruleset(_) => SemanticKind::Ruleset,
                        Target::Source(_) => SemanticKind::Source,
                        Target::Enum(_) => SemanticKind::Enum,
                        Target::Variant { .. } => SemanticKind::Variant,
                        Target::Fact(_) => SemanticKind::Fact,
                        Target::Let(_) => SemanticKind::Let,
                        Target::Action(_) => SemanticKind::Action,
                        Target::Param { .. } => SemanticKind::Param,
                        Target::Rule(_) => SemanticKind::Rule,
                    };
                    (kind, name.declaration, false)
                }
                None if word == "count" || word == "known" => (SemanticKind::Function, false, false),
                None => continue,
            },
        };
        out.push(SemanticToken { span, kind, declaration, documentation });
    }
    out
}

// ---------------------------------------------------------------- completion

/// What the cursor is in the middle of, read from the text before it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CompletionContext {
    /// The start of a declaration: keywords, or a short rule's condition.
    DeclarationStart,
    /// A condition: facts, lets, `count`, `known`, `not`.
    Condition,
    /// After `==`, `!=` or inside `in {`: the variants of this enum.
    Variants(String),
    /// After `->` or `expect`.
    Actions,
    /// After `cite`.
    Sources,
    /// After `overrides`.
    Rules,
    /// After `given`.
    Facts,
    /// A type after `:` in a fact or parameter.
    TypeName,
    /// A unit after `number`.
    Unit,
    /// An argument of an action call.
    Argument { action: String, index: usize },
    /// The value after `given fact =`.
    GivenValue(String),
    /// After a complete operand: operators and clause keywords.
    AfterOperand,
    /// A statement of a test block.
    TestStatement,
    /// Nothing to offer (in a comment, a string, a name being declared).
    Nothing,
}

const CONTINUATION_WORDS: [&str; 4] = ["and", "or", "cite", "overrides"];
use crate::syntax::DECLARATION_KEYWORDS;

fn starts_with_word(line: &str, word: &str) -> bool {
    line.strip_prefix(word).is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

/// Where the declaration around `offset` starts, read loosely from the
/// lines above (the same boundaries the parser's splitter uses).
fn declaration_start(text: &str, offset: usize) -> usize {
    let mut line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    loop {
        let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        let trimmed = line.trim_start();
        let indented = trimmed.len() != line.len();
        let continuation = CONTINUATION_WORDS.iter().any(|w| starts_with_word(trimmed, w))
            || ["->", ",", ")", "}", "=", "+"].iter().any(|s| trimmed.starts_with(s));
        let keyword = DECLARATION_KEYWORDS.iter().any(|w| starts_with_word(trimmed, w));
        let starts = !trimmed.is_empty() && !trimmed.starts_with("//") && (keyword || (!indented && !continuation));
        if starts || line_start == 0 {
            return line_start + (line.len() - trimmed.len()).min(line.len());
        }
        line_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
}

/// The start of the word the cursor is in (or right after).
fn word_start(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    start
}

/// Reads the completion context at `offset` from the text alone.
pub fn completion_context(text: &str, offset: u32, value_type: &dyn Fn(&str) -> Option<Ty>) -> CompletionContext {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    // In a comment, or in a string still open at the cursor: nothing.
    if let Some(last) = lex(line).last() {
        let unclosed_string =
            last.kind == TokenKind::String && (last.end - last.start < 2 || !last.text(line).ends_with('"'));
        if last.kind == TokenKind::Comment || unclosed_string {
            return CompletionContext::Nothing;
        }
    }
    let start = word_start(text, offset);
    let decl_start = declaration_start(text, start).min(start);
    let source = &text[decl_start..start];
    let tokens: Vec<_> = lex(source).into_iter().filter(|t| t.kind != TokenKind::Comment).collect();
    let word = |index: usize| tokens.get(index).map_or("", |t| t.text(source));
    let Some(last_index) = tokens.len().checked_sub(1) else {
        return CompletionContext::DeclarationStart;
    };
    let first = word(0);
    let last = word(last_index);

    // The innermost bracket still open at the cursor.
    let mut stack: Vec<usize> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token.text(source) {
            "(" | "{" => stack.push(index),
            ")" | "}" => {
                stack.pop();
            }
            _ => {}
        }
    }
    let commas_since = |open: usize| {
        let mut depth = 0;
        let mut commas = 0;
        for token in &tokens[open + 1..] {
            match token.text(source) {
                "(" | "{" => depth += 1,
                ")" | "}" => depth -= 1,
                "," if depth == 0 => commas += 1,
                _ => {}
            }
        }
        commas
    };
    let enum_of = |name: &str| match value_type(name) {
        Some(Ty::Enum(enum_name)) => Some(enum_name),
        _ => None,
    };
    if let Some(&open) = stack.last() {
        let before = if open > 0 { word(open - 1) } else { "" };
        if word(open) == "(" {
            if first == "action" && open == 2 {
                return match last {
                    ":" => CompletionContext::TypeName,
                    "number" => CompletionContext::Unit,
                    _ => CompletionContext::Nothing,
                };
            }
            let callee =
                tokens.get(open.wrapping_sub(1)).is_some_and(|t| t.kind == TokenKind::Word) && !is_keyword(before);
            if callee && before != "count" && before != "known" {
                return CompletionContext::Argument { action: before.to_owned(), index: commas_since(open) };
            }
        } else if first == "enum" {
            return CompletionContext::Nothing;
        } else if first == "test" && open == 2 {
            // Inside the test body: fall through to statement contexts.
        } else if before == "in" {
            let operand = if open >= 2 { word(open - 2) } else { "" };
            return match enum_of(operand) {
                Some(enum_name) => CompletionContext::Variants(enum_name),
                None => CompletionContext::Condition,
            };
        }
    }
    let last_token = &tokens[last_index];
    match last {
        "->" => return CompletionContext::Actions,
        "cite" => return CompletionContext::Sources,
        "overrides" => return CompletionContext::Rules,
        "expect" => return CompletionContext::Actions,
        "not" if last_index > 0 && word(last_index - 1) == "expect" => return CompletionContext::Actions,
        "given" => return CompletionContext::Facts,
        "{" if first == "test" => return CompletionContext::TestStatement,
        "==" | "!=" => {
            let operand = if last_index > 0 { word(last_index - 1) } else { "" };
            return match enum_of(operand) {
                Some(enum_name) => CompletionContext::Variants(enum_name),
                None => CompletionContext::Condition,
            };
        }
        "=" if first == "let" => return CompletionContext::Condition,
        "=" if first == "test" => {
            return CompletionContext::GivenValue(if last_index > 0 {
                word(last_index - 1).to_owned()
            } else {
                String::new()
            });
        }
        ":" if first == "fact" => return CompletionContext::TypeName,
        ":" if first == "rule" => return CompletionContext::Condition,
        "number" if first == "fact" => return CompletionContext::Unit,
        "," => {
            let clause =
                tokens.iter().rev().map(|t| t.text(source)).find(|w| ["->", "cite", "overrides", "given"].contains(w));
            return match clause {
                Some("->") => CompletionContext::Actions,
                Some("cite") => CompletionContext::Sources,
                Some("overrides") => CompletionContext::Rules,
                Some("given") => CompletionContext::Facts,
                _ => CompletionContext::Condition,
            };
        }
        "and" | "or" | "not" | "(" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" => {
            return CompletionContext::Condition;
        }
        _ => {}
    }
    if first == "test" {
        // After a complete statement: the next one.
        return if last_token.kind == TokenKind::String && last_index == 1 {
            CompletionContext::Nothing
        } else {
            CompletionContext::TestStatement
        };
    }
    if last_index == 0 && DECLARATION_KEYWORDS.contains(&first) {
        // The name being declared.
        return CompletionContext::Nothing;
    }
    if first == "rule" && !tokens.iter().any(|t| t.text(source) == ":") {
        return CompletionContext::Nothing;
    }
    if matches!(first, "fact" | "action" | "source" | "ruleset" | "enum") {
        return CompletionContext::Nothing;
    }
    match last_token.kind {
        TokenKind::Word | TokenKind::Number | TokenKind::Duration | TokenKind::Quantity { .. } | TokenKind::String => {
            CompletionContext::AfterOperand
        }
        TokenKind::Punct if last == ")" || last == "}" => CompletionContext::AfterOperand,
        _ => CompletionContext::Condition,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompletionKind {
    Keyword,
    Fact,
    Let,
    Action,
    Source,
    Rule,
    Enum,
    Variant,
    Function,
    Type,
    Unit,
    Value,
    Snippet,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// Text to insert instead of the label.
    pub insert_text: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Completion {
        Completion { label: label.into(), kind, detail: None, documentation: None, insert_text: None }
    }

    fn detail(mut self, detail: impl Into<String>) -> Completion {
        self.detail = Some(detail.into());
        self
    }

    fn docs(mut self, documentation: Option<String>) -> Completion {
        self.documentation = documentation;
        self
    }
}

/// What a keyword is for, shown with its completion.
fn keyword_doc(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "ruleset" => "`ruleset name \"Title\"`: names the ruleset (at most once).",
        "source" => "`source name \"Title\" year 2026 url \"...\"`: a guideline that rules cite.",
        "enum" => "`enum Name { a, b }`: a type with named values.",
        "fact" => {
            "`fact name: type`: a value each record gives (`bool`, `number`, `number mmHg`, `duration`, `string`, an enum)."
        }
        "let" => "`let name = condition`: a derived fact.",
        "action" => "`action name(param: type)`: something a rule recommends.",
        "rule" => "`rule name \"Title\" [overrides other]:` then `condition -> action(..)` and `cite source`.",
        "test" => "`test \"title\" { given fact = value  expect action(..) }`",
        "given" => "`given fact = value, ...`: the record a test evaluates.",
        "expect" => "`expect action(..)`, `expect action`, `expect not action`.",
        "and" | "or" | "not" => "Three-valued logic: `false and unknown` is false, `true or unknown` is true.",
        "in" => "`fact in {a, b}`: the fact has one of these values.",
        "->" => "Separates a rule's condition from its actions.",
        "cite" => "`cite source, ...`: the guidelines this rule encodes.",
        "overrides" => "`overrides rule, ...`: the rules this one suppresses when it fires.",
        _ => return None,
    })
}

/// Completions at `offset` of `file`, and the span they replace (the word
/// being typed).
pub fn completions(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> (Span, Vec<Completion>) {
    let text = file.text(db);
    let offset = offset.min(text.len() as u32);
    let mut at = offset as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let start = word_start(text, at) as u32;
    let replace = Span { start, end: at as u32 };
    let value_type = |name: &str| info(db, ruleset, name).value_type().cloned();
    let context = completion_context(text, at as u32, &value_type);
    let table = symbols(db, ruleset);
    let doc = |item: Item<'_>| item.doc(db).as_ref().map(|d| d.text.clone());
    let of_kind = |kind: SymbolKind| -> Vec<(String, Item<'_>)> {
        let mut out: Vec<(String, Item<'_>)> = Vec::new();
        for (name, list) in &table.names {
            if let Some(symbol) = list.iter().find(|s| s.kind == kind) {
                out.push((name.clone(), symbol.item));
            }
        }
        out
    };
    let keywords = |words: &[&str]| {
        words
            .iter()
            .map(|w| Completion::new(*w, CompletionKind::Keyword).docs(keyword_doc(w).map(str::to_owned)))
            .collect::<Vec<_>>()
    };
    let values = || {
        let mut out = Vec::new();
        for (name, item) in of_kind(SymbolKind::Fact) {
            let ty = info(db, ruleset, &name).fact.map(|t| t.to_string()).unwrap_or_default();
            out.push(Completion::new(name, CompletionKind::Fact).detail(format!("fact: {ty}")).docs(doc(item)));
        }
        for (name, item) in of_kind(SymbolKind::Let) {
            let ty = info(db, ruleset, &name).let_type.map(|t| t.to_string()).unwrap_or_default();
            out.push(Completion::new(name, CompletionKind::Let).detail(format!("let: {ty}")).docs(doc(item)));
        }
        out
    };
    let variants_of = |enum_name: &str| -> Vec<Completion> {
        let item = table.find(enum_name, |k| k == SymbolKind::Enum).map(|s| s.item);
        info(db, ruleset, enum_name)
            .enum_variants
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                Completion::new(v, CompletionKind::Variant)
                    .detail(format!("{enum_name} variant"))
                    .docs(item.and_then(doc))
            })
            .collect()
    };
    let actions = || {
        of_kind(SymbolKind::Action)
            .into_iter()
            .map(|(name, item)| {
                let signature =
                    action_signature(db, ruleset, &name).map(|(label, _)| label).unwrap_or_else(|| name.clone());
                Completion::new(name, CompletionKind::Action).detail(format!("action {signature}")).docs(doc(item))
            })
            .collect::<Vec<_>>()
    };
    let types = || {
        let mut out = keywords(&["bool", "number", "duration", "string"]);
        for item in &mut out {
            item.kind = CompletionKind::Type;
        }
        for (name, item) in of_kind(SymbolKind::Enum) {
            out.push(Completion::new(name, CompletionKind::Enum).detail("enum").docs(doc(item)));
        }
        out
    };
    let units = || {
        Unit::ALL.iter().map(|u| Completion::new(u.as_str(), CompletionKind::Unit).detail("unit")).collect::<Vec<_>>()
    };
    let values_of_type = |ty: &Ty, detail: &str| -> Vec<Completion> {
        match ty {
            Ty::Enum(enum_name) => variants_of(enum_name),
            Ty::Bool => keywords(&["true", "false"]),
            Ty::Duration => ["6h", "24h", "2d", "4w", "30min"]
                .iter()
                .map(|v| Completion::new(*v, CompletionKind::Value).detail(detail.to_owned()))
                .collect(),
            Ty::Quantity(unit) => vec![Completion {
                insert_text: Some(format!("0 {unit}")),
                ..Completion::new(format!("… {unit}"), CompletionKind::Unit).detail(detail.to_owned())
            }],
            _ => Vec::new(),
        }
    };
    let items = match context {
        CompletionContext::Nothing => Vec::new(),
        CompletionContext::DeclarationStart => {
            let mut out = keywords(&DECLARATION_KEYWORDS);
            out.extend(values());
            out
        }
        CompletionContext::Condition => {
            let mut out = values();
            out.push(
                Completion::new("count", CompletionKind::Function)
                    .detail("count(c1, c2, ..): number of true conditions"),
            );
            out.push(Completion::new("known", CompletionKind::Function).detail("known(x): whether a fact has a value"));
            out.extend(keywords(&["not", "true", "false"]));
            out
        }
        CompletionContext::Variants(enum_name) => variants_of(&enum_name),
        CompletionContext::Actions => actions(),
        CompletionContext::Sources => of_kind(SymbolKind::Source)
            .into_iter()
            .map(|(name, item)| {
                let citation = source_citation(db, ruleset, &name);
                Completion::new(name, CompletionKind::Source).detail(citation.unwrap_or_default()).docs(doc(item))
            })
            .collect(),
        CompletionContext::Rules => of_kind(SymbolKind::Rule)
            .into_iter()
            .map(|(name, item)| {
                let title = match &item.syntax(db).kind {
                    DeclKind::Rule(rule) => rule.title.as_ref().map(|t| t.value.clone()),
                    _ => None,
                };
                Completion::new(name, CompletionKind::Rule)
                    .detail(title.unwrap_or_else(|| "rule".to_owned()))
                    .docs(doc(item))
            })
            .collect(),
        CompletionContext::Facts => values().into_iter().filter(|c| c.kind == CompletionKind::Fact).collect(),
        CompletionContext::TypeName => types(),
        CompletionContext::Unit => units(),
        CompletionContext::Argument { action, index } => match info(db, ruleset, &action).action {
            Some(params) => match params.get(index) {
                Some((param, ty)) => values_of_type(ty, &format!("{param}: {ty}")),
                None => Vec::new(),
            },
            None => values(),
        },
        CompletionContext::GivenValue(fact) => match info(db, ruleset, &fact).fact {
            Some(ty) => values_of_type(&ty, &format!("{fact}: {ty}")),
            None => Vec::new(),
        },
        CompletionContext::AfterOperand => keywords(&["and", "or", "in", "->", "cite", "overrides"]),
        CompletionContext::TestStatement => keywords(&["given", "expect"]),
    };
    (replace, items)
}

// ---------------------------------------------------------------- signature help

/// The action call around the cursor: its signature, parameter ranges in
/// the label, and the parameter being written.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignatureInfo {
    pub label: String,
    pub parameters: Vec<(u32, u32)>,
    pub active_parameter: u32,
    pub documentation: Option<String>,
}

pub fn signature_help(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> Option<SignatureInfo> {
    let text = file.text(db);
    let value_type = |name: &str| info(db, ruleset, name).value_type().cloned();
    let context = completion_context(text, offset, &value_type);
    let CompletionContext::Argument { action, index } = context else {
        // The cursor may be on a word inside the call: look from its start.
        return None;
    };
    let (label, parameters) = action_signature(db, ruleset, &action)?;
    let documentation = doc_of(db, declaring_item(db, ruleset, &Target::Action(action)));
    Some(SignatureInfo { label, parameters, active_parameter: index as u32, documentation })
}

// ---------------------------------------------------------------- inlay hints

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InlayKind {
    Type,
    Parameter,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InlayHintInfo {
    pub offset: u32,
    pub label: String,
    pub kind: InlayKind,
}

/// Hints where they help: a let's inferred type after its name, the unit
/// of a quantity fact where it is used, and parameter names before action
/// arguments.
pub fn inlay_hints(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<InlayHintInfo> {
    let mut out = Vec::new();
    for name in file_names(db, ruleset, file) {
        match &name.target {
            Target::Let(let_name) if name.declaration => {
                if let Some(ty) = info(db, ruleset, let_name).let_type.filter(|t| !t.is_error()) {
                    out.push(InlayHintInfo { offset: name.span.end, label: format!(": {ty}"), kind: InlayKind::Type });
                }
            }
            Target::Fact(fact) if !name.declaration => {
                if let Some(Ty::Quantity(unit)) = info(db, ruleset, fact).fact {
                    out.push(InlayHintInfo {
                        offset: name.span.end,
                        label: format!("[{unit}]"),
                        kind: InlayKind::Type,
                    });
                }
            }
            _ => {}
        }
    }
    for &item in file_items(db, file) {
        let offset = item.offset(db);
        let calls: Vec<&ActionCall> = match &item.syntax(db).kind {
            DeclKind::Rule(rule) => rule.actions.iter().collect(),
            DeclKind::Test(test) => test.expects.iter().map(|e| &e.action).collect(),
            _ => Vec::new(),
        };
        for call in calls {
            let Some(params) = info(db, ruleset, &call.name.text).action else { continue };
            for (arg, (param, _)) in call.args.iter().flatten().zip(&params) {
                out.push(InlayHintInfo {
                    offset: arg.span.start + offset,
                    label: format!("{param}:"),
                    kind: InlayKind::Parameter,
                });
            }
        }
    }
    out.sort_by_key(|hint| hint.offset);
    out
}

// ---------------------------------------------------------------- code action edits

/// Text to insert at an offset of a file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Insertion {
    pub file: SourceFile,
    pub offset: u32,
    pub text: String,
}

/// The type a name written at `span` is expected to have, from its
/// surroundings (`x == absent` makes `x` a `Pulse`; `x > 50 mmHg` a
/// quantity); `bool` when nothing says otherwise.
fn expected_type_of_use(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, span: Span) -> String {
    let Some(item) = item_at(db, file, span.start) else { return "bool".to_owned() };
    let relative =
        Span { start: span.start.saturating_sub(item.offset(db)), end: span.end.saturating_sub(item.offset(db)) };
    let info_of = |name: &str| info(db, ruleset, name);
    let mut found: Option<Ty> = None;
    let mut visit = |expr: &Expr| {
        if let ExprKind::Binary { op, lhs, rhs, .. } = &expr.kind
            && (op.is_comparison() || op.is_arithmetic())
        {
            let is_use = |e: &Expr| matches!(&e.kind, ExprKind::Name(ident) if ident.span == relative);
            let other = if is_use(lhs) {
                Some(rhs)
            } else if is_use(rhs) {
                Some(lhs)
            } else {
                None
            };
            if let Some(other) = other {
                found = type_of(&info_of, other);
            }
        }
        if let ExprKind::In { operand, set, .. } = &expr.kind
            && matches!(&operand.kind, ExprKind::Name(ident) if ident.span == relative)
        {
            found = set.first().and_then(|first| type_of(&info_of, first));
        }
    };
    match &item.syntax(db).kind {
        DeclKind::Let(decl) => decl.value.walk(&mut visit),
        DeclKind::Rule(rule) => rule.condition.walk(&mut visit),
        _ => {}
    }
    match found {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Database;

    fn ruleset(db: &Database, files: &[(&str, &str)]) -> (Ruleset, Vec<SourceFile>) {
        let sources: Vec<SourceFile> =
            files.iter().map(|(path, text)| SourceFile::new(db, (*path).to_owned(), (*text).to_owned())).collect();
        (Ruleset::new(db, sources.clone()), sources)
    }

    #[test]
    fn bare_variants_resolve_by_the_expected_type() {
        let db = Database::default();
        let text = "enum Pulse { present, absent }\nenum Reflexes { normal, absent }\nfact pulses: Pulse\nfact reflexes: Reflexes\naction f()\nrule r: pulses == absent and reflexes in {normal, absent} -> f\n";
        let (set, files) = ruleset(&db, &[("a.osl", text)]);
        let file = files[0];
        let first = text.find("== absent").unwrap_or(0) as u32 + 3;
        let second = text.rfind("absent}").unwrap_or(0) as u32;
        let at = |offset| name_at(&db, set, file, offset).map(|n| n.target);
        assert_eq!(at(first), Some(Target::Variant { enum_name: "Pulse".to_owned(), variant: "absent".to_owned() }));
        assert_eq!(
            at(second),
            Some(Target::Variant { enum_name: "Reflexes".to_owned(), variant: "absent".to_owned() })
        );
        let pulse_absent = Target::Variant { enum_name: "Pulse".to_owned(), variant: "absent".to_owned() };
        assert_eq!(references(&db, set, &pulse_absent, true).len(), 2, "its declaration and the one use");
        assert!(check_new_name(&db, set, &pulse_absent, "present").is_err(), "clashes with a variant of the same enum");
        assert!(check_new_name(&db, set, &pulse_absent, "normal").is_ok(), "another enum's variant is no clash");
    }

    /// Every editor query at every offset of every corpus file (broken ones
    /// included) answers without panicking.
    #[test]
    fn editor_queries_never_panic() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
        let mut texts: Vec<String> =
            vec![String::new(), "rule".to_owned(), "💡 -> (".to_owned(), "test \"x\" { given".to_owned()];
        for folder in ["syntax", "check", "clean"] {
            let Ok(entries) = std::fs::read_dir(root.join(folder)) else { continue };
            for entry in entries.filter_map(Result::ok).take(40) {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    texts.push(text);
                }
            }
        }
        for text in texts {
            let db = Database::default();
            let (set, files) = ruleset(&db, &[("a.osl", &text)]);
            let file = files[0];
            let _ = semantic_tokens(&db, set, file);
            let _ = inlay_hints(&db, set, file);
            let _ = outline(&db, file);
            let _ = folding_ranges(&db, file);
            for offset in 0..=text.len() as u32 + 2 {
                let _ = hover(&db, set, file, offset);
                let _ = completions(&db, set, file, offset);
                let _ = signature_help(&db, set, file, offset);
                let _ = rename(&db, set, file, offset, "new_name");
                if let Some(name) = name_at(&db, set, file, offset) {
                    let _ = definitions(&db, set, &name.target);
                    let span = Span { start: offset, end: offset + 3 };
                    let _ = declare_fact(&db, set, file, span);
                    let _ = add_cite(&db, set, file, span);
                }
            }
        }
    }

    fn context(text: &str) -> CompletionContext {
        let offset = text.find('|').unwrap_or(text.len());
        let text = text.replacen('|', "", 1);
        let value_type = |name: &str| match name {
            "pulses" => Some(Ty::Enum("Pulse".to_owned())),
            "abi" => Some(Ty::Number),
            _ => None,
        };
        completion_context(&text, offset as u32, &value_type)
    }

    #[test]
    fn reads_the_context_before_the_cursor() {
        assert_eq!(context("|"), CompletionContext::DeclarationStart);
        assert_eq!(context("fact a: bool\nfa|"), CompletionContext::DeclarationStart);
        assert_eq!(context("rule r:\n  a and |"), CompletionContext::Condition);
        assert_eq!(context("rule r:\n  pulses == ab|"), CompletionContext::Variants("Pulse".to_owned()));
        assert_eq!(context("rule r:\n  pulses in {present, |"), CompletionContext::Variants("Pulse".to_owned()));
        assert_eq!(context("rule r:\n  a\n  -> |"), CompletionContext::Actions);
        assert_eq!(context("rule r:\n  a -> f(6h), |"), CompletionContext::Actions);
        assert_eq!(context("rule r:\n  a -> f(6h)\n  cite x, |"), CompletionContext::Sources);
        assert_eq!(context("rule r overrides |"), CompletionContext::Rules);
        assert_eq!(
            context("rule r:\n  a -> order(|"),
            CompletionContext::Argument { action: "order".to_owned(), index: 0 }
        );
        assert_eq!(context("rule r:\n  a -> f(1, |"), CompletionContext::Argument { action: "f".to_owned(), index: 1 });
        assert_eq!(context("fact a: |"), CompletionContext::TypeName);
        assert_eq!(context("fact a: number |"), CompletionContext::Unit);
        assert_eq!(context("action f(x: |"), CompletionContext::TypeName);
        assert_eq!(context("test \"t\" {\n  given |"), CompletionContext::Facts);
        assert_eq!(context("test \"t\" {\n  given a = |"), CompletionContext::GivenValue("a".to_owned()));
        assert_eq!(context("test \"t\" {\n  expect not |"), CompletionContext::Actions);
        assert_eq!(context("test \"t\" {\n  given a = true\n  |"), CompletionContext::TestStatement);
        assert_eq!(context("rule r:\n  abi |"), CompletionContext::AfterOperand);
        assert_eq!(context("rule r:\n  // a comment |"), CompletionContext::Nothing);
        assert_eq!(context("fact |"), CompletionContext::Nothing);
    }
}
