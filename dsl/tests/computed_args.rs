//! Named and computed action arguments through the front end (syntax,
//! checker, model, formatter, editor queries) and the static analysis: a
//! rule whose condition is true but one of whose computed arguments is
//! unknown is undetermined and outputs none of its actions.

use osler_dsl::analysis::{Finding, analyze, ruleset_findings, ruleset_model};
use osler_dsl::db::{Database, Ruleset, SourceFile};
use osler_dsl::ide::{self, Target};
use osler_dsl::model::{Expr, Model, Value};
use osler_dsl::{Code, Severity};

const PRELUDE: &str = "enum Test { ecg, abi }\n\
fact leg_pain: bool\n\
fact swelling: bool\n\
fact score: number\n\
fact points: number\n\
let wells_score = score + points\n\
action wells(score: number)\n\
action order(test: Test, urgency: number)\n\
action self_care\n";

fn checked(text: &str) -> osler_dsl::Checked {
    osler_dsl::check_sources(&[("a.osl".to_owned(), format!("{PRELUDE}{text}"))])
}

/// The errors of the checker, in order.
fn errors(text: &str) -> Vec<Code> {
    checked(text)
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == Severity::Error)
        .map(|d| d.diagnostic.code)
        .collect()
}

fn model(text: &str) -> Model {
    let checked = checked(text);
    match checked.model {
        Some(model) => (*model).clone(),
        None => panic!("the ruleset has errors: {:#?}", checked.diagnostics),
    }
}

/// The analysis's findings of `code`.
fn findings(text: &str, code: Code) -> Vec<Finding> {
    analyze(&model(text)).into_iter().filter(|finding| finding.code == code).collect()
}

#[test]
fn a_rule_argument_may_be_any_expression_of_the_parameters_type() {
    let model = model(
        "rule w: leg_pain -> wells(score: wells_score)\n\
         rule x: swelling -> wells(score * 2 + 1), order(abi, urgency: points)\n\
         rule y: leg_pain -> order(urgency: 3, test: ecg)\n",
    );
    let calls: Vec<_> = model.rules.iter().map(|rule| rule.actions.clone()).collect();
    assert!(matches!(calls[0][0].args.as_slice(), [Expr::Let(0)]), "{:?}", calls[0]);
    assert!(calls[0][0].is_computed());
    assert_eq!(calls[0][0].constant_args(), None);
    assert!(matches!(calls[1][1].args.as_slice(), [Expr::Const(Value::Variant(0, 1)), Expr::Fact(3)]));
    // Named arguments are put in their parameters' order.
    assert_eq!(calls[2][0].constant_args(), Some(vec![Value::Variant(0, 0), Value::Number(3.0)]));
}

#[test]
fn positional_arguments_come_first_and_each_parameter_once() {
    assert_eq!(errors("rule a: leg_pain -> order(ecg, urgency: 2)\n"), Vec::<Code>::new());
    assert_eq!(errors("rule a: leg_pain -> order(urgency: 2, ecg)\n"), [Code::PositionalAfterNamed]);
    assert_eq!(errors("rule a: leg_pain -> order(ecg, test: abi)\n"), [Code::DuplicateArgument]);
    assert_eq!(errors("rule a: leg_pain -> order(urgency: 1, urgency: 2)\n"), [Code::DuplicateArgument]);
    assert_eq!(errors("rule a: leg_pain -> order(urgency: 2)\n"), [Code::Arity]);
    assert_eq!(errors("rule a: leg_pain -> order(ecg, 2, 3)\n"), [Code::Arity]);
    assert_eq!(errors("rule a: count(x: leg_pain) > 0 -> self_care\n"), [Code::UnknownParameter]);
}

#[test]
fn a_misspelled_parameter_gets_a_suggestion() {
    let checked = checked("rule a: leg_pain -> order(ecg, urgncy: 2)\n");
    let [diagnostic] =
        checked.diagnostics.iter().filter(|d| d.diagnostic.severity == Severity::Error).collect::<Vec<_>>()[..]
    else {
        panic!("{:#?}", checked.diagnostics)
    };
    assert_eq!(diagnostic.diagnostic.code, Code::UnknownParameter);
    assert_eq!(diagnostic.diagnostic.message, "`order` has no parameter `urgncy`");
    assert_eq!(diagnostic.diagnostic.help.as_deref(), Some("did you mean `urgency`?"));
}

#[test]
fn arguments_are_typed_and_constant_where_they_must_be() {
    assert_eq!(errors("rule a: leg_pain -> wells(score: leg_pain)\n"), [Code::ArgumentType]);
    assert_eq!(errors("rule a: leg_pain -> order(test: score, urgency: 1)\n"), [Code::ArgumentType]);
    // A test's `expect` and an assert's pattern name constant calls.
    assert_eq!(errors("test \"t\" { given score = 1 expect wells(score: 3) }\n"), Vec::<Code>::new());
    assert_eq!(errors("test \"t\" { given score = 1 expect wells(score: score) }\n"), [Code::NotConstant]);
    assert_eq!(errors("assert wells(score: 3) -> leg_pain\n"), Vec::<Code>::new());
    assert_eq!(errors("assert wells(wells_score) -> leg_pain\n"), [Code::NotConstant]);
    assert_eq!(errors("assert order(urgency: 1, test: abi) -> leg_pain\n"), Vec::<Code>::new());
    assert_eq!(errors("assert order(urgency: 1, tset: abi) -> leg_pain\n"), [Code::UnknownParameter]);
}

