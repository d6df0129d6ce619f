//! The analysis as salsa queries, for tools that re-analyse after edits
//! (the language server). The unit of work is one rule: its built-in
//! questions depend only on its cone — the rule, the rules that override
//! it, the rules it overrides, the rules that may emit its actions too
//! (chosen as [`super::builtin::coverers`] chooses them) and the rules that
//! override those — so [`rule_analysis`] builds a model of just that cone
//! (every fact, enum, action and let, and those rules) and analyses it.
//! It re-runs only when a declaration it reads changed. [`rule_graph`]
//! finds every rule's cone from per-rule shapes ([`rule_shape`]: the
//! names a rule's condition reads, its calls and overrides, resolved by
//! the checker); it re-runs on every edit but is cheap, and each rule's
//! cone is a query of its own ([`rule_cone`]), unchanged when the graph
//! changed elsewhere. [`ruleset_findings`] gives the same findings as
//! [`super::analyze`] over the whole model, in the whole model's indices
//! (a test holds them equal).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::builtin::{pick_coverers, rule_findings};
use super::encode::Index;
use super::finding::{Claim, Finding, Subject};
use super::properties::{assert_findings, exclusive_findings};
use crate::check::{ExprChecker, QueryEnv, RExpr, build_model, build_model_of, call_args, ruleset_check};
use crate::db::{Item, Ruleset, file_items};
use crate::diagnostic::Severity;
use crate::model::Model;
use crate::syntax::DeclKind;
use crate::types::Ty;

/// The checked model of the ruleset, or `None` when it has errors (there
/// is nothing to analyse then).
#[salsa::tracked(returns(clone), no_eq)]
pub fn ruleset_model(db: &dyn salsa::Database, ruleset: Ruleset) -> Option<Arc<Model>> {
    if has_errors(db, ruleset) {
        return None;
    }
    Some(Arc::new(build_model(db, ruleset)))
}

fn has_errors(db: &dyn salsa::Database, ruleset: Ruleset) -> bool {
    ruleset_check(db, ruleset).iter().any(|d| d.diagnostic.severity == Severity::Error)
}

/// What the analysis needs to know of one declaration to place it in the
/// rule graph: the facts and lets its expressions read (a rule's condition
/// and computed arguments, as the checker resolved them, in first-use
/// order), and for a rule its calls (action and constant arguments, one
/// key each; a computed call's key is its own) and its `overrides`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Shape {
    /// Facts read directly.
    pub facts: Vec<String>,
    /// Lets read directly.
    pub lets: Vec<String>,
    /// `(action, key of the call)` per action call.
    pub calls: Vec<(String, String)>,
    /// The rules it overrides.
    pub overrides: Vec<String>,
}

/// The shape of a rule or let declaration (empty for others).
#[salsa::tracked(returns(ref))]
pub fn rule_shape<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Shape {
    let env = QueryEnv { db, ruleset };
    let mut checker = ExprChecker::new(&env);
    let mut shape = Shape::default();
    match &item.syntax(db).kind {
        DeclKind::Rule(rule) => {
            let (_, condition) = checker.infer(&rule.condition, Some(&Ty::Bool));
            reads(&condition, &mut shape);
            for (position, call) in rule.actions.iter().enumerate() {
                let resolved = call_args(&mut checker, call, true);
                resolved.iter().for_each(|arg| reads(arg, &mut shape));
                let constants: Option<Vec<String>> = resolved
                    .iter()
                    .map(|arg| match arg {
                        RExpr::Const(value) => Some(format!("{value:?}")),
                        _ => None,
                    })
                    .collect();
                // A computed call is never another rule's call (it is
                // covered by none): its key is its own, never a constant's.
                let key = match constants {
                    Some(args) => format!("{}({})", call.name.text, args.join(",")),
                    None => format!("{}(<computed {} {position}>)", call.name.text, item.key(db).name),
                };
                shape.calls.push((call.name.text.clone(), key));
            }
            shape.overrides = rule.overrides.iter().map(|name| name.text.clone()).collect();
        }
        DeclKind::Let(decl) => {
            let (_, value) = checker.infer(&decl.value, None);
            reads(&value, &mut shape);
        }
        _ => {}
    }
    shape
}

