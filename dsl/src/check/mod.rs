//! The incremental checker: per-declaration checks, let typing and
//! cycles, ruleset-wide checks (duplicates, override cycles, unused names),
//! and the per-file diagnostics the CLI and the language server publish.

mod expr;
mod model_build;

use std::collections::{BTreeMap, BTreeSet};

use crate::db::{
    self, Item, Name, NameInfo, Ruleset, SourceFile, SymbolKind, Symbols, file_items, name_info, parse_file, symbols,
};
use crate::code::Code;
use crate::diagnostic::{Diagnostic, FileDiagnostic, Severity};
use crate::syntax::{ActionCall, DeclKind, Expr, ExprKind, Ident, Span, TypeExpr, TypeExprKind};
use crate::types::{Ty, resolve_type};

use expr::Env as _;
pub(crate) use expr::{ExprChecker, Namespace, RExpr, RValue, closest, with_suggestion};
pub use model_build::build_model;

/// Name lookups through salsa: each name is its own dependency.
struct QueryEnv<'db> {
    db: &'db dyn salsa::Database,
    ruleset: Ruleset,
}

fn names_in(symbols: &Symbols<'_>, namespace: Namespace) -> Vec<String> {
    let filter = move |kind: SymbolKind| match namespace {
        Namespace::Value => matches!(kind, SymbolKind::Fact | SymbolKind::Let),
        Namespace::Fact => kind == SymbolKind::Fact,
        Namespace::Action => kind == SymbolKind::Action,
        Namespace::Source => kind == SymbolKind::Source,
        Namespace::Rule => kind == SymbolKind::Rule,
        Namespace::Type => kind == SymbolKind::Enum,
    };
    symbols.names_of(filter).map(str::to_owned).collect()
}

impl expr::Env for QueryEnv<'_> {
    fn info(&self, name: &str) -> NameInfo {
        name_info(self.db, self.ruleset, Name::new(self.db, name.to_owned())).clone()
    }

    fn names(&self, namespace: Namespace) -> Vec<String> {
        names_in(symbols(self.db, self.ruleset), namespace)
    }
}