#[test]
fn the_formatter_spaces_named_arguments() {
    let source = format!("{PRELUDE}rule w: leg_pain -> wells(score:wells_score), order(ecg,urgency :2)\n");
    let formatted = osler_dsl::format::format(&source).unwrap_or_default();
    assert!(formatted.contains("wells(score: wells_score), order(ecg, urgency: 2)"), "{formatted}");
}

#[test]
fn editor_queries_see_names_inside_computed_arguments() {
    let text = format!("{PRELUDE}rule w: leg_pain -> wells(score: wells_score + points)\n");
    let db = Database::default();
    let file = SourceFile::new(&db, "a.osl".to_owned(), text.clone());
    let set = Ruleset::new(&db, vec![file]);
    let offset = |needle: &str| text.rfind(needle).unwrap_or(0) as u32 + 1;
    let at = |needle: &str| ide::name_at(&db, set, file, offset(needle)).map(|n| n.target);
    assert_eq!(at("wells_score +"), Some(Target::Let("wells_score".to_owned())));
    assert_eq!(at("points)"), Some(Target::Fact("points".to_owned())));
    let references = ide::references(&db, set, &Target::Fact("points".to_owned()), false);
    assert_eq!(references.len(), 2, "the let's use and the argument's: {references:?}");
    let renamed = ide::rename(&db, set, file, offset("points)"), "extra").unwrap_or_default();
    assert_eq!(renamed.len(), 3, "the declaration and two uses");
    let hover = ide::hover(&db, set, file, offset("wells_score +")).map(|h| h.markdown).unwrap_or_default();
    assert!(hover.contains("wells_score"), "{hover}");
}

#[test]
fn an_unknown_argument_leaves_the_rule_undetermined() {
    // With `score` unknown the rule emits nothing: the assert fails on
    // `{leg_pain: true}`, exactly (the known-ness of a fact is followed).
    let text = "rule w: leg_pain -> wells(score: score)\nassert leg_pain -> wells\n";
    let [finding] = &findings(text, Code::AssertViolated)[..] else { panic!("{:#?}", analyze(&model(text))) };
    assert!(!finding.approximate);
    assert_eq!(finding.example, Some(vec![(0, Value::Bool(true))]));
    // Once the argument is known, the rule emits.
    assert!(
        findings(
            "rule w: leg_pain -> wells(score: score)\nassert leg_pain and known(score) -> wells\n",
            Code::AssertViolated
        )
        .is_empty()
    );
    // A rule emits only when its condition is true.
    assert!(
        findings(
            "rule w: leg_pain -> wells(score: score)\nassert wells -> leg_pain and known(score)\n",
            Code::AssertViolated
        )
        .is_empty()
    );
    // Its constant actions wait for the argument too.
    let text = "rule w: leg_pain -> self_care, wells(score: score)\nassert leg_pain -> self_care\n";
    assert_eq!(findings(text, Code::AssertViolated).len(), 1);
}

#[test]
fn a_pattern_with_arguments_over_a_computed_call_is_a_candidate() {
    // Proven: whatever value the rule emits, it emits only when its
    // condition holds.
    let text = "rule w: leg_pain -> wells(score: score)\nassert wells(3) -> leg_pain\n";
    assert!(findings(text, Code::AssertViolated).is_empty());
    // Not followed: whether the value is 3. The example is a candidate for
    // the engine to replay.
    let text = "rule w: leg_pain -> wells(score: score)\nassert leg_pain -> not wells(3)\n";
    let [finding] = &findings(text, Code::AssertViolated)[..] else { panic!("{:#?}", analyze(&model(text))) };
    assert!(finding.approximate);
    // Arithmetic is unknown when a fact it reads is: proven.
    let text = "rule w: leg_pain -> wells(score: wells_score)\nassert wells -> known(score) and known(points)\n";
    assert!(findings(text, Code::AssertViolated).is_empty());
}

#[test]
fn a_rule_with_a_computed_argument_is_never_claimed_redundant() {
    // `b` is not redundant: when `score` is unknown, `a` emits nothing.
    let text = "rule a: leg_pain -> self_care, wells(score: score)\nrule b: leg_pain -> self_care\n";
    assert!(findings(text, Code::RedundantRule).is_empty(), "{:#?}", analyze(&model(text)));
    // Two identical rules with a computed call: neither is claimed.
    let text = "rule a: leg_pain -> wells(score: score)\nrule b: leg_pain -> wells(score: score)\n";
    assert!(findings(text, Code::RedundantRule).is_empty());
    // Without the computed call, one of two identical rules is redundant.
    let text = "rule a: leg_pain -> self_care\nrule b: leg_pain -> self_care\n";
    assert!(!findings(text, Code::RedundantRule).is_empty());
}