/// The facts and lets a resolved expression reads. (A checked tree is at
/// most `syntax::MAX_NESTING` deep; `and`/`or` chains are one level.)
fn reads(expr: &RExpr, shape: &mut Shape) {
    match expr {
        RExpr::Fact(name) if !shape.facts.contains(name) => shape.facts.push(name.clone()),
        RExpr::Let(name) if !shape.lets.contains(name) => shape.lets.push(name.clone()),
        RExpr::Not(inner) | RExpr::Neg(inner) | RExpr::Known(inner) | RExpr::In(inner, _) => reads(inner, shape),
        RExpr::Compare(_, a, b) | RExpr::Arith(_, a, b) => {
            reads(a, shape);
            reads(b, shape);
        }
        RExpr::And(items) | RExpr::Or(items) | RExpr::Count(items) => items.iter().for_each(|item| reads(item, shape)),
        _ => {}
    }
}

/// Every rule's cone, and the declarations every cone's model holds.
#[derive(Clone, PartialEq, Eq, Debug, salsa::SalsaValue)]
pub struct RuleGraph<'db> {
    /// The rules, in the model's order.
    pub rules: Vec<Item<'db>>,
    /// Per rule, the rules of its cone (indices into `rules`, ascending).
    pub cones: Vec<Vec<u32>>,
    /// Per rule, per call of the rule, its coverers (indices into `rules`).
    pub coverers: Vec<Vec<Vec<u32>>>,
    /// The declarations that are not rules, tests or properties, in the
    /// model's order: every cone's model holds them all.
    pub declarations: Vec<Item<'db>>,
    /// The ruleset has asserts or exclusives.
    pub properties: bool,
}

/// The rule graph of the ruleset. Re-runs on every edit, so it reads
/// declaration kinds and names from the items' identities (no syntax) and
/// keys everything by interned integers.
#[salsa::tracked(returns(ref))]
pub fn rule_graph<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset) -> RuleGraph<'db> {
    let mut files = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    let mut rules = Vec::new();
    let mut declarations = Vec::new();
    let mut properties = false;
    let mut fact_index: HashMap<&'db str, u32> = HashMap::new();
    let mut lets: HashMap<&'db str, Item<'db>> = HashMap::new();
    for &file in &files {
        for &item in file_items(db, file) {
            let key = item.key(db);
            match key.kind {
                "rule" => rules.push(item),
                "test" | "baseline" => {}
                "assert" | "exclusive" => properties = true,
                kind => {
                    if kind == "fact" {
                        let next = fact_index.len() as u32;
                        fact_index.entry(key.name.as_str()).or_insert(next);
                    }
                    if kind == "let" {
                        lets.entry(key.name.as_str()).or_insert(item);
                    }
                    declarations.push(item);
                }
            }
        }
    }
    let shapes: Vec<&'db Shape> = rules.iter().map(|&item| rule_shape(db, ruleset, item)).collect();
    let mut index_of: HashMap<&'db str, u32> = HashMap::with_capacity(rules.len());
    for (i, &item) in rules.iter().enumerate() {
        index_of.entry(item.key(db).name.as_str()).or_insert(i as u32);
    }
    // Calls and actions as integers.
    let mut call_ids: HashMap<&'db str, u32> = HashMap::new();
    let mut action_ids: HashMap<&'db str, u32> = HashMap::new();
    let calls: Vec<Vec<(u32, u32)>> = shapes
        .iter()
        .map(|shape| {
            shape
                .calls
                .iter()
                .map(|(action, key)| {
                    let next = action_ids.len() as u32;
                    let action = *action_ids.entry(action.as_str()).or_insert(next);
                    let next = call_ids.len() as u32;
                    (action, *call_ids.entry(key.as_str()).or_insert(next))
                })
                .collect()
        })
        .collect();
    let support: Vec<Vec<u32>> =
        shapes.iter().map(|shape| support_of(db, ruleset, shape, &fact_index, &lets)).collect();
    let mut readers: Vec<Vec<u32>> = vec![Vec::new(); fact_index.len()];
    let mut emitters: Vec<Vec<u32>> = vec![Vec::new(); action_ids.len()];
    let mut overridden_by: Vec<Vec<u32>> = vec![Vec::new(); rules.len()];
    for (rule, shape) in shapes.iter().enumerate() {
        for &fact in &support[rule] {
            readers[fact as usize].push(rule as u32);
        }
        for &(action, _) in &calls[rule] {
            let list = &mut emitters[action as usize];
            if list.last() != Some(&(rule as u32)) {
                list.push(rule as u32);
            }
        }
        for target in &shape.overrides {
            if let Some(&target) = index_of.get(target.as_str())
                && !overridden_by[target as usize].contains(&(rule as u32))
            {
                overridden_by[target as usize].push(rule as u32);
            }
        }
    }
    let empty: Vec<u32> = Vec::new();
    let readers_of = |fact: u32| readers.get(fact as usize).map_or(empty.as_slice(), Vec::as_slice);
    let mut cones = Vec::with_capacity(rules.len());
    let mut coverers = Vec::with_capacity(rules.len());
    for rule in 0..rules.len() {
        let mut cone: Vec<u32> = vec![rule as u32];
        cone.extend(&overridden_by[rule]);
        cone.extend(shapes[rule].overrides.iter().filter_map(|target| index_of.get(target.as_str()).copied()));
        let mut per_call = Vec::with_capacity(calls[rule].len());
        for &(action, call) in &calls[rule] {
            let emits = |other: u32| other as usize != rule && calls[other as usize].iter().any(|&(_, c)| c == call);
            let list = emitters.get(action as usize).map_or(empty.as_slice(), Vec::as_slice);
            let found = pick_coverers(rule as u32, &support[rule], &readers_of, list, &emits);
            for &other in &found {
                cone.push(other);
                cone.extend(&overridden_by[other as usize]);
            }
            per_call.push(found);
        }
        cone.sort_unstable();
        cone.dedup();
        cones.push(cone);
        coverers.push(per_call);
    }
    RuleGraph { rules, cones, coverers, declarations, properties }
}

