//! Explanations for one evaluated record, for people: each fired rule with
//! the facts that made its condition true, each overridden rule and by
//! whom, each undetermined rule with the facts to examine next, all with
//! their citations. `osler eval` prints these.

use osler_dsl::model::{Model, Type, format_duration, format_number};
use serde::Serialize;

use crate::eval::{Context, Scratch, Truth};
use crate::output::{Outcome, build_outcome};
use crate::program::{Node, NodeId, Program};
use crate::record::{Record, Slot};

/// Everything `osler eval` shows about one record.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct Explanation {
    pub outcome: Outcome,
    pub fired: Vec<FiredRule>,
    pub overridden: Vec<OverriddenRule>,
    pub undetermined: Vec<UndeterminedRule>,
}

/// A rule, as an explanation names it.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct RuleRef {
    pub id: String,
    pub title: Option<String>,
    /// `path:line` of the declaration.
    pub location: String,
    pub sources: Vec<SourceRef>,
}

/// A cited source.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct SourceRef {
    pub name: String,
    pub title: String,
    pub year: Option<u32>,
    pub url: Option<String>,
}

/// A fact and its value in the record, rendered (`unknown` when absent).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct FactValue {
    pub fact: String,
    pub value: String,
}

#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct FiredRule {
    pub rule: RuleRef,
    /// The facts that made the condition true.
    pub because: Vec<FactValue>,
    /// The rule's actions, rendered (`emergency(6h)`).
    pub actions: Vec<String>,
    /// Rules that override this one and whose condition is unknown: if
    /// they turn out true, this rule's actions are dropped.
    pub unless: Vec<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct OverriddenRule {
    pub rule: RuleRef,
    pub by: Vec<String>,
    /// Whether its own condition was true (it would have fired) or unknown.
    pub condition_true: bool,
}

#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct UndeterminedRule {
    pub rule: RuleRef,
    /// The facts to examine next.
    pub missing: Vec<String>,
    pub actions: Vec<String>,
    /// Rules that override this one and whose condition is unknown.
    pub unless: Vec<String>,
}

fn rule_ref(model: &Model, rule: u32) -> RuleRef {
    let Some(info) = model.rules.get(rule as usize) else {
        return RuleRef { id: String::new(), title: None, location: String::new(), sources: Vec::new() };
    };
    RuleRef {
        id: info.id.clone(),
        title: info.title.clone(),
        location: format!("{}:{}", info.location.path, info.location.line),
        sources: info
            .cites
            .iter()
            .filter_map(|&source| model.sources.get(source as usize))
            .map(|source| SourceRef {
                name: source.name.clone(),
                title: source.title.clone(),
                year: source.year,
                url: source.url.clone(),
            })
            .collect(),
    }
}

/// `emergency(6h)`, `self_care()`.
pub(crate) fn render_call(model: &Model, action: u32, args: &[osler_dsl::model::Value]) -> String {
    let name = model.actions.get(action as usize).map_or("?", |info| info.name.as_str());
    let args: Vec<String> = args.iter().map(|arg| model.render_value(arg)).collect();
    format!("{name}({})", args.join(", "))
}

fn rule_actions(model: &Model, rule: u32) -> Vec<String> {
    model
        .rules
        .get(rule as usize)
        .map(|info| info.actions.iter().map(|call| render_call(model, call.action, &call.args)).collect())
        .unwrap_or_default()
}

fn rule_ids(model: &Model, rules: &[u32]) -> Vec<String> {
    rules.iter().filter_map(|&rule| model.rules.get(rule as usize)).map(|info| info.id.clone()).collect()
}

/// A fact's value in a record, as people read it.
pub(crate) fn render_slot(program: &Program, record: &Record, slot: u32) -> String {
    let Some(fact) = program.facts.get(slot as usize) else {
        return "unknown".to_owned();
    };
    match record.slot(slot) {
        Slot::Unknown => "unknown".to_owned(),
        Slot::Bool(b) => b.to_string(),
        Slot::Num(n) => match fact.ty {
            Type::Duration => format_duration(n),
            Type::Quantity(unit) => format!("{} {unit}", format_number(n)),
            _ => format_number(n),
        },
        Slot::Enum(variant) => match fact.ty {
            Type::Enum(index) => program
                .model
                .enums
                .get(index as usize)
                .and_then(|info| info.variants.get(variant as usize))
                .cloned()
                .unwrap_or_default(),
            _ => variant.to_string(),
        },
        Slot::Str(index) => format!("{:?}", record.string(index)),
    }
}

