//! `osler run --output-format csv`: one row per record for spreadsheet
//! users. The header is `id`, `disposition`, a column per action of the
//! ruleset (declaration order), `fired`, `warnings` and `error`. An action's
//! cell holds its calls' arguments (`6h`; `yes` for a call without
//! arguments), `; ` between calls, ` (pending)` after a pending call; the
//! cell is empty when the output holds no call of it. A rejected record's
//! row carries only its id and the error.

use osler_dsl::model::Model;

use crate::evaluation::{ActionEntry, Evaluation};
use crate::program::{Program, RuleId};
use crate::record::{Record, RecordId};
use crate::warnings::warnings_of;

/// Appends one cell, quoted when it holds a comma, a quote or a line
/// break (quotes doubled), as RFC 4180 has it.
fn write_cell(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|byte| matches!(byte, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for byte in text.bytes() {
            if byte == b'"' {
                out.push(b'"');
            }
            out.push(byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Appends the header line.
pub(crate) fn write_header(out: &mut Vec<u8>, program: &Program) {
    let model: &Model = &program.model;
    let mut cells = vec!["id", "disposition"];
    cells.extend(model.actions.iter().map(|action| action.name.as_str()));
    cells.extend(["fired", "warnings", "error"]);
    write_line(out, cells.iter().map(|cell| cell.to_string()));
}

fn write_line(out: &mut Vec<u8>, cells: impl Iterator<Item = String>) {
    for (position, cell) in cells.enumerate() {
        if position > 0 {
            out.push(b',');
        }
        write_cell(out, &cell);
    }
    out.push(b'\n');
}

fn id_text(id: &RecordId) -> String {
    match id {
        RecordId::Text(text) => text.clone(),
        RecordId::Number(number) => number.to_string(),
        RecordId::Null => String::new(),
    }
}

/// One call's cell text: its arguments, or `yes` without any, marked when
/// pending.
fn call_cell(program: &Program, result: &Evaluation, entry: &ActionEntry) -> String {
    let model = &program.model;
    let args = &result.instance(program, entry.instance).args;
    let mut text = if args.is_empty() {
        "yes".to_owned()
    } else {
        args.iter().map(|arg| model.render_value(arg)).collect::<Vec<_>>().join(", ")
    };
    if entry.pending.0 != entry.pending.1 {
        text.push_str(" (pending)");
    }
    text
}

/// Appends the row of an evaluated record.
#[inline(never)]
pub(crate) fn write_row(out: &mut Vec<u8>, program: &Program, record: &Record, result: &Evaluation) {
    let model = &program.model;
    let mut cells = Vec::with_capacity(model.actions.len() + 5);
    cells.push(id_text(record.id()));
    cells.push(
        result
            .disposition
            .map(|entry| {
                let entry = &result.actions[entry as usize];
                let call = result.call(program, entry.instance);
                let mut text: String = serde_json::from_str(&call.json_call).unwrap_or_default();
                if entry.pending.0 != entry.pending.1 {
                    text.push_str(" (pending)");
                }
                text
            })
            .unwrap_or_default(),
    );
    for action in 0..model.actions.len() as u32 {
        let calls: Vec<String> = result
            .actions
            .iter()
            .filter(|entry| result.instance(program, entry.instance).action == action)
            .map(|entry| call_cell(program, result, entry))
            .collect();
        cells.push(calls.join("; "));
    }
    cells.push(result.fired.iter().map(|&rule: &RuleId| program.rule_name(rule)).collect::<Vec<_>>().join(" "));
    cells.push(warnings_of(program, record).join("; "));
    cells.push(String::new());
    write_line(out, cells.into_iter());
}

/// Appends the row of a record that could not be read: its id, and the
/// error with its line.
#[cold]
#[inline(never)]
pub(crate) fn write_error_row(out: &mut Vec<u8>, program: &Program, id: &RecordId, line: u64, error: &str) {
    let empty = program.model.actions.len() + 3;
    let cells = std::iter::once(id_text(id))
        .chain(std::iter::repeat_n(String::new(), empty))
        .chain(std::iter::once(format!("line {line}: {error}")));
    write_line(out, cells);
}
