//! `osler test`'s expectations, each form on a record where it holds and
//! on one where it does not, with the message the failure gives: what was
//! expected and what came out. Also baselines: their givens, replaced by
//! the test's own and by later baselines.

use osler_engine::Ruleset;
use osler_engine::testing::run_tests;

const RULES: &str = r#"
source g "Guide" year 2026
enum Pulse { present, absent }
fact unilateral: bool
fact numbness: bool
fact pedal_pulses: Pulse
fact age: number years
fact score: number
let absent_pulse = pedal_pulses == absent
action emergency(within: duration)
action follow_up()
action wells(points: number)
rule ali: absent_pulse and unilateral -> emergency(6h) cite g
rule numb: numbness and not unilateral -> follow_up cite g
rule old overrides numb: age > 80 years -> emergency(1d) cite g
rule also: pedal_pulses == absent -> emergency(6h) cite g
rule points: numbness -> wells(score) cite g

baseline quiet {
  given unilateral = false, numbness = false, pedal_pulses = present, age = 40 years
}
baseline numb_legs {
  given quiet, numbness = true
}
baseline old_age {
  given age = 90 years
}
"#;

/// The failures of one test `given GIVEN` with one `expect` line.
fn failures(given: &str, expect: &str) -> Vec<String> {
    let given = if given.is_empty() { String::new() } else { format!("  given {given}\n") };
    let text = format!("{RULES}\ntest \"t\" {{\n{given}  expect {expect}\n}}\n");
    let ruleset = Ruleset::from_sources(&[("t.osl".to_owned(), text.clone())])
        .unwrap_or_else(|error| panic!("the test ruleset does not check: {error}\n{text}"));
    let report = run_tests(&ruleset);
    assert_eq!(report.tests.len(), 1);
    report.tests[0].failures.clone()
}

fn passes(given: &str, expect: &str) {
    assert_eq!(failures(given, expect), Vec::<String>::new(), "given {given}, expect {expect}");
}

fn fails(given: &str, expect: &str, message: &str) {
    assert_eq!(failures(given, expect), [message], "given {given}, expect {expect}");
}

#[test]
fn expect_from_names_a_rule_that_produced_the_call() {
    let both = "quiet, unilateral = true, pedal_pulses = absent";
    passes(both, "emergency(6h) from ali");
    // One entry lists every rule that produced the call.
    passes(both, "emergency(6h) from also");
    passes(both, "emergency from ali");
    fails(both, "not emergency from also", "expected not emergency from also, got emergency(6h) from ali, also");
    let one = "quiet, pedal_pulses = absent";
    fails(one, "emergency(6h) from ali", "expected emergency(6h) from ali, got emergency(6h) from also");
    passes(one, "not emergency(6h) from ali");
    fails(one, "follow_up from numb", "expected follow_up from numb, got no follow_up (actions: emergency(6h))");
    fails("quiet", "follow_up from numb", "expected follow_up from numb, got no actions");
    // The call's arguments count.
    fails(one, "emergency(1d) from also", "expected emergency(1d) from also, got emergency(6h) from also");
}

#[test]
fn expect_fires_says_what_became_of_the_rule() {
    passes("numb_legs, score = 2", "numb fires");
    fails("numb_legs, score = 2, age = 90 years", "numb fires", "expected numb fires, got numb overridden by old");
    passes("numb_legs, score = 2, age = 90 years", "not numb fires");
    fails("quiet", "numb fires", "expected numb fires, got numb false");
    fails("numbness = true", "numb fires", "expected numb fires, got numb undetermined (missing unilateral)");
    fails("quiet, unilateral = true, pedal_pulses = absent", "not ali fires", "expected not ali fires, got ali fired");
}

#[test]
fn expect_undetermined_holds_while_the_outcome_is_unknown() {
    passes("numbness = true", "undetermined numb");
    fails("numb_legs", "undetermined numb", "expected undetermined numb, got numb fired");
    // A computed argument that is unknown leaves its rule undetermined.
    passes("numb_legs", "undetermined points");
    fails(
        "numb_legs",
        "not undetermined points",
        "expected not undetermined points, got points undetermined (missing score)",
    );
    passes("numb_legs, score = 3", "not undetermined points");
}

#[test]
fn expect_examine_reads_the_ranked_list() {
    passes("numb_legs", "examine score");
    fails("numb_legs", "examine age", "expected examine age, got examine score");
    fails("numb_legs", "not examine score", "expected not examine score, got examine score");
    passes("numb_legs", "not examine age");
    fails("quiet, score = 1", "examine age", "expected examine age, got nothing to examine");
}

#[test]
fn expect_nothing_holds_when_no_action_stands() {
    passes("quiet", "nothing");
    fails("quiet, pedal_pulses = absent", "nothing", "expected nothing, got emergency(6h)");
    // The record of a test with no given at all: every rule undetermined.
    passes("", "nothing");
}

#[test]
fn the_plain_forms_still_report_the_actions() {
    passes("quiet, pedal_pulses = absent", "emergency(6h)");
    fails("quiet, pedal_pulses = absent", "not emergency", "expected not emergency, got emergency(6h)");
    fails("quiet", "follow_up", "expected follow_up, got no actions");
}

#[test]
fn a_test_replaces_its_baselines_values_and_later_baselines_replace_earlier_ones() {
    // `numb_legs` replaces `quiet`'s numbness; the test replaces it back,
    // wherever it writes its own value.
    passes("numb_legs, score = 1", "follow_up from numb");
    passes("numb_legs, numbness = false", "nothing");
    passes("numbness = false, numb_legs", "nothing");
    // Of two baselines, the later one's value counts.
    passes("quiet, old_age, numbness = true", "old fires");
    passes("old_age, quiet, numbness = true", "numb fires");
    fails("quiet, old_age, numbness = true", "nothing", "expected nothing, got emergency(1d)");
    passes("old_age, quiet, numbness = true, score = 1", "not emergency");
}

#[test]
fn the_model_holds_one_value_per_fact() {
    let text = format!("{RULES}\ntest \"t\" {{\n  given numb_legs, old_age, age = 50 years\n  expect nothing\n}}\n");
    let checked = osler_dsl::check_sources(&[("t.osl".to_owned(), text)]);
    let model = checked.model.unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let names: Vec<(String, String)> = model.tests[0]
        .given
        .iter()
        .map(|(fact, value)| (model.facts[*fact as usize].name.clone(), model.render_value(value)))
        .collect();
    let expected = [("unilateral", "false"), ("numbness", "true"), ("pedal_pulses", "present"), ("age", "50 years")];
    assert_eq!(names, expected.map(|(fact, value)| (fact.to_owned(), value.to_owned())));
}
