//! Unknown record fields: a record remembers the field names of its input
//! that are not facts (a misspelled red flag must not vanish silently),
//! whichever reader read it, and strict reading rejects such a record with
//! an error that names the field and the fact it probably misspells.

use osler_engine::batch::{RunOptions, run_csv, run_json_lines};
use osler_engine::{ReadOptions, Record, RecordErrorKind, Ruleset, UnknownFields};

const RULES: &str = r#"
enum Pulse { present, diminished, absent }
fact unilateral: bool
fact pedal_pulses: Pulse
fact ankle_pressure: number mmHg
action emergency(within: duration)
rule ali: pedal_pulses == absent and unilateral -> emergency(6h)
"#;

fn ruleset() -> Ruleset {
    Ruleset::from_sources(&[("r.osl".to_owned(), RULES.to_owned())]).unwrap_or_else(|e| panic!("{e}"))
}

/// Reads `text` into `record` leniently and returns the record's unknown
/// field names, checking that the read succeeded.
fn read_unknown(ruleset: &Ruleset, record: &mut Record, text: &str) -> Vec<String> {
    let mut unknown = UnknownFields::default();
    ruleset
        .read_json_into(text, record, ReadOptions::default(), &mut unknown)
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    record.unknown_fields().to_vec()
}

#[test]
fn a_flat_record_keeps_its_unknown_fields_in_input_order_once_each() {
    let ruleset = ruleset();
    let mut record = ruleset.record();
    let text = r#"{"id":"p1","pedal_pulse":"absent","unilateral":true,"temperature":38,"pedal_pulse":null}"#;
    assert_eq!(read_unknown(&ruleset, &mut record, text), ["pedal_pulse", "temperature"]);
    // The misspelled fact is not read as the fact: the red flag stays unknown.
    let fired: Vec<String> =
        ruleset.evaluator().evaluate(&record).unwrap_or_else(|e| panic!("{e}")).fired().map(str::to_owned).collect();
    assert!(fired.is_empty(), "{fired:?}");
}

#[test]
fn escaped_and_nested_records_keep_the_same_names_as_flat_ones() {
    let ruleset = ruleset();
    let mut record = ruleset.record();
    // An escape in a name, and a nested value, take the serde reader.
    let escaped = r#"{"id":"p1","pedal\u005fpulse":"absent","unilateral":true,"temperature":38}"#;
    assert_eq!(read_unknown(&ruleset, &mut record, escaped), ["pedal_pulse", "temperature"]);
    let nested = r#"{"vitals":{"pedal_pulse":"absent"},"pedal_pulse":"absent","vitals":[1]}"#;
    assert_eq!(read_unknown(&ruleset, &mut record, nested), ["vitals", "pedal_pulse"]);
    let flat = r#"{"vitals":1,"pedal_pulse":"absent"}"#;
    assert_eq!(read_unknown(&ruleset, &mut record, flat), ["vitals", "pedal_pulse"]);
}

