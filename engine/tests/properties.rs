//! The engine's checking of `assert` and `exclusive` properties on one
//! record, which an analysis relies on to replay its example records:
//! three-valued `when`/`then`, action patterns read from the output that
//! stands (after overrides, identical calls merged), exclusives, records
//! from model values and from examples, the index accessors of an
//! evaluation, and `osler run` unaffected by declared properties.

use std::sync::Arc;

use osler_dsl::diagnostic::ExampleValue;
use osler_dsl::model::{AssertInfo, CompareOp, ExclusiveInfo, Expr, Location, Model, Value};
use osler_engine::batch::{self, RunOptions};
use osler_engine::{PropertyReport, Record, Ruleset, Truth};

const RULES: &str = r#"
enum Limb { left, right }
fact pain: bool
fact pulse_absent: bool
fact injury: bool
fact side: Limb
fact onset: duration
action self_care()
action suspect(side: Limb)
action emergency(within: duration)
rule home: pain -> self_care
rule ali_left: pulse_absent and side == left -> suspect(left), emergency(6h)
rule ali_right: pulse_absent and side == right -> suspect(right), emergency(6h)
rule ali_any: pulse_absent -> emergency(6h)
rule late: pulse_absent and onset > 1d -> suspect(right)
rule injured overrides home: injury -> emergency(6h)
"#;

fn base() -> Model {
    match Ruleset::from_sources(&[("t.osl".to_owned(), RULES.to_owned())]) {
        Ok(ruleset) => ruleset.model().clone(),
        Err(error) => panic!("the test ruleset does not check: {error}"),
    }
}

fn location() -> Location {
    Location { path: "t.osl".to_owned(), line: 1, span: Default::default(), allow: Vec::new() }
}

fn fact(model: &Model, name: &str) -> Expr {
    match model.facts.iter().position(|fact| fact.name == name) {
        Some(index) => Expr::Fact(index as u32),
        None => panic!("no fact {name}"),
    }
}

fn action(model: &Model, name: &str) -> u32 {
    model.action_index(name).unwrap_or_else(|| panic!("no action {name}"))
}

fn left() -> Value {
    Value::Variant(0, 0)
}

fn right() -> Value {
    Value::Variant(0, 1)
}

/// The base ruleset with these asserts (`(when, then)`) and exclusives.
fn with_properties(asserts: Vec<(Expr, Expr)>, exclusives: &[&str]) -> Ruleset {
    let mut model = base();
    model.asserts = asserts
        .into_iter()
        .enumerate()
        .map(|(index, (when, then))| AssertInfo {
            id: format!("t_assert_{index}"),
            title: None,
            doc: None,
            when,
            then,
            cites: Vec::new(),
            location: location(),
        })
        .collect();
    model.exclusives =
        exclusives.iter().map(|name| ExclusiveInfo { action: action(&model, name), location: location() }).collect();
    match Ruleset::from_model(Arc::new(model)) {
        Ok(ruleset) => ruleset,
        Err(error) => panic!("the model does not compile: {error}"),
    }
}

fn read(ruleset: &Ruleset, json: &str) -> Record {
    ruleset.read_json(json).unwrap_or_else(|error| panic!("record {json} rejected: {error}"))
}

fn check(ruleset: &Ruleset, json: &str) -> PropertyReport {
    ruleset.check_properties(&read(ruleset, json)).unwrap_or_else(|error| panic!("{error}"))
}

/// `(when, then, violated)` of each assert.
fn asserts(report: &PropertyReport) -> Vec<(Truth, Truth, bool)> {
    report.asserts.iter().map(|check| (check.when, check.then, check.violated())).collect()
}