/// Checks one declaration. Spans are relative to the declaration.
#[salsa::tracked(returns(ref))]
pub fn check_item<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Vec<Diagnostic> {
    let env = QueryEnv { db, ruleset };
    let mut diagnostics = Vec::new();
    let decl = item.syntax(db);
    let mut checker = ExprChecker { env: &env, diagnostics: &mut diagnostics, reads_facts: false };
    match &decl.kind {
        DeclKind::Ruleset(_) | DeclKind::Source(_) => {}
        DeclKind::Enum(decl) => {
            let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
            for variant in &decl.variants {
                if let Some(first) = seen.insert(&variant.text, variant.span) {
                    checker.diagnostics.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            variant.span,
                            format!("duplicate variant `{}` in enum `{}`", variant.text, decl.name.text),
                        )
                        .with_label("declared again here")
                        .with_related(None, first, "first declared here")
                        .with_help("remove one of them"),
                    );
                }
            }
            if decl.variants.is_empty() {
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::EmptyEnum,
                        decl.name.span,
                        format!("enum `{}` has no variants", decl.name.text),
                    )
                    .with_help("list its variants: `enum Name { a, b }`"),
                );
            }
        }
        DeclKind::Fact(fact) => check_type_expr(&env, &fact.ty, checker.diagnostics),
        DeclKind::Action(action) => {
            for param in &action.params {
                check_type_expr(&env, &param.ty, checker.diagnostics);
            }
        }
        DeclKind::Let(decl) => {
            checker.infer(&decl.value, None);
        }
        DeclKind::Rule(rule) => {
            let (ty, _) = checker.infer(&rule.condition, Some(&Ty::Bool));
            if !ty.fits(&Ty::Bool) {
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::ConditionNotBool,
                        rule.condition.span,
                        format!("a rule's condition must be `bool`, found `{ty}`"),
                    )
                    .with_label(format!("this is `{ty}`"))
                    .with_help("compare it with something, e.g. `abi < 0.9`"),
                );
            } else if !checker.reads_facts && !checker.diagnostics.iter().any(|d| d.severity == Severity::Error) {
                checker.diagnostics.push(
                    Diagnostic::warning(
                        Code::ConstantCondition,
                        rule.condition.span,
                        "this rule's condition is constant",
                    )
                    .with_label("reads no fact")
                    .with_help("a rule's condition should depend on the record's facts"),
                );
            }
            for call in &rule.actions {
                check_action_call(&mut checker, call, false);
            }
            for cite in &rule.cites {
                if !env.info(&cite.text).is_source {
                    let otherwise = format!("declare it: `source {} \"Title of the guideline\" year 2026`", cite.text);
                    checker.diagnostics.push(unknown_name(
                        &env,
                        Namespace::Source,
                        cite,
                        "no such `source`",
                        &otherwise,
                    ));
                }
            }
            let own_id = item.key(db).name.as_str();
            for target in &rule.overrides {
                if target.text == own_id {
                    checker.diagnostics.push(
                        Diagnostic::error(
                            Code::SelfOverride,
                            target.span,
                            format!("rule `{own_id}` overrides itself"),
                        )
                        .with_label("a rule cannot suppress itself")
                        .with_help("name the rule this one makes an exception to"),
                    );
                } else if !env.info(&target.text).is_rule {
                    let otherwise = "`overrides` names rules declared with `rule NAME ...:`";
                    checker.diagnostics.push(unknown_name(
                        &env,
                        Namespace::Rule,
                        target,
                        "no rule has this name",
                        otherwise,
                    ));
                }
            }
        }
        DeclKind::Test(test) => {
            for given in &test.givens {
                let info = env.info(&given.fact.text);
                match (&info.fact, &info.let_type) {
                    (Some(ty), _) => {
                        let (value_ty, resolved) = checker.infer(&given.value, Some(ty));
                        if !value_ty.fits(ty) {
                            checker.diagnostics.push(
                                Diagnostic::error(
                                    Code::TypeMismatch,
                                    given.value.span,
                                    format!("`{}` is `{ty}`, found `{value_ty}`", given.fact.text),
                                )
                                .with_label(format!("this is `{value_ty}`"))
                                .with_help(format!("give `{}` a value of type `{ty}`", given.fact.text)),
                            );
                        }
                        if !is_constant(&resolved) {
                            checker.diagnostics.push(not_constant(given.value.span, "a test's given values"));
                        }
                    }
                    (None, Some(_)) => checker.diagnostics.push(
                        Diagnostic::error(
                            Code::GivenLet,
                            given.fact.span,
                            format!("`{}` is a let; tests give facts", given.fact.text),
                        )
                        .with_help("give the facts it is derived from"),
                    ),
                    (None, None) if info.broken => {}
                    (None, None) => checker.diagnostics.push(unknown_name(
                        &env,
                        Namespace::Fact,
                        &given.fact,
                        "not declared in this ruleset",
                        "a test gives values to declared facts",
                    )),
                }
            }
            for expect in &test.expects {
                check_action_call(&mut checker, &expect.action, true);
            }
        }
    }
    diagnostics
}

/// A literal or a variant (as resolved by the expected type: `order(abi)`
/// is the `Test` variant even when a fact `abi` exists), possibly negated.
fn is_constant(resolved: &RExpr) -> bool {
    match resolved {
        RExpr::Const(_) | RExpr::Invalid => true,
        RExpr::Neg(inner) => is_constant(inner),
        _ => false,
    }
}

fn not_constant(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(Code::NotConstant, span, format!("{what} must be constants"))
        .with_label("reads a fact")
        .with_help("write a literal (`6h`, `50 mmHg`, `true`) or an enum variant")
}

/// "unknown fact `x`" and its kin, with a "did you mean" from the names of
/// the same namespace, or `otherwise` as help when none is close.
fn unknown_name(env: &dyn expr::Env, namespace: Namespace, ident: &Ident, label: &str, otherwise: &str) -> Diagnostic {
    let (code, what) = match namespace {
        Namespace::Value | Namespace::Fact => (Code::UnknownFact, "fact"),
        Namespace::Action => (Code::UnknownAction, "action"),
        Namespace::Source => (Code::UnknownSource, "source"),
        Namespace::Rule => (Code::UnknownRule, "rule"),
        Namespace::Type => (Code::UnknownType, "type"),
    };
    let names = env.names(namespace);
    let diagnostic = Diagnostic::error(code, ident.span, format!("unknown {what} `{}`", ident.text)).with_label(label);
    with_suggestion(diagnostic, closest(&ident.text, names.iter().map(String::as_str)), otherwise)
}

