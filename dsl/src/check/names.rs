//! Name lookups, in one place: the symbol table of a ruleset, what one
//! name means ([`name_info`], a query per name so a check depends only on
//! the names it uses), type expressions, and let typing
//! ([`let_analysis`]: types in dependency order and cycles, computed from
//! the symbol table so `name_info` never cycles through it).

use std::collections::BTreeMap;

use super::env::{Env, NameInfo, Namespace};
use super::expr::ExprChecker;
use super::graph::topological_order;
use crate::db::{Item, Name, Ruleset, SourceFile, file_items, parse_file};
use crate::syntax::{DeclKind, Expr, ExprKind, TypeExpr, TypeExprKind};
use crate::types::Ty;

/// What a declared name denotes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SymbolKind {
    /// The `ruleset` declaration.
    Ruleset,
    /// A `source`.
    Source,
    /// An `enum`.
    Enum,
    /// A variant, with its position in the enum.
    Variant(u32),
    /// A `fact`.
    Fact,
    /// A `let`.
    Let,
    /// An `action`.
    Action,
    /// A `rule` (named, or by its generated id).
    Rule,
    /// An `assert` (named, or by its generated id): a namespace of its own.
    Assert,
    /// An `exclusive`, by the action it is about.
    Exclusive,
    /// A `baseline` of test givens: a namespace of its own.
    Baseline,
}

impl SymbolKind {
    /// The kind as messages name it (`fact`, `variant`).
    pub fn describe(self) -> &'static str {
        match self {
            SymbolKind::Ruleset => "ruleset",
            SymbolKind::Source => "source",
            SymbolKind::Enum => "enum",
            SymbolKind::Variant(_) => "variant",
            SymbolKind::Fact => "fact",
            SymbolKind::Let => "let",
            SymbolKind::Action => "action",
            SymbolKind::Rule => "rule",
            SymbolKind::Assert => "assert",
            SymbolKind::Exclusive => "exclusive",
            SymbolKind::Baseline => "baseline",
        }
    }
}

/// One declaration of a name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, salsa::SalsaValue)]
pub struct Symbol<'db> {
    /// What the declaration declares.
    pub kind: SymbolKind,
    /// The declaring item (for a variant, its enum).
    pub item: Item<'db>,
}

/// Every declared name of a ruleset, in declaration order per name.
#[derive(Clone, PartialEq, Eq, Debug, Default, salsa::SalsaValue)]
pub struct Symbols<'db> {
    /// Each name with its declarations.
    pub names: BTreeMap<String, Vec<Symbol<'db>>>,
    /// Names of declarations that failed to parse.
    pub broken: Vec<String>,
}

impl<'db> Symbols<'db> {
    /// The declarations of `name` (none when undeclared).
    pub fn get(&self, name: &str) -> &[Symbol<'db>] {
        self.names.get(name).map_or(&[], Vec::as_slice)
    }

    /// The first declaration of `name` with a kind accepted by `filter`.
    pub fn find(&self, name: &str, filter: impl Fn(SymbolKind) -> bool) -> Option<Symbol<'db>> {
        self.get(name).iter().copied().find(|symbol| filter(symbol.kind))
    }

    /// Every name with a kind accepted by `filter`, for "did you mean".
    pub fn names_of(&self, filter: impl Fn(SymbolKind) -> bool) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .filter(move |(_, symbols)| symbols.iter().any(|s| filter(s.kind)))
            .map(|(name, _)| name.as_str())
    }
}

/// The names of a file's broken declarations, apart from the parse so an
/// edit that breaks nothing new leaves `symbols` alone.
#[salsa::tracked(returns(ref))]
pub fn broken_names(db: &dyn salsa::Database, file: SourceFile) -> Vec<String> {
    parse_file(db, file).broken_names.clone()
}

