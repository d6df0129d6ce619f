//! The decision change between two versions of a ruleset: for each action
//! call that one version can emit on some record where the other does
//! not, the canonical record that shows it. Both versions are merged into
//! one model over a shared record (facts matched by name), so one formula
//! asks "does the old output hold this call, and the new one not?".

use std::collections::{BTreeMap, BTreeSet};

use super::encode::{Cone, Encoder, Index};
use super::sat::Lit;
use super::search::{Answer, Query};
use crate::model::{ActionCall, Expr, LetIndex, Model, RuleIndex, Type, Value};

/// Which version emits the call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// Only the old version emits it on the example.
    Old,
    /// Only the new version emits it on the example.
    New,
}

/// One decision change.
#[derive(Clone, PartialEq, Debug)]
pub struct Change {
    /// The action's name.
    pub action: String,
    /// The call's arguments (empty for a call with computed arguments,
    /// whose values the analysis does not follow).
    pub args: Vec<Value>,
    /// The call as written, `emergency(6h)`; a computed argument is `…`
    /// (`wells(…)`), and such a change is always approximate.
    pub call: String,
    /// The version whose output holds the call on the example.
    pub side: Side,
    /// The record: `(fact name, value)`, the old version's fact order
    /// then the new version's new facts, unknown facts left out.
    pub example: Vec<(String, Value)>,
    /// The example came from an over-approximating formula (arithmetic
    /// between facts): replaying it decides.
    pub approximate: bool,
}

/// Why two versions cannot be compared.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DiffError(pub String);

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DiffError {}

/// The merged model: the old version's declarations with their indices,
/// then the new version's, facts and enums shared by name.
struct Merged {
    model: Model,
    /// The rules of the old version are `0..old_rules`.
    old_rules: u32,
}

/// Index maps from the new version into the merged model.
struct Maps {
    enums: Vec<u32>,
    facts: Vec<u32>,
    lets: Vec<u32>,
    actions: Vec<u32>,
    rules: Vec<u32>,
}

impl Maps {
    fn value(&self, value: &Value) -> Value {
        match value {
            Value::Variant(e, v) => Value::Variant(self.enums.get(*e as usize).copied().unwrap_or(*e), *v),
            other => other.clone(),
        }
    }

    fn ty(&self, ty: Type) -> Type {
        match ty {
            Type::Enum(e) => Type::Enum(self.enums.get(e as usize).copied().unwrap_or(e)),
            other => other,
        }
    }

    /// `expr` with the new version's indices made the merged model's.
    /// (Model expressions nest at most `syntax::MAX_NESTING` levels.)
    fn expr(&self, expr: &Expr) -> Expr {
        let map = |list: &[u32], i: u32| list.get(i as usize).copied().unwrap_or(i);
        let boxed = |e: &Expr| Box::new(self.expr(e));
        match expr {
            Expr::Const(value) => Expr::Const(self.value(value)),
            Expr::Fact(f) => Expr::Fact(map(&self.facts, *f)),
            Expr::Let(l) => Expr::Let(map(&self.lets, *l)),
            Expr::Not(e) => Expr::Not(boxed(e)),
            Expr::Neg(e) => Expr::Neg(boxed(e)),
            Expr::Known(e) => Expr::Known(boxed(e)),
            Expr::And(items) => Expr::And(items.iter().map(|e| self.expr(e)).collect()),
            Expr::Or(items) => Expr::Or(items.iter().map(|e| self.expr(e)).collect()),
            Expr::Count(items) => Expr::Count(items.iter().map(|e| self.expr(e)).collect()),
            Expr::Compare(op, a, b) => Expr::Compare(*op, boxed(a), boxed(b)),
            Expr::Arith(op, a, b) => Expr::Arith(*op, boxed(a), boxed(b)),
            Expr::In(e, set) => Expr::In(boxed(e), set.clone()),
            Expr::Output(a, args) => Expr::Output(
                map(&self.actions, *a),
                args.as_ref().map(|args| args.iter().map(|v| self.value(v)).collect()),
            ),
        }
    }
}

