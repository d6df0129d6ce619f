//! Ruleset-wide checks (duplicates, a second `priority`, let, override and
//! baseline cycles, unused declarations, rules without a citation) and the
//! per-file diagnostics the CLI and the language server publish, fed by
//! per-file summaries so an edit recomputes the summaries of the edited
//! file only.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::topological_order;
use super::item::check_item;
use super::names::{SymbolKind, Symbols, let_analysis, referenced_names, symbols};
use crate::code::Code;
use crate::db::{Item, Ruleset, SourceFile, file_items, parse_file};
use crate::diagnostic::{Diagnostic, FileDiagnostic, Severity};
use crate::syntax::{DeclKind, Span};

/// The names a declaration refers to, for unused-name warnings and the
/// override graph. Tracked per item, so only edited items recompute.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct References {
    /// Facts, lets and enums (of qualified variants) used, sorted.
    pub values: Vec<String>,
    /// Actions called.
    pub actions: Vec<String>,
    /// Sources cited.
    pub sources: Vec<String>,
    /// Rules overridden.
    pub overrides: Vec<String>,
    /// A rule with no `cite`.
    pub cites_nothing: bool,
    /// Names the sides of an `assert` read, sorted: facts, lets and enums
    /// count as used through them, actions do not (an action only
    /// asserted about is still never emitted).
    pub asserted: Vec<String>,
    /// The baselines a test or baseline includes, in order.
    pub baselines: Vec<String>,
}

/// The names one file's declarations use.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UsedNames {
    /// Used by rules, lets and citations, sorted.
    pub names: Vec<String>,
    /// Read by asserts (facts, lets and action patterns), sorted.
    pub asserted: Vec<String>,
    /// Baselines some test or other baseline includes, sorted.
    pub baselines: Vec<String>,
}

/// The names one declaration refers to.
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
        DeclKind::Assert(assert) => {
            referenced_names(&assert.when, &mut refs.asserted);
            referenced_names(&assert.then, &mut refs.asserted);
            refs.sources = assert.cites.iter().map(|c| c.text.clone()).collect();
        }
        DeclKind::Test(test) => refs.baselines = test.baselines.iter().map(|b| b.text.clone()).collect(),
        DeclKind::Baseline(baseline) => {
            refs.baselines = baseline.baselines.iter().map(|b| b.text.clone()).collect();
        }
        _ => {}
    }
    refs.values.sort();
    refs.values.dedup();
    refs.asserted.sort();
    refs.asserted.dedup();
    refs
}

/// A cycle of names written as a path back to its first: `` `a` → `b` → `a` ``.
fn cycle_path(cycle: &[String]) -> String {
    let mut path: Vec<String> = cycle.iter().map(|name| format!("`{name}`")).collect();
    path.push(format!("`{}`", cycle[0]));
    path.join(" → ")
}

/// `report` (its message, label and help) placed on the name of a cycle's
/// first declaration of `kind`, every other member of the cycle related;
/// `None` when the first is not declared.
fn cycle_diagnostic<'db>(
    db: &'db dyn salsa::Database,
    table: &Symbols<'db>,
    cycle: &[String],
    kind: SymbolKind,
    report: Diagnostic,
) -> Option<FileDiagnostic> {
    let path_of = |item: Item<'_>| item.file(db).path(db).clone();
    let head = table.find(&cycle[0], |k| k == kind)?;
    let head_path = path_of(head.item);
    let mut diagnostic = Diagnostic { span: name_span(db, head.item), ..report };
    for name in &cycle[1..] {
        if let Some(member) = table.find(name, |k| k == kind) {
            let member_path = path_of(member.item);
            diagnostic = diagnostic.with_related(
                (member_path != head_path).then_some(member_path),
                name_span(db, member.item),
                format!("`{name}` is in the cycle"),
            );
        }
    }
    Some(FileDiagnostic { path: head_path, diagnostic })
}