#[test]
fn exclusive_over_computed_calls() {
    // One call only: nothing to prove.
    assert!(findings("rule a: leg_pain -> wells(score: score)\nexclusive wells\n", Code::ExclusiveViolated).is_empty());
    // Two computed calls may differ: a candidate.
    let text = "rule a: leg_pain -> wells(score: score)\nrule b: swelling -> wells(score: points)\nexclusive wells\n";
    let [finding] = &findings(text, Code::ExclusiveViolated)[..] else { panic!("{:#?}", analyze(&model(text))) };
    assert!(finding.approximate);
    // Never together: proven.
    let text =
        "rule a: leg_pain -> wells(score: score)\nrule b: not leg_pain -> wells(score: points)\nexclusive wells\n";
    assert!(findings(text, Code::ExclusiveViolated).is_empty());
}

#[test]
fn a_provisional_rule_has_its_arguments_known() {
    let text = "rule a: leg_pain -> wells(score: score)\nrule b overrides a: swelling -> self_care\n";
    let found = findings(text, Code::ProvisionalDefault);
    let [finding] = &found[..] else { panic!("{:#?}", analyze(&model(text))) };
    let example = finding.example.clone().unwrap_or_default();
    assert!(example.iter().any(|(fact, _)| *fact == 2), "the example gives `score`: {example:?}");
}

#[test]
fn incremental_findings_equal_the_whole_models_with_computed_arguments() {
    let text = format!(
        "{PRELUDE}rule a: leg_pain -> self_care, wells(score: score)\n\
         rule b: leg_pain -> self_care\n\
         rule c: leg_pain -> wells(score: score)\n\
         rule d overrides c: swelling -> wells(3)\n\
         rule e: swelling and points > 2 -> order(abi, urgency: wells_score)\n\
         assert leg_pain -> not wells(3)\n\
         exclusive wells\n"
    );
    let db = Database::default();
    let file = SourceFile::new(&db, "a.osl".to_owned(), text);
    let set = Ruleset::new(&db, vec![file]);
    let Some(model) = ruleset_model(&db, set) else { panic!("the ruleset has errors") };
    assert_eq!(ruleset_findings(&db, set).to_vec(), analyze(&model));
}

#[test]
fn a_fact_read_only_by_a_computed_argument_is_used() {
    let checked = checked("rule w: leg_pain -> wells(score: points), order(ecg, urgency: score)\n");
    let unused: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| matches!(d.diagnostic.code, Code::UnusedFact | Code::UnusedLet))
        .map(|d| d.diagnostic.message.clone())
        .collect();
    // `wells_score` and `swelling` are used nowhere; `points` and `score`
    // by the arguments.
    assert_eq!(unused, ["fact `swelling` is never used", "let `wells_score` is never used"]);
}

#[test]
fn named_arguments_format_alike_in_tests_and_asserts() {
    let source = format!(
        "{PRELUDE}rule w: leg_pain -> wells(3)\ntest \"t\" {{\n  given leg_pain = true\n  expect wells(score:3)\n}}\nassert named: wells(score:3) -> leg_pain\n"
    );
    let formatted = osler_dsl::format::format(&source).unwrap_or_default();
    assert!(formatted.contains("  expect wells(score: 3)\n"), "{formatted}");
    assert!(formatted.contains("wells(score: 3) -> leg_pain"), "{formatted}");
    assert_eq!(osler_dsl::format::format(&formatted).unwrap_or_default(), formatted, "formatting is idempotent");
}

#[test]
fn the_candidates_of_a_pattern_try_its_values() {
    // The example search cuts `score` at the pattern's value, so a
    // candidate makes the computed call the pattern.
    let text = "rule w: leg_pain -> wells(score: score)\nassert leg_pain -> not wells(3)\n";
    let [finding] = &findings(text, Code::AssertViolated)[..] else { panic!("{:#?}", analyze(&model(text))) };
    let mut records = finding.candidates.clone();
    records.extend(finding.example.clone());
    let wanted = vec![(0, Value::Bool(true)), (2, Value::Number(3.0))];
    assert!(records.contains(&wanted), "{records:?}");
}

#[test]
fn a_call_of_thousands_of_misnamed_arguments_gets_one_diagnostic() {
    let n = 5_000;
    let params: Vec<String> = (0..n).map(|i| format!("p{i}: number")).collect();
    let args: Vec<String> = (0..n).map(|i| format!("q{i}: 1")).collect();
    let text = format!("fact a: bool\naction big({})\nrule r: a -> big({})\n", params.join(", "), args.join(", "));
    let checked = osler_dsl::check_sources(&[("a.osl".to_owned(), text)]);
    let errors: Vec<Code> = checked
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == Severity::Error)
        .map(|d| d.diagnostic.code)
        .collect();
    assert_eq!(errors, [Code::UnknownParameter]);
}