fn merge(old: &Model, new: &Model) -> Result<Merged, DiffError> {
    let mut model = old.clone();
    model.tests.clear();
    model.asserts.clear();
    model.exclusives.clear();
    let mut enums = Vec::new();
    for info in &new.enums {
        match model.enums.iter().position(|e| e.name == info.name) {
            Some(at) if model.enums[at].variants == info.variants => enums.push(at as u32),
            Some(_) => {
                return Err(DiffError(format!(
                    "enum `{}` has other variants in the new version; records of one version are not records of the other",
                    info.name
                )));
            }
            None => {
                enums.push(model.enums.len() as u32);
                model.enums.push(info.clone());
            }
        }
    }
    let mut maps = Maps { enums, facts: Vec::new(), lets: Vec::new(), actions: Vec::new(), rules: Vec::new() };
    for info in &new.facts {
        let ty = maps.ty(info.ty);
        match model.facts.iter().position(|f| f.name == info.name) {
            Some(at) if model.facts[at].ty == ty => maps.facts.push(at as u32),
            Some(_) => {
                return Err(DiffError(format!("fact `{}` has another type in the new version", info.name)));
            }
            None => {
                maps.facts.push(model.facts.len() as u32);
                model.facts.push(crate::model::FactInfo { ty, ..info.clone() });
            }
        }
    }
    for info in &new.actions {
        let params: Vec<(String, Type)> = info.params.iter().map(|(n, t)| (n.clone(), maps.ty(*t))).collect();
        match model.actions.iter().position(|a| a.name == info.name) {
            Some(at) if model.actions[at].params.iter().map(|(_, t)| *t).eq(params.iter().map(|(_, t)| *t)) => {
                maps.actions.push(at as u32);
            }
            Some(_) => {
                return Err(DiffError(format!("action `{}` has other parameters in the new version", info.name)));
            }
            None => {
                maps.actions.push(model.actions.len() as u32);
                model.actions.push(crate::model::ActionInfo { params, ..info.clone() });
            }
        }
    }
    // Lets of the new version come after the old ones, in their own order,
    // so each still refers only to lets before it.
    let let_base = model.lets.len() as u32;
    maps.lets = (0..new.lets.len() as u32).map(|i| let_base + i).collect();
    let rule_base = model.rules.len() as u32;
    maps.rules = (0..new.rules.len() as u32).map(|i| rule_base + i).collect();
    for info in &new.lets {
        let value = maps.expr(&info.value);
        model.lets.push(crate::model::LetInfo { value, ty: maps.ty(info.ty), ..info.clone() });
    }
    for info in &new.rules {
        let mut rule = info.clone();
        rule.condition = maps.expr(&info.condition);
        rule.actions = info
            .actions
            .iter()
            .map(|call| ActionCall {
                action: maps.actions.get(call.action as usize).copied().unwrap_or(call.action),
                args: call.args.iter().map(|arg| maps.expr(arg)).collect(),
            })
            .collect();
        rule.overrides = info.overrides.iter().map(|&r| maps.rules.get(r as usize).copied().unwrap_or(r)).collect();
        rule.cites.clear();
        model.rules.push(rule);
    }
    Ok(Merged { model, old_rules: rule_base })
}