/// The facts a rule reads through lets, by fact index, ascending (as
/// [`Index`] has them).
fn support_of<'db>(
    db: &'db dyn salsa::Database,
    ruleset: Ruleset,
    shape: &Shape,
    fact_index: &HashMap<&'db str, u32>,
    lets: &HashMap<&'db str, Item<'db>>,
) -> Vec<u32> {
    let mut facts: Vec<u32> = shape.facts.iter().filter_map(|f| fact_index.get(f.as_str()).copied()).collect();
    let mut stack: Vec<&str> = shape.lets.iter().map(String::as_str).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(&item) = lets.get(name) {
            let inner = rule_shape(db, ruleset, item);
            facts.extend(inner.facts.iter().filter_map(|f| fact_index.get(f.as_str()).copied()));
            stack.extend(inner.lets.iter().map(String::as_str));
        }
    }
    facts.sort_unstable();
    facts.dedup();
    facts
}

/// One rule's cone: its rules in the model's order, and per call of the
/// rule its coverers as positions in that list.
#[derive(Clone, PartialEq, Eq, Debug, Default, salsa::SalsaValue)]
pub struct ConeItems<'db> {
    /// The cone's rules.
    pub rules: Vec<Item<'db>>,
    /// Per call of the rule, its coverers (positions in `rules`).
    pub coverers: Vec<Vec<u32>>,
}

/// One rule's cone (unchanged, so its analysis is not re-run, when the
/// rule graph changed elsewhere).
#[salsa::tracked(returns(ref))]
pub fn rule_cone<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> ConeItems<'db> {
    let graph = rule_graph(db, ruleset);
    let Some(at) = graph.rules.iter().position(|&rule| rule == item) else { return ConeItems::default() };
    let members = &graph.cones[at];
    let position = |global: u32| members.binary_search(&global).map_or(u32::MAX, |p| p as u32);
    ConeItems {
        rules: members.iter().filter_map(|&i| graph.rules.get(i as usize).copied()).collect(),
        coverers: graph.coverers[at].iter().map(|list| list.iter().map(|&g| position(g)).collect()).collect(),
    }
}

/// The built-in findings of one rule, from the model of its cone. Indices
/// are that model's, whose rule `i` is the cone's rule `i`
/// ([`RuleGraph::cones`] gives their indices in the whole model).
#[salsa::tracked(returns(clone), no_eq)]
pub fn rule_analysis<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Arc<Vec<Finding>> {
    let cone = rule_cone(db, ruleset, item);
    let mut items: Vec<Item<'db>> = declarations(db, ruleset).clone();
    items.extend(cone.rules.iter().copied());
    let model = build_model_of(db, ruleset, &items);
    assert_eq!(model.rules.len(), cone.rules.len(), "internal error: a cone's model lost some of its rules");
    let index = Index::new(&model);
    let mut findings = Vec::new();
    if let Some(local) = cone.rules.iter().position(|&rule| rule == item) {
        rule_findings(&model, &index, local as u32, &cone.coverers, &mut findings);
    }
    findings.retain(|finding| !finding.silenced(&model));
    Arc::new(findings)
}

