//! Explanations for one evaluated record, for people: each fired rule with
//! the facts that made its condition true, each overridden rule and by
//! whom, each undetermined rule with the facts to examine next, all with
//! their citations. `osler eval` prints these.

use osler_dsl::model::{Model, Type, format_duration, format_number};
use serde::Serialize;

use crate::eval::Scratch;
use crate::interp::Context;
use crate::logic::Truth;
use crate::output::{Outcome, build_outcome};
use crate::program::{Kind, Node, NodeId, Program, RuleId, SlotId};
use crate::record::{Record, Slot};

/// Everything `osler eval` shows about one record.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The outcome explained.
    pub outcome: Outcome,
    /// The fired rules, in declaration order.
    pub fired: Vec<FiredRule>,
    /// The overridden rules, in declaration order.
    pub overridden: Vec<OverriddenRule>,
    /// The undetermined rules, in declaration order.
    pub undetermined: Vec<UndeterminedRule>,
}

/// A rule, as an explanation names it.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct RuleRef {
    /// The rule's id.
    pub id: String,
    /// The rule's title, when it has one.
    pub title: Option<String>,
    /// `path:line` of the declaration.
    pub location: String,
    /// The sources the rule cites.
    pub sources: Vec<SourceRef>,
}

/// A cited source.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct SourceRef {
    /// The source's name in the ruleset.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its year, when given.
    pub year: Option<u32>,
    /// Its address, when given.
    pub url: Option<String>,
}

/// A fact and its value in the record, rendered (`unknown` when absent).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct FactValue {
    /// The fact's name.
    pub fact: String,
    /// Its value as the ruleset writes values (`absent`, `6h`, `unknown`).
    pub value: String,
}

/// A rule that fired, and why.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct FiredRule {
    /// The rule.
    pub rule: RuleRef,
    /// The facts that made the condition true.
    pub because: Vec<FactValue>,
    /// The rule's actions, rendered (`emergency(6h)`).
    pub actions: Vec<String>,
    /// Rules that override this one and whose condition is unknown: if
    /// they turn out true, this rule's actions are dropped.
    pub unless: Vec<String>,
}

/// A rule that was overridden, and by whom.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct OverriddenRule {
    /// The rule.
    pub rule: RuleRef,
    /// The fired rules that override it.
    pub by: Vec<String>,
    /// Whether its own condition was true (it would have fired) or unknown.
    pub condition_true: bool,
}

/// A rule whose condition is unknown, and what would decide it.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct UndeterminedRule {
    /// The rule.
    pub rule: RuleRef,
    /// The facts to examine next.
    pub missing: Vec<String>,
    /// The actions it would produce if it fired, rendered.
    pub actions: Vec<String>,
    /// Rules that override this one and whose condition is unknown.
    pub unless: Vec<String>,
}

