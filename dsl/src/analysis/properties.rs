//! The declared properties: `assert WHEN -> THEN` (on every record where
//! `WHEN` is true, `THEN` is true) and `exclusive ACTION` (no output holds
//! two different calls of the action). Each is one query; a property that
//! holds is proven over every record, one that fails gets the canonical
//! record on which it fails.

use super::builtin::{finding, with_witness};
use super::encode::{Cone, Encoder, Index};
use super::finding::{Claim, Finding, Subject};
use super::sat::Lit;
use super::search::Query;
use crate::code::Code;
use crate::diagnostic::Severity;
use crate::model::{Model, RuleIndex, Value};

/// The finding of assert `assert`, if it fails (or cannot be decided).
pub fn assert_findings(model: &Model, index: &Index, assert: u32, out: &mut Vec<Finding>) {
    let Some(info) = model.asserts.get(assert as usize) else { return };
    let mut cone = Cone::default();
    cone.expr(model, index, &info.when);
    cone.expr(model, index, &info.then);
    let mut encoder = Encoder::new(model, index, &cone, &[&info.when, &info.then]);
    let when = encoder.expr(&info.when);
    let then = encoder.expr(&info.then);
    let violated = encoder.formula.and(&[when.t, !then.t]);
    let approximate = encoder.approximate;
    let mut query = Query::new(encoder);
    let title = info.title.as_ref().map(|t| format!(" ({t})")).unwrap_or_default();
    let mut finding = finding(
        Code::AssertViolated,
        Severity::Warning,
        Subject::Assert(assert),
        format!(
            "assert `{}`{title} fails: on the example record its condition holds but its conclusion does not",
            info.id
        ),
        "fails on the example",
    );
    finding.help = Some("add the example as a test, then fix the rules (or the assert)".to_owned());
    if with_witness(&mut finding, &mut query, violated, Claim::AssertViolated(assert), approximate) {
        out.push(finding);
    }
}

/// The finding of exclusive `exclusive`, if some output can hold two
/// different calls of its action.
pub fn exclusive_findings(model: &Model, index: &Index, exclusive: u32, out: &mut Vec<Finding>) {
    let Some(info) = model.exclusives.get(exclusive as usize) else { return };
    // The different constant calls of the action, in first-emitted order,
    // and the rules with computed calls of it (one entry per call).
    let mut calls: Vec<Vec<Value>> = Vec::new();
    let mut computed: Vec<RuleIndex> = Vec::new();
    for (rule, rule_info) in model.rules.iter().enumerate() {
        for call in rule_info.actions.iter().filter(|call| call.action == info.action) {
            match call.constant_args() {
                Some(args) if !calls.contains(&args) => calls.push(args),
                Some(_) => {}
                None => computed.push(rule as RuleIndex),
            }
        }
    }
    if calls.len() + computed.len() < 2 {
        return;
    }
    let mut cone = Cone::default();
    for args in &calls {
        cone.expr(model, index, &crate::model::Expr::Output(info.action, Some(args.clone())));
    }
    for &rule in &computed {
        cone.firing(model, index, rule);
    }
    let mut encoder = Encoder::new(model, index, &cone, &[]);
    // A computed call's value is not followed: two true entries are two
    // calls only when they differ, so with computed calls a violation is
    // a candidate for the engine to replay (two calls can only come from
    // two true entries, so a proof stays a proof).
    let mut outputs: Vec<Lit> = calls.iter().map(|args| encoder.exact_output(info.action, args)).collect();
    outputs.extend(computed.iter().map(|&rule| encoder.emits(rule)));
    if !computed.is_empty() {
        encoder.approximate = true;
    }
    // Two or more different calls: a counter, linear in the calls.
    let violated = encoder.at_least(&outputs, 2);
    let approximate = encoder.approximate;
    let mut query = Query::new(encoder);
    let name = model.actions.get(info.action as usize).map_or("?", |action| action.name.as_str());
    let mut finding = finding(
        Code::ExclusiveViolated,
        Severity::Warning,
        Subject::Exclusive(exclusive),
        format!("a record's output can hold two different calls of `{name}`"),
        "two calls on the example",
    );
    finding.help =
        Some(format!("make the rules that emit `{name}` exclude each other, or let one override the others"));
    if with_witness(&mut finding, &mut query, violated, Claim::ExclusiveViolated(exclusive), approximate) {
        out.push(finding);
    }
}
