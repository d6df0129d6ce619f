//! `osler check` end to end: exit codes, the miette rendering and the JSON
//! form of diagnostics.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken fixture")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn osler() -> Command {
    Command::new(env!("CARGO_BIN_EXE_osler"))
}

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("osler-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

const GOOD: &str = "source g \"Guideline\" year 2026\nfact unilateral: bool\naction emergency(within: duration)\n\
rule r \"R\": unilateral -> emergency(6h) cite g\n";

#[test]
fn clean_ruleset_exits_zero() {
    let dir = scratch("clean", &[("a.osl", GOOD)]);
    let output = osler().arg("check").arg(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("0 errors, 0 warnings"));
}

#[test]
fn warnings_only_exit_zero() {
    let dir = scratch("warn", &[("a.osl", &format!("{GOOD}fact unused: bool\n"))]);
    let output = osler().arg("check").arg(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("osler::unused_fact"), "{stderr}");
}

#[test]
fn errors_exit_one_with_snippets_from_every_file() {
    let dir = scratch(
        "errors",
        &[("a.osl", GOOD), ("b.osl", "rule s \"S\": unilaterl -> emergency(6h) cite g\nfact broken bool\n")],
    );
    let output = osler().arg("check").arg(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("osler::unknown_fact"), "{stderr}");
    assert!(stderr.contains("did you mean `unilateral`?"), "{stderr}");
    assert!(stderr.contains("osler::syntax"), "{stderr}");
    assert!(stderr.contains("b.osl:1:"), "{stderr}");
    assert!(stderr.contains("2 errors"), "{stderr}");
}

#[test]
fn json_format_gives_one_object_per_diagnostic() {
    let dir = scratch("json", &[("a.osl", GOOD), ("b.osl", "rule s \"S\": unilaterl -> emergency(6h) cite g\n")]);
    let output = osler().args(["check", "--format", "json"]).arg(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let d = &lines[0];
    assert!(d["file"].as_str().unwrap().ends_with("b.osl"));
    assert_eq!(d["line"], 1);
    assert_eq!(d["column"], 13);
    assert_eq!(d["end"]["line"], 1);
    assert_eq!(d["end"]["column"], 22);
    assert_eq!(d["code"], "osler::unknown_fact");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "unknown fact `unilaterl`");
    assert_eq!(d["help"], "did you mean `unilateral`?");
}

#[test]
fn a_single_file_is_a_ruleset() {
    let dir = scratch("single", &[("a.osl", GOOD)]);
    let output = osler().arg("check").arg(dir.join("a.osl")).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn missing_path_and_empty_folder_are_usage_errors() {
    let output = osler().arg("check").arg(Path::new("/nonexistent/osler")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let dir = scratch("empty", &[]);
    let output = osler().arg("check").arg(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no `.osl` files"));
    let output = osler().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn shipped_leg_pain_ruleset_has_no_errors() {
    let ruleset = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rulesets/leg_pain");
    let output = osler().arg("check").arg(&ruleset).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}
