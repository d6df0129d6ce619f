//! The engine's replay of the static analysis: a finding is reported only
//! when the engine shows it on its example, an approximate one it does not
//! show becomes `osler::undecided`, an exact one it does not show is a loud
//! internal error; the "add as test" block checks clean and passes; and
//! `diff` and `diff_corpus` compare two versions on the boundary record
//! and on real records.

#![expect(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use osler_dsl::analysis::{Claim, Finding, Side, Subject};
use osler_dsl::diagnostic::{ExampleValue, Severity};
use osler_dsl::model::Value;
use osler_dsl::{Code, FileDiagnostic};
use osler_engine::Ruleset;
use osler_engine::analysis::{CorpusFormat, confirm, diff, diff_corpus};

const RULES: &str = r#"
source g "Guideline" year 2026
enum Pulse { present, absent }
fact pain: bool
fact pulse: Pulse
fact abi: number
fact pressure: number mmHg
fact onset: duration
fact note: string
action refer()
action emergency(within: duration)
action order(test: string)
rule base "Base": pain -> refer cite g
rule top "Top" overrides base: pain and pulse == absent -> emergency(6h) cite g
rule low "Low": abi < 0.9 and pressure < 50 mmHg and onset > 3d -> emergency(6h) cite g
rule noted "Noted": note == "say \"hi\"" -> order("duplex") cite g
rule dead "Dead": pain and not pain -> refer cite g
assert pain_referred: pain -> refer
"#;

fn load(text: &str) -> Ruleset {
    match Ruleset::from_sources(&[("t.osl".to_owned(), text.to_owned())]) {
        Ok(ruleset) => ruleset,
        Err(error) => panic!("the test ruleset does not check: {error}"),
    }
}

fn rule_index(ruleset: &Ruleset, id: &str) -> u32 {
    ruleset.model().rules.iter().position(|rule| rule.id == id).unwrap() as u32
}

fn finding(subject: Subject, claim: Claim, example: Vec<(u32, Value)>, approximate: bool) -> Finding {
    Finding {
        code: Code::AlwaysOverridden,
        severity: Severity::Warning,
        subject,
        message: "rule `base` never fires: whenever its condition is true, a rule that overrides it is true too"
            .to_owned(),
        label: "always overridden".to_owned(),
        help: None,
        related: Vec::new(),
        example: Some(example),
        candidates: Vec::new(),
        claim: Some(claim),
        approximate,
        silent: false,
    }
}

fn codes(diagnostics: &[FileDiagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.diagnostic.code).collect()
}

#[test]
fn an_exact_finding_the_engine_does_not_show_is_an_internal_error() {
    let ruleset = load(RULES);
    let base = rule_index(&ruleset, "base");
    // `pain` alone makes `base` fire, not overridden: the claim is false.
    let wrong = finding(Subject::Rule(base), Claim::Overridden(base), vec![(0, Value::Bool(true))], false);
    let confirmed = confirm(&ruleset, &[wrong]);
    assert_eq!(confirmed.len(), 1);
    let diagnostic = &confirmed[0].diagnostic;
    assert_eq!(diagnostic.diagnostic.code, Code::Internal);
    assert_eq!(diagnostic.diagnostic.severity, Severity::Error);
    assert_eq!(
        diagnostic.diagnostic.message,
        "internal error: the analysis's example for `osler::always_overridden` does not show it in the engine"
    );
    assert_eq!(diagnostic.path, "t.osl");
    let text = &RULES[diagnostic.diagnostic.span.start as usize..diagnostic.diagnostic.span.end as usize];
    assert_eq!(text, "base");
}

#[test]
fn an_approximate_finding_the_engine_does_not_show_is_undecided() {
    let ruleset = load(RULES);
    let base = rule_index(&ruleset, "base");
    let maybe = finding(Subject::Rule(base), Claim::Overridden(base), vec![(0, Value::Bool(true))], true);
    let confirmed = confirm(&ruleset, &[maybe]);
    assert_eq!(codes(&[confirmed[0].diagnostic.clone()]), [Code::Undecided]);
    assert_eq!(confirmed[0].diagnostic.diagnostic.severity, Severity::Warning);
    assert_eq!(
        confirmed[0].diagnostic.diagnostic.message,
        format!("could not prove or refute that rule `base` never fires: {}", osler_dsl::analysis::NOT_FOLLOWED)
    );
    // A later candidate that shows the claim is the one reported.
    let mut second = finding(Subject::Rule(base), Claim::Overridden(base), vec![(0, Value::Bool(true))], true);
    second.candidates = vec![vec![(0, Value::Bool(true)), (1, Value::Variant(0, 1))]];
    let confirmed = confirm(&ruleset, &[second.clone()]);
    assert_eq!(confirmed[0].diagnostic.diagnostic.code, Code::AlwaysOverridden);
    assert_eq!(confirmed[0].given, [("pain".to_owned(), "true".to_owned()), ("pulse".to_owned(), "absent".to_owned())]);
    // Exact findings have no candidates to fall back on.
    second.approximate = false;
    assert_eq!(confirm(&ruleset, &[second])[0].diagnostic.diagnostic.code, Code::Internal);
    // A silent check that does not hold says its own message.
    let mut silent = finding(Subject::Rule(base), Claim::Overridden(base), vec![(0, Value::Bool(true))], true);
    silent.silent = true;
    silent.message = "could not prove or refute that rule `base` can fire: arithmetic between facts".to_owned();
    let confirmed = confirm(&ruleset, &[silent.clone()]);
    assert_eq!(confirmed[0].diagnostic.diagnostic.message, silent.message);
    // And one that holds says nothing.
    silent.claim = Some(Claim::ConditionTrue(base));
    assert!(confirm(&ruleset, &[silent]).is_empty());
}

