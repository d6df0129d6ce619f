//! Explanations for one evaluated record, for people: the disposition,
//! each fired rule with the facts (and the values of the lets) that made
//! its condition true and, when it is provisional, the exceptions that
//! could still override it, each overridden rule and by whom, each
//! undetermined rule with the facts to examine next, all with their
//! citations. `osler eval` prints these.

use osler_dsl::model::{Model, Type, format_duration, format_number};
use serde::Serialize;

use crate::eval::Scratch;
use crate::evaluation::Evaluation;
use crate::interp::Context;
use crate::logic::{Truth, Val};
use crate::output::{Outcome, build_outcome};
use crate::program::{Kind, Node, NodeId, Program, RuleCall, RuleId, SlotId, call_text};
use crate::record::{Record, Slot};
use crate::warnings::warnings_of;

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

/// A let's value in the record and the facts it was computed from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct LetValue {
    /// The let's name.
    pub name: String,
    /// Its value as the ruleset writes values (`3`, `6h`, `unknown`).
    pub value: String,
    /// The known facts it read.
    pub from: Vec<FactValue>,
}

/// A rule that fired, and why.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct FiredRule {
    /// The rule.
    pub rule: RuleRef,
    /// The facts that made the condition true, except those only read
    /// through a let in `lets`.
    pub because: Vec<FactValue>,
    /// The values of the lets (other than conditions) that decided it,
    /// such as a computed score, each with the facts it read.
    pub lets: Vec<LetValue>,
    /// The rule's actions, rendered (`emergency(6h)`).
    pub actions: Vec<String>,
    /// Whether the rule is *provisional*: it fires while a rule overriding
    /// it has an unknown condition, so its actions may still be dropped.
    pub provisional: bool,
    /// Those exceptions, each with the facts that decide it.
    pub exceptions: Vec<Exception>,
}

/// An exception that could still override a provisional rule.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct Exception {
    /// The overriding rule, whose condition is unknown.
    pub rule: String,
    /// The unknown facts that could decide its condition.
    pub missing: Vec<String>,
    /// No fact is missing, as for [`UndeterminedRule::undefined_arithmetic`].
    pub undefined_arithmetic: bool,
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
    /// No fact is missing: the rule is unknown because an arithmetic
    /// result has no value on this record (a division by zero, or another
    /// result that is not a number), and knowing more facts cannot
    /// decide it. (An unknown value with every fact under it known can
    /// only come from arithmetic.)
    pub undefined_arithmetic: bool,
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

