//! The output of an evaluation: [`Outcome`] (owned, serde) for embedders,
//! and a writer that renders the same JSON line straight from the index
//! result into a byte buffer for batch runs. Both give identical bytes:
//! compact JSON, keys in the fixed order `id, disposition, actions, fired,
//! overridden, undetermined, examine, warnings`; how many of them a line
//! carries is its [`Explain`] level (`disposition` is absent when no action
//! of the ruleset's `priority` is present, `warnings` when the record had
//! no unknown field, `pending` on an action when it is not pending).

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::detail::Explain;
use crate::evaluation::{ActionEntry, Could, Evaluation};
use crate::program::{Program, RuleId, SlotId, SourceId};
use crate::record::RecordId;

/// The result of evaluating one record.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The record's id, echoed.
    pub id: RecordId,
    /// The action the ruleset's `priority` puts first: the first listed
    /// action present, and among its calls the one with the shortest
    /// duration argument (the first in output order on a tie). `None` when
    /// no listed action is present (or the ruleset declares no priority).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<ActionOutcome>,
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
    /// The unknown facts that could still change the output, most
    /// consequential first (at most ten): each could bring an action the
    /// output does not hold, or cancel a pending one.
    #[serde(default)]
    pub examine: Vec<Examine>,
    /// Problems with the record that did not stop its evaluation: each
    /// field that is not a fact of the ruleset (with a suggestion).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A fact worth examining next, and what knowing it could change.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Examine {
    /// The unknown fact.
    pub fact: String,
    /// The action calls it could bring (`"emergency(6h)"`), most urgent
    /// first. A brief output line shows the first three.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub could: Vec<String>,
    /// The pending actions it could cancel, by deciding their exception.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub could_cancel: Vec<String>,
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
    /// When every rule producing the action is provisional, the
    /// exceptions that could still suppress it: the rules overriding them
    /// whose condition is unknown, in declaration order. Empty when the
    /// action stands firmly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
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
    /// The outcome as its compact JSON line (without the newline), every
    /// field included ([`Explain::Full`]).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("an outcome is strings, numbers and lists")
    }

    /// The outcome's JSON line at an explain level, as `osler run
    /// --explain` writes it: `None` keeps the id, disposition, actions and
    /// warnings; `Brief` adds fired, overridden and examine; `Full` is
    /// [`Outcome::to_json_line`].
    ///
    /// ```
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
    /// #     "fact smoker: bool\naction refer()\nrule quit: smoker -> refer".to_owned())])?;
    /// let outcome = ruleset.evaluate(&ruleset.read_json(r#"{"id": 2}"#)?)?;
    /// assert_eq!(
    ///     outcome.to_json_line_at(osler_engine::Explain::Brief),
    ///     r#"{"id":2,"actions":[],"fired":[],"overridden":[],"examine":[{"fact":"smoker","could":["refer"]}]}"#
    /// );
    /// assert_eq!(outcome.to_json_line_at(osler_engine::Explain::None), r#"{"id":2,"actions":[]}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json_line_at(&self, detail: Explain) -> String {
        let brief = detail >= Explain::Brief;
        let examine: Vec<Examine> = if detail == Explain::Full {
            self.examine.clone()
        } else {
            let first = |calls: &[String]| calls.iter().take(BRIEF_CALLS).cloned().collect();
            self.examine
                .iter()
                .map(|entry| Examine {
                    fact: entry.fact.clone(),
                    could: first(&entry.could),
                    could_cancel: first(&entry.could_cancel),
                })
                .collect()
        };
        let view = OutcomeView {
            id: &self.id,
            disposition: self.disposition.as_ref(),
            actions: &self.actions,
            fired: brief.then_some(self.fired.as_slice()),
            overridden: brief.then_some(self.overridden.as_slice()),
            undetermined: (detail == Explain::Full).then_some(self.undetermined.as_slice()),
            examine: brief.then_some(examine.as_slice()),
            warnings: &self.warnings,
        };
        serde_json::to_string(&view).expect("an outcome is strings, numbers and lists")
    }
}

/// An outcome with the fields of one explain level.
#[derive(Serialize)]
struct OutcomeView<'a> {
    id: &'a RecordId,
    #[serde(skip_serializing_if = "Option::is_none")]
    disposition: Option<&'a ActionOutcome>,
    actions: &'a [ActionOutcome],
    #[serde(skip_serializing_if = "Option::is_none")]
    fired: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    overridden: Option<&'a [Overridden]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    undetermined: Option<&'a [Undetermined]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    examine: Option<&'a [Examine]>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
}

fn slice<T>(list: &[T], (start, end): (u32, u32)) -> &[T] {
    &list[start as usize..end as usize]
}

fn rule_ids(program: &Program, rules: &[RuleId]) -> Vec<String> {
    rules.iter().map(|&rule| program.rule_name(rule).to_owned()).collect()
}

fn action_outcome(program: &Program, result: &Evaluation, entry: &ActionEntry) -> ActionOutcome {
    ActionOutcome {
        name: program.model.actions[result.instance(program, entry.instance).action as usize].name.clone(),
        args: result.instance(program, entry.instance).args_json.clone(),
        rules: rule_ids(program, slice(&result.action_rules, entry.rules)),
        sources: slice(&result.action_sources, entry.sources)
            .iter()
            .map(|&source| program.source_name(source).to_owned())
            .collect(),
        pending: rule_ids(program, slice(&result.pending, entry.pending)),
    }
}