#[test]
fn confirmed_findings_carry_the_example_and_the_rules_that_fired() {
    let ruleset = load(RULES);
    let confirmed = ruleset.analyze();
    let found = codes(&confirmed.iter().map(|c| c.diagnostic.clone()).collect::<Vec<_>>());
    assert!(found.contains(&Code::DeadRule), "{found:?}");
    assert!(found.contains(&Code::AssertViolated), "{found:?}");
    assert!(!found.contains(&Code::Internal), "{confirmed:#?}");
    // Sorted by position.
    let starts: Vec<u32> = confirmed.iter().map(|c| c.diagnostic.diagnostic.span.start).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    let dead = confirmed.iter().find(|c| c.diagnostic.diagnostic.code == Code::DeadRule).unwrap();
    assert_eq!(dead.diagnostic.diagnostic.example, None, "a proof that it never fires has no example");
    // The assert fails when `top` overrides `base`: `pain` with an absent pulse.
    let assert = confirmed.iter().find(|c| c.diagnostic.diagnostic.code == Code::AssertViolated).unwrap();
    let example = assert.diagnostic.diagnostic.example.clone().unwrap();
    assert!(example.contains(&("pain".to_owned(), ExampleValue::Bool(true))), "{example:?}");
    assert!(example.contains(&("pulse".to_owned(), ExampleValue::Text("absent".to_owned()))), "{example:?}");
    assert_eq!(assert.expects, ["emergency(6h)"]);
    assert!(assert.given.contains(&("pulse".to_owned(), "absent".to_owned())), "{:?}", assert.given);
    let related = &assert.diagnostic.diagnostic.related;
    let top = &ruleset.model().rules[rule_index(&ruleset, "top") as usize].location.span;
    assert!(
        related.iter().any(|r| r.path.is_none() && r.span == *top && r.message.contains("fired on the example")),
        "{related:?}"
    );
}