/// A rule's calls as text: a computed call with its values on this record
/// when the rule fired, `?` for each computed argument otherwise.
fn rule_actions(program: &Program, result: &Evaluation, rule: RuleId) -> Vec<String> {
    let model = &program.model;
    if let Ok(found) = result.rule_calls.binary_search_by_key(&rule, |entry| entry.0) {
        let (_, start, end) = result.rule_calls[found];
        return result.rule_call_ids[start as usize..end as usize]
            .iter()
            .map(|&id| {
                let instance = result.instance(program, id);
                call_text(model, instance.action, &instance.args)
            })
            .collect();
    }
    model.rules[rule.index()]
        .actions
        .iter()
        .map(|call| match call.constant_args() {
            Some(args) => call_text(model, call.action, &args),
            None => {
                let args: Vec<String> = call
                    .args
                    .iter()
                    .map(|arg| match arg {
                        osler_dsl::model::Expr::Const(value) => model.render_value(value),
                        _ => "?".to_owned(),
                    })
                    .collect();
                format!("{}({})", model.actions[call.action as usize].name, args.join(", "))
            }
        })
        .collect()
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
    let outcome = build_outcome(program, record.id(), &scratch.result, warnings_of(program, record));
    let result = scratch.result.clone();
    let truth = scratch.truth.clone();
    let mut context = scratch.context(program, record);
    let unknown_overriders = |rule: RuleId| {
        program
            .rule(rule)
            .overridden_by
            .iter()
            .filter(|&&by| truth[by as usize] == Truth::Unknown)
            .map(|&by| RuleId(by))
    };
    let fact_values = |slots: &[u32]| -> Vec<FactValue> {
        slots
            .iter()
            .map(|&slot| FactValue {
                fact: program.fact(SlotId(slot)).name.clone(),
                value: render_slot(program, record, slot),
            })
            .collect()
    };
    let mut marks = vec![0u32; program.facts.len()];
    let mut stamp = 0u32;
    let fired = result
        .fired
        .iter()
        .map(|&rule| {
            // The computed arguments' values are what the rule outputs: their
            // lets and facts decided it too.
            let args: Vec<NodeId> = program
                .rule(rule)
                .calls
                .iter()
                .filter_map(|call| match *call {
                    RuleCall::Computed(index) => Some(&program.computed_calls[index as usize].args),
                    RuleCall::Constant(_) => None,
                })
                .flatten()
                .map(|&(node, _)| node)
                .collect();
            let deciding = because(&mut context, program.rule(rule).root, &args);
            let exceptions: Vec<Exception> = unknown_overriders(rule)
                .map(|by| {
                    stamp += 1;
                    let mut missing = Vec::new();
                    context.missing(program.rule(by).root, &mut missing, &mut marks, stamp);
                    Exception {
                        rule: model.rules[by.index()].id.clone(),
                        undefined_arithmetic: missing.is_empty(),
                        missing: missing.iter().map(|&slot| program.fact(SlotId(slot)).name.clone()).collect(),
                    }
                })
                .collect();
            FiredRule {
                rule: rule_ref(model, rule),
                because: fact_values(&deciding.facts),
                lets: deciding
                    .lets
                    .iter()
                    .map(|(index, facts)| LetValue {
                        name: model.lets[*index as usize].name.clone(),
                        value: let_value(&mut context, *index),
                        from: fact_values(facts),
                    })
                    .collect(),
                actions: rule_actions(program, &result, rule),
                provisional: !exceptions.is_empty(),
                exceptions,
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
            undefined_arithmetic: start == end,
            missing: result.missing[start as usize..end as usize]
                .iter()
                .map(|&slot| program.fact(SlotId(slot)).name.clone())
                .collect(),
            actions: rule_actions(program, &result, rule),
            unless: rule_ids(model, unknown_overriders(rule)),
        })
        .collect();
    Explanation { outcome, fired, overridden, undetermined }
}

/// A let's value on the record, as people read it (a `count` with
/// unknown arguments is a range: `2 to 3`).
fn let_value(context: &mut Context<'_>, index: u32) -> String {
    let program = context.program;
    let ty = &program.model.lets[index as usize].ty;
    match context.value(program.let_roots[index as usize]) {
        Val::Unknown => "unknown".to_owned(),
        Val::Bool(b) => b.to_string(),
        Val::Num(low, high) if low != high => format!("{} to {}", render_number(low, ty), render_number(high, ty)),
        Val::Num(n, _) => render_number(n, ty),
        Val::Enum(variant) => match ty {
            Type::Enum(index) => program.model.enums[*index as usize].variants[variant as usize].clone(),
            _ => unreachable!("an enum value in the non-enum let `{}`", program.model.lets[index as usize].name),
        },
        Val::Text(text) => format!("{:?}", context.text(text)),
    }
}

fn render_number(n: f64, ty: &Type) -> String {
    match ty {
        Type::Duration => format_duration(n),
        Type::Quantity(unit) => format!("{} {unit}", format_number(n)),
        _ => format_number(n),
    }
}

/// What decided a condition: the facts read outside non-condition lets,
/// and each such let (by index) with the facts read inside it.
#[derive(Default)]
struct Deciding {
    facts: Vec<u32>,
    lets: Vec<(u32, Vec<u32>)>,
}

/// Collects what makes condition `id` true, then what the computed
/// arguments `args` read: for `and` true every operand,
/// for `or` true the first true operand, dually for false under `not`;
/// every fact a comparison, `in`, `count` or `known` reads (see
/// [`Why::Reads`]). A let that is not a condition (a score, a date) is
/// listed with its own facts. A depth-first walk with an explicit stack:
/// a chain of lets is followed without recursion.
fn because(context: &mut Context<'_>, id: NodeId, args: &[NodeId]) -> Deciding {
    let mut deciding = Deciding::default();
    let mut stack: Vec<Why> = args.iter().rev().map(|&arg| Why::Reads(arg, false, 0)).collect();
    stack.push(Why::Because(id, true));
    while let Some(why) = stack.pop() {
        // Children are pushed last first, so they are walked in order.
        match why {
            Why::Because(id, want) => {
                let Some(node) = context.program.node(id) else { continue };
                let wanted = if want { Truth::True } else { Truth::False };
                match *node {
                    Node::Let(index) if context.program.let_kinds.get(index as usize) == Some(&Kind::Bool) => {
                        if let Some(&root) = context.program.let_roots.get(index as usize) {
                            stack.push(Why::Because(root, want));
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
                    _ => stack.push(Why::Reads(id, false, 0)),
                }
            }
            Why::Reads(id, under_known, target) => reads(context, id, under_known, target, &mut stack, &mut deciding),
        }
    }
    deciding
}

/// A step of [`because`]'s walk.
enum Why {
    /// The facts that make a node evaluate to `want`.
    Because(NodeId, bool),
    /// Every fact a node reads, through lets, in order, each once, into
    /// the top list (target 0) or a let's list (target `i + 1` for
    /// `Deciding::lets[i]`). Unknown facts are left out (they did not
    /// decide anything) except under `known(..)` (the flag), where being
    /// unknown is the point.
    Reads(NodeId, bool, usize),
}

/// One node of a [`Why::Reads`] walk: lists its fact or pushes its children.
fn reads(
    context: &Context<'_>,
    id: NodeId,
    under_known: bool,
    target: usize,
    stack: &mut Vec<Why>,
    deciding: &mut Deciding,
) {
    let Some(node) = context.program.node(id) else { return };
    let record = context.record;
    let mut add = |slot: u32| {
        let known = record.slot(slot) != Slot::Unknown;
        if known || under_known || matches!(node, Node::KnownFact(_)) {
            let list = match target {
                0 => &mut deciding.facts,
                _ => match deciding.lets.get_mut(target - 1) {
                    Some((_, facts)) => facts,
                    None => return,
                },
            };
            if !list.contains(&slot) {
                list.push(slot);
            }
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
            let Some(&root) = context.program.let_roots.get(index as usize) else { return };
            if context.program.let_kinds.get(index as usize) == Some(&Kind::Bool) {
                stack.push(Why::Reads(root, under_known, target));
            } else if !deciding.lets.iter().any(|(seen, _)| *seen == index) {
                // A value let is listed once, with the facts it reads.
                deciding.lets.push((index, Vec::new()));
                stack.push(Why::Reads(root, under_known, deciding.lets.len()));
            }
        }
        Node::Known(a) => stack.push(Why::Reads(a, true, target)),
        Node::Not(a) | Node::Neg(a) | Node::In { operand: a, .. } => stack.push(Why::Reads(a, under_known, target)),
        Node::CompareNum(_, a, b)
        | Node::EqEnum(_, a, b)
        | Node::EqBool(_, a, b)
        | Node::EqStr(_, a, b)
        | Node::Arith(_, a, b) => {
            stack.push(Why::Reads(b, under_known, target));
            stack.push(Why::Reads(a, under_known, target));
        }
        Node::Count { start, len } | Node::All { start, len } | Node::Any { start, len } => {
            let items = context.program.lists.get(start as usize..(start + len) as usize).unwrap_or_default();
            stack.extend(items.iter().rev().map(|&item| Why::Reads(item, under_known, target)));
        }
        Node::BoolConst(_) | Node::NumConst(_) | Node::EnumConst(_) | Node::StrConst(_) | Node::Output(_) => {}
    }
}