fn check_type_expr(env: &dyn expr::Env, ty: &TypeExpr, diagnostics: &mut Vec<Diagnostic>) {
    if let TypeExprKind::Named(name) = &ty.kind
        && env.info(&name.text).enum_variants.is_none()
    {
        let otherwise =
            format!("declare it: `enum {} {{ a, b }}`, or use `bool`, `number`, `duration` or `string`", name.text);
        diagnostics.push(unknown_name(env, Namespace::Type, name, "not a declared enum", &otherwise));
    }
}

/// Checks an action call in a rule (`in_test` false) or an `expect`.
fn check_action_call(checker: &mut ExprChecker<'_>, call: &ActionCall, in_test: bool) {
    let info = checker.env.info(&call.name.text);
    let Some(params) = info.action else {
        if info.broken {
            return;
        }
        let otherwise = format!("declare it: `action {}(...)`", call.name.text);
        checker.diagnostics.push(unknown_name(
            checker.env,
            Namespace::Action,
            &call.name,
            "no such `action`",
            &otherwise,
        ));
        return;
    };
    let Some(args) = &call.args else {
        if !in_test && !params.is_empty() {
            checker.diagnostics.push(arity_error(&call.name.text, call.span, &params, 0));
        }
        return;
    };
    if args.len() != params.len() {
        checker.diagnostics.push(arity_error(&call.name.text, call.span, &params, args.len()));
        return;
    }
    for (arg, (param_name, param_ty)) in args.iter().zip(&params) {
        let (ty, resolved) = checker.infer(arg, Some(param_ty));
        if !ty.fits(param_ty) {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::ArgumentType,
                    arg.span,
                    format!("argument `{param_name}` of `{}` is `{param_ty}`, found `{ty}`", call.name.text),
                )
                .with_label(format!("this is `{ty}`"))
                .with_help(format!("pass a `{param_ty}`")),
            );
        } else if !is_constant(&resolved) {
            checker.diagnostics.push(not_constant(arg.span, "action arguments"));
        }
    }
}

fn arity_error(name: &str, span: Span, params: &[(String, Ty)], found: usize) -> Diagnostic {
    let signature: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    let plural = if params.len() == 1 { "" } else { "s" };
    Diagnostic::error(Code::Arity, span, format!("`{name}` takes {} argument{plural}, found {found}", params.len()))
        .with_label(format!("`{name}({})`", signature.join(", ")))
        .with_help(format!("call it as `{name}({})`", signature.join(", ")))
}

/// Let types, dependency order and cycles for a ruleset.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct LetAnalysis {
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

impl expr::Env for LetEnv<'_, '_> {
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
                _ => {}
            }
        }
        info
    }

    fn names(&self, namespace: Namespace) -> Vec<String> {
        names_in(self.table, namespace)
    }
}

fn referenced_names(expr: &Expr, out: &mut Vec<String>) {
    expr.walk(&mut |e| match &e.kind {
        ExprKind::Name(ident) => out.push(ident.text.clone()),
        ExprKind::Qualified { ty, .. } => out.push(ty.text.clone()),
        _ => {}
    });
}

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
        let mut scratch = Vec::new();
        let env = LetEnv { db, table, types: &analysis.types };
        let mut checker = ExprChecker { env: &env, diagnostics: &mut scratch, reads_facts: false };
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

/// Orders a dependency graph (dependencies first) and finds its cycles.
/// A depth-first search with an explicit stack: a chain of 100,000 lets
/// (or of overriding rules) is as safe as a short one.
pub(crate) fn topological_order(deps: &BTreeMap<&str, Vec<String>>) -> (Vec<String>, Vec<Vec<String>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    let mut order = Vec::new();
    let mut cycles = BTreeSet::new();
    // The search path: each node with the index of its next dependency.
    let mut path: Vec<(&str, usize)> = Vec::new();
    for &root in deps.keys() {
        if marks.contains_key(root) {
            continue;
        }
        marks.insert(root, Mark::Visiting);
        path.push((root, 0));
        while let Some((node, next)) = path.last_mut() {
            let node: &str = node;
            let Some(dependency) = deps.get(node).and_then(|list| list.get(*next)) else {
                path.pop();
                marks.insert(node, Mark::Done);
                order.push(node.to_owned());
                continue;
            };
            *next += 1;
            let Some((&key, _)) = deps.get_key_value(dependency.as_str()) else { continue };
            match marks.get(key) {
                Some(Mark::Done) => {}
                Some(Mark::Visiting) => {
                    if let Some(position) = path.iter().position(|(n, _)| *n == key) {
                        let mut cycle: Vec<String> = path[position..].iter().map(|(n, _)| (*n).to_owned()).collect();
                        if let Some(min) = cycle.iter().enumerate().min_by_key(|(_, n)| n.as_str()).map(|(i, _)| i) {
                            cycle.rotate_left(min);
                        }
                        cycles.insert(cycle);
                    }
                }
                None => {
                    marks.insert(key, Mark::Visiting);
                    path.push((key, 0));
                }
            }
        }
    }
    let in_cycle: BTreeSet<&String> = cycles.iter().flatten().collect();
    order.retain(|name| !in_cycle.contains(name));
    (order, cycles.into_iter().collect())
}

