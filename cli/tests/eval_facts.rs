//! `osler eval --facts`: the record given inline, as `@FILE` or as `-`
//! (standard input) means the same record, and a facts file that cannot be
//! read is an I/O error (exit 2) naming it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const RULES: &str = r#"
ruleset demo "Demo rules"
enum Pulse { present, diminished, absent }
fact unilateral: bool
fact pedal_pulses: Pulse
action emergency(within: duration)
rule ali_emergency "Absent pulse with unilateral symptoms":
  pedal_pulses == absent and unilateral -> emergency(6h)
"#;

const FACTS: &str = r#"{"id": "p9", "unilateral": true, "pedal_pulses": "absent"}"#;

/// A fresh folder for one test, holding the ruleset and any extra files.
fn workspace(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("osler-eval-facts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("rules/demo.osl"), RULES).unwrap_or_else(|e| panic!("{e}"));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

/// `osler args` in `dir`, with `stdin` on standard input (closed at once
/// when `None`).
fn osler(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_osler"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON output line of `osler eval rules --facts FACTS --format json`,
/// after checking that it succeeded.
fn eval_json(dir: &Path, facts: &str, stdin: Option<&str>) -> serde_json::Value {
    let output = osler(dir, &["eval", "rules", "--facts", facts, "--format", "json"], stdin);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "--facts {facts}: {stderr}");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("--facts {facts}: {e}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// The names of the actions of an output line.
fn action_names(line: &serde_json::Value) -> Vec<&str> {
    line["actions"]
        .as_array()
        .map(|actions| actions.iter().filter_map(|a| a["name"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn inline_file_and_stdin_facts_give_the_same_result() {
    let dir = workspace("same", &[("patient.json", FACTS)]);
    let inline = eval_json(&dir, FACTS, None);
    assert_eq!(inline["id"], "p9");
    assert_eq!(action_names(&inline), ["emergency"]);
    let from_file = eval_json(&dir, "@patient.json", None);
    assert_eq!(from_file, inline);
    let from_stdin = eval_json(&dir, "-", Some(FACTS));
    assert_eq!(from_stdin, inline);
    // A pretty-printed record over several lines is still one record.
    let pretty = "{\n  \"id\": \"p9\",\n  \"unilateral\": true,\n  \"pedal_pulses\": \"absent\"\n}\n";
    assert_eq!(eval_json(&dir, "-", Some(pretty)), inline);
}

#[test]
fn the_text_explanation_reads_facts_from_a_file_too() {
    let dir = workspace("text", &[("patient.json", FACTS)]);
    let output = osler(&dir, &["eval", "rules", "--facts", "@patient.json"], None);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("p9") && text.contains("emergency(6h)"), "{text}");
}

#[test]
fn a_missing_facts_file_is_an_io_error_naming_it() {
    let dir = workspace("missing", &[]);
    let output = osler(&dir, &["eval", "rules", "--facts", "@no/such/patient.json"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no/such/patient.json"), "{stderr}");
    assert!(output.stdout.is_empty(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn a_bad_record_from_a_file_or_stdin_is_rejected_as_inline() {
    let dir = workspace("bad", &[("bad.json", r#"{"unilateral": "yes"}"#)]);
    let from_file = osler(&dir, &["eval", "rules", "--facts", "@bad.json"], None);
    assert_eq!(from_file.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&from_file.stderr).contains("fact `unilateral` expects true or false"));
    let empty = osler(&dir, &["eval", "rules", "--facts", "-"], Some(""));
    assert_eq!(empty.status.code(), Some(3), "{}", String::from_utf8_lossy(&empty.stderr));
}
