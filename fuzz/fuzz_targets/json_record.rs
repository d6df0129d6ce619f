//! One JSON line against fixed rulesets (`ALL_TYPES`, with a fact of every
//! type, and `leg_pain`): the fast flat reader and the serde reader agree.
//!
//! The engine does not export its two readers, so the target compares them
//! through the public API: `read_json` takes the fast path whenever it can,
//! and the same text with its first field name's first character written
//! as a `\u` escape means the same to JSON but makes the fast path give up
//! before it touches the record, so serde reads it. Whenever the first
//! read succeeds (the fast path never fails; it gives up), the second must
//! succeed too, with the same record, unknown fields and outcome.
//! The whole input also goes through `batch::run_json_lines`: one output
//! line per record, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osler_engine::batch::{RunOptions, run_json_lines};
use osler_engine::{ReadOptions, Record, Ruleset, UnknownFields};

fn is_json_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\t' | b'\r')
}

/// `text` with the first character of its first field name escaped, or
/// `None` when it does not start like an object with a non-empty,
/// escape-free first name.
fn escape_first_name(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut at = bytes.iter().position(|&b| !is_json_space(b))?;
    if bytes[at] != b'{' {
        return None;
    }
    at += 1;
    at += bytes[at..].iter().position(|&b| !is_json_space(b))?;
    if bytes[at] != b'"' {
        return None;
    }
    at += 1;
    let first = text[at..].chars().next()?;
    if first == '"' || first == '\\' {
        return None;
    }
    let mut escaped = String::new();
    for unit in first.encode_utf16(&mut [0; 2]) {
        escaped.push_str(&format!("\\u{unit:04x}"));
    }
    Some(format!("{}{escaped}{}", &text[..at], &text[at + first.len_utf8()..]))
}

fn read(ruleset: &Ruleset, text: &str, strict: bool) -> (Result<(), String>, Record, UnknownFields) {
    let mut record = ruleset.record();
    let mut unknown = UnknownFields::default();
    let result = ruleset.read_json_into(text, &mut record, ReadOptions::default().strict(strict), &mut unknown).map_err(|e| e.to_string());
    (result, record, unknown)
}

fn differential(ruleset: &Ruleset, text: &str, strict: bool) {
    let (fast, fast_record, fast_unknown) = read(ruleset, text, strict);
    if fast.is_err() {
        return;
    }
    let Some(escaped) = escape_first_name(text) else { return };
    let (slow, slow_record, slow_unknown) = read(ruleset, &escaped, strict);
    assert_eq!(fast, slow, "read {text:?} but not {escaped:?} (strict: {strict})");
    assert_eq!(
        format!("{fast_record:?}"),
        format!("{slow_record:?}"),
        "the readers disagree on {text:?} (strict: {strict})"
    );
    assert_eq!(fast_unknown, slow_unknown, "unknown fields differ for {text:?} (strict: {strict})");
    let outcome = |record: &Record| match ruleset.evaluate(record) {
        Ok(outcome) => outcome.to_json_line(),
        Err(error) => panic!("the ruleset refused its own record: {error:?}"),
    };
    assert_eq!(outcome(&fast_record), outcome(&slow_record), "outcomes differ for {text:?}");
}

fuzz_target!(|data: &[u8]| {
    for ruleset in osler_fuzz::record_rulesets() {
        if let Ok(text) = std::str::from_utf8(data) {
            differential(ruleset, text, false);
            differential(ruleset, text, true);
        }
        for strict in [false, true] {
            let mut output = Vec::new();
            let summary = match run_json_lines(ruleset, data, &mut output, RunOptions::default().strict(strict), &mut |_| {}) {
                Ok(summary) => summary,
                Err(error) => panic!("run_json_lines failed on in-memory input: {error}"),
            };
            let lines = output.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(lines, summary.records, "one output line per record");
            assert!(summary.rejected <= summary.records);
        }
    }
});