/// The span of an item's name (or its whole text) in its file.
fn name_span(db: &dyn salsa::Database, item: Item<'_>) -> Span {
    let decl = item.syntax(db);
    let span = match &decl.kind {
        DeclKind::Test(test) => test.title.span,
        DeclKind::Rule(rule) if rule.name.is_none() => rule.arrow,
        DeclKind::Assert(assert) if assert.name.is_none() => assert.when.span,
        DeclKind::Priority(priority) => priority.keyword,
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
        let namespaces: [&dyn Fn(SymbolKind) -> bool; 8] = [
            &|k| matches!(k, SymbolKind::Fact | SymbolKind::Let),
            &|k| k == SymbolKind::Action,
            &|k| k == SymbolKind::Rule,
            &|k| k == SymbolKind::Source,
            &|k| k == SymbolKind::Enum,
            &|k| k == SymbolKind::Assert,
            &|k| k == SymbolKind::Exclusive,
            &|k| k == SymbolKind::Baseline,
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
        let message = format!("`{}` depends on itself: {}", cycle[0], cycle_path(cycle));
        let report = Diagnostic::error(Code::LetCycle, Span::default(), message)
            .with_label("part of a cycle")
            .with_help("a let may only use facts and other lets that do not lead back to it");
        out.extend(cycle_diagnostic(db, table, cycle, SymbolKind::Let, report));
    }

    out
}

/// One `priority` per ruleset: every declaration after the first (files in
/// path order, as the model builder reads them) is a duplicate. Spans are
/// absolute.
#[salsa::tracked(returns(ref))]
pub fn priority_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let mut files: Vec<SourceFile> = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    let priorities: Vec<Item<'_>> = files
        .iter()
        .flat_map(|&file| file_items(db, file).iter().copied())
        .filter(|item| item.key(db).kind == "priority")
        .collect();
    let Some((&first, rest)) = priorities.split_first() else { return Vec::new() };
    let first_path = first.file(db).path(db).clone();
    rest.iter()
        .map(|&other| {
            let other_path = other.file(db).path(db).clone();
            let diagnostic = Diagnostic::error(
                Code::Duplicate,
                name_span(db, other),
                "the ruleset declares `priority` more than once",
            )
            .with_label("declared again here")
            .with_related(
                (first_path != other_path).then(|| first_path.clone()),
                name_span(db, first),
                "first declared here",
            )
            .with_help("keep one `priority` listing every action that decides the disposition");
            FileDiagnostic { path: other_path, diagnostic }
        })
        .collect()
}

/// The names a file's broken declarations write (see
/// [`ParsedFile::broken_uses`](crate::syntax::ParsedFile::broken_uses)),
/// apart from the parse so an edit that changes none of them leaves
/// [`file_used_names`] alone.
#[salsa::tracked(returns(ref))]
fn broken_uses(db: &dyn salsa::Database, file: SourceFile) -> UsedNames {
    let parsed = parse_file(db, file);
    // A broken test may include a baseline by any name it writes.
    UsedNames {
        names: parsed.broken_uses.clone(),
        asserted: parsed.broken_asserted.clone(),
        baselines: parsed.broken_uses.clone(),
    }
}

/// The names a file's declarations use. A declaration with a syntax error
/// may use any name it writes: none of those is reported unused, so the
/// syntax error is what the author reads.
#[salsa::tracked(returns(ref))]
pub fn file_used_names(db: &dyn salsa::Database, file: SourceFile) -> UsedNames {
    let mut used = broken_uses(db, file).clone();
    for &item in file_items(db, file) {
        let refs = item_references(db, item);
        used.names.extend(refs.values.iter().cloned());
        used.names.extend(refs.actions.iter().cloned());
        used.names.extend(refs.sources.iter().cloned());
        used.asserted.extend(refs.asserted.iter().cloned());
        // A baseline including itself is a cycle, not a use.
        let own = (item.key(db).kind == "baseline").then(|| item.key(db).name.as_str());
        used.baselines.extend(refs.baselines.iter().filter(|b| Some(b.as_str()) != own).cloned());
    }
    for names in [&mut used.names, &mut used.asserted, &mut used.baselines] {
        names.sort();
        names.dedup();
    }
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

/// Rules without a citation (when the ruleset has sources) and override
/// cycles. Spans are absolute.
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
        let message = format!("rules override each other in a cycle: {}", cycle_path(cycle));
        let report = Diagnostic::error(Code::OverrideCycle, Span::default(), message)
            .with_label("part of an override cycle")
            .with_help("an exception must not be overridden, directly or not, by the rule it is an exception to");
        out.extend(cycle_diagnostic(db, table, cycle, SymbolKind::Rule, report));
    }

    out
}