/// The symbol table of a ruleset. Re-runs on every edit; backdated when
/// no declaration's name set changed.
#[salsa::tracked(returns(ref))]
pub fn symbols<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset) -> Symbols<'db> {
    let mut table = Symbols::default();
    for &file in ruleset.files(db) {
        table.broken.extend(broken_names(db, file).iter().cloned());
        for &item in file_items(db, file) {
            let key = item.key(db);
            let kind = match key.kind {
                "ruleset" => SymbolKind::Ruleset,
                "source" => SymbolKind::Source,
                "enum" => SymbolKind::Enum,
                "fact" => SymbolKind::Fact,
                "let" => SymbolKind::Let,
                "action" => SymbolKind::Action,
                "rule" => SymbolKind::Rule,
                "assert" => SymbolKind::Assert,
                "exclusive" => SymbolKind::Exclusive,
                "baseline" => SymbolKind::Baseline,
                _ => continue,
            };
            if kind == SymbolKind::Enum
                && let DeclKind::Enum(decl) = &item.syntax(db).kind
            {
                for (index, variant) in decl.variants.iter().enumerate() {
                    table
                        .names
                        .entry(variant.text.clone())
                        .or_default()
                        .push(Symbol { kind: SymbolKind::Variant(index as u32), item });
                }
            }
            table.names.entry(key.name.clone()).or_default().push(Symbol { kind, item });
        }
    }
    table.broken.sort();
    table.broken.dedup();
    table
}

/// What one name means in every namespace. Checks read names through this
/// query only, so a check depends on the names it uses, not on the table.
#[salsa::tracked(returns(ref))]
pub fn name_info<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, name: Name<'db>) -> NameInfo {
    let table = symbols(db, ruleset);
    let text = name.text(db);
    let mut info = NameInfo { broken: table.broken.iter().any(|b| b == text), ..NameInfo::default() };
    for symbol in table.get(text) {
        match (symbol.kind, &symbol.item.syntax(db).kind) {
            (SymbolKind::Fact, DeclKind::Fact(fact)) if info.fact.is_none() => {
                info.fact = Some(resolve_type(&fact.ty, table, db));
            }
            (SymbolKind::Let, _) if info.let_type.is_none() => {
                info.let_type = Some(let_analysis(db, ruleset).types.get(text).cloned().unwrap_or(Ty::Error));
            }
            (SymbolKind::Variant(_), DeclKind::Enum(decl)) => info.variant_of.push(decl.name.text.clone()),
            (SymbolKind::Action, DeclKind::Action(action)) if info.action.is_none() => {
                info.action = Some(
                    action
                        .params
                        .iter()
                        .map(|param| (param.name.text.clone(), resolve_type(&param.ty, table, db)))
                        .collect(),
                );
            }
            (SymbolKind::Enum, DeclKind::Enum(decl)) if info.enum_variants.is_none() => {
                info.enum_variants = Some(decl.variants.iter().map(|v| v.text.clone()).collect());
            }
            (SymbolKind::Source, _) => info.is_source = true,
            (SymbolKind::Rule, _) => info.is_rule = true,
            (SymbolKind::Baseline, _) => info.is_baseline = true,
            _ => {}
        }
    }
    info
}

/// The type a type expression denotes; an unknown type name gives
/// [`Ty::Error`] (the fact's own check reports it).
pub fn resolve_type(ty: &TypeExpr, symbols: &Symbols<'_>, _db: &dyn salsa::Database) -> Ty {
    match &ty.kind {
        TypeExprKind::Bool => Ty::Bool,
        TypeExprKind::Number => Ty::Number,
        TypeExprKind::Quantity(unit) => Ty::Quantity(*unit),
        TypeExprKind::Duration => Ty::Duration,
        TypeExprKind::String => Ty::String,
        TypeExprKind::Named(name) => {
            if symbols.find(&name.text, |kind| kind == SymbolKind::Enum).is_some() {
                Ty::Enum(name.text.clone())
            } else {
                Ty::Error
            }
        }
    }
}

/// Name lookups through salsa: each name is its own dependency.
pub(crate) struct QueryEnv<'db> {
    pub db: &'db dyn salsa::Database,
    pub ruleset: Ruleset,
}

/// Every name of a namespace, for "did you mean".
fn names_in(symbols: &Symbols<'_>, namespace: Namespace) -> Vec<String> {
    let filter = move |kind: SymbolKind| match namespace {
        Namespace::Value => matches!(kind, SymbolKind::Fact | SymbolKind::Let),
        Namespace::Fact => kind == SymbolKind::Fact,
        Namespace::Action => kind == SymbolKind::Action,
        Namespace::Source => kind == SymbolKind::Source,
        Namespace::Rule => kind == SymbolKind::Rule,
        Namespace::Type => kind == SymbolKind::Enum,
        Namespace::Baseline => kind == SymbolKind::Baseline,
    };
    symbols.names_of(filter).map(str::to_owned).collect()
}

