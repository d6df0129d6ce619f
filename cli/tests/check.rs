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

/// The rendered diagnostics, with every line checked to be of a readable
/// width (miette pads labels to their column: a label 1 MB into a line
/// used to panic with "Formatting argument out of range").
fn check_long(name: &str, text: &str) -> String {
    let dir = scratch(name, &[("a.osl", text)]);
    let output = osler().arg("check").arg(&dir).env("NO_COLOR", "1").output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for line in stderr.lines() {
        assert!(line.chars().count() < 400, "a rendered line of {} characters", line.chars().count());
    }
    stderr
}

#[test]
fn an_error_at_the_end_of_a_one_megabyte_line_renders() {
    let title = "x".repeat(1_000_000);
    let text = format!("{GOOD}rule s \"{title}\": unilaterl -> emergency(6h) cite g\n");
    let stderr = check_long("long-end", &text);
    assert!(stderr.contains("osler::unknown_fact"), "{stderr}");
    assert!(stderr.contains("unknown fact `unilaterl`"), "{stderr}");
    // The header keeps the real line and column.
    let column = "rule s \"".len() + title.len() + "\": ".len() + 1;
    assert!(stderr.contains(&format!("a.osl:5:{column}]")), "{stderr}");
    // The snippet is cut around the label, with a marker for what was left out.
    assert!(stderr.contains("…xxxx"), "{stderr}");
    assert!(stderr.contains("unilaterl -> emergency(6h) cite g"), "{stderr}");
    assert!(stderr.contains("did you mean `unilateral`?"), "{stderr}");

    let dir = scratch("long-end-json", &[("a.osl", &text)]);
    let output = osler().args(["check", "--format", "json"]).arg(&dir).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let d: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(d["code"], "osler::unknown_fact");
    assert_eq!(d["line"], 5);
    assert_eq!(d["column"], column);
}

#[test]
fn an_error_in_the_middle_of_a_long_line_of_multibyte_text_renders() {
    // 50 KB of two-, three- and four-byte characters on each side, so the
    // cut points fall between bytes of a character unless they are careful.
    let half = "é中🦀".repeat(50_000 / 9 / 2);
    let text = format!(
        "{GOOD}fact note: string\nrule s \"{half}\": unilaterl and note == \"{half}\" -> emergency(6h) cite g\n"
    );
    assert!(text.len() > 50_000);
    let stderr = check_long("long-middle", &text);
    assert!(stderr.contains("unknown fact `unilaterl`"), "{stderr}");
    let column = "rule s \"".chars().count() + half.chars().count() + "\": ".len() + 1;
    assert!(stderr.contains(&format!("a.osl:6:{column}]")), "{stderr}");
    assert!(stderr.contains("\": unilaterl and note == \""), "{stderr}");
    assert!(stderr.matches('…').count() >= 2, "{stderr}");
}

#[test]
fn a_syntax_error_far_into_a_long_line_renders() {
    let text = format!("{GOOD}fact {}: bool bool\n", "a".repeat(200_000));
    let stderr = check_long("long-syntax", &text);
    assert!(stderr.contains("osler::"), "{stderr}");
}
