//! End-to-end runs of `osler run`, `eval`, `schema` and `test`: output
//! lines, explanations and exit statuses as `shared/spec/cli.md` fixes them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const RULES: &str = r#"
ruleset demo "Demo rules"
source ali_2026 "Vascular and Neurological Emergencies" year 2026
enum Pulse { present, diminished, absent }
/// Symptoms affect one leg only.
fact unilateral: bool
fact pedal_pulses: Pulse
/// Absolute ankle pressure.
fact ankle_pressure: number mmHg
fact symptom_duration: duration
let absent_pulse = pedal_pulses == absent
action emergency(within: duration)
action urgent(within: duration)
rule ali_emergency "Absent pulse with unilateral symptoms":
  absent_pulse and unilateral -> emergency(6h)
  cite ali_2026
rule pressure overrides slow: ankle_pressure < 50 mmHg -> emergency(6h)
rule slow: symptom_duration > 2d -> urgent(1d)

test "absent pulse is an emergency" {
  given unilateral = true, pedal_pulses = absent
  expect emergency(6h)
  expect not urgent
}
"#;

/// A fresh folder for one test, holding the ruleset and any extra files.
fn workspace(name: &str, rules: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("osler-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("rules/demo.osl"), rules).unwrap_or_else(|e| panic!("{e}"));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

/// `osler args` in `dir`, its three streams piped.
fn spawn_osler(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_osler"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn osler(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = spawn_osler(dir, args);
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const RECORDS: &str = concat!(
    "{\"id\":\"p1\",\"unilateral\":true,\"pedal_pulses\":\"absent\"}\n",
    "\n",
    "{\"id\":\"p2\",\"pedal_pulses\":\"absnt\"}\n",
    "{\"id\":3,\"ankle_pressure\":\"45 mmHg\",\"symptom_duration\":\"3d\"}"
);

#[test]
fn run_writes_one_line_per_record_and_exits_3_on_rejects() {
    let dir = workspace("run", RULES, &[("records.jsonl", RECORDS)]);
    let output = osler(&dir, &["run", "rules", "--input", "records.jsonl"], None);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            r#"{"id":"p1","actions":[{"name":"emergency","args":["6h"],"rules":["ali_emergency"],"sources":["ali_2026"]}],"fired":["ali_emergency"],"overridden":[],"examine":[{"fact":"symptom_duration","could":["urgent(1d)"]}]}"#,
            r#"{"id":"p2","line":3,"error":"fact `pedal_pulses` expects one of present, diminished, absent, got \"absnt\""}"#,
            // The pulses could only bring an emergency the record has: nothing to examine.
            r#"{"id":3,"actions":[{"name":"emergency","args":["6h"],"rules":["pressure"],"sources":[]}],"fired":["pressure"],"overridden":[{"rule":"slow","by":["pressure"]}],"examine":[]}"#,
        ]
    );
    let summary = stderr(&output);
    assert!(summary.contains("3 records, 2 evaluated, 1 rejected"), "{summary}");
    assert!(summary.contains("emergency 2"), "{summary}");
}

#[test]
fn run_explain_levels() {
    let dir = workspace("explain", RULES, &[("records.jsonl", RECORDS)]);
    let run = |level: &str| {
        let output = osler(&dir, &["run", "rules", "--input", "records.jsonl", "--explain", level], None);
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
        stdout(&output)
    };
    let full = run("full");
    assert_eq!(
        full.lines().next(),
        Some(
            r#"{"id":"p1","actions":[{"name":"emergency","args":["6h"],"rules":["ali_emergency"],"sources":["ali_2026"]}],"fired":["ali_emergency"],"overridden":[],"undetermined":[{"rule":"pressure","missing":["ankle_pressure"]},{"rule":"slow","missing":["symptom_duration"]}],"examine":[{"fact":"symptom_duration","could":["urgent(1d)"]}]}"#
        )
    );
    let none = run("none");
    let lines: Vec<&str> = none.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"id":"p1","actions":[{"name":"emergency","args":["6h"],"rules":["ali_emergency"],"sources":["ali_2026"]}]}"#
    );
    // An error line is the same at every level.
    assert!(lines[1].starts_with(r#"{"id":"p2","line":3,"error":"#), "{}", lines[1]);
    let unknown = osler(&dir, &["run", "rules", "--input", "records.jsonl", "--explain", "all"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("brief"), "{}", stderr(&unknown));
}

#[test]
fn run_writes_csv_for_spreadsheets() {
    let dir = workspace("csv-out", RULES, &[("records.jsonl", RECORDS)]);
    let output = osler(&dir, &["run", "rules", "--input", "records.jsonl", "--output-format", "csv"], None);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "id,disposition,emergency,urgent,fired,warnings,error",
            "p1,,6h,,ali_emergency,,",
            // The error cell quotes: it holds a comma and quotes.
            r#"p2,,,,,,"line 3: fact `pedal_pulses` expects one of present, diminished, absent, got ""absnt""""#,
            "3,,6h,,pressure,,",
        ]
    );
    // CSV in, CSV out, through standard input.
    let csv = "id,unilateral,pedal_pulses\nq1,true,absent\n";
    let piped = osler(&dir, &["run", "rules", "--input", "-", "--format", "csv", "--output-format", "csv"], Some(csv));
    assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
    assert_eq!(stdout(&piped).lines().nth(1), Some("q1,,6h,,ali_emergency,,"));
}