/// A JSON string literal's text (the pre-rendered calls are JSON strings).
fn unquote(json: &str) -> String {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn build_outcome(program: &Program, id: &RecordId, result: &Evaluation, warnings: Vec<String>) -> Outcome {
    Outcome {
        id: id.clone(),
        disposition: result.disposition.map(|entry| action_outcome(program, result, &result.actions[entry as usize])),
        actions: result.actions.iter().map(|entry| action_outcome(program, result, entry)).collect(),
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
        examine: result
            .examine
            .iter()
            .map(|entry| {
                let (could, cancel) = result.could_of(entry);
                let texts =
                    |calls: &[Could]| calls.iter().map(|&what| unquote(result.could_text(program, what))).collect();
                Examine {
                    fact: program.fact(entry.slot).name.clone(),
                    could: texts(could),
                    could_cancel: texts(cancel),
                }
            })
            .collect(),
        warnings,
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

/// Writes an action entry's fields, without the closing brace: the
/// instance's `head` (`{"name":..,"args":..,"rules":[`), the producing
/// rules, then `"sources":[..]`. Also how `CompiledRule::json_entries`
/// are rendered, so both forms of an entry have one shape.
pub(crate) fn write_entry_fields<'n, R: Copy, S: Copy>(
    out: &mut Vec<u8>,
    head: &str,
    rules: &[R],
    rule_json: impl Fn(R) -> &'n str,
    sources: &[S],
    source_json: impl Fn(S) -> &'n str,
) {
    out.extend_from_slice(head.as_bytes());
    write_items(out, rules, rule_json);
    out.extend_from_slice(b"],\"sources\":");
    write_list(out, sources, source_json);
}

/// Writes one action entry: `{"name":..,"args":..,"rules":[..],"sources":[..]}`
/// with `"pending":[..]` before the closing brace when it is pending.
fn write_entry(out: &mut Vec<u8>, program: &Program, result: &Evaluation, entry: &ActionEntry) {
    let rule = |r: RuleId| program.rule(r).json_id.as_str();
    let producers = slice(&result.action_rules, entry.rules);
    match producers {
        [alone] if entry.whole != ActionEntry::NOT_WHOLE => {
            out.extend_from_slice(program.rule(*alone).json_entries[entry.whole as usize].as_bytes());
        }
        _ => write_entry_fields(
            out,
            &result.instance(program, entry.instance).json_head,
            producers,
            rule,
            slice(&result.action_sources, entry.sources),
            |s: SourceId| program.source_json[s.index()].as_str(),
        ),
    }
    if entry.pending.0 != entry.pending.1 {
        out.extend_from_slice(b",\"pending\":");
        write_list(out, slice(&result.pending, entry.pending), rule);
    }
    out.push(b'}');
}

/// How many calls of each kind (`could`, `could_cancel`) a brief line
/// shows per fact of `examine`, the most consequential; `full` shows all.
pub(crate) const BRIEF_CALLS: usize = 3;

/// Writes `examine`'s entries (inside its brackets), at most `limit` calls
/// of each kind per fact.
fn write_examine(out: &mut Vec<u8>, program: &Program, result: &Evaluation, limit: usize) {
    for (position, entry) in result.examine.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        out.extend_from_slice(program.fact(entry.slot).json_examine_head.as_bytes());
        let (could, cancel) = result.could_of(entry);
        let mut write_kind = |key: &[u8], calls: &[Could]| {
            if calls.is_empty() {
                return;
            }
            out.extend_from_slice(key);
            for (position, &what) in calls.iter().take(limit).enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(result.could_text(program, what).as_bytes());
            }
            out.push(b']');
        };
        write_kind(b",\"could\":[", could);
        write_kind(b",\"could_cancel\":[", cancel);
        out.push(b'}');
    }
}

/// Appends the outcome's JSON line (with its newline) to `out` at explain
/// level `detail`, rendered from pre-rendered names: no allocation beyond
/// `out`'s growth. `warnings` appends the record's `,"warnings":[..]`, if any.
pub(crate) fn write_outcome(
    out: &mut Vec<u8>,
    program: &Program,
    id: &RecordId,
    result: &Evaluation,
    detail: Explain,
    warnings: impl FnOnce(&mut Vec<u8>),
) {
    let rule = |r: RuleId| program.rule(r).json_id.as_str();
    out.extend_from_slice(b"{\"id\":");
    write_id(out, id);
    if let Some(entry) = result.disposition {
        out.extend_from_slice(b",\"disposition\":");
        write_entry(out, program, result, &result.actions[entry as usize]);
    }
    out.extend_from_slice(b",\"actions\":[");
    for (position, entry) in result.actions.iter().enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_entry(out, program, result, entry);
    }
    out.push(b']');
    if detail >= Explain::Brief {
        out.extend_from_slice(b",\"fired\":");
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
        out.push(b']');
    }
    if detail == Explain::Full {
        out.extend_from_slice(b",\"undetermined\":[");
        for (position, &(r, start, end)) in result.undetermined.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            out.extend_from_slice(program.rule(r).json_undetermined_head.as_bytes());
            write_items(out, slice(&result.missing, (start, end)), |f: u32| program.fact(SlotId(f)).json_name.as_str());
            out.extend_from_slice(b"]}");
        }
        out.push(b']');
    }
    if detail >= Explain::Brief {
        out.extend_from_slice(b",\"examine\":[");
        let limit = if detail == Explain::Full { usize::MAX } else { BRIEF_CALLS };
        write_examine(out, program, result, limit);
        out.push(b']');
    }
    warnings(out);
    out.extend_from_slice(b"}\n");
}

/// The error line that stands in for a record that could not be read.
#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a RecordId,
    line: u64,
    error: &'a str,
}

/// Appends `{"id":..,"line":N,"error":".."}` and a newline to `out`.
#[cold]
#[inline(never)]
pub(crate) fn write_error(out: &mut Vec<u8>, id: &RecordId, line: u64, error: &str) {
    let _ = serde_json::to_writer(&mut *out, &ErrorLine { id, line, error });
    let _ = out.write_all(b"\n");
}