#[test]
fn an_assert_is_violated_when_its_when_is_true_and_its_then_is_not() {
    let model = base();
    // pulse_absent -> not self_care
    let rules = with_properties(
        vec![(fact(&model, "pulse_absent"), Expr::Not(Box::new(Expr::Output(action(&model, "self_care"), None))))],
        &[],
    );
    let violated = check(&rules, r#"{"pulse_absent":true,"pain":true}"#);
    assert_eq!(asserts(&violated), [(Truth::True, Truth::False, true)]);
    assert!(!violated.holds());
    let holding = check(&rules, r#"{"pulse_absent":true,"pain":false}"#);
    assert_eq!(asserts(&holding), [(Truth::True, Truth::True, false)]);
    assert!(holding.holds());
    // A false `when` holds whatever `then` is.
    let vacuous = check(&rules, r#"{"pulse_absent":false,"pain":true}"#);
    assert_eq!(asserts(&vacuous), [(Truth::False, Truth::False, false)]);
}

#[test]
fn an_unknown_when_violates_nothing_and_an_unknown_then_violates() {
    let model = base();
    // pain -> injury: both sides read facts, so both can be unknown.
    let rules = with_properties(vec![(fact(&model, "pain"), fact(&model, "injury"))], &[]);
    assert_eq!(asserts(&check(&rules, r#"{"injury":false}"#)), [(Truth::Unknown, Truth::False, false)]);
    assert_eq!(asserts(&check(&rules, r#"{"pain":true}"#)), [(Truth::True, Truth::Unknown, true)]);
    assert_eq!(asserts(&check(&rules, r#"{"pain":true,"injury":true}"#)), [(Truth::True, Truth::True, false)]);
}

#[test]
fn patterns_with_arguments_match_that_call_only() {
    let model = base();
    let suspect = action(&model, "suspect");
    let rules = with_properties(
        vec![
            // true -> suspect(left), suspect(right), suspect, emergency(6h): each pattern's truth is `then`.
            (Expr::Const(Value::Bool(true)), Expr::Output(suspect, Some(vec![left()]))),
            (Expr::Const(Value::Bool(true)), Expr::Output(suspect, Some(vec![right()]))),
            (Expr::Const(Value::Bool(true)), Expr::Output(suspect, None)),
            (
                Expr::Const(Value::Bool(true)),
                Expr::Output(action(&model, "emergency"), Some(vec![Value::Duration(6.0 * 3600.0)])),
            ),
            (
                Expr::Const(Value::Bool(true)),
                Expr::Output(action(&model, "emergency"), Some(vec![Value::Duration(3600.0)])),
            ),
        ],
        &[],
    );
    let thens = |json: &str| check(&rules, json).asserts.iter().map(|check| check.then).collect::<Vec<_>>();
    let (t, f) = (Truth::True, Truth::False);
    assert_eq!(thens(r#"{"pulse_absent":true,"side":"left"}"#), [t, f, t, t, f]);
    assert_eq!(thens(r#"{"pulse_absent":true,"side":"right"}"#), [f, t, t, t, f]);
    // Nothing in the output: every pattern is false, never unknown, even
    // though the rules are undetermined.
    assert_eq!(thens(r#"{}"#), [f, f, f, f, f]);
}

#[test]
fn an_overridden_rules_actions_do_not_match() {
    let model = base();
    let self_care = Expr::Output(action(&model, "self_care"), None);
    // pain -> self_care: `home` is overridden by `injured` when injury is true.
    let rules = with_properties(vec![(fact(&model, "pain"), self_care)], &[]);
    assert_eq!(asserts(&check(&rules, r#"{"pain":true,"injury":false}"#)), [(Truth::True, Truth::True, false)]);
    assert_eq!(asserts(&check(&rules, r#"{"pain":true,"injury":true}"#)), [(Truth::True, Truth::False, true)]);
    // An overriding rule whose condition is unknown does not override.
    assert_eq!(asserts(&check(&rules, r#"{"pain":true}"#)), [(Truth::True, Truth::True, false)]);
}

#[test]
fn asserts_read_lets_and_comparisons_like_rules() {
    let mut model = base();
    let onset = fact(&model, "onset");
    model.lets.push(osler_dsl::model::LetInfo {
        name: "late_onset".to_owned(),
        ty: osler_dsl::model::Type::Bool,
        value: Expr::Compare(CompareOp::Gt, Box::new(onset), Box::new(Expr::Const(Value::Duration(86_400.0)))),
        doc: None,
    });
    let late = Expr::Let(model.lets.len() as u32 - 1);
    // late_onset and pulse_absent -> suspect(right)
    let when = Expr::And(vec![late, fact(&model, "pulse_absent")]);
    let then = Expr::Output(action(&model, "suspect"), Some(vec![right()]));
    model.asserts.push(AssertInfo {
        id: "late".to_owned(),
        title: None,
        doc: None,
        when,
        then,
        cites: Vec::new(),
        location: location(),
    });
    let rules = Ruleset::from_model(Arc::new(model)).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        asserts(&check(&rules, r#"{"pulse_absent":true,"onset":"2d","side":"left"}"#)),
        [(Truth::True, Truth::True, false)]
    );
    assert_eq!(asserts(&check(&rules, r#"{"pulse_absent":true,"onset":"2h"}"#)), [(Truth::False, Truth::False, false)]);
}

#[test]
fn exclusive_is_violated_by_two_different_calls_not_by_one_merged_call() {
    let model = base();
    let rules = with_properties(Vec::new(), &["suspect", "emergency"]);
    // ali_left gives suspect(left), late gives suspect(right); emergency(6h)
    // comes from two rules and is one call.
    let report = check(&rules, r#"{"pulse_absent":true,"side":"left","onset":"2d"}"#);
    let [suspect, emergency] = report.exclusives.as_slice() else { panic!("two exclusives: {report:?}") };
    assert_eq!(suspect.action, action(&model, "suspect"));
    assert_eq!(suspect.calls, [vec![left()], vec![right()]]);
    assert!(suspect.violated());
    assert_eq!(emergency.calls, [vec![Value::Duration(6.0 * 3600.0)]]);
    assert!(!emergency.violated());
    assert!(!report.holds());
    // ali_right and late both give suspect(right): one call, not violated.
    let merged = check(&rules, r#"{"pulse_absent":true,"side":"right","onset":"2d"}"#);
    assert_eq!(merged.exclusives[0].calls, [vec![right()]]);
    assert!(merged.holds());
}

#[test]
fn a_pattern_outside_an_assert_is_an_inconsistent_model() {
    let mut model = base();
    let self_care = action(&model, "self_care");
    let mut in_a_rule = model.clone();
    in_a_rule.rules[0].condition = Expr::Output(self_care, None);
    assert!(Ruleset::from_model(Arc::new(in_a_rule)).is_err());
    // Nor in a let, even one only an assert reads.
    model.lets.push(osler_dsl::model::LetInfo {
        name: "cared".to_owned(),
        ty: osler_dsl::model::Type::Bool,
        value: Expr::Output(self_care, None),
        doc: None,
    });
    let read_by_assert = Expr::Let(model.lets.len() as u32 - 1);
    model.asserts.push(AssertInfo {
        id: "a".to_owned(),
        title: None,
        doc: None,
        when: read_by_assert,
        then: Expr::Const(Value::Bool(true)),
        cites: Vec::new(),
        location: location(),
    });
    assert!(Ruleset::from_model(Arc::new(model.clone())).is_err());
    // The same pattern in the assert itself compiles.
    model.lets.pop();
    model.asserts[0].when = Expr::Output(self_care, None);
    assert!(Ruleset::from_model(Arc::new(model)).is_ok());
}

#[test]
fn records_come_from_model_values_and_from_examples() {
    let rules = with_properties(Vec::new(), &[]);
    let model = rules.model();
    let index = |name: &str| model.facts.iter().position(|f| f.name == name).map(|i| i as u32).unwrap_or(u32::MAX);
    let from_values = rules
        .record_from_values(&[
            (index("pulse_absent"), Value::Bool(true)),
            (index("side"), left()),
            (index("onset"), Value::Duration(2.0 * 86_400.0)),
        ])
        .unwrap_or_else(|error| panic!("{error}"));
    let from_json = read(&rules, r#"{"pulse_absent":true,"side":"left","onset":"2d"}"#);
    let example = vec![
        ("pulse_absent".to_owned(), ExampleValue::Bool(true)),
        ("side".to_owned(), ExampleValue::Text("left".to_owned())),
        ("onset".to_owned(), ExampleValue::Text("2d".to_owned())),
    ];
    let from_example = rules.record_from_example(&example).unwrap_or_else(|error| panic!("{error}"));
    let line = |record: &Record| rules.evaluate(record).unwrap_or_else(|error| panic!("{error}")).to_json_line();
    assert_eq!(line(&from_values), line(&from_json));
    assert_eq!(line(&from_example), line(&from_json));
    // Values of the wrong type, or for no fact, are errors naming the fact.
    let wrong = rules.record_from_values(&[(index("side"), Value::Bool(true))]);
    assert!(wrong.is_err_and(|error| error.field() == Some("side")));
    assert!(rules.record_from_values(&[(index("onset"), Value::Number(3.0))]).is_err());
    assert!(rules.record_from_values(&[(index("side"), Value::Variant(0, 9))]).is_err());
    assert!(rules.record_from_values(&[(99, Value::Bool(true))]).is_err());
    assert!(rules.record_from_values(&[(index("pain"), Value::Duration(f64::NAN))]).is_err());
    let bad_example = vec![("side".to_owned(), ExampleValue::Text("middle".to_owned()))];
    assert!(rules.record_from_example(&bad_example).is_err());
}

#[test]
fn an_evaluation_gives_rule_and_action_indices() {
    let rules = with_properties(Vec::new(), &[]);
    let model = rules.model();
    let rule = |id: &str| model.rule_index(id).unwrap_or(u32::MAX);
    let record = read(&rules, r#"{"pain":true,"injury":true,"pulse_absent":true,"side":"left"}"#);
    let mut evaluator = rules.evaluator();
    let evaluated = evaluator.evaluate(&record).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(evaluated.fired_rules().collect::<Vec<_>>(), [rule("ali_left"), rule("ali_any"), rule("injured")]);
    let overridden: Vec<(u32, Vec<u32>)> = evaluated.overridden_rules().map(|(r, by)| (r, by.collect())).collect();
    assert_eq!(overridden, [(rule("home"), vec![rule("injured")])]);
    // ali_right is false (side is left); late is unknown (onset is).
    assert_eq!(evaluated.undetermined_rules().collect::<Vec<_>>(), [rule("late")]);
    let actions: Vec<(u32, Vec<Value>)> = evaluated.actions().map(|(a, args)| (a, args.to_vec())).collect();
    assert_eq!(
        actions,
        [(action(model, "suspect"), vec![left()]), (action(model, "emergency"), vec![Value::Duration(6.0 * 3600.0)]),]
    );
    assert_eq!(evaluated.conditions()[rule("late") as usize], Truth::Unknown);
}

#[test]
fn declared_properties_do_not_change_a_run() {
    let model = base();
    let plain = with_properties(Vec::new(), &[]);
    let with = with_properties(
        vec![
            (fact(&model, "pain"), Expr::Output(action(&model, "self_care"), None)),
            (Expr::Output(action(&model, "emergency"), None), Expr::Not(Box::new(fact(&model, "injury")))),
        ],
        &["suspect"],
    );
    let input = concat!(
        r#"{"id":1,"pain":true,"injury":true,"pulse_absent":true,"side":"left","onset":"2d"}"#,
        "\n",
        r#"{"id":2,"pain":true}"#,
        "\n",
        r#"{"id":3,"side":"up"}"#,
        "\n",
    );
    let run = |ruleset: &Ruleset| {
        let mut out = Vec::new();
        batch::run_json_lines(ruleset, input.as_bytes(), &mut out, RunOptions::default(), &mut |_| {})
            .unwrap_or_else(|error| panic!("{error}"));
        String::from_utf8(out).unwrap_or_else(|error| panic!("{error}"))
    };
    let expected = run(&plain);
    assert_eq!(expected.lines().count(), 3);
    assert_eq!(run(&with), expected);
    let record = read(&with, r#"{"id":2,"pain":true}"#);
    assert_eq!(
        with.evaluate(&record).map(|o| o.to_json_line()),
        plain.evaluate(&read(&plain, r#"{"id":2,"pain":true}"#)).map(|o| o.to_json_line())
    );
    // The properties are there, and checked only on request.
    assert_eq!(with.check_properties(&record).map(|report| report.asserts.len()), Ok(2));
}

#[test]
fn properties_written_in_text_are_checked() {
    let text = format!(
        "{RULES}\n{}",
        r#"
assert no_home_care_in_emergencies: self_care -> not (emergency or suspect(left))
assert pain -> self_care
exclusive suspect
"#
    );
    let rules = match Ruleset::from_sources(&[("t.osl".to_owned(), text)]) {
        Ok(ruleset) => ruleset,
        Err(error) => panic!("the ruleset does not check: {error}"),
    };
    let report = check(&rules, r#"{"pain":true,"pulse_absent":true,"side":"left","onset":"2d"}"#);
    assert_eq!(asserts(&report), [(Truth::True, Truth::False, true), (Truth::True, Truth::True, false)]);
    assert!(report.exclusives[0].violated());
    let report = check(&rules, r#"{"pain":true,"injury":true}"#);
    assert_eq!(asserts(&report), [(Truth::False, Truth::False, false), (Truth::True, Truth::False, true)]);
    assert!(!report.exclusives[0].violated());
}