/// Every decision change between `old` and `new`, in the order of the
/// calls' first appearance (old version first), old-only before new-only.
pub fn diff(old: &Model, new: &Model) -> Result<Vec<Change>, DiffError> {
    let merged = merge(old, new)?;
    let model = &merged.model;
    let index = Index::new(model);
    // Every distinct call, with the rules of each version emitting it.
    let mut calls: Vec<(ActionCall, Vec<RuleIndex>, Vec<RuleIndex>)> = Vec::new();
    for (rule_index, rule) in model.rules.iter().enumerate() {
        let is_old = (rule_index as u32) < merged.old_rules;
        for call in &rule.actions {
            // Computed calls go together when their arguments always have
            // the same values (the same expressions, lets seen through).
            let same = |c: &ActionCall| {
                c.action == call.action
                    && c.args.len() == call.args.len()
                    && c.args.iter().zip(&call.args).all(|(a, b)| same_value(model, a, b))
            };
            let at = match calls.iter().position(|(c, _, _)| if call.is_computed() { same(c) } else { c == call }) {
                Some(at) => at,
                None => {
                    calls.push((call.clone(), Vec::new(), Vec::new()));
                    calls.len() - 1
                }
            };
            let list = if is_old { &mut calls[at].1 } else { &mut calls[at].2 };
            if list.last() != Some(&(rule_index as u32)) {
                list.push(rule_index as u32);
            }
        }
    }
    let mut seen = BTreeMap::new();
    let mut changes = Vec::new();
    for (call, old_rules, new_rules) in &calls {
        let mut cone = Cone::default();
        for &rule in old_rules.iter().chain(new_rules) {
            cone.firing(model, &index, rule);
        }
        let constants = call.constant_args();
        // A computed call that may equal a constant one is not followed.
        let candidates: Vec<RuleIndex> = match &constants {
            Some(args) => index.computed_emitting(model, call.action, args).collect(),
            None => Vec::new(),
        };
        for &rule in &candidates {
            cone.firing(model, &index, rule);
        }
        let mut encoder = Encoder::new(model, &index, &cone, &[]);
        let mut old_fires: Vec<Lit> = old_rules.iter().map(|&r| encoder.emits(r)).collect();
        let mut new_fires: Vec<Lit> = new_rules.iter().map(|&r| encoder.emits(r)).collect();
        for &rule in &candidates {
            let lit = encoder.may_emit(rule);
            if rule < merged.old_rules { old_fires.push(lit) } else { new_fires.push(lit) }
        }
        if constants.is_none() {
            // Another rule may emit the same value: only a proof counts.
            encoder.approximate = true;
        }
        let in_old = encoder.formula.or(&old_fires);
        let in_new = encoder.formula.or(&new_fires);
        let only_old = encoder.formula.and(&[in_old, !in_new]);
        let only_new = encoder.formula.and(&[in_new, !in_old]);
        let approximate = encoder.approximate;
        let mut query = Query::new(encoder);
        let name = model.actions.get(call.action as usize).map_or(String::new(), |a| a.name.clone());
        let rendered = if call.args.is_empty() {
            name.clone()
        } else {
            let args: Vec<String> = call
                .args
                .iter()
                .map(|arg| match arg {
                    Expr::Const(value) => model.render_value(value),
                    _ => "…".to_owned(),
                })
                .collect();
            format!("{name}({})", args.join(", "))
        };
        if constants.is_some() && seen.insert(rendered.clone(), ()).is_some() {
            continue;
        }
        for (goal, side) in [(only_old, Side::Old), (only_new, Side::New)] {
            if let Answer::Witness(example) = query.example(&[goal]) {
                changes.push(Change {
                    action: name.clone(),
                    args: constants.clone().unwrap_or_default(),
                    call: rendered.clone(),
                    side,
                    example: example
                        .into_iter()
                        .filter_map(|(fact, value)| model.facts.get(fact as usize).map(|f| (f.name.clone(), value)))
                        .collect(),
                    approximate,
                });
            }
        }
    }
    Ok(changes)
}

/// Whether two expressions of `model` always have the same value: equal
/// trees, lets seen through. Iterative, each pair of lets compared once.
pub(crate) fn same_value(model: &Model, a: &Expr, b: &Expr) -> bool {
    let mut stack: Vec<(&Expr, &Expr)> = vec![(a, b)];
    let mut seen: BTreeSet<(LetIndex, LetIndex)> = BTreeSet::new();
    let value = |index: &LetIndex| model.lets.get(*index as usize).map(|info| &info.value);
    while let Some((a, b)) = stack.pop() {
        match (a, b) {
            (Expr::Let(x), Expr::Let(y)) if x == y => {}
            (Expr::Let(x), Expr::Let(y)) => {
                if seen.insert((*x, *y)) {
                    let (Some(a), Some(b)) = (value(x), value(y)) else { return false };
                    stack.push((a, b));
                }
            }
            (Expr::Let(x), other) | (other, Expr::Let(x)) => match value(x) {
                Some(inner) => stack.push((inner, other)),
                None => return false,
            },
            (Expr::Const(x), Expr::Const(y)) if x == y => {}
            (Expr::Fact(x), Expr::Fact(y)) if x == y => {}
            (Expr::Not(x), Expr::Not(y)) | (Expr::Neg(x), Expr::Neg(y)) | (Expr::Known(x), Expr::Known(y)) => {
                stack.push((x, y));
            }
            (Expr::In(x, s), Expr::In(y, t)) if s == t => stack.push((x, y)),
            (Expr::Compare(o, x1, x2), Expr::Compare(p, y1, y2)) if o == p => {
                stack.push((x1, y1));
                stack.push((x2, y2));
            }
            (Expr::Arith(o, x1, x2), Expr::Arith(p, y1, y2)) if o == p => {
                stack.push((x1, y1));
                stack.push((x2, y2));
            }
            (Expr::And(x), Expr::And(y)) | (Expr::Or(x), Expr::Or(y)) | (Expr::Count(x), Expr::Count(y))
                if x.len() == y.len() =>
            {
                stack.extend(x.iter().zip(y));
            }
            _ => return false,
        }
    }
    true
}
