//! `osler check`'s analysis findings and `osler diff` end to end: exit
//! codes with and without `--deny warnings`, the example in the JSON form,
//! the boundary record of a changed threshold, `--corpus` counts, and
//! usage errors.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken fixture")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn osler() -> Command {
    Command::new(env!("CARGO_BIN_EXE_osler"))
}

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("osler-analysis-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn run(args: &[&str], paths: &[&Path]) -> Output {
    let mut command = osler();
    command.args(&args[..1]);
    command.args(paths);
    command.args(&args[1..]);
    command.output().unwrap()
}

const FINDINGS: &str = r#"source g "Guideline" year 2026
fact unilateral: bool
fact pain: bool
action emergency(within: duration)
action refer()
rule dead "Dead": unilateral and not unilateral -> refer cite g
rule base "Base": pain -> refer cite g
rule top "Top" overrides base: pain -> emergency(6h) cite g
assert unilateral_referred: unilateral -> refer
"#;

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn check_reports_findings_as_warnings_with_examples() {
    let dir = scratch("findings", &[("a.osl", FINDINGS)]);
    let output = run(&["check", "--format", "json"], &[&dir]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let lines = json_lines(&output);
    let code = |line: &serde_json::Value| line["code"].as_str().unwrap().to_owned();
    let codes: Vec<String> = lines.iter().map(code).collect();
    assert_eq!(codes, ["osler::dead_rule", "osler::always_overridden", "osler::assert_violated"], "{lines:#?}");
    assert!(lines.iter().all(|line| line["severity"] == "warning"));
    // A proof that a rule never fires has no example; the others do.
    assert!(lines[0].get("example").is_none());
    assert_eq!(lines[1]["example"], serde_json::json!({"pain": true}));
    assert_eq!(lines[2]["example"], serde_json::json!({"unilateral": true}));
    assert_eq!((lines[2]["line"].as_u64(), lines[2]["column"].as_u64()), (Some(9), Some(8)));
}

#[test]
fn check_text_shows_the_example_and_the_summary() {
    let dir = scratch("text", &[("a.osl", FINDINGS)]);
    let output = run(&["check"], &[&dir]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("osler::always_overridden"), "{stderr}");
    assert!(stderr.contains(r#"example: {"pain":true}"#), "{stderr}");
    assert!(stderr.contains("fired on the example"), "{stderr}");
    assert!(stderr.contains("checked 1 file: 0 errors, 3 warnings"), "{stderr}");
}

#[test]
fn deny_warnings_fails_on_findings_but_not_on_hints() {
    let dir = scratch("deny", &[("a.osl", FINDINGS)]);
    let output = run(&["check", "--deny", "warnings"], &[&dir]);
    assert_eq!(output.status.code(), Some(1));
    // `always_true` is a hint: a rule whose condition can never be false.
    let hints = "source g \"Guideline\" year 2026\nfact pain: bool\naction refer()\n\
rule always \"Always\": known(pain) or not known(pain) -> refer cite g\n";
    let dir = scratch("hints", &[("a.osl", hints)]);
    let output = run(&["check", "--deny", "warnings"], &[&dir]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("osler::always_true"), "{stderr}");
    assert!(stderr.contains("0 errors, 0 warnings, 1 hint"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let output = run(&["check", "--deny", "everything"], &[&dir]);
    assert_eq!(output.status.code(), Some(2));
}

const OLD: &str = r#"source g "Guideline" year 2026
fact exertional_injury: bool
fact symptom_duration: duration
action emergency(within: duration)
action follow_up()
rule long "Long": symptom_duration > 72h and exertional_injury -> emergency(6h) cite g
rule short "Short": symptom_duration <= 72h -> follow_up cite g
"#;

fn versions(name: &str) -> PathBuf {
    scratch(
        name,
        &[
            ("old.osl", OLD),
            ("new.osl", &OLD.replace("symptom_duration > 72h", "symptom_duration >= 72h")),
            (
                "c.jsonl",
                "{\"id\":\"p1\",\"symptom_duration\":\"3d\",\"exertional_injury\":true}\n{\"id\":\"p2\",\"symptom_duration\":\"4d\",\"exertional_injury\":true}\n{\"symptom_duration\":\"72h\",\"exertional_injury\":true}\n{\"id\":\"p4\",\"symptom_duration\":\"soon\"}\n",
            ),
            ("c.csv", "id,symptom_duration,exertional_injury\nc1,3d,true\nc2,1d,false\n"),
        ],
    )
}

#[test]
fn diff_reports_exactly_the_boundary_record() {
    let dir = versions("boundary");
    let output = run(&["diff"], &[&dir.join("old.osl"), &dir.join("new.osl")]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "emergency(6h): only NEW emits it\n  example: {\"exertional_injury\": true, \"symptom_duration\": \"3d\"}\n  old: follow_up\n  new: emergency(6h), follow_up\n"
    );
    let output = run(&["diff", "--format", "json"], &[&dir.join("old.osl"), &dir.join("new.osl")]);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["call"], "emergency(6h)");
    assert_eq!(lines[0]["side"], "new");
    assert_eq!(lines[0]["example"], serde_json::json!({"exertional_injury": true, "symptom_duration": "3d"}));
    assert_eq!(lines[0]["old"], serde_json::json!(["follow_up"]));
    // A version against itself changes nothing.
    let output = run(&["diff"], &[&dir.join("old.osl"), &dir.join("old.osl")]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "no decision changes\n");
}

#[test]
fn diff_corpus_counts_records_whose_decision_changed() {
    let dir = versions("corpus");
    let (old, new) = (dir.join("old.osl"), dir.join("new.osl"));
    let corpus = dir.join("c.jsonl");
    let output = run(&["diff", "--corpus", corpus.to_str().unwrap()], &[&old, &new]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("2 of 3 records changed decision\n  first: p1, line 3\n"), "{stdout}");
    assert!(stdout.contains("1 record rejected and not compared (old rejected 1, new rejected 1)"), "{stdout}");
    let corpus = dir.join("c.csv");
    let output = run(&["diff", "--format", "json", "--corpus", corpus.to_str().unwrap()], &[&old, &new]);
    let lines = json_lines(&output);
    let summary = &lines.last().unwrap()["corpus"];
    assert_eq!((summary["compared"].as_u64(), summary["changed"].as_u64()), (Some(2), Some(1)), "{lines:#?}");
    assert_eq!(summary["first_changed"], serde_json::json!(["c1"]));
}

#[test]
fn diff_usage_errors_exit_two() {
    let dir = versions("usage");
    let old = dir.join("old.osl");
    assert_eq!(run(&["diff"], &[&old]).status.code(), Some(2), "one version only");
    assert_eq!(run(&["diff"], &[&old, &dir.join("missing.osl")]).status.code(), Some(2), "a missing version");
    let output = run(&["diff", "--corpus", dir.join("missing.jsonl").to_str().unwrap()], &[&old, &old]);
    assert_eq!(output.status.code(), Some(2), "a missing corpus");
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.jsonl"));
    let broken = scratch("broken", &[("b.osl", "fact x bool\n")]);
    assert_eq!(run(&["diff"], &[&old, &broken.join("b.osl")]).status.code(), Some(2), "a version with errors");
    let retyped = scratch(
        "retyped",
        &[(
            "n.osl",
            &OLD.replace("fact exertional_injury: bool", "fact exertional_injury: number")
                .replace("and exertional_injury ->", "and exertional_injury > 1 ->"),
        )],
    );
    let output = run(&["diff"], &[&old, &retyped.join("n.osl")]);
    assert_eq!(output.status.code(), Some(2), "a fact that changed type");
    assert!(String::from_utf8_lossy(&output.stderr).contains("exertional_injury"));
}