/// The declarations every cone model holds (a query of its own, so a cone
/// analysis does not depend on the rule graph).
#[salsa::tracked(returns(ref))]
fn declarations<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset) -> Vec<Item<'db>> {
    rule_graph(db, ruleset).declarations.clone()
}

/// Rules per [`chunk_findings`] query.
const CHUNK: usize = 256;

/// The findings of a ruleset, held as chunks so an edit re-assembles only
/// the chunk of the rule it changed.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    chunks: Vec<Arc<Vec<Finding>>>,
}

impl Findings {
    /// Every finding, in order: rules in the model's order, then asserts,
    /// then exclusives.
    pub fn iter(&self) -> impl Iterator<Item = &Finding> {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.chunks.iter().all(|chunk| chunk.is_empty())
    }

    /// The findings as one list.
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().cloned().collect()
    }
}

/// Every finding of the analysis, in the indices of [`ruleset_model`]'s
/// model: the same findings as [`super::analyze`] on that model, each
/// rule's re-computed only when its cone changed. Empty when the ruleset
/// has errors.
#[salsa::tracked(returns(clone), no_eq)]
pub fn ruleset_findings(db: &dyn salsa::Database, ruleset: Ruleset) -> Findings {
    if has_errors(db, ruleset) {
        return Findings::default();
    }
    let graph = rule_graph(db, ruleset);
    let mut chunks: Vec<Arc<Vec<Finding>>> =
        (0..graph.rules.len().div_ceil(CHUNK)).map(|chunk| chunk_findings(db, ruleset, chunk as u32)).collect();
    if graph.properties
        && let Some(model) = ruleset_model(db, ruleset)
    {
        let index = Index::new(&model);
        let mut out = Vec::new();
        for assert in 0..model.asserts.len() {
            assert_findings(&model, &index, assert as u32, &mut out);
        }
        for exclusive in 0..model.exclusives.len() {
            exclusive_findings(&model, &index, exclusive as u32, &mut out);
        }
        out.retain(|finding| !finding.silenced(&model));
        chunks.push(Arc::new(out));
    }
    Findings { chunks }
}

/// The findings of rules `chunk * CHUNK ..` of the rule graph, in the
/// whole model's indices.
#[salsa::tracked(returns(clone), no_eq)]
fn chunk_findings(db: &dyn salsa::Database, ruleset: Ruleset, chunk: u32) -> Arc<Vec<Finding>> {
    let graph = rule_graph(db, ruleset);
    let start = chunk as usize * CHUNK;
    let mut out = Vec::new();
    for (&item, members) in graph.rules.iter().zip(&graph.cones).skip(start).take(CHUNK) {
        let map = |local: u32| match members.get(local as usize) {
            Some(&global) => global,
            None => panic!("internal error: a cone finding names rule {local} of a cone of {}", members.len()),
        };
        out.extend(rule_analysis(db, ruleset, item).iter().map(|finding| remap(finding, &map)));
    }
    Arc::new(out)
}

/// A cone finding with its rule indices made the whole model's (facts,
/// enums and actions have the same indices in both).
fn remap(finding: &Finding, map: &dyn Fn(u32) -> u32) -> Finding {
    let subject = match finding.subject {
        Subject::Rule(rule) => Subject::Rule(map(rule)),
        Subject::Override { rule, by } => Subject::Override { rule: map(rule), by: map(by) },
        other => other,
    };
    let claim = finding.claim.map(|claim| match claim {
        Claim::ConditionTrue(rule) => Claim::ConditionTrue(map(rule)),
        Claim::Overridden(rule) => Claim::Overridden(map(rule)),
        Claim::BothTrue(rule, by) => Claim::BothTrue(map(rule), map(by)),
        Claim::Provisional(rule) => Claim::Provisional(map(rule)),
        Claim::Covered(rule) => Claim::Covered(map(rule)),
        other => other,
    });
    Finding {
        subject,
        claim,
        related: finding.related.iter().map(|(rule, label)| (map(*rule), label.clone())).collect(),
        ..finding.clone()
    }
}