/// Facts, lets, actions and sources nothing uses. Spans are absolute.
#[salsa::tracked(returns(ref))]
pub fn unused_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let table = symbols(db, ruleset);
    let mut out = Vec::new();
    let path_of = |item: Item<'_>| item.file(db).path(db).clone();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut asserted: BTreeSet<&str> = BTreeSet::new();
    for &file in ruleset.files(db) {
        let names = file_used_names(db, file);
        used.extend(names.names.iter().map(String::as_str));
        asserted.extend(names.asserted.iter().map(String::as_str));
    }
    // Unused declarations.
    for (name, list) in &table.names {
        for symbol in list {
            let kind = match symbol.kind {
                SymbolKind::Fact | SymbolKind::Let | SymbolKind::Action | SymbolKind::Source => symbol.kind,
                _ => continue,
            };
            // An action only asserted about (or only ranked by the `priority`)
            // is never emitted: still unused.
            if used.contains(name.as_str()) || (kind != SymbolKind::Action && asserted.contains(name.as_str())) {
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

/// A file's baselines: name and the baselines it includes.
#[salsa::tracked(returns(ref))]
pub fn file_baseline_refs(db: &dyn salsa::Database, file: SourceFile) -> Vec<(String, Vec<String>)> {
    file_items(db, file)
        .iter()
        .filter(|item| item.key(db).kind == "baseline")
        .map(|&item| (item.key(db).name.clone(), item_references(db, item).baselines.clone()))
        .collect()
}

/// Baselines that include each other in a cycle, and baselines nothing
/// includes. Spans are absolute.
#[salsa::tracked(returns(ref))]
pub fn baseline_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let table = symbols(db, ruleset);
    let mut out = Vec::new();
    let path_of = |item: Item<'_>| item.file(db).path(db).clone();
    let mut edges: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for &file in ruleset.files(db) {
        for (name, includes) in file_baseline_refs(db, file) {
            edges.entry(name.as_str()).or_insert_with(|| includes.clone());
        }
        used.extend(file_used_names(db, file).baselines.iter().map(String::as_str));
    }
    let (_, cycles) = topological_order(&edges);
    for cycle in &cycles {
        let message = match cycle.as_slice() {
            [only] => format!("baseline `{only}` includes itself"),
            _ => format!("baselines include each other in a cycle: {}", cycle_path(cycle)),
        };
        let report = Diagnostic::error(Code::BaselineCycle, Span::default(), message)
            .with_label("part of a cycle")
            .with_help("a baseline may include only baselines that do not lead back to it");
        out.extend(cycle_diagnostic(db, table, cycle, SymbolKind::Baseline, report));
    }
    for (name, list) in &table.names {
        for symbol in list.iter().filter(|s| s.kind == SymbolKind::Baseline) {
            if used.contains(name.as_str()) {
                continue;
            }
            out.push(FileDiagnostic {
                path: path_of(symbol.item),
                diagnostic: Diagnostic::warning(
                    Code::UnusedBaseline,
                    name_span(db, symbol.item),
                    format!("baseline `{name}` is never used"),
                )
                .with_label("unused")
                .with_help(format!("include it in a test with `given {name}`, or remove it")),
            });
        }
    }
    out
}

/// Every ruleset-wide diagnostic. Spans are absolute.
#[salsa::tracked(returns(ref))]
pub fn ruleset_diagnostics(db: &dyn salsa::Database, ruleset: Ruleset) -> Vec<FileDiagnostic> {
    let mut out = declaration_diagnostics(db, ruleset).clone();
    out.extend(rule_graph_diagnostics(db, ruleset).iter().cloned());
    out.extend(priority_diagnostics(db, ruleset).iter().cloned());
    out.extend(unused_diagnostics(db, ruleset).iter().cloned());
    out.extend(baseline_diagnostics(db, ruleset).iter().cloned());
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

/// Sorts by position (then severity, code and message) and drops repeats.
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
