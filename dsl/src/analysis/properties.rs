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
use crate::model::{Model, Value};

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
    // The different calls of the action, in first-emitted order.
    let mut calls: Vec<&[Value]> = Vec::new();
    for rule in &model.rules {
        for call in rule.actions.iter().filter(|call| call.action == info.action) {
            if !calls.contains(&call.args.as_slice()) {
                calls.push(&call.args);
            }
        }
    }
    if calls.len() < 2 {
        return;
    }
    let mut cone = Cone::default();
    for args in &calls {
        cone.expr(model, index, &crate::model::Expr::Output(info.action, Some(args.to_vec())));
    }
    let mut encoder = Encoder::new(model, index, &cone, &[]);
    let outputs: Vec<Lit> = calls.iter().map(|args| encoder.output(info.action, Some(args))).collect();
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
