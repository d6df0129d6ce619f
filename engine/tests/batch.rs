//! Batch runs: every input record yields exactly one output line, in
//! order, whatever is wrong with it; output bytes are the same on every
//! run and with any number of threads; CSV reads like JSON Lines.

use osler_engine::Ruleset;
use osler_engine::batch::{RunOptions, Summary, run_csv, run_json_lines};

const RULES: &str = r#"
source s "A guideline" year 2026
enum Pulse { present, diminished, absent }
fact unilateral: bool
fact pedal_pulses: Pulse
fact ankle_pressure: number mmHg
fact symptom_duration: duration
fact note: string
action emergency(within: duration)
action urgent(within: duration)
rule ali: pedal_pulses == absent and unilateral -> emergency(6h)
  cite s
rule low: ankle_pressure < 50 mmHg -> emergency(6h)
rule slow: symptom_duration > 2d -> urgent(1d)
"#;

fn ruleset() -> Ruleset {
    Ruleset::from_sources(&[("r.osl".to_owned(), RULES.to_owned())]).unwrap_or_else(|e| panic!("{e}"))
}

fn run_jsonl(ruleset: &Ruleset, input: &str, options: RunOptions) -> (String, Summary) {
    let mut out = Vec::new();
    let summary =
        run_json_lines(ruleset, input.as_bytes(), &mut out, options, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    (String::from_utf8(out).unwrap_or_else(|e| panic!("{e}")), summary)
}

#[test]
fn one_line_per_record_in_order_whatever_is_wrong() {
    let input = concat!(
        "{\"id\":\"a\",\"pedal_pulses\":\"absent\",\"unilateral\":true}\n",
        "\n",
        "   \n",
        "{\"id\":\"b\",\"pedal_pulses\":\"gone\"}\r\n",
        "not json at all\n",
        "{\"id\":\"c\",\"ankle_pressure\":\"40 mmHg\",\"extra\":1}\n",
        "{\"id\":\"d\",\"unilateral\":\"yes\"}\n",
        "{\"id\":\"e\",\"symptom_duration\":\"3d\"", // truncated, no final newline: the id is still echoed
    );
    let (output, summary) = run_jsonl(&ruleset(), input, RunOptions::default());
    let lines: Vec<serde_json::Value> =
        output.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect();
    assert!(output.ends_with('\n'));
    assert_eq!(lines.len(), 6);
    let ids: Vec<String> = lines.iter().map(|line| line["id"].to_string()).collect();
    assert_eq!(ids, ["\"a\"", "\"b\"", "null", "\"c\"", "\"d\"", "\"e\""]);
    let error_lines: Vec<u64> = lines.iter().filter_map(|line| line["line"].as_u64()).collect();
    assert_eq!(error_lines, [4, 5, 7, 8]);
    assert_eq!(lines[0]["fired"], serde_json::json!(["ali"]));
    assert_eq!(lines[2]["error"].as_str().map(|e| e.starts_with("malformed JSON")), Some(true));
    assert_eq!(lines[4]["error"], "fact `unilateral` expects true or false, got \"yes\"");
    assert_eq!((summary.records, summary.rejected, summary.evaluated()), (6, 4, 2));
    assert_eq!(summary.action_counts, [("emergency".to_owned(), 2)]);
    assert_eq!(summary.unknown_fields.counts.get("extra"), Some(&1));
}

#[test]
fn strict_rejects_unknown_fields() {
    let (output, summary) =
        run_jsonl(&ruleset(), "{\"id\":1,\"extra\":true}\n{\"id\":2}\n", RunOptions::default().strict(true));
    assert_eq!(summary.rejected, 1);
    assert!(output.starts_with("{\"id\":1,\"line\":1,\"error\":\"unknown field `extra`"), "{output}");
}

fn generated_input(records: usize) -> String {
    let pulses = ["\"present\"", "\"diminished\"", "\"absent\"", "null", "\"bad\""];
    let mut text = String::new();
    for i in 0..records {
        let line = match i % 97 {
            13 => "{broken".to_owned(),
            29 => String::new(),
            _ => format!(
                "{{\"id\":{i},\"pedal_pulses\":{},\"unilateral\":{},\"ankle_pressure\":{},\"symptom_duration\":\"{}h\"}}",
                pulses[i % 5],
                ["true", "false", "null"][i % 3],
                30 + i % 40,
                i % 80
            ),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[test]
fn output_is_identical_on_every_run_and_any_thread_count() {
    let ruleset = ruleset();
    // More than one chunk, many tasks per chunk.
    let input = generated_input(40_000);
    let run_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
        pool.install(|| run_jsonl(&ruleset, &input, RunOptions::default()))
    };
    let (single, summary) = run_with(1);
    let (many, _) = run_with(4);
    let (again, _) = run_with(3);
    assert_eq!(single, many);
    assert_eq!(single, again);
    let blank = 40_000usize.div_ceil(97) - usize::from(40_000 % 97 <= 29);
    assert_eq!(summary.records as usize, 40_000 - blank);
    assert_eq!(single.lines().count(), 40_000 - blank);
    // In input order: the ids of the evaluated lines ascend.
    let ids: Vec<u64> = single
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|value| value["id"].as_u64())
        .collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn csv_rows_read_like_json_records() {
    let ruleset = ruleset();
    let csv = concat!(
        "id,pedal_pulses,unilateral,ankle_pressure,symptom_duration,note,other\n",
        "a,absent,true,,,\"x, y\",1\n",
        "b,,TRUE,45 mmHg,3d,,\n",
        "c,gone,false,,,,\n",
        "d,present\n",
        "e,present,false,80,1h,,",
    );
    let mut out = Vec::new();
    let summary = run_csv(&ruleset, csv.as_bytes(), &mut out, RunOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let output = String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 5, "{output}");
    assert!(
        lines[0].starts_with(r#"{"id":"a","actions":[{"name":"emergency","args":["6h"],"rules":["ali"]"#),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(r#""fired":["low","slow"]"#), "{}", lines[1]);
    assert_eq!(
        lines[2],
        r#"{"id":"c","line":4,"error":"fact `pedal_pulses` expects one of present, diminished, absent, got \"gone\""}"#
    );
    assert_eq!(lines[3], r#"{"id":"d","line":5,"error":"the row has 2 fields but the header has 7"}"#);
    assert!(lines[4].starts_with(r#"{"id":"e","actions":[],"fired":[]"#), "{}", lines[4]);
    assert_eq!((summary.records, summary.rejected), (5, 2));
    // Row `d` is too short to have an `other` cell.
    assert_eq!(summary.unknown_fields.counts.get("other"), Some(&4));
}

#[test]
fn empty_input_gives_empty_output() {
    let (output, summary) = run_jsonl(&ruleset(), "", RunOptions::default());
    assert!(output.is_empty());
    assert_eq!(summary.records, 0);
    let (output, _) = run_jsonl(&ruleset(), "\n\n", RunOptions::default());
    assert!(output.is_empty());
}

#[test]
fn output_does_not_depend_on_how_the_input_is_buffered() {
    let ruleset = ruleset();
    // Lines and `\r\n` ends split across the reader's windows, blank lines,
    // a last line without a line end, and more than one chunk of records.
    let mut input = generated_input(20_000).replace("\n{\"id\":5", "\r\n\n  \n{\"id\":5");
    input.push_str("{\"id\":\"last\",\"unilateral\":true}");
    let (expected, summary) = run_jsonl(&ruleset, &input, RunOptions::default());
    assert!(expected.ends_with('\n'));
    assert!(expected.lines().last().is_some_and(|line| line.starts_with("{\"id\":\"last\",\"actions\"")));
    for capacity in [1, 3, 7, 64, 4096] {
        let mut out = Vec::new();
        let reader = std::io::BufReader::with_capacity(capacity, input.as_bytes());
        let again = run_json_lines(&ruleset, reader, &mut out, RunOptions::default(), &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(String::from_utf8(out).unwrap_or_else(|e| panic!("{e}")), expected, "capacity {capacity}");
        assert_eq!((again.records, again.rejected), (summary.records, summary.rejected));
    }
}
