//! The decision output of the flagship ruleset on the example records
//! (`rulesets/leg_pain`, `examples/patients.jsonl`): `--explain full`
//! still carries everything the output carried before decisions existed
//! (`tests/golden/leg_pain_v0.jsonl`, that output), and the default
//! (brief) line is the lean, ranked one the decisions issue promises.
//! `UPDATE_EXPECT=1` rewrites the golden file from the current full
//! output after a deliberate change of the ruleset.

use std::path::{Path, PathBuf};

use osler_engine::batch::{RunOptions, run_json_lines};
use osler_engine::{Explain, Ruleset};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The output lines of the example records at `level`.
fn run(level: Explain) -> Vec<Value> {
    let ruleset = Ruleset::from_path(root().join("rulesets/leg_pain")).unwrap_or_else(|e| panic!("{e}"));
    let input = std::fs::read(root().join("examples/patients.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    let mut output = Vec::new();
    run_json_lines(&ruleset, input.as_slice(), &mut output, RunOptions::default().explain(level), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// A line as the output was before decisions: its five fields, actions
/// without `pending`.
fn v0(line: &Value) -> Value {
    let mut kept = serde_json::Map::new();
    for key in ["id", "actions", "fired", "overridden", "undetermined"] {
        if let Some(value) = line.get(key) {
            kept.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(Value::Array(actions)) = kept.get_mut("actions") {
        for action in actions {
            if let Some(object) = action.as_object_mut() {
                object.remove("pending");
            }
        }
    }
    Value::Object(kept)
}

#[test]
fn full_output_carries_everything_the_v0_output_did() {
    let golden_path = root().join("tests/golden/leg_pain_v0.jsonl");
    let full = run(Explain::Full);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let text: String = full.iter().map(|line| format!("{}\n", v0(line))).collect();
        std::fs::write(&golden_path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap_or_else(|e| panic!("{e}"));
    let golden: Vec<Value> = golden.lines().map(|line| serde_json::from_str(line).unwrap_or(Value::Null)).collect();
    assert_eq!(golden.len(), full.len(), "one line per record");
    for (old, new) in golden.iter().zip(&full) {
        // Every field, and every element of every list, of the old line
        // is in the new one, with the same value.
        assert_eq!(&v0(new), old, "record {}", old["id"]);
        assert!(new.get("examine").is_some(), "no examine in {new}");
    }
}

fn examined(line: &Value) -> Vec<&str> {
    line["examine"].as_array().map(|list| list.iter().filter_map(|e| e["fact"].as_str()).collect()).unwrap_or_default()
}

#[test]
fn brief_output_ranks_what_to_examine() {
    let brief = run(Explain::Brief);
    let input = std::fs::read_to_string(root().join("examples/patients.jsonl")).unwrap_or_else(|e| panic!("{e}"));
    let records: Vec<Value> = input.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    assert_eq!(records.len(), brief.len());
    let mut pulses_unknown = 0;
    for (record, line) in records.iter().zip(&brief) {
        assert!(line.get("undetermined").is_none(), "brief leaves the undetermined rules out: {line}");
        let facts = examined(line);
        assert!(facts.len() <= 10, "{} facts to examine for {}", facts.len(), record["id"]);
        for fact in &facts {
            assert!(record.get(*fact).is_none_or(Value::is_null), "{fact} is known in {}", record["id"]);
        }
        if record.get("pedal_pulses").is_none_or(Value::is_null) {
            pulses_unknown += 1;
            let first = &facts[..facts.len().min(3)];
            assert!(first.contains(&"pedal_pulses"), "pedal_pulses not among {first:?} for {}", record["id"]);
        }
    }
    assert!(pulses_unknown >= 10, "the example records leave the pulses unknown in {pulses_unknown} records");
}
