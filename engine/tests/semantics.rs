//! The engine's meaning, checked against hand-computed expectations on
//! real `.osl` text: Kleene logic, overrides, undetermined rules with their
//! missing facts, durations, quantities, `count`, `in`, `known`, and the
//! exact output line.

use osler_engine::{Outcome, Ruleset};

mod common;

use common::{outcome, ruleset};

/// `T` fired, `F` condition false, `U` undetermined, `O` overridden.
fn status(outcome: &Outcome, rule: &str) -> char {
    if outcome.fired.iter().any(|r| r == rule) {
        'T'
    } else if outcome.undetermined.iter().any(|u| u.rule == rule) {
        'U'
    } else if outcome.overridden.iter().any(|o| o.rule == rule) {
        'O'
    } else {
        'F'
    }
}

fn missing(outcome: &Outcome, rule: &str) -> Vec<String> {
    outcome.undetermined.iter().find(|u| u.rule == rule).map(|u| u.missing.clone()).unwrap_or_default()
}

const LOGIC: &str = "
fact a: bool
fact b: bool
action act()
rule both: a and b -> act
rule either: a or b -> act
rule neither: not a -> act
";

fn value(v: Option<bool>) -> String {
    v.map_or("null".to_owned(), |b| b.to_string())
}

#[test]
fn kleene_truth_tables() {
    let rules = ruleset(LOGIC);
    let values = [Some(true), Some(false), None];
    // Expected (and, or) for each pair, written out from Kleene's tables.
    let expected = [
        // a = true
        ('T', 'T'),
        ('F', 'T'),
        ('U', 'T'),
        // a = false
        ('F', 'T'),
        ('F', 'F'),
        ('F', 'U'),
        // a = unknown
        ('U', 'T'),
        ('F', 'U'),
        ('U', 'U'),
    ];
    let mut index = 0;
    for a in values {
        for b in values {
            let record = format!(r#"{{"a":{},"b":{}}}"#, value(a), value(b));
            let result = outcome(&rules, &record);
            assert_eq!((status(&result, "both"), status(&result, "either")), expected[index], "a={a:?} b={b:?}");
            let not = match a {
                Some(true) => 'F',
                Some(false) => 'T',
                None => 'U',
            };
            assert_eq!(status(&result, "neither"), not, "not {a:?}");
            index += 1;
        }
    }
}

#[test]
fn absent_null_and_missing_facts_are_unknown() {
    let rules = ruleset(LOGIC);
    for record in [r#"{}"#, r#"{"a":null}"#, r#"{"b":null,"a":null}"#] {
        let result = outcome(&rules, record);
        assert_eq!(status(&result, "both"), 'U');
        assert_eq!(missing(&result, "both"), ["a", "b"]);
        assert_eq!(missing(&result, "neither"), ["a"]);
    }
}

#[test]
fn missing_lists_only_facts_that_could_decide() {
    let rules = ruleset(
        "
fact a: bool
fact b: bool
fact c: bool
fact d: bool
let ab = a and b
action act()
rule r: (ab or c) and not d -> act
rule q: known(a) or c -> act
",
    );
    // `a` false makes `ab` false: only c and d are left to decide.
    let result = outcome(&rules, r#"{"a":false}"#);
    assert_eq!(missing(&result, "r"), ["c", "d"]);
    // Everything unknown: the order is the order the condition reads them, through the let.
    let result = outcome(&rules, r#"{}"#);
    assert_eq!(missing(&result, "r"), ["a", "b", "c", "d"]);
    // `b` true leaves `a`, not `b`.
    let result = outcome(&rules, r#"{"b":true,"d":false}"#);
    assert_eq!(missing(&result, "r"), ["a", "c"]);
    // `known(a)` is false, never unknown: only c decides.
    let result = outcome(&rules, r#"{}"#);
    assert_eq!(missing(&result, "q"), ["c"]);
}

#[test]
fn known_is_never_unknown() {
    let rules = ruleset(
        "
enum Pulse { present, absent }
fact pulse: Pulse
fact abi: number
action act()
rule has_pulse: known(pulse) -> act
rule no_abi: not known(abi) -> act
rule derived: known(abi * 2) -> act
",
    );
    let result = outcome(&rules, r#"{"pulse":"absent"}"#);
    assert_eq!(status(&result, "has_pulse"), 'T');
    assert_eq!(status(&result, "no_abi"), 'T');
    assert_eq!(status(&result, "derived"), 'F');
    let result = outcome(&rules, r#"{"abi":0.8}"#);
    assert_eq!(status(&result, "has_pulse"), 'F');
    assert_eq!(status(&result, "no_abi"), 'F');
    assert_eq!(status(&result, "derived"), 'T');
    assert!(result.undetermined.is_empty());
}

#[test]
fn durations_compare_across_units() {
    let rules = ruleset(
        "
fact onset: duration
action act()
rule over_36h: onset > 36h -> act
rule at_most_2d: onset <= 2d -> act
rule exactly_90min: onset == 90min -> act
rule within_month: onset < 1mo -> act
rule sum: onset + 12h >= 1d -> act
",
    );
    let check = |onset: &str, expected: [char; 5]| {
        let result = outcome(&rules, &format!(r#"{{"onset":"{onset}"}}"#));
        let got = ["over_36h", "at_most_2d", "exactly_90min", "within_month", "sum"].map(|r| status(&result, r));
        assert_eq!(got, expected, "onset {onset}");
    };
    check("2d", ['T', 'T', 'F', 'T', 'T']);
    check("48h", ['T', 'T', 'F', 'T', 'T']);
    check("2880min", ['T', 'T', 'F', 'T', 'T']);
    check("36h", ['F', 'T', 'F', 'T', 'T']);
    check("1.5h", ['F', 'T', 'T', 'T', 'F']);
    check("90min", ['F', 'T', 'T', 'T', 'F']);
    check("3w", ['T', 'F', 'F', 'T', 'T']);
    check("5w", ['T', 'F', 'F', 'F', 'T']);
    check("12h", ['F', 'T', 'F', 'T', 'T']);
    let result = outcome(&rules, r#"{}"#);
    assert!(result.fired.is_empty());
    assert_eq!(result.undetermined.len(), 5);
}

#[test]
fn quantities_as_numbers_or_strings_with_their_unit() {
    let rules = ruleset(
        "
fact ankle_pressure: number mmHg
fact toe_pressure: number mmHg
fact hba1c: number %
action act()
rule low_ankle: ankle_pressure < 50 mmHg -> act
rule gradient: ankle_pressure - toe_pressure > 30 mmHg -> act
rule high_a1c: hba1c >= 6.5 % -> act
",
    );
    for form in ["45", "\"45 mmHg\"", "\"45mmHg\"", "45.0"] {
        let result = outcome(&rules, &format!(r#"{{"ankle_pressure":{form},"toe_pressure":10}}"#));
        assert_eq!(status(&result, "low_ankle"), 'T', "{form}");
        assert_eq!(status(&result, "gradient"), 'T', "{form}");
    }
    let result = outcome(&rules, r#"{"ankle_pressure":50,"toe_pressure":"20 mmHg","hba1c":"6.5 %"}"#);
    assert_eq!(status(&result, "low_ankle"), 'F');
    assert_eq!(status(&result, "gradient"), 'F');
    assert_eq!(status(&result, "high_a1c"), 'T');
    let result = outcome(&rules, r#"{"ankle_pressure":60}"#);
    assert_eq!(missing(&result, "gradient"), ["toe_pressure"]);
    // A different unit, or a plain string, is rejected with the fact and the unit.
    let wrong = rules.read_json(r#"{"ankle_pressure":"45 kg"}"#).err().map(|e| e.to_string());
    assert_eq!(
        wrong.as_deref(),
        Some("fact `ankle_pressure` is measured in mmHg, got \"45 kg\" in kg, which does not convert to mmHg")
    );
    let plain = rules.read_json(r#"{"ankle_pressure":"45"}"#).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(plain.contains("`ankle_pressure`") && plain.contains("mmHg"), "{plain}");
}

#[test]
fn count_keeps_what_is_certain() {
    let rules = ruleset(
        "
fact a: bool
fact b: bool
fact c: bool
action act()
rule two_or_more: count(a, b, c) >= 2 -> act
rule none: count(a, b, c) == 0 -> act
rule exactly_one: count(a, b, c) == 1 -> act
rule plus: count(a, b) + count(c) > 2 -> act
",
    );
    let case = |record: &str| {
        let result = outcome(&rules, record);
        ["two_or_more", "none", "exactly_one", "plus"].map(|r| status(&result, r))
    };
    assert_eq!(case(r#"{"a":true,"b":true,"c":true}"#), ['T', 'F', 'F', 'T']);
    assert_eq!(case(r#"{"a":true,"b":true}"#), ['T', 'F', 'F', 'U']);
    assert_eq!(case(r#"{"a":true,"b":false}"#), ['U', 'F', 'U', 'F']);
    assert_eq!(case(r#"{"a":false,"b":false,"c":false}"#), ['F', 'T', 'F', 'F']);
    assert_eq!(case(r#"{"a":false,"b":false}"#), ['F', 'U', 'U', 'F']);
    assert_eq!(case(r#"{}"#), ['U', 'U', 'U', 'U']);
    let result = outcome(&rules, r#"{"a":true,"b":false}"#);
    assert_eq!(missing(&result, "two_or_more"), ["c"]);
}

#[test]
fn in_sets_of_variants() {
    let rules = ruleset(
        "
enum SensoryLoss { none, minimal, extensive, profound }
fact sensory_loss: SensoryLoss
action act()
rule mild: sensory_loss in {none, minimal} -> act
rule severe: not (sensory_loss in {none, minimal}) -> act
rule profound: sensory_loss == profound -> act
rule not_none: sensory_loss != none -> act
",
    );
    let case = |value: &str| {
        let result = outcome(&rules, &format!(r#"{{"sensory_loss":{value}}}"#));
        ["mild", "severe", "profound", "not_none"].map(|r| status(&result, r))
    };
    assert_eq!(case("\"none\""), ['T', 'F', 'F', 'F']);
    assert_eq!(case("\"minimal\""), ['T', 'F', 'F', 'T']);
    assert_eq!(case("\"extensive\""), ['F', 'T', 'F', 'T']);
    assert_eq!(case("\"profound\""), ['F', 'T', 'T', 'T']);
    assert_eq!(case("null"), ['U', 'U', 'U', 'U']);
    let wrong = rules.read_json(r#"{"sensory_loss":"severe"}"#).err().map(|e| e.to_string());
    assert_eq!(
        wrong.as_deref(),
        Some("fact `sensory_loss` expects one of none, minimal, extensive, profound, got \"severe\"")
    );
}

const OVERRIDES: &str = r#"
source s1 "Guideline one" year 2025
source s2 "Guideline two"
enum Category { I, IIa, IIb, III }
fact sensory: bool
fact paralysis: bool
fact pain: bool
action ali_category(category: Category)
action revascularize()
action emergency(within: duration)
rule revasc: sensory -> revascularize, emergency(6h)
  cite s1
rule irreversible "Irreversible ischemia" overrides revasc:
  sensory and paralysis -> ali_category(III), emergency(6h)
  cite s2, s1
rule painful: pain -> emergency(6h)
  cite s2
"#;

#[test]
fn overrides_drop_the_overridden_rules_actions() {
    let rules = ruleset(OVERRIDES);
    let result = outcome(&rules, r#"{"id":"p1","sensory":true,"paralysis":true,"pain":true}"#);
    assert_eq!(
        result.to_json_line(),
        r#"{"id":"p1","actions":[{"name":"ali_category","args":["III"],"rules":["irreversible"],"sources":["s1","s2"]},{"name":"emergency","args":["6h"],"rules":["irreversible","painful"],"sources":["s1","s2"]}],"fired":["irreversible","painful"],"overridden":[{"rule":"revasc","by":["irreversible"]}],"undetermined":[],"examine":[]}"#
    );
    // Not overridden when the overriding rule is false.
    let result = outcome(&rules, r#"{"sensory":true,"paralysis":false}"#);
    assert_eq!(result.fired, ["revasc"]);
    assert_eq!(result.actions.len(), 2);
    assert_eq!(missing(&result, "painful"), ["pain"]);
    // An overriding rule whose condition is unknown does not suppress.
    let result = outcome(&rules, r#"{"sensory":true}"#);
    assert_eq!(result.fired, ["revasc"]);
    assert_eq!(missing(&result, "irreversible"), ["paralysis"]);
    // A rule with an unknown condition under a firing override is overridden, not undetermined.
    let rules = ruleset(
        "
fact a: bool
fact b: bool
action act()
rule general: a -> act
rule special overrides general: b -> act
",
    );
    let result = outcome(&rules, r#"{"b":true}"#);
    assert_eq!(status(&result, "general"), 'O');
    assert!(result.undetermined.is_empty());
    // Explicitly false rules appear nowhere.
    let result = outcome(&rules, r#"{"a":false,"b":true}"#);
    assert!(result.overridden.is_empty());
}

#[test]
fn output_line_format_and_ids() {
    let rules = ruleset(OVERRIDES);
    let line = |json: &str| outcome(&rules, json).to_json_line();
    assert_eq!(
        line(r#"{"id":17}"#),
        r#"{"id":17,"actions":[],"fired":[],"overridden":[],"undetermined":[{"rule":"revasc","missing":["sensory"]},{"rule":"irreversible","missing":["sensory","paralysis"]},{"rule":"painful","missing":["pain"]}],"examine":[{"fact":"sensory","could":["emergency(6h)","revascularize","ali_category(III)"]},{"fact":"paralysis","could":["emergency(6h)","ali_category(III)"]},{"fact":"pain","could":["emergency(6h)"]}]}"#
    );
    assert!(line(r#"{"pain":false,"sensory":false}"#).starts_with(r#"{"id":null,"actions":[],"fired":[]"#));
    assert!(line(r#"{"id":"a \"quoted\" id","pain":false}"#).starts_with(r#"{"id":"a \"quoted\" id","#));
    assert!(line(r#"{"id":1.5}"#).starts_with(r#"{"id":1.5,"#));
    // The fast writer and serde give the same bytes, and the outcome round-trips.
    let mut evaluator = rules.evaluator();
    for json in [r#"{"id":"x","sensory":true,"paralysis":true,"pain":true}"#, r#"{"id":3}"#, "{}"] {
        let record = rules.read_json(json).unwrap_or_else(|e| panic!("{e}"));
        let mut bytes = Vec::new();
        let evaluated = evaluator.evaluate(&record).unwrap_or_else(|e| panic!("{e}"));
        evaluated.write_json_line(&mut bytes);
        let outcome = evaluated.to_outcome();
        assert_eq!(String::from_utf8_lossy(&bytes), format!("{}\n", outcome.to_json_line()));
        let back: Outcome = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, outcome);
    }
}

#[test]
fn action_arguments_render_canonically() {
    let rules = ruleset(
        "
enum Test { abi, mra }
fact x: bool
action wait(within: duration)
action dose(amount: number mg, count: number, urgent: bool)
action order(test: Test)
rule r: x -> wait(120min), dose(50 mg, 2, true), order(abi), dose(1.5 mg, 0.5, false), wait(0min)
",
    );
    let result = outcome(&rules, r#"{"x":true}"#);
    let args: Vec<String> = result.actions.iter().map(|a| serde_json::to_string(&a.args).unwrap_or_default()).collect();
    assert_eq!(args, [r#"["2h"]"#, r#"["50 mg",2,true]"#, r#"["abi"]"#, r#"["1.5 mg",0.5,false]"#, r#"["0min"]"#]);
}

#[test]
fn negative_action_arguments_keep_their_value() {
    // The checker accepts `adjust(-2)` as a constant; the model holds -2,
    // not a placeholder.
    let rules = ruleset(
        "
fact x: bool
action adjust(by: number, dose: number mg)
rule r: x -> adjust(-2, -0.5 mg)
",
    );
    let result = outcome(&rules, r#"{"x":true}"#);
    assert_eq!(serde_json::to_string(&result.actions[0].args).unwrap_or_default(), r#"[-2,"-0.5 mg"]"#);
}

#[test]
fn record_errors_name_the_fact_and_what_was_expected() {
    let rules = ruleset(
        "
enum Pulse { present, absent }
fact flag: bool
fact abi: number
fact onset: duration
fact pulse: Pulse
fact note: string
action act()
rule r: flag and abi > 1 and onset > 1h and pulse == absent and note == \"x\" -> act
",
    );
    let error = |json: &str| rules.read_json(json).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(error(r#"{"flag":"true"}"#), "fact `flag` expects true or false, got \"true\"");
    assert_eq!(error(r#"{"abi":"0.9"}"#), "fact `abi` expects a number, got \"0.9\"");
    assert_eq!(
        error(r#"{"onset":3}"#),
        "fact `onset` expects a duration string such as \"3h\", \"2d\", \"6w\" or \"90min\", got 3"
    );
    assert_eq!(error(r#"{"pulse":["absent"]}"#), "fact `pulse` expects one of present, absent, got an array");
    assert_eq!(error(r#"{"note":{}}"#), "fact `note` expects a string, got an object");
    assert_eq!(error(r#"{"id":true}"#), "`id` must be a string or a number, got true");
    assert!(error(r#"{"flag":tru}"#).starts_with("malformed JSON at column"));
    assert!(error("[]").starts_with("a record must be a JSON object"));
    assert!(error(r#"{"flag":true} x"#).starts_with("malformed JSON"));
    // The id is still read when a value before it is wrong.
    let mut record = rules.record();
    let mut unknown = osler_engine::UnknownFields::default();
    let result = rules.read_json_into(
        r#"{"abi":"x","id":"p9","other":1}"#,
        &mut record,
        osler_engine::ReadOptions::default().strict(false),
        &mut unknown,
    );
    assert!(result.is_err());
    assert_eq!(record.id(), &osler_engine::RecordId::Text("p9".to_owned()));
    assert_eq!(unknown.total(), 1);
    // Strict mode rejects unknown fields.
    let strict = rules.read_json_into(
        r#"{"other":1}"#,
        &mut record,
        osler_engine::ReadOptions::default().strict(true),
        &mut unknown,
    );
    assert_eq!(
        strict.err().map(|e| e.to_string()).unwrap_or_default(),
        "unknown field `other`: not a fact of this ruleset (--strict)"
    );
}

#[test]
fn strings_and_typed_building() {
    let rules = ruleset(
        "
fact note: string
fact age: number years
fact onset: duration
action act()
rule r: note == \"urgent\" and age >= 65 years and onset < 2d -> act
",
    );
    let built = rules
        .record_builder()
        .id("b1")
        .set("note", "urgent")
        .and_then(|b| b.set("age", 70))
        .and_then(|b| b.set("onset", "36h"))
        .map(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.evaluate(&built).unwrap_or_else(|e| panic!("{e}")).fired, ["r"]);
    let read = rules.read_json(r#"{"note":"urgent","age":"70 years","onset":"1d"}"#).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.evaluate(&read).unwrap_or_else(|e| panic!("{e}")).fired, ["r"]);
    let other = rules.read_json(r#"{"note":"routine","age":70,"onset":"1d"}"#).unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.evaluate(&other).unwrap_or_else(|e| panic!("{e}")).fired.is_empty());
    assert!(rules.record_builder().set("nope", true).is_err());
    assert!(rules.record_builder().set("age", true).is_err());
}

#[test]
fn arithmetic_with_unknowns_and_division_by_zero() {
    let rules = ruleset(
        "
fact x: number
fact y: number
action act()
rule ratio: x / y > 1 -> act
rule negative: -x < 0 -> act
",
    );
    let result = outcome(&rules, r#"{"x":2,"y":0}"#);
    assert_eq!(status(&result, "ratio"), 'U');
    assert_eq!(status(&result, "negative"), 'T');
    let result = outcome(&rules, r#"{"x":3,"y":2}"#);
    assert_eq!(status(&result, "ratio"), 'T');
    let result = outcome(&rules, r#"{"x":3}"#);
    assert_eq!(missing(&result, "ratio"), ["y"]);
    // Divided by zero, the rule is undetermined with no fact missing, and
    // the explanation says the arithmetic is why.
    let result = outcome(&rules, r#"{"x":2,"y":0}"#);
    assert_eq!(
        result.undetermined.iter().map(|u| (u.rule.as_str(), u.missing.len())).collect::<Vec<_>>(),
        [("ratio", 0)]
    );
    let explain = |json: &str| {
        let record = rules.read_json(json).unwrap_or_else(|e| panic!("{e}"));
        let mut evaluator = rules.evaluator();
        let explanation = evaluator.evaluate(&record).unwrap_or_else(|e| panic!("{e}")).explain();
        explanation.undetermined.iter().map(|u| (u.rule.id.clone(), u.undefined_arithmetic)).collect::<Vec<_>>()
    };
    assert_eq!(explain(r#"{"x":2,"y":0}"#), [("ratio".to_owned(), true)]);
    assert_eq!(explain(r#"{"y":1}"#), [("ratio".to_owned(), false), ("negative".to_owned(), false)]);
}

/// The statements of LANGUAGE.md's "Meaning" section that the tests above
/// do not already check: its `count` table, decided chains, an exception
/// unknown over a default unknown, and division by zero on a record.
#[test]
fn the_meaning_section_of_language_md() {
    let rules = ruleset(
        "
fact a: bool
fact b: bool
fact c: bool
action act()
rule at_least_one: count(a, b, c) >= 1 -> act
rule at_least_two: count(a, b, c) >= 2 -> act
rule none: count(a, b, c) == 0 -> act
rule one: count(a, b, c) == 1 -> act
rule more_than_two: count(a, b, c) > 2 -> act
rule sum_at_least_two: count(a, b) + count(c) >= 2 -> act
rule sum_more_than_two: count(a, b) + count(c) > 2 -> act
rule all_three: a and b and c -> act
rule any_of_three: a or b or c -> act
",
    );
    let statuses = |record: &str, names: &[&str]| {
        let result = outcome(&rules, record);
        names.iter().map(|name| status(&result, name)).collect::<String>()
    };
    let table = ["at_least_one", "at_least_two", "none", "one", "more_than_two"];
    assert_eq!(statuses(r#"{"a":true,"b":false}"#, &table), "TUFUF");
    assert_eq!(statuses(r#"{"a":true,"b":true}"#, &["sum_at_least_two", "sum_more_than_two"]), "TU");
    // A false operand decides an `and` chain, a true one an `or` chain,
    // whatever the unknown others.
    assert_eq!(statuses(r#"{"b":false}"#, &["all_three", "any_of_three"]), "FU");
    assert_eq!(statuses(r#"{"c":true}"#, &["all_three", "any_of_three"]), "UT");

    // An exception unknown over a default unknown: both undetermined.
    let rules = ruleset(
        "
fact a: bool
fact b: bool
action act()
action other()
rule default_rule: a -> act
rule exception overrides default_rule: b -> other
",
    );
    let result = outcome(&rules, r#"{}"#);
    assert_eq!((status(&result, "default_rule"), status(&result, "exception")), ('U', 'U'));
    assert!(result.actions.is_empty());

    // Division by zero on a record: unknown, decided by the rest of the
    // condition where it can be, guarded by `y != 0`; a computed argument
    // divided by zero leaves its rule undetermined with nothing missing,
    // while its true condition still overrides.
    let rules = ruleset(
        "
fact x: number
fact y: number
fact a: bool
fact s: bool
action act()
action score(value: number)
rule either: x / y > 1 or a -> act
rule guarded: y != 0 and x / y > 1 -> act
rule base: a -> act
rule scored overrides base: s -> score(x / y)
",
    );
    let result = outcome(&rules, r#"{"x":3,"y":0,"a":true,"s":true}"#);
    assert_eq!(["either", "guarded", "base", "scored"].map(|r| status(&result, r)), ['T', 'F', 'O', 'U']);
    assert_eq!(
        result.undetermined.iter().map(|u| (u.rule.as_str(), u.missing.len())).collect::<Vec<_>>(),
        [("scored", 0)]
    );
    let result = outcome(&rules, r#"{"x":3,"y":0,"a":false}"#);
    assert_eq!(status(&result, "either"), 'U');
    assert!(missing(&result, "either").is_empty());
}

#[test]
fn ruleset_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Ruleset>();
    assert_send_sync::<Outcome>();
    let rules = ruleset(LOGIC);
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let rules = rules.clone();
            std::thread::spawn(move || {
                let record = rules.read_json(&format!(r#"{{"a":{0},"b":{0}}}"#, n % 2 == 0)).ok();
                record.map(|record| rules.evaluate(&record).unwrap_or_else(|e| panic!("{e}")).fired.len())
            })
        })
        .collect();
    let counts: Vec<Option<usize>> = handles.into_iter().map(|h| h.join().ok().flatten()).collect();
    assert_eq!(counts, [Some(2), Some(1), Some(2), Some(1)]);
}

#[test]
fn explanation_names_deciding_facts_and_sources() {
    let rules = ruleset(OVERRIDES);
    let record = rules.read_json(r#"{"sensory":true,"paralysis":true,"pain":false}"#).unwrap_or_else(|e| panic!("{e}"));
    let mut evaluator = rules.evaluator();
    let explanation = evaluator.evaluate(&record).unwrap_or_else(|e| panic!("{e}")).explain();
    let fired = &explanation.fired[0];
    assert_eq!(fired.rule.id, "irreversible");
    assert_eq!(fired.rule.title.as_deref(), Some("Irreversible ischemia"));
    let because: Vec<String> = fired.because.iter().map(|f| format!("{}={}", f.fact, f.value)).collect();
    assert_eq!(because, ["sensory=true", "paralysis=true"]);
    let sources: Vec<&str> = fired.rule.sources.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sources, ["Guideline two", "Guideline one"]);
    assert_eq!(explanation.overridden[0].by, ["irreversible"]);
    assert!(explanation.overridden[0].condition_true);
}

#[test]
fn a_record_is_refused_by_every_ruleset_but_its_own() {
    let first = ruleset(LOGIC);
    // Same text, compiled again: another ruleset, whose slots could differ.
    let second = ruleset(LOGIC);
    let other = ruleset("fact z: bool\naction act()\nrule r: z -> act\n");
    let record = first.read_json(r#"{"a":true,"b":true}"#).unwrap_or_else(|e| panic!("{e}"));
    assert!(first.evaluate(&record).is_ok());
    // A clone shares the compiled program, so it is the same ruleset.
    assert!(first.clone().evaluate(&record).is_ok());
    for stranger in [&second, &other] {
        let error = stranger.evaluate(&record).expect_err("a foreign record is refused");
        assert!(error.to_string().contains("not made by this ruleset"), "{error}");
        assert!(stranger.evaluator().evaluate(&record).is_err());
        let mut reused = record.clone();
        let refused = stranger.read_json_into(
            "{}",
            &mut reused,
            osler_engine::ReadOptions::default().strict(false),
            &mut Default::default(),
        );
        assert!(refused.unwrap_err().to_string().contains("not made by this ruleset"));
        assert!(stranger.set(&mut reused, "z", true).is_err());
    }
    // A default record belongs to no ruleset until one fills it.
    let mut blank = osler_engine::Record::default();
    assert!(first.evaluate(&blank).is_err());
    first
        .read_json_into(
            r#"{"a":true}"#,
            &mut blank,
            osler_engine::ReadOptions::default().strict(false),
            &mut Default::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(first.evaluate(&blank).is_ok());
    assert!(other.evaluate(&blank).is_err());
    // A record built by the builder is its ruleset's too.
    let built = other.record_builder().set("z", true).map(|b| b.build()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other.evaluate(&built).map(|o| o.fired).unwrap_or_else(|e| panic!("{e}")), ["r"]);
    assert!(first.evaluate(&built).is_err());
}