/// The names a declaration refers to, for unused-name warnings and the
/// override graph. Tracked per item, so only edited items recompute.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct References {
    pub values: Vec<String>,
    pub actions: Vec<String>,
    pub sources: Vec<String>,
    pub overrides: Vec<String>,
    /// A rule with no `cite`.
    pub cites_nothing: bool,
}

#[salsa::tracked(returns(ref))]
pub fn item_references<'db>(db: &'db dyn salsa::Database, item: Item<'db>) -> References {
    let mut refs = References::default();
    match &item.syntax(db).kind {
        DeclKind::Let(decl) => referenced_names(&decl.value, &mut refs.values),
        DeclKind::Rule(rule) => {
            referenced_names(&rule.condition, &mut refs.values);
            for call in &rule.actions {
                refs.actions.push(call.name.text.clone());
                for arg in call.args.iter().flatten() {
                    referenced_names(arg, &mut refs.values);
                }
            }
            refs.sources = rule.cites.iter().map(|c| c.text.clone()).collect();
            refs.overrides = rule.overrides.iter().map(|o| o.text.clone()).collect();
            refs.cites_nothing = rule.cites.is_empty();
        }
        _ => {}
    }
    refs.values.sort();
    refs.values.dedup();
    refs
}

/// The span of an item's name (or its whole text) in its file.
fn name_span(db: &dyn salsa::Database, item: Item<'_>) -> Span {
    let decl = item.syntax(db);
    let span = match &decl.kind {
        DeclKind::Test(test) => test.title.span,
        DeclKind::Rule(rule) if rule.name.is_none() => rule.arrow,
        kind => kind.name().map_or(decl.span, |name| name.span),
    };
    span.shift(item.offset(db))
}