impl Env for QueryEnv<'_> {
    fn info(&self, name: &str) -> NameInfo {
        name_info(self.db, self.ruleset, Name::new(self.db, name.to_owned())).clone()
    }

    fn names(&self, namespace: Namespace) -> Vec<String> {
        names_in(symbols(self.db, self.ruleset), namespace)
    }
}

/// Let types, dependency order and cycles for a ruleset.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LetAnalysis {
    /// Each let's type ([`Ty::Error`] for those in a cycle).
    pub types: BTreeMap<String, Ty>,
    /// Lets in dependency order (cyclic ones left out).
    pub order: Vec<String>,
    /// Each cycle as the names along it, starting from the smallest.
    pub cycles: Vec<Vec<String>>,
}

/// Name lookups while typing lets: straight from the symbol table, with
/// let types as computed so far (no salsa cycle through `name_info`).
struct LetEnv<'a, 'db> {
    db: &'db dyn salsa::Database,
    table: &'a Symbols<'db>,
    types: &'a BTreeMap<String, Ty>,
}

impl Env for LetEnv<'_, '_> {
    fn info(&self, name: &str) -> NameInfo {
        let mut info = NameInfo { broken: self.table.broken.iter().any(|b| b == name), ..NameInfo::default() };
        for symbol in self.table.get(name) {
            match (symbol.kind, &symbol.item.syntax(self.db).kind) {
                (SymbolKind::Fact, DeclKind::Fact(fact)) if info.fact.is_none() => {
                    info.fact = Some(resolve_type(&fact.ty, self.table, self.db));
                }
                (SymbolKind::Let, _) => info.let_type = Some(self.types.get(name).cloned().unwrap_or(Ty::Error)),
                (SymbolKind::Variant(_), DeclKind::Enum(decl)) => info.variant_of.push(decl.name.text.clone()),
                (SymbolKind::Enum, DeclKind::Enum(decl)) => {
                    info.enum_variants = Some(decl.variants.iter().map(|v| v.text.clone()).collect());
                }
                (SymbolKind::Action, _) => info.action = Some(Vec::new()),
                (SymbolKind::Source, _) => info.is_source = true,
                (SymbolKind::Rule, _) => info.is_rule = true,
                (SymbolKind::Baseline, _) => info.is_baseline = true,
                _ => {}
            }
        }
        info
    }

    fn names(&self, namespace: Namespace) -> Vec<String> {
        names_in(self.table, namespace)
    }
}

/// The value names (and enum names of qualified variants) an expression
/// mentions, in order, with repeats.
pub(crate) fn referenced_names(expr: &Expr, out: &mut Vec<String>) {
    expr.walk(&mut |e| match &e.kind {
        ExprKind::Name(ident) => out.push(ident.text.clone()),
        ExprKind::Qualified { ty, .. } => out.push(ty.text.clone()),
        _ => {}
    });
}

/// Let types in dependency order, and let cycles.
#[salsa::tracked(returns(ref))]
pub fn let_analysis(db: &dyn salsa::Database, ruleset: Ruleset) -> LetAnalysis {
    let table = symbols(db, ruleset);
    let mut bodies: BTreeMap<String, &Expr> = BTreeMap::new();
    for (name, list) in &table.names {
        if let Some(symbol) = list.iter().find(|s| s.kind == SymbolKind::Let)
            && let DeclKind::Let(decl) = &symbol.item.syntax(db).kind
        {
            bodies.insert(name.clone(), &decl.value);
        }
    }
    let deps: BTreeMap<&str, Vec<String>> = bodies
        .iter()
        .map(|(name, body)| {
            let mut names = Vec::new();
            referenced_names(body, &mut names);
            names.retain(|n| bodies.contains_key(n));
            names.dedup();
            (name.as_str(), names)
        })
        .collect();
    let (order, cycles) = topological_order(&deps);
    let mut analysis = LetAnalysis { cycles, ..LetAnalysis::default() };
    for name in &order {
        let env = LetEnv { db, table, types: &analysis.types };
        let mut checker = ExprChecker::new(&env);
        let (ty, _) = checker.infer(bodies[name.as_str()], None);
        analysis.types.insert(name.clone(), ty);
    }
    for cycle in &analysis.cycles {
        for name in cycle {
            analysis.types.insert(name.clone(), Ty::Error);
        }
    }
    analysis.order = order;
    analysis
}