fn rule_ref(model: &Model, rule: RuleId) -> RuleRef {
    let info = &model.rules[rule.index()];
    RuleRef {
        id: info.id.clone(),
        title: info.title.clone(),
        location: format!("{}:{}", info.location.path, info.location.line),
        sources: info
            .cites
            .iter()
            .map(|&source| &model.sources[source as usize])
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
    let name = &model.actions[action as usize].name;
    let args: Vec<String> = args.iter().map(|arg| model.render_value(arg)).collect();
    format!("{name}({})", args.join(", "))
}

fn rule_actions(model: &Model, rule: RuleId) -> Vec<String> {
    model.rules[rule.index()].actions.iter().map(|call| render_call(model, call.action, &call.args)).collect()
}

fn rule_ids(model: &Model, rules: impl IntoIterator<Item = RuleId>) -> Vec<String> {
    rules.into_iter().map(|rule| model.rules[rule.index()].id.clone()).collect()
}

/// A fact's value in a record, as people read it.
pub(crate) fn render_slot(program: &Program, record: &Record, slot: u32) -> String {
    let fact = program.fact(SlotId(slot));
    match record.slot(slot) {
        Slot::Unknown => "unknown".to_owned(),
        Slot::Bool(b) => b.to_string(),
        Slot::Num(n) => match fact.ty {
            Type::Duration => format_duration(n),
            Type::Quantity(unit) => format!("{} {unit}", format_number(n)),
            _ => format_number(n),
        },
        Slot::Enum(variant) => match fact.ty {
            Type::Enum(index) => program.model.enums[index as usize].variants[variant as usize].clone(),
            _ => unreachable!("an enum value in the non-enum fact `{}`", fact.name),
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
    let unless = |rule: RuleId| -> Vec<String> {
        let overriders = &program.rule(rule).overridden_by;
        rule_ids(model, overriders.iter().filter(|&&by| truth[by as usize] == Truth::Unknown).map(|&by| RuleId(by)))
    };
    let fired = result
        .fired
        .iter()
        .map(|&rule| {
            let mut facts = Vec::new();
            because(&mut context, program.rule(rule).root, true, &mut facts);
            FiredRule {
                rule: rule_ref(model, rule),
                because: facts
                    .iter()
                    .map(|&slot| FactValue {
                        fact: program.fact(SlotId(slot)).name.clone(),
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
            by: rule_ids(model, result.by[start as usize..end as usize].iter().copied()),
            condition_true: truth[rule.index()] == Truth::True,
        })
        .collect();
    let undetermined = result
        .undetermined
        .iter()
        .map(|&(rule, start, end)| UndeterminedRule {
            rule: rule_ref(model, rule),
            missing: result.missing[start as usize..end as usize]
                .iter()
                .map(|&slot| program.fact(SlotId(slot)).name.clone())
                .collect(),
            actions: rule_actions(model, rule),
            unless: unless(rule),
        })
        .collect();
    Explanation { outcome, fired, overridden, undetermined }
}

/// Collects the facts that make node `id` evaluate to `want`: for `and`
/// true both sides, for `and` false the first false side, dually for `or`;
/// every fact a comparison, `in`, `count` or `known` reads (see
/// [`Why::Reads`]). A depth-first walk with an explicit stack: a chain of
/// lets is followed without recursion.
fn because(context: &mut Context<'_>, id: NodeId, want: bool, out: &mut Vec<u32>) {
    let mut listed = vec![false; context.program.facts.len()];
    let mut stack = vec![Why::Because(id, want)];
    while let Some(why) = stack.pop() {
        // Children are pushed last first, so they are walked in order.
        match why {
            Why::Because(id, want) => {
                let Some(node) = context.program.node(id) else { continue };
                let wanted = if want { Truth::True } else { Truth::False };
                match *node {
                    Node::Let(index) => {
                        if let Some(&root) = context.program.let_roots.get(index as usize) {
                            if context.program.let_kinds.get(index as usize) == Some(&Kind::Bool) {
                                stack.push(Why::Because(root, want));
                            } else {
                                stack.push(Why::Reads(root, false));
                            }
                        }
                    }
                    Node::Not(inner) => stack.push(Why::Because(inner, !want)),
                    Node::All { start, len } | Node::Any { start, len } => {
                        // `and` true and `or` false need every operand; `and`
                        // false and `or` true need only the first operand that
                        // decides them.
                        let every = matches!(node, Node::All { .. }) == want;
                        let operands =
                            context.program.lists.get(start as usize..(start + len) as usize).unwrap_or_default();
                        if every {
                            stack.extend(operands.iter().rev().map(|&operand| Why::Because(operand, want)));
                        } else if let Some(&operand) =
                            operands.iter().find(|&&operand| context.truth(operand) == wanted)
                        {
                            stack.push(Why::Because(operand, want));
                        }
                    }
                    _ => stack.push(Why::Reads(id, false)),
                }
            }
            Why::Reads(id, under_known) => reads(context, id, under_known, &mut stack, &mut listed, out),
        }
    }
}

/// A step of [`because`]'s walk.
enum Why {
    /// The facts that make a node evaluate to `want`.
    Because(NodeId, bool),
    /// Every fact a node reads, through lets, in order, each once. Unknown
    /// facts are left out (they did not decide anything) except under
    /// `known(..)` (the flag), where being unknown is the point.
    Reads(NodeId, bool),
}

/// One node of a [`Why::Reads`] walk: lists its fact or pushes its children.
fn reads(
    context: &Context<'_>,
    id: NodeId,
    under_known: bool,
    stack: &mut Vec<Why>,
    listed: &mut [bool],
    out: &mut Vec<u32>,
) {
    let Some(node) = context.program.node(id) else { return };
    let record = context.record;
    let mut add = |slot: u32| {
        let known = record.slot(slot) != Slot::Unknown;
        if (known || under_known || matches!(node, Node::KnownFact(_)))
            && let Some(mark) = listed.get_mut(slot as usize)
            && !*mark
        {
            *mark = true;
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
                stack.push(Why::Reads(root, under_known));
            }
        }
        Node::Known(a) => stack.push(Why::Reads(a, true)),
        Node::Not(a) | Node::Neg(a) | Node::In { operand: a, .. } => stack.push(Why::Reads(a, under_known)),
        Node::CompareNum(_, a, b)
        | Node::EqEnum(_, a, b)
        | Node::EqBool(_, a, b)
        | Node::EqStr(_, a, b)
        | Node::Arith(_, a, b) => {
            stack.push(Why::Reads(b, under_known));
            stack.push(Why::Reads(a, under_known));
        }
        Node::Count { start, len } | Node::All { start, len } | Node::Any { start, len } => {
            let items = context.program.lists.get(start as usize..(start + len) as usize).unwrap_or_default();
            stack.extend(items.iter().rev().map(|&item| Why::Reads(item, under_known)));
        }
        Node::BoolConst(_) | Node::NumConst(_) | Node::EnumConst(_) | Node::StrConst(_) | Node::Output(_) => {}
    }
}