#[test]
fn a_test_block_from_a_finding_checks_clean_and_passes() {
    let ruleset = load(RULES);
    let mut confirmed = ruleset.analyze();
    // A finding on a record with an empty output, and one with every kind
    // of literal: quantity, duration, number, variant and escaped string.
    let low = rule_index(&ruleset, "low");
    let values = vec![
        (1, Value::Variant(0, 1)),
        (2, Value::Number(0.5)),
        (3, Value::Quantity(40.0, osler_dsl::units::Unit::parse("mmHg").unwrap())),
        (4, Value::Duration(73.0 * 3600.0)),
        (5, Value::String("say \"hi\" \\ there".to_owned())),
    ];
    confirmed.extend(confirm(&ruleset, &[finding(Subject::Rule(low), Claim::ConditionTrue(low), values, false)]));
    let empty = finding(Subject::Rule(low), Claim::ConditionTrue(rule_index(&ruleset, "dead")), vec![], true);
    confirmed.extend(confirm(&ruleset, &[empty]));
    let with_example: Vec<_> = confirmed.iter().filter(|c| c.diagnostic.diagnostic.code != Code::DeadRule).collect();
    assert!(with_example.len() >= 3);
    let literal = with_example.iter().find(|c| c.given.len() == 5).unwrap();
    let block = literal.test_block("from the \"low\" finding");
    assert!(block.contains("pressure = 40 mmHg"), "{block}");
    assert!(block.contains("onset = 73h"), "{block}");
    assert!(block.contains(r#"note = "say \"hi\" \\ there""#), "{block}");
    assert!(block.contains("expect emergency(6h)"), "{block}");
    let silent = with_example.iter().find(|c| c.expects.is_empty()).unwrap();
    assert!(silent.test_block("x").contains("  expect nothing\n"), "{}", silent.test_block("x"));
    let mut text = RULES.to_owned();
    for (n, confirmed) in with_example.iter().enumerate() {
        text.push_str(&confirmed.test_block(&format!("finding {n}")));
    }
    let checked = osler_dsl::check_sources(&[("t.osl".to_owned(), text.clone())]);
    let problems: Vec<_> = checked.diagnostics.iter().filter(|d| d.diagnostic.severity == Severity::Error).collect();
    assert!(problems.is_empty(), "{problems:#?}\n{text}");
    let before = osler_dsl::check_sources(&[("t.osl".to_owned(), RULES.to_owned())]).diagnostics.len();
    assert_eq!(checked.diagnostics.len(), before, "the tests add no diagnostic:\n{text}");
    let report = osler_engine::testing::run_tests(&load(&text));
    assert_eq!(report.tests.len(), with_example.len());
    assert_eq!(report.failed(), 0, "{:#?}\n{text}", report.tests);
}

const OLD: &str = r#"
source g "Guideline" year 2026
fact exertional_injury: bool
fact symptom_duration: duration
action emergency(within: duration)
action follow_up()
rule long "Long": symptom_duration > 72h and exertional_injury -> emergency(6h) cite g
rule short "Short": symptom_duration <= 72h -> follow_up cite g
"#;

#[test]
fn diff_reports_exactly_the_boundary_record() {
    let old = load(OLD);
    let new = load(&OLD.replace("symptom_duration > 72h", "symptom_duration >= 72h"));
    let changes = diff(&old, &new).unwrap();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let change = &changes[0];
    assert_eq!(change.call, "emergency(6h)");
    assert_eq!(change.side, Side::New);
    assert!(!change.undecided);
    assert_eq!(
        change.example,
        [
            ("exertional_injury".to_owned(), ExampleValue::Bool(true)),
            ("symptom_duration".to_owned(), ExampleValue::Text("3d".to_owned())),
        ]
    );
    assert_eq!(change.old_actions, ["follow_up"]);
    assert_eq!(change.new_actions, ["emergency(6h)", "follow_up"]);
    assert!(diff(&old, &old).unwrap().is_empty());
}

#[test]
fn diff_refuses_a_fact_whose_type_changed() {
    let old = load(OLD);
    let new = load(
        &OLD.replace("fact exertional_injury: bool", "fact exertional_injury: number")
            .replace("and exertional_injury ->", "and exertional_injury > 1 ->"),
    );
    let error = diff(&old, &new).unwrap_err();
    assert!(error.to_string().contains("exertional_injury"), "{error}");
}

#[test]
fn diff_corpus_counts_changed_and_rejected_records() {
    let old = load(OLD);
    let new = load(&OLD.replace("symptom_duration > 72h", "symptom_duration >= 72h"));
    let lines = concat!(
        r#"{"id":"p1","symptom_duration":"3d","exertional_injury":true}"#,
        "\n",
        r#"{"id":"p2","symptom_duration":"4d","exertional_injury":true}"#,
        "\n\n",
        r#"{"symptom_duration":"72h","exertional_injury":true}"#,
        "\n",
        r#"{"id":"bad","symptom_duration":"soon"}"#,
        "\n",
    );
    let corpus = diff_corpus(&old, &new, lines.as_bytes(), CorpusFormat::JsonLines, 5).unwrap();
    assert_eq!((corpus.records, corpus.changed, corpus.rejected), (4, 2, 1));
    assert_eq!((corpus.rejected_by_old, corpus.rejected_by_new), (1, 1));
    assert_eq!(corpus.first_changed, ["p1", "line 4"]);
    let csv = "id,symptom_duration,exertional_injury\nc1,3d,true\n,72h,true\nc3,1d,false\n";
    let corpus = diff_corpus(&old, &new, csv.as_bytes(), CorpusFormat::Csv, 1).unwrap();
    assert_eq!((corpus.records, corpus.changed, corpus.rejected), (3, 2, 0));
    assert_eq!(corpus.first_changed, ["c1"]);
}

#[test]
fn an_undecided_finding_shows_the_record_it_tried() {
    let ruleset = load(RULES);
    let base = rule_index(&ruleset, "base");
    let help = |example: Vec<(u32, Value)>| {
        let maybe = finding(Subject::Rule(base), Claim::Overridden(base), example, true);
        confirm(&ruleset, &[maybe])[0].diagnostic.diagnostic.help.clone().unwrap_or_default()
    };
    let shown = help(vec![(0, Value::Bool(true))]);
    assert!(shown.contains(r#"the record it found, `{"pain":true}`;"#), "{shown}");
    // The empty record in words, not a bare `{}` that reads as a gap.
    let shown = help(Vec::new());
    assert!(shown.contains("the record it found, `{}` (every fact unknown);"), "{shown}");
}