/// Diagnostics that need the whole ruleset: duplicates, let and override
/// cycles, unused declarations, rules without a citation. Spans are
/// absolute.
#[salsa::tracked(returns(ref))]
pub fn declaration_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let table = symbols(db, ruleset);
    let mut out = Vec::new();
    let path_of = |item: Item<'_>| item.file(db).path(db).clone();

    // Duplicates, per namespace.
    for (name, list) in &table.names {
        let namespaces: [&dyn Fn(SymbolKind) -> bool; 5] = [
            &|k| matches!(k, SymbolKind::Fact | SymbolKind::Let),
            &|k| k == SymbolKind::Action,
            &|k| k == SymbolKind::Rule,
            &|k| k == SymbolKind::Source,
            &|k| k == SymbolKind::Enum,
        ];
        for filter in namespaces {
            let same: Vec<_> = list.iter().filter(|s| filter(s.kind)).collect();
            let Some(first) = same.first() else { continue };
            for other in &same[1..] {
                let first_path = path_of(first.item);
                let other_path = path_of(other.item);
                let message = format!("duplicate {} `{name}`", other.kind.describe());
                let help = format!("rename or remove one of the two declarations of `{name}`");
                let related_path = (first_path != other_path).then(|| first_path.clone());
                out.push(FileDiagnostic {
                    path: other_path,
                    diagnostic: Diagnostic::error(Code::Duplicate, name_span(db, other.item), message)
                        .with_label("declared again here")
                        .with_related(
                            related_path,
                            name_span(db, first.item),
                            format!("`{name}` is first declared here"),
                        )
                        .with_help(help),
                });
            }
        }
    }

    // One `ruleset` declaration per ruleset, whatever its name.
    let declarations: Vec<Item<'_>> =
        table.names.values().flatten().filter(|s| s.kind == SymbolKind::Ruleset).map(|s| s.item).collect();
    if let Some((&first, rest)) = declarations.split_first() {
        for &other in rest {
            let first_path = path_of(first);
            let other_path = path_of(other);
            out.push(FileDiagnostic {
                path: other_path.clone(),
                diagnostic: Diagnostic::error(
                    Code::Duplicate,
                    name_span(db, other),
                    "the ruleset is declared more than once",
                )
                .with_label("declared again here")
                .with_related(
                    (first_path != other_path).then_some(first_path),
                    name_span(db, first),
                    "first declared here",
                )
                .with_help("keep one `ruleset` declaration per ruleset folder"),
            });
        }
    }

    // Let cycles.
    for cycle in &let_analysis(db, ruleset).cycles {
        let mut path: Vec<String> = cycle.iter().map(|n| format!("`{n}`")).collect();
        path.push(format!("`{}`", cycle[0]));
        let items: Vec<Item<'_>> =
            cycle.iter().filter_map(|n| table.find(n, |k| k == SymbolKind::Let).map(|s| s.item)).collect();
        let Some(&head) = items.first() else { continue };
        let head_path = path_of(head);
        let mut diagnostic = Diagnostic::error(
            Code::LetCycle,
            name_span(db, head),
            format!("`{}` depends on itself: {}", cycle[0], path.join(" → ")),
        )
        .with_label("part of a cycle")
        .with_help("a let may only use facts and other lets that do not lead back to it");
        for &member in &items[1..] {
            let member_path = path_of(member);
            let key = member.key(db).name.clone();
            diagnostic = diagnostic.with_related(
                (member_path != head_path).then_some(member_path),
                name_span(db, member),
                format!("`{key}` is in the cycle"),
            );
        }
        out.push(FileDiagnostic { path: head_path, diagnostic });
    }

    out
}

/// The names a file's declarations use.
#[salsa::tracked(returns(ref))]
pub fn file_used_names(db: &dyn salsa::Database, file: SourceFile) -> Vec<String> {
    let mut used = Vec::new();
    for &item in file_items(db, file) {
        let refs = item_references(db, item);
        used.extend(refs.values.iter().cloned());
        used.extend(refs.actions.iter().cloned());
        used.extend(refs.sources.iter().cloned());
    }
    used.sort();
    used.dedup();
    used
}

/// A file's rules: id, the rules each overrides, whether it cites nothing.
#[salsa::tracked(returns(ref))]
pub fn file_rule_refs(db: &dyn salsa::Database, file: SourceFile) -> Vec<(String, Vec<String>, bool)> {
    file_items(db, file)
        .iter()
        .filter(|item| item.key(db).kind == "rule")
        .map(|&item| {
            let refs = item_references(db, item);
            (item.key(db).name.clone(), refs.overrides.clone(), refs.cites_nothing)
        })
        .collect()
}

#[salsa::tracked(returns(ref))]
pub fn rule_graph_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let table = symbols(db, ruleset);
    let mut out = Vec::new();
    let path_of = |item: Item<'_>| item.file(db).path(db).clone();
    let mut override_edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut uncited: Vec<Item<'_>> = Vec::new();
    for &file in ruleset.files(db) {
        for (id, overrides, cites_nothing) in file_rule_refs(db, file) {
            override_edges.insert(id.as_str(), overrides.clone());
            if *cites_nothing && let Some(symbol) = table.find(id, |k| k == SymbolKind::Rule) {
                uncited.push(symbol.item);
            }
        }
    }
    let has_sources = table.names.values().flatten().any(|s| s.kind == SymbolKind::Source);
    if has_sources {
        for item in uncited {
            let id = &item.key(db).name;
            out.push(FileDiagnostic {
                path: path_of(item),
                diagnostic: Diagnostic::warning(
                    Code::MissingCite,
                    name_span(db, item),
                    format!("rule `{id}` cites no source"),
                )
                .with_label("no `cite`")
                .with_help("add `cite SOURCE` naming the guideline this rule encodes"),
            });
        }
    }

    // Override cycles (a rule overriding itself is reported where it stands).
    let (_, cycles) = topological_order(&override_edges);
    for cycle in cycles.iter().filter(|c| c.len() > 1) {
        let Some(head) = table.find(&cycle[0], |k| k == SymbolKind::Rule) else { continue };
        let mut path: Vec<String> = cycle.iter().map(|n| format!("`{n}`")).collect();
        path.push(format!("`{}`", cycle[0]));
        let head_path = path_of(head.item);
        let mut diagnostic = Diagnostic::error(
            Code::OverrideCycle,
            name_span(db, head.item),
            format!("rules override each other in a cycle: {}", path.join(" → ")),
        )
        .with_label("part of an override cycle")
        .with_help("an exception must not be overridden, directly or not, by the rule it is an exception to");
        for name in &cycle[1..] {
            if let Some(member) = table.find(name, |k| k == SymbolKind::Rule) {
                let member_path = path_of(member.item);
                diagnostic = diagnostic.with_related(
                    (member_path != head_path).then_some(member_path),
                    name_span(db, member.item),
                    format!("`{name}` is in the cycle"),
                );
            }
        }
        out.push(FileDiagnostic { path: head_path, diagnostic });
    }

    out
}