pub(crate) fn explain(program: &Program, record: &Record, scratch: &mut Scratch) -> Explanation {
    let model = &program.model;
    let outcome = build_outcome(program, record.id(), &scratch.result);
    let result = scratch.result.clone();
    let truth = scratch.truth.clone();
    let mut context = scratch.context(program, record);
    let unless = |rule: u32| -> Vec<String> {
        let overriders = program.rules.get(rule as usize).map(|r| r.overridden_by.as_slice()).unwrap_or_default();
        let unknown: Vec<u32> =
            overriders.iter().copied().filter(|&by| truth.get(by as usize) == Some(&Truth::Unknown)).collect();
        rule_ids(model, &unknown)
    };
    let fired = result
        .fired
        .iter()
        .map(|&rule| {
            let mut facts = Vec::new();
            if let Some(compiled) = program.rules.get(rule as usize) {
                because(&mut context, compiled.root, true, &mut facts);
            }
            FiredRule {
                rule: rule_ref(model, rule),
                because: facts
                    .iter()
                    .map(|&slot| FactValue {
                        fact: program.facts.get(slot as usize).map(|f| f.name.clone()).unwrap_or_default(),
                        value: render_slot(program, record, slot),
                    })
                    .collect(),
                actions: rule_actions(model, rule),
                unless: unless(rule),
            }
        })
        .collect();
    let overridden = result
        .overridden
        .iter()
        .map(|&(rule, start, end)| OverriddenRule {
            rule: rule_ref(model, rule),
            by: rule_ids(model, result.by.get(start as usize..end as usize).unwrap_or_default()),
            condition_true: truth.get(rule as usize) == Some(&Truth::True),
        })
        .collect();
    let undetermined = result
        .undetermined
        .iter()
        .map(|&(rule, start, end)| UndeterminedRule {
            rule: rule_ref(model, rule),
            missing: result
                .missing
                .get(start as usize..end as usize)
                .unwrap_or_default()
                .iter()
                .filter_map(|&slot| program.facts.get(slot as usize).map(|f| f.name.clone()))
                .collect(),
            actions: rule_actions(model, rule),
            unless: unless(rule),
        })
        .collect();
    Explanation { outcome, fired, overridden, undetermined }
}

/// Collects the facts that make node `id` evaluate to `want`: for `and`
/// true both sides, for `and` false the first false side, dually for `or`;
/// every fact a comparison, `in`, `count` or `known` reads.
fn because(context: &mut Context<'_>, id: NodeId, want: bool, out: &mut Vec<u32>) {
    let Some(node) = context.program.node(id) else { return };
    let wanted = if want { Truth::True } else { Truth::False };
    match *node {
        Node::Let(index) => {
            if let Some(&root) = context.program.let_roots.get(index as usize) {
                if context.program.let_kinds.get(index as usize) == Some(&crate::program::Kind::Bool) {
                    because(context, root, want, out);
                } else {
                    reads(context, root, out, false);
                }
            }
        }
        Node::Not(inner) => because(context, inner, !want, out),
        Node::All { start, len } | Node::Any { start, len } => {
            // `and` true and `or` false need every operand; `and` false and
            // `or` true need only the first operand that decides them.
            let every = matches!(node, Node::All { .. }) == want;
            for position in start..start + len {
                let Some(&operand) = context.program.lists.get(position as usize) else { continue };
                if every {
                    because(context, operand, want, out);
                } else if context.truth(operand) == wanted {
                    because(context, operand, want, out);
                    break;
                }
            }
        }
        _ => reads(context, id, out, false),
    }
}

/// Every fact a node reads, through lets, in order, each once. Unknown
/// facts are left out (they did not decide anything) except under
/// `known(..)`, where being unknown is the point.
fn reads(context: &mut Context<'_>, id: NodeId, out: &mut Vec<u32>, under_known: bool) {
    let Some(node) = context.program.node(id) else { return };
    let record = context.record;
    let mut add = |slot: u32| {
        let known = record.slot(slot) != crate::record::Slot::Unknown;
        if (known || under_known || matches!(node, Node::KnownFact(_))) && !out.contains(&slot) {
            out.push(slot);
        }
    };
    match *node {
        Node::BoolFact(slot)
        | Node::NumFact(slot)
        | Node::EnumFact(slot)
        | Node::StrFact(slot)
        | Node::KnownFact(slot)
        | Node::CompareFactConst(_, slot, _)
        | Node::FactIsVariant { slot, .. } => add(slot),
        Node::Let(index) => {
            if let Some(&root) = context.program.let_roots.get(index as usize) {
                reads(context, root, out, under_known);
            }
        }
        Node::Known(a) => reads(context, a, out, true),
        Node::Not(a) | Node::Neg(a) | Node::In { operand: a, .. } => reads(context, a, out, under_known),
        Node::CompareNum(_, a, b)
        | Node::EqEnum(_, a, b)
        | Node::EqBool(_, a, b)
        | Node::EqStr(_, a, b)
        | Node::Arith(_, a, b) => {
            reads(context, a, out, under_known);
            reads(context, b, out, under_known);
        }
        Node::Count { start, len } | Node::All { start, len } | Node::Any { start, len } => {
            for position in start..start + len {
                if let Some(&item) = context.program.lists.get(position as usize) {
                    reads(context, item, out, under_known);
                }
            }
        }
        Node::BoolConst(_) | Node::NumConst(_) | Node::EnumConst(_) | Node::StrConst(_) => {}
    }
}
