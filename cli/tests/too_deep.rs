//! Hostile rulesets through the real binary: a declaration nested past the
//! limit is an ordinary error (exit 1 with `osler::too_deep`, never an
//! abort), and long chains of lets and of overriding rules check and run.
//! (The library-level cases, on a 2 MiB stack, are in
//! `tests/tests/hostile.rs`.)

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken fixture")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn osler() -> Command {
    Command::new(env!("CARGO_BIN_EXE_osler"))
}

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("osler-too-deep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

const HEADER: &str = "source g \"Guideline\" year 2026\naction act()\nfact a: bool\n";

#[test]
fn a_hundred_thousand_nested_parentheses_exit_one_with_too_deep() {
    let depth = 100_000;
    let rules =
        format!("{HEADER}let x = {}a{}\nrule r \"R\": x and b -> act cite g\n", "(".repeat(depth), ")".repeat(depth));
    let dir = scratch("parens", &[("rules/a.osl", &rules)]);
    let output = osler().args(["check", "--format", "json"]).arg(dir.join("rules")).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let diagnostics: Vec<serde_json::Value> =
        stdout.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let deep: Vec<_> = diagnostics.iter().filter(|d| d["code"] == "osler::too_deep").collect();
    assert_eq!(deep.len(), 1, "{stdout}");
    // Line 4, at the 65th `(` after `let x = `.
    assert_eq!((deep[0]["line"].as_u64(), deep[0]["column"].as_u64()), (Some(4), Some(9 + 64)), "{stdout}");
    // The rest of the file is still checked; `x` is not reported unknown.
    assert!(diagnostics.iter().any(|d| d["code"] == "osler::unknown_fact" && d["message"] == "unknown fact `b`"));
    assert_eq!(diagnostics.iter().filter(|d| d["severity"] == "error").count(), 2, "{stdout}");

    // The terminal rendering too.
    let output = osler().arg("check").arg(dir.join("rules")).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("osler::too_deep"), "{}", text(&output));
}

#[test]
fn a_hundred_thousand_chained_nots_exit_one_with_too_deep() {
    let rules = format!("{HEADER}let x = {}a\nrule r \"R\": x -> act cite g\n", "not ".repeat(100_000));
    let dir = scratch("nots", &[("rules/a.osl", &rules)]);
    let output = osler().arg("check").arg(dir.join("rules")).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("osler::too_deep"), "{}", text(&output));
}

/// `let a0 = a`, `let a1 = a0 and a`, ... and a rule on the last, through
/// `osler check` and `osler run`.
fn let_chain(lets: usize) {
    let mut rules = format!("{HEADER}let a0 = a\n");
    for i in 1..lets {
        rules.push_str(&format!("let a{i} = a{} and a\n", i - 1));
    }
    rules.push_str(&format!("rule r \"R\": a{} -> act cite g\n", lets - 1));
    let records = "{\"id\":1,\"a\":true}\n{\"id\":2,\"a\":false}\n{\"id\":3}\n";
    let dir = scratch(&format!("lets-{lets}"), &[("rules/a.osl", &rules), ("records.jsonl", records)]);
    let check = osler().arg("check").arg(dir.join("rules")).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let run = osler().arg("run").arg(dir.join("rules")).arg("--input").arg(dir.join("records.jsonl")).output().unwrap();
    assert!(run.status.success(), "{}", text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].contains(r#""fired":["r"]"#), "{}", lines[0]);
    assert!(lines[1].contains(r#""fired":[]"#) && lines[1].contains(r#""examine":[]"#), "{}", lines[1]);
    assert!(lines[2].contains(r#""examine":[{"fact":"a","could":["act"]}]"#), "{}", lines[2]);
}

#[test]
fn a_long_let_chain_checks_and_runs() {
    let_chain(20_000);
}

#[test]
fn a_ten_thousand_rule_override_chain_checks_and_runs() {
    let n = 10_000;
    let mut rules = "source g \"Guideline\" year 2026\naction act()\nfact x: number\n".to_owned();
    rules.push_str("rule r0 \"R\": x > 0 -> act cite g\n");
    for i in 1..n {
        rules.push_str(&format!("rule r{i} \"R\" overrides r{}: x > {i} -> act cite g\n", i - 1));
    }
    let dir = scratch("overrides", &[("rules/a.osl", &rules), ("records.jsonl", "{\"id\":1,\"x\":5000}\n")]);
    let check = osler().arg("check").arg(dir.join("rules")).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let run = osler().arg("run").arg(dir.join("rules")).arg("--input").arg(dir.join("records.jsonl")).output().unwrap();
    assert!(run.status.success(), "{}", text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains(r#""fired":["r4999"]"#), "{}", &stdout[..stdout.len().min(300)]);
    assert_eq!(stdout.matches(r#"{"rule":"#).count(), 4999);
}
