//! The output of an evaluation: [`Outcome`] (owned, serde) for embedders,
//! and a writer that renders the same JSON line straight from the index
//! result into a byte buffer for batch runs. Both give identical bytes:
//! compact JSON, keys in the fixed order `id, actions, fired, overridden,
//! undetermined`.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::eval::Evaluation;
use crate::program::{Program, RuleId, SlotId, SourceId};
use crate::record::RecordId;

/// The result of evaluating one record.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The record's id, echoed.
    pub id: RecordId,
    /// The actions that stand, merged across rules, in the order of their
    /// first firing rule.
    pub actions: Vec<ActionOutcome>,
    /// Rules whose condition is true and that no fired rule overrides, in
    /// declaration order.
    pub fired: Vec<String>,
    /// Rules suppressed by a fired rule that overrides them.
    pub overridden: Vec<Overridden>,
    /// Rules whose condition is unknown, with the facts that could decide them.
    pub undetermined: Vec<Undetermined>,
}

/// One action of an outcome.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ActionOutcome {
    /// The action's name.
    pub name: String,
    /// Arguments as the output renders them: durations and quantities as
    /// canonical strings (`"6h"`, `"50 mmHg"`), variants by name, numbers
    /// and bools as JSON.
    pub args: Vec<serde_json::Value>,
    /// The fired rules that produce this action, in declaration order.
    pub rules: Vec<String>,
    /// The sources those rules cite, in declaration order.
    pub sources: Vec<String>,
}

/// A rule whose actions were dropped because other rules override it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Overridden {
    /// The overridden rule.
    pub rule: String,
    /// The fired rules that override it, in declaration order.
    pub by: Vec<String>,
}

/// A rule whose condition is unknown on this record.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Undetermined {
    /// The undetermined rule.
    pub rule: String,
    /// The unknown facts that could decide the condition, in the order the
    /// condition first reads them.
    pub missing: Vec<String>,
}

impl Outcome {
    /// The outcome as its compact JSON line (without the newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("an outcome is strings, numbers and lists")
    }
}

fn slice<T>(list: &[T], (start, end): (u32, u32)) -> &[T] {
    &list[start as usize..end as usize]
}

fn rule_ids(program: &Program, rules: &[RuleId]) -> Vec<String> {
    rules.iter().map(|&rule| program.rule_name(rule).to_owned()).collect()
}

pub(crate) fn build_outcome(program: &Program, id: &RecordId, result: &Evaluation) -> Outcome {
    Outcome {
        id: id.clone(),
        actions: result
            .actions
            .iter()
            .map(|entry| ActionOutcome {
                name: program.action_name(entry.instance).to_owned(),
                args: program.instance(entry.instance).args_json.clone(),
                rules: rule_ids(program, slice(&result.action_rules, entry.rules)),
                sources: slice(&result.action_sources, entry.sources)
                    .iter()
                    .map(|&source| program.source_name(source).to_owned())
                    .collect(),
            })
            .collect(),
        fired: rule_ids(program, &result.fired),
        overridden: result
            .overridden
            .iter()
            .map(|&(rule, start, end)| Overridden {
                rule: program.rule_name(rule).to_owned(),
                by: rule_ids(program, slice(&result.by, (start, end))),
            })
            .collect(),
        undetermined: result
            .undetermined
            .iter()
            .map(|&(rule, start, end)| Undetermined {
                rule: program.rule_name(rule).to_owned(),
                missing: slice(&result.missing, (start, end))
                    .iter()
                    .map(|&slot| program.fact(SlotId(slot)).name.clone())
                    .collect(),
            })
            .collect(),
    }
}

/// Writes `items` as a JSON array of pre-rendered strings.
fn write_list<'n, T: Copy>(out: &mut Vec<u8>, items: &[T], names: impl Fn(T) -> &'n str) {
    out.push(b'[');
    write_items(out, items, names);
    out.push(b']');
}

/// Writes `items`, pre-rendered strings, separated by commas.
fn write_items<'n, T: Copy>(out: &mut Vec<u8>, items: &[T], names: impl Fn(T) -> &'n str) {
    for (position, &item) in items.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        out.extend_from_slice(names(item).as_bytes());
    }
}

/// Writes the id as serde_json would: integers and text that needs no
/// escaping directly (the common ids), the rest through serde_json.
fn write_id(out: &mut Vec<u8>, id: &RecordId) {
    match id {
        RecordId::Number(number) if let Some(value) = number.as_u64() => write_decimal(out, value),
        // serde_json escapes quotes, backslashes and control characters
        // only.
        RecordId::Text(text) if !text.bytes().any(|byte| byte == b'"' || byte == b'\\' || byte < 0x20) => {
            out.push(b'"');
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        // Serialising a string or a number into a Vec cannot fail.
        _ => {
            let _ = serde_json::to_writer(&mut *out, id);
        }
    }
}

/// Writes `value` in decimal digits.
fn write_decimal(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(digit) = digits.get_mut(start) {
            *digit = b'0' + (value % 10) as u8;
        }
        value /= 10;
        if value == 0 || start == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Appends the outcome's JSON line (with its newline) to `out`, rendered
/// from pre-rendered names: no allocation beyond `out`'s growth.
pub(crate) fn write_outcome(out: &mut Vec<u8>, program: &Program, id: &RecordId, result: &Evaluation) {
    let rule = |r: RuleId| program.rule(r).json_id.as_str();
    out.extend_from_slice(b"{\"id\":");
    write_id(out, id);
    out.extend_from_slice(b",\"actions\":[");
    for (position, entry) in result.actions.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        out.extend_from_slice(program.instance(entry.instance).json_head.as_bytes());
        write_items(out, slice(&result.action_rules, entry.rules), rule);
        out.extend_from_slice(b"],\"sources\":");
        write_list(out, slice(&result.action_sources, entry.sources), |s: SourceId| {
            program.source_json[s.index()].as_str()
        });
        out.push(b'}');
    }
    out.extend_from_slice(b"],\"fired\":");
    write_list(out, &result.fired, rule);
    out.extend_from_slice(b",\"overridden\":[");
    for (position, &(r, start, end)) in result.overridden.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        out.extend_from_slice(program.rule(r).json_overridden_head.as_bytes());
        write_items(out, slice(&result.by, (start, end)), rule);
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"],\"undetermined\":[");
    for (position, &(r, start, end)) in result.undetermined.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        out.extend_from_slice(program.rule(r).json_undetermined_head.as_bytes());
        write_items(out, slice(&result.missing, (start, end)), |f: u32| program.fact(SlotId(f)).json_name.as_str());
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"]}\n");
}

/// The error line that stands in for a record that could not be read.
#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a RecordId,
    line: u64,
    error: &'a str,
}

/// Appends `{"id":..,"line":N,"error":".."}` and a newline to `out`.
pub(crate) fn write_error(out: &mut Vec<u8>, id: &RecordId, line: u64, error: &str) {
    let _ = serde_json::to_writer(&mut *out, &ErrorLine { id, line, error });
    let _ = out.write_all(b"\n");
}