#[salsa::tracked(returns(ref))]
pub fn unused_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let table = symbols(db, ruleset);
    let mut out = Vec::new();
    let path_of = |item: Item<'_>| item.file(db).path(db).clone();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for &file in ruleset.files(db) {
        used.extend(file_used_names(db, file).iter().map(String::as_str));
    }
    // Unused declarations.
    for (name, list) in &table.names {
        for symbol in list {
            let kind = match symbol.kind {
                SymbolKind::Fact | SymbolKind::Let | SymbolKind::Action | SymbolKind::Source => symbol.kind,
                _ => continue,
            };
            if used.contains(name.as_str()) {
                continue;
            }
            let what = kind.describe();
            let help = match kind {
                SymbolKind::Source => "cite it from the rules that encode it, or remove it",
                SymbolKind::Action => "call it from a rule, or remove it",
                _ => "use it in a rule's condition, or remove it",
            };
            out.push(FileDiagnostic {
                path: path_of(symbol.item),
                diagnostic: Diagnostic::warning(
                    match kind {
                        SymbolKind::Fact => Code::UnusedFact,
                        SymbolKind::Let => Code::UnusedLet,
                        SymbolKind::Action => Code::UnusedAction,
                        _ => Code::UnusedSource,
                    },
                    name_span(db, symbol.item),
                    format!("{what} `{name}` is never used"),
                )
                .with_label("unused")
                .with_help(help),
            });
        }
    }
    out
}

#[salsa::tracked(returns(ref))]
pub fn ruleset_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let mut out = declaration_diagnostics(db, ruleset).clone();
    out.extend(rule_graph_diagnostics(db, ruleset).iter().cloned());
    out.extend(unused_diagnostics(db, ruleset).iter().cloned());
    out
}

/// Every diagnostic of one file, absolute spans, sorted by position.
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = parse_file(db, file).errors.clone();
    for &item in file_items(db, file) {
        let offset = item.offset(db);
        out.extend(check_item(db, ruleset, item).iter().map(|d| d.clone().shifted(offset)));
    }
    let path = file.path(db);
    out.extend(ruleset_diagnostics(db, ruleset).iter().filter(|d| &d.path == path).map(|d| d.diagnostic.clone()));
    // Warnings a declaration silences with `// osler: allow(code)`.
    let items = file_items(db, file);
    out.retain(|diagnostic| {
        diagnostic.severity == Severity::Error
            || !items.iter().any(|item| {
                let syntax = item.syntax(db);
                let span = syntax.span.shift(item.offset(db));
                span.contains(diagnostic.span.start)
                    && syntax.allow.iter().any(|code| diagnostic.code.word() == code.as_str())
            })
    });
    sort_diagnostics(&mut out);
    out
}

pub(crate) fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.severity, a.code.as_str(), &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.severity,
            b.code.as_str(),
            &b.message,
        ))
    });
    diagnostics.dedup();
}

/// Every diagnostic of a ruleset, sorted by file path then position.
pub fn ruleset_check(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let mut files: Vec<SourceFile> = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    files
        .into_iter()
        .flat_map(|file| {
            let path = file.path(db).clone();
            file_diagnostics(db, ruleset, file)
                .iter()
                .map(move |diagnostic| FileDiagnostic { path: path.clone(), diagnostic: diagnostic.clone() })
        })
        .collect()
}

pub use db::file_stem;