#[test]
fn run_to_a_file_from_stdin_and_from_csv() {
    let csv = "id,unilateral,pedal_pulses\nq1,true,absent\nq2,false,present\n";
    let dir = workspace("files", RULES, &[("records.csv", csv)]);
    let output = osler(&dir, &["run", "rules", "--input", "-", "--output", "out.jsonl"], Some(RECORDS));
    assert_eq!(output.status.code(), Some(3));
    let written = std::fs::read_to_string(dir.join("out.jsonl")).unwrap_or_default();
    assert_eq!(written.lines().count(), 3);
    assert!(stdout(&output).is_empty());

    let output = osler(&dir, &["run", "rules", "--input", "records.csv", "--threads", "1"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2);
    assert!(text.starts_with(r#"{"id":"q1","actions":[{"name":"emergency""#), "{text}");
    // The same input gives the same bytes with any number of threads.
    let many = osler(&dir, &["run", "rules", "--input", "records.csv", "--threads", "4"], None);
    assert_eq!(stdout(&many), text);
}

#[test]
fn run_exit_statuses() {
    let dir = workspace("exits", RULES, &[("ok.jsonl", "{\"id\":1}\n"), ("bad.osl", "fact x: bool\nx and y -> z\n")]);
    let ok = osler(&dir, &["run", "rules", "--input", "ok.jsonl"], None);
    assert_eq!(ok.status.code(), Some(0));
    let missing = osler(&dir, &["run", "rules", "--input", "nope.jsonl"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nope.jsonl"));
    let broken = osler(&dir, &["run", "bad.osl", "--input", "ok.jsonl"], None);
    assert_eq!(broken.status.code(), Some(1));
    let no_ruleset = osler(&dir, &["run", "nowhere", "--input", "ok.jsonl"], None);
    assert_eq!(no_ruleset.status.code(), Some(2));
    let usage = osler(&dir, &["run", "rules"], None);
    assert_eq!(usage.status.code(), Some(2));
}

/// A rule unknown with no fact missing (a division by zero on the record)
/// says why instead of an empty "examine", as an undetermined rule and as
/// a provisional rule's exception.
#[test]
fn eval_says_a_division_by_zero_leaves_a_rule_unknown() {
    let rules = "
fact x: number
fact y: number
fact a: bool
action go()
action stop()
rule ratio: x / y > 1 -> go
rule base: a -> stop
rule exception overrides base: x / y > 2 -> go
";
    let dir = workspace("eval-division", rules, &[]);
    let output = osler(&dir, &["eval", "rules", "--facts", r#"{"x":3,"y":0,"a":true}"#], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let why = "an arithmetic result has no value, a division by zero; no fact is missing";
    assert!(text.contains(&format!("ratio (rules/demo.osl:7)\n      note    undetermined: {why}\n")), "{text}");
    assert!(text.contains(&format!("unless  exception fires (its condition is unknown: {why})")), "{text}");
    assert!(!text.contains("examine \n"), "{text}");
    // With `y` unknown, the facts to examine are listed as before.
    let output = osler(&dir, &["eval", "rules", "--facts", r#"{"x":3,"a":true}"#], None);
    let text = stdout(&output);
    assert!(text.contains("ratio (rules/demo.osl:7)\n      examine y\n"), "{text}");
    assert!(!text.contains(why), "{text}");
}

#[test]
fn eval_explains_and_prints_json() {
    let dir = workspace("eval", RULES, &[]);
    let facts = r#"{"id":"p9","unilateral":true,"pedal_pulses":"absent","ankle_pressure":45}"#;
    let output = osler(&dir, &["eval", "rules", "--facts", facts], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "record p9",
        "emergency(6h)",
        "ali_emergency \"Absent pulse with unilateral symptoms\"",
        "because pedal_pulses = absent, unilateral = true",
        "source  ali_2026: Vascular and Neurological Emergencies (2026)",
        "because ankle_pressure = 45 mmHg",
        "slow (rules/demo.osl:",
        "its condition is unknown, and it is overridden by pressure",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let partial = osler(&dir, &["eval", "rules", "--facts", r#"{"pedal_pulses":"absent"}"#], None);
    let text = stdout(&partial);
    assert!(text.contains("undetermined\n  ali_emergency"), "{text}");
    assert!(text.contains("examine unilateral\n      would   emergency(6h)"), "{text}");
    // The ranked list of what to examine comes before the full list.
    assert!(text.contains("examine next (most consequential first)\n  unilateral"), "{text}");
    assert!(text.find("examine next") < text.find("\nundetermined\n"), "{text}");
    let json = osler(&dir, &["eval", "rules", "--facts", facts, "--format", "json"], None);
    assert_eq!(json.status.code(), Some(0));
    assert!(stdout(&json).starts_with(
        r#"{"id":"p9","actions":[{"name":"emergency","args":["6h"],"rules":["ali_emergency","pressure"]"#
    ));
    let rejected = osler(&dir, &["eval", "rules", "--facts", r#"{"unilateral":"yes"}"#], None);
    assert_eq!(rejected.status.code(), Some(3));
    assert!(stderr(&rejected).contains("fact `unilateral` expects true or false"));
    let malformed = osler(&dir, &["eval", "rules", "--facts", "{", "--format", "json"], None);
    assert_eq!(malformed.status.code(), Some(3));
    assert!(stdout(&malformed).starts_with(r#"{"id":null,"line":1,"error":"malformed JSON"#), "{}", stdout(&malformed));
}

#[test]
fn schema_describes_every_fact() {
    let dir = workspace("schema", RULES, &[]);
    let output = osler(&dir, &["schema", "rules"], None);
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["title"], "Demo rules");
    let properties = &schema["properties"];
    assert_eq!(properties["unilateral"]["type"], serde_json::json!(["boolean", "null"]));
    assert_eq!(properties["unilateral"]["description"], "Symptoms affect one leg only.");
    assert_eq!(properties["pedal_pulses"]["enum"], serde_json::json!(["present", "diminished", "absent", null]));
    assert_eq!(properties["ankle_pressure"]["x-unit"], "mmHg");
    assert_eq!(properties["ankle_pressure"]["description"], "Absolute ankle pressure. (in mmHg)");
    assert!(properties["symptom_duration"]["pattern"].is_string());
    assert!(properties["id"].is_object());
    assert!(properties.get("absent_pulse").is_none());
}

#[test]
fn test_reports_failures_and_coverage() {
    let dir = workspace("test", RULES, &[]);
    let output = osler(&dir, &["test", "rules"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("1 passed, 0 failed"), "{text}");
    assert!(text.contains("1 of 3 rules"), "{text}");
    assert!(text.contains("pressure (rules/demo.osl:"), "{text}");
    let below = osler(&dir, &["test", "rules", "--coverage-min", "50"], None);
    assert_eq!(below.status.code(), Some(1));

    let failing = format!(
        "{RULES}\ntest \"wrong expectations\" {{\n  given ankle_pressure = 40 mmHg\n  expect urgent(1d)\n  expect not emergency(6h)\n  expect emergency\n}}\n"
    );
    let dir = workspace("test-fail", &failing, &[]);
    let output = osler(&dir, &["test", "rules"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("FAILED  wrong expectations"), "{text}");
    assert!(text.contains("expected urgent(1d), got emergency(6h)"), "{text}");
    assert!(text.contains("expected not emergency(6h), got emergency(6h)"), "{text}");
    assert!(text.contains("1 passed, 1 failed"), "{text}");
}

#[test]
fn coverage_min_is_a_percentage() {
    let dir = workspace("coverage-range", RULES, &[]);
    for bad in ["150", "-1", "100.5", "NaN", "lots"] {
        let output = osler(&dir, &["test", "rules", &format!("--coverage-min={bad}")], None);
        assert_eq!(output.status.code(), Some(2), "--coverage-min {bad}: {}", stderr(&output));
        assert!(stderr(&output).contains("percentage from 0 to 100"), "{}", stderr(&output));
        assert_eq!(stdout(&output), "", "nothing runs on a usage error");
    }
    for good in ["0", "33.3", "100"] {
        let output = osler(&dir, &["test", "rules", "--coverage-min", good], None);
        assert_ne!(output.status.code(), Some(2), "--coverage-min {good}: {}", stderr(&output));
    }
    assert_eq!(osler(&dir, &["test", "rules", "--coverage-min", "0"], None).status.code(), Some(0));
}

#[test]
fn a_ruleset_without_tests_fails_and_says_so() {
    let untested = RULES.split("\ntest ").next().unwrap_or(RULES);
    assert!(!untested.contains("expect"));
    let dir = workspace("no-tests", untested, &[]);
    let output = osler(&dir, &["test", "rules"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stderr(&output).contains("error: `rules` has no tests"), "{}", stderr(&output));
    // No coverage can be met without tests, not even 0%.
    for minimum in ["0", "80"] {
        let output = osler(&dir, &["test", "rules", "--coverage-min", minimum], None);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr(&output).contains(&format!("has no tests, so it cannot meet `--coverage-min {minimum}`")),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn tests_in_subfolders_belong_to_the_ruleset() {
    let untested = RULES.split("\ntest ").next().unwrap_or(RULES);
    let dir = workspace("subfolders", untested, &[]);
    let test = "baseline quiet {\n  given unilateral = false, pedal_pulses = present\n}\n\n\
                test \"one leg, no pulse\" {\n  given quiet, unilateral = true, pedal_pulses = absent\n\
                \x20 expect emergency(6h) from ali_emergency\n  expect ali_emergency fires\n}\n\n\
                test \"quiet\" {\n  given quiet\n  expect nothing\n  expect examine ankle_pressure\n}\n";
    std::fs::create_dir_all(dir.join("rules/tests/more")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("rules/tests/more/vascular.osl"), test).unwrap_or_else(|e| panic!("{e}"));
    // Hidden and build folders are no part of it: this would not check.
    for skipped in [".backup", "target", "node_modules"] {
        std::fs::create_dir_all(dir.join("rules").join(skipped)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join("rules").join(skipped).join("old.osl"), "fact unilateral: number\n")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let output = osler(&dir, &["test", "rules"], None);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).contains("ok      one leg, no pulse (rules/tests/more/vascular.osl:5)"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("2 passed, 0 failed"), "{}", stdout(&output));
    let check = osler(&dir, &["check", "rules"], None);
    assert!(stderr(&check).contains("checked 2 files"), "{}", stderr(&check));
    // A failing expectation of the new forms, through the command line.
    std::fs::write(
        dir.join("rules/tests/more/failing.osl"),
        "test \"fails\" {\n  given unilateral = true\n  expect ali_emergency fires\n  expect not examine pedal_pulses\n}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = osler(&dir, &["test", "rules"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("expected ali_emergency fires, got ali_emergency undetermined (missing pedal_pulses)"),
        "{text}"
    );
    assert!(text.contains("expected not examine pedal_pulses, got examine pedal_pulses, "), "{text}");
}

#[test]
fn fmt_formats_each_file_of_a_tree_once() {
    let dir = workspace("fmt-tree", "fact   a: bool\n", &[]);
    for (folder, file, text) in [
        ("rules/tests", "t.osl", "test \"t\" { given  a = true expect nothing }\n"),
        ("other", "o.osl", "fact  b: bool\n"),
        ("other/.hidden", "h.osl", "fact  c: bool\n"),
    ] {
        std::fs::create_dir_all(dir.join(folder)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.join(folder).join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let check = osler(&dir, &["fmt", ".", "--check"], None);
    assert_eq!(check.status.code(), Some(1));
    let listing = stdout(&check);
    let listed: Vec<&str> = listing.lines().map(|line| line.split(':').next().unwrap_or("")).collect();
    assert_eq!(listed, ["./other/o.osl", "./rules/demo.osl", "./rules/tests/t.osl"], "{listing}");
    assert!(stderr(&check).contains("checked 3 files: 3 files not formatted"), "{}", stderr(&check));
    let written = osler(&dir, &["fmt", "."], None);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let text = std::fs::read_to_string(dir.join("rules/tests/t.osl")).unwrap_or_default();
    assert_eq!(text, "test \"t\" {\n  given a = true\n  expect nothing\n}\n");
    assert_eq!(std::fs::read_to_string(dir.join("other/.hidden/h.osl")).unwrap_or_default(), "fact  c: bool\n");
}

#[test]
fn the_leg_pain_ruleset_passes_its_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if !root.join("rulesets/leg_pain").is_dir() {
        return;
    }
    let output = osler(&root, &["test", "rulesets/leg_pain"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains(" passed, 0 failed"));
}

/// Which stream a test reads one line of and then closes.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Runs `osler args`, reads one line of `stream` and closes it (as
/// `osler .. | head -1` does), feeding `stdin` from a thread. Returns the
/// exit status and what the other stream carried.
fn first_line_then_close(dir: &Path, args: &[&str], stream: Stream, stdin: Option<String>) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = spawn_osler(dir, args);
    let mut input = child.stdin.take();
    let feeder = std::thread::spawn(move || {
        if let (Some(input), Some(text)) = (input.as_mut(), stdin) {
            // osler may stop reading early: a failed write is expected.
            let _ = input.write_all(text.as_bytes());
        }
    });
    let (closed, mut other): (Box<dyn Read>, Box<dyn Read>) = match stream {
        Stream::Stdout => {
            (Box::new(child.stdout.take().expect("piped")), Box::new(child.stderr.take().expect("piped")))
        }
        Stream::Stderr => {
            (Box::new(child.stderr.take().expect("piped")), Box::new(child.stdout.take().expect("piped")))
        }
    };
    let mut line = String::new();
    BufReader::new(closed).read_line(&mut line).unwrap_or_else(|e| panic!("{e}"));
    assert!(!line.is_empty(), "no output from osler {args:?}");
    // `closed` was moved into the reader, which is dropped here.
    let mut rest = String::new();
    other.read_to_string(&mut rest).unwrap_or_else(|e| panic!("{e}"));
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    feeder.join().unwrap_or_else(|_| panic!("the stdin feeder panicked"));
    (status.code(), rest)
}

/// Far more records than a pipe buffers (64 KiB), so osler is still
/// writing when the reader goes away.
fn many_records() -> String {
    (0..20_000).map(|i| format!("{{\"id\":{i},\"unilateral\":true,\"pedal_pulses\":\"absent\"}}\n")).collect()
}

#[test]
fn run_into_a_closed_pipe_stops_quietly() {
    let records = many_records();
    let dir = workspace("closed-pipe", RULES, &[("many.jsonl", &records)]);
    for threads in ["1", "2"] {
        let args = ["run", "rules", "--input", "many.jsonl", "--threads", threads];
        let (status, stderr) = first_line_then_close(&dir, &args, Stream::Stdout, None);
        assert_eq!(status, Some(0), "{stderr}");
        assert_eq!(stderr, "", "threads {threads}");
    }
    let (status, stderr) =
        first_line_then_close(&dir, &["run", "rules", "--input", "-"], Stream::Stdout, Some(records.clone()));
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn every_command_that_writes_a_lot_stops_quietly_at_a_closed_pipe() {
    // Long names so that each command's output is larger than a pipe buffer.
    let pad = "x".repeat(300);
    let mut rules = String::from("source g \"G\" year 2026\naction act(n: number)\n");
    for i in 0..400 {
        rules.push_str(&format!(
            "/// Fact {i}: {pad}\nfact f{i}: bool\nrule r{i} \"Rule {i} {pad}\": f{i} -> act({i})\n"
        ));
        rules.push_str(&format!("test \"t{i} {pad}\" {{\n  given f{i} = true\n  expect act({i})\n}}\n"));
    }
    let dir = workspace("closed-pipe-all", &rules, &[]);
    for args in [
        &["test", "rules"][..],
        &["schema", "rules"],
        &["schema", "rules", "--format", "markdown"],
        &["eval", "rules", "--facts", "{}"],
        &["check", "rules", "--format", "json"],
    ] {
        let (status, stderr) = first_line_then_close(&dir, args, Stream::Stdout, None);
        assert_eq!(status, Some(0), "osler {args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "osler {args:?}: {stderr}");
    }
    // `check` writes its diagnostics to standard error (`2>&1 | head`).
    let (status, stdout) = first_line_then_close(&dir, &["check", "rules"], Stream::Stderr, None);
    assert_eq!(status, Some(0));
    assert_eq!(stdout, "");
}

#[test]
fn csv_on_stdin_with_format_csv() {
    let csv = "id,unilateral,pedal_pulses,ankle_pressure\nq1,true,absent,\nq2,false,present,45 mmHg\nq3,,absnt,\n";
    let dir = workspace("csv-stdin", RULES, &[("records.csv", csv)]);
    let from_file = osler(&dir, &["run", "rules", "--input", "records.csv"], None);
    assert_eq!(from_file.status.code(), Some(3), "{}", stderr(&from_file));
    assert_eq!(stdout(&from_file).lines().count(), 3);
    let from_stdin = osler(&dir, &["run", "rules", "--input", "-", "--format", "csv"], Some(csv));
    assert_eq!(from_stdin.status.code(), Some(3), "{}", stderr(&from_stdin));
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert!(stdout(&from_stdin).contains(r#""id":"q3","line":4,"error":"#), "{}", stdout(&from_stdin));
    // Without `--format`, standard input is JSON Lines.
    let as_json = osler(&dir, &["run", "rules", "--input", "-"], Some(csv));
    assert_ne!(stdout(&as_json), stdout(&from_file));
}