#[test]
fn a_reused_record_forgets_the_previous_records_unknown_fields() {
    let ruleset = ruleset();
    let mut record = ruleset.record();
    assert_eq!(read_unknown(&ruleset, &mut record, r#"{"pedal_pulse":"absent","x":1}"#), ["pedal_pulse", "x"]);
    assert!(read_unknown(&ruleset, &mut record, r#"{"pedal_pulses":"absent"}"#).is_empty());
    assert_eq!(read_unknown(&ruleset, &mut record, r#"{"y":"\n"}"#), ["y"]);
    assert!(read_unknown(&ruleset, &mut record, r#"{"unilateral":true,"ankle_pressure":"45 mmHg"}"#).is_empty());
    // A record that fails to read forgets them as well.
    let mut unknown = UnknownFields::default();
    assert_eq!(read_unknown(&ruleset, &mut record, r#"{"z":1}"#), ["z"]);
    assert!(
        ruleset.read_json_into(r#"{"unilateral":"yes"}"#, &mut record, ReadOptions::default(), &mut unknown).is_err()
    );
    assert!(record.unknown_fields().is_empty(), "{:?}", record.unknown_fields());
    record.clear();
    assert!(record.unknown_fields().is_empty());
}

#[test]
fn many_unknown_fields_are_kept_once_each_in_input_order() {
    let ruleset = ruleset();
    let mut record = ruleset.record();
    // Past a few names the record deduplicates with a set; the order and
    // the names must not change, nor survive into the next record.
    let fields: Vec<String> = (0..3000).map(|n| format!("\"f{}\":{n}", (n * 7) % 1000)).collect();
    let names = read_unknown(&ruleset, &mut record, &format!("{{{}}}", fields.join(",")));
    let expected: Vec<String> = (0..1000).map(|n| format!("f{}", (n * 7) % 1000)).collect();
    assert_eq!(names, expected);
    assert_eq!(read_unknown(&ruleset, &mut record, r#"{"f7":1,"f7":2,"g":3}"#), ["f7", "g"]);
}

#[test]
fn a_record_of_facts_only_has_no_unknown_fields() {
    let ruleset = ruleset();
    let record =
        ruleset.read_json(r#"{"id":7,"pedal_pulses":"absent","unilateral":null}"#).unwrap_or_else(|e| panic!("{e}"));
    assert!(record.unknown_fields().is_empty());
    assert!(ruleset.record().unknown_fields().is_empty());
}

#[test]
fn strict_reading_rejects_an_unknown_field_and_suggests_the_fact() {
    let ruleset = ruleset();
    let strict = ReadOptions::default().strict(true);
    for text in [r#"{"id":"p1","pedal_pulse":"absent"}"#, r#"{"id":"p1","pedal\u005fpulse":"absent"}"#] {
        let mut record = ruleset.record();
        let error = ruleset
            .read_json_into(text, &mut record, strict, &mut UnknownFields::default())
            .err()
            .unwrap_or_else(|| panic!("{text} was accepted"));
        assert_eq!(error.field(), Some("pedal_pulse"));
        assert_eq!(
            error.to_string(),
            "unknown field `pedal_pulse`: not a fact of this ruleset (--strict); did you mean `pedal_pulses`?"
        );
        assert!(
            matches!(error.kind(), RecordErrorKind::UnknownField { suggestion: Some(fact), .. } if fact == "pedal_pulses"),
            "{:?}",
            error.kind()
        );
        assert_eq!(record.id().to_string(), "p1");
    }
    // No fact is close to `temperature`: no suggestion.
    let mut record = ruleset.record();
    let error = ruleset
        .read_json_into(r#"{"temperature":38}"#, &mut record, strict, &mut UnknownFields::default())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(error.to_string(), "unknown field `temperature`: not a fact of this ruleset (--strict)");
}

#[test]
fn strict_runs_reject_the_record_with_the_suggestion_in_its_error_line() {
    let ruleset = ruleset();
    let strict = RunOptions::default().strict(true);
    let mut out = Vec::new();
    let input = "{\"id\":\"a\",\"pedal_pulse\":\"absent\"}\n{\"id\":\"b\",\"pedal_pulses\":\"absent\"}\n";
    let summary =
        run_json_lines(&ruleset, input.as_bytes(), &mut out, strict, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((summary.records, summary.rejected), (2, 1));
    let first: serde_json::Value =
        serde_json::from_slice(out.split(|&b| b == b'\n').next().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        first["error"],
        "unknown field `pedal_pulse`: not a fact of this ruleset (--strict); did you mean `pedal_pulses`?"
    );
    let mut out = Vec::new();
    let csv = "id,pedal_pulse,unilateral\nc,absent,true\n";
    let summary = run_csv(&ruleset, csv.as_bytes(), &mut out, strict, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((summary.records, summary.rejected), (1, 1));
    let line: serde_json::Value = serde_json::from_slice(out.trim_ascii_end()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(line["id"], "c");
    assert_eq!(
        line["error"],
        "unknown field `pedal_pulse`: not a fact of this ruleset (--strict); did you mean `pedal_pulses`?"
    );
}

#[test]
fn lenient_runs_count_unknown_fields_per_occurrence() {
    let ruleset = ruleset();
    let mut out = Vec::new();
    let input = "{\"pedal_pulse\":\"absent\"}\n{\"pedal_pulse\":\"present\",\"x\":1}\n";
    let summary = run_json_lines(&ruleset, input.as_bytes(), &mut out, RunOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.rejected, 0);
    assert_eq!(summary.unknown_fields.counts.get("pedal_pulse"), Some(&2));
    assert_eq!(summary.unknown_fields.total(), 3);
}
