//! Decisions a clinician can act on, checked on real `.osl` text against
//! hand-computed expectations: the disposition under `priority` (ties on
//! the duration argument compared across units), provisional actions and
//! their `pending` exceptions (exception true, false, unknown), the ranked
//! `examine` list, and the explain levels of the output line.

use osler_engine::{Explain, Outcome};

mod common;

use common::{outcome, ruleset};

/// `name(args)` of the disposition, or `-` without one.
fn disposition(outcome: &Outcome) -> String {
    outcome.disposition.as_ref().map_or("-".to_owned(), |d| {
        let args: Vec<String> = d.args.iter().map(|a| a.as_str().map_or(a.to_string(), str::to_owned)).collect();
        format!("{}({})", d.name, args.join(", "))
    })
}

const TRIAGE: &str = "
fact red_flag: bool
fact late: bool
fact pulses_absent: bool
fact mild: bool
action emergency(within: duration)
action urgent(within: duration)
action self_care()
action order(test: Test)
enum Test { abi, duplex }
priority emergency > urgent > self_care
rule flag: red_flag -> emergency(6h)
rule flag_minutes: red_flag and late -> emergency(300min)
rule pulses: pulses_absent -> emergency(0min), order(duplex)
rule soon: mild -> urgent(1d)
rule home: mild -> self_care
rule workup: mild and late -> order(abi)
";

#[test]
fn disposition_is_the_first_listed_action_present() {
    let rules = ruleset(TRIAGE);
    // Urgent and self-care together: urgent governs; both stay in the output.
    let mild = outcome(&rules, r#"{"mild": true, "red_flag": false, "pulses_absent": false}"#);
    assert_eq!(disposition(&mild), "urgent(1d)");
    assert_eq!(mild.actions.len(), 2);
    assert_eq!(mild.disposition.as_ref().map(|d| d.rules.clone()), Some(vec!["soon".to_owned()]));
    // Nothing listed fired: no disposition, and the field is left out.
    let none = outcome(&rules, r#"{"mild": false, "red_flag": false, "pulses_absent": false}"#);
    assert_eq!(disposition(&none), "-");
    assert!(!none.to_json_line().contains("disposition"));
}

#[test]
fn among_calls_of_the_action_the_shortest_duration_governs_across_units() {
    let rules = ruleset(TRIAGE);
    // 6h against 300min: 300min is five hours, so it governs though it
    // comes second in the output.
    let late = outcome(&rules, r#"{"red_flag": true, "late": true, "pulses_absent": false, "mild": false}"#);
    assert_eq!(disposition(&late), "emergency(5h)");
    // 0min beats both, and an emergency beats the urgent call present too.
    let all = outcome(&rules, r#"{"red_flag": true, "late": true, "pulses_absent": true, "mild": true}"#);
    assert_eq!(disposition(&all), "emergency(0min)");
    assert_eq!(all.disposition.as_ref().map(|d| d.sources.clone()), Some(vec![]));
}

#[test]
fn a_tie_on_the_duration_keeps_the_first_call_in_output_order() {
    let rules = ruleset(
        "fact a: bool\nfact b: bool\naction refer(to: Team, within: duration)\nenum Team { vascular, neuro }\n\
         priority refer\nrule first: a -> refer(neuro, 1d)\nrule second: b -> refer(vascular, 24h)\n",
    );
    let both = outcome(&rules, r#"{"a": true, "b": true}"#);
    assert_eq!(disposition(&both), "refer(neuro, 1d)");
}

const EXCEPTION: &str = "
fact symptoms: bool
fact red_flag: bool
action self_care()
action urgent(within: duration)
rule home: symptoms -> self_care
rule red_flags overrides home: red_flag -> urgent(1d)
";

#[test]
fn a_default_is_provisional_while_its_exception_is_unknown() {
    let rules = ruleset(EXCEPTION);
    // Exception unknown: self-care is output, pending on the exception.
    let unknown = outcome(&rules, r#"{"symptoms": true}"#);
    assert_eq!(unknown.fired, ["home"]);
    assert_eq!(unknown.actions[0].pending, ["red_flags"]);
    assert!(unknown.to_json_line().contains(r#""pending":["red_flags"]"#));
    // The fact that decides the exception is what to examine, and it could
    // both cancel the default and bring the exception's own action.
    assert_eq!(unknown.examine.len(), 1);
    assert_eq!(unknown.examine[0].fact, "red_flag");
    assert_eq!(unknown.examine[0].could, ["urgent(1d)"]);
    assert_eq!(unknown.examine[0].could_cancel, ["self_care"]);
    // Exception false: the default stands firmly.
    let firm = outcome(&rules, r#"{"symptoms": true, "red_flag": false}"#);
    assert!(firm.actions[0].pending.is_empty());
    assert!(!firm.to_json_line().contains("pending"));
    assert!(firm.examine.is_empty());
    // Exception true: the default is overridden, the exception fires.
    let overridden = outcome(&rules, r#"{"symptoms": true, "red_flag": true}"#);
    assert_eq!(overridden.fired, ["red_flags"]);
    assert_eq!(overridden.overridden[0].rule, "home");
    assert!(overridden.actions.iter().all(|action| action.pending.is_empty()));
}

#[test]
fn an_action_another_rule_gives_firmly_is_not_pending() {
    let rules = ruleset(
        "fact a: bool\nfact b: bool\nfact exception: bool\naction act()\n\
         rule default_rule: a -> act\nrule other: b -> act\nrule except overrides default_rule: exception -> act\n",
    );
    let firm = outcome(&rules, r#"{"a": true, "b": true}"#);
    assert!(firm.actions[0].pending.is_empty());
    let pending = outcome(&rules, r#"{"a": true, "b": false}"#);
    assert_eq!(pending.actions[0].pending, ["except"]);
}

#[test]
fn examine_ranks_what_a_fact_could_bring_under_the_priority() {
    let rules = ruleset(
        "fact cough: bool\nfact wheeze: bool\nfact chest_pain: bool\n\
         action emergency(within: duration)\naction order(test: Test)\naction follow_up(within: duration)\n\
         enum Test { xray, spirometry, ecg }\npriority emergency > follow_up\n\
         rule xray: cough and wheeze -> order(xray), order(spirometry), follow_up(2w)\n\
         rule chest: chest_pain -> emergency(1h)\n",
    );
    let nothing = outcome(&rules, "{}");
    let facts: Vec<&str> = nothing.examine.iter().map(|e| e.fact.as_str()).collect();
    // chest_pain could bring an emergency: first, though cough and wheeze
    // could each bring three actions.
    assert_eq!(facts, ["chest_pain", "cough", "wheeze"]);
    assert_eq!(nothing.examine[1].could, ["follow_up(2w)", "order(xray)", "order(spirometry)"]);
    // Once chest pain is known false, it is no longer worth examining; a
    // fact whose every outcome is already in the output is not listed.
    let known = outcome(&rules, r#"{"chest_pain": false, "cough": true}"#);
    let facts: Vec<&str> = known.examine.iter().map(|e| e.fact.as_str()).collect();
    assert_eq!(facts, ["wheeze"]);
    let covered = ruleset("fact a: bool\nfact b: bool\naction act()\nrule first: a -> act\nrule second: b -> act\n");
    assert!(outcome(&covered, r#"{"a": true}"#).examine.is_empty());
}

#[test]
fn examine_holds_at_most_ten_facts() {
    let facts: String = (0..15).map(|i| format!("fact f{i}: bool\n")).collect();
    let rules_text: String = (0..15).map(|i| format!("rule r{i}: f{i} -> act\n")).collect();
    let rules = ruleset(&format!("{facts}action act()\n{rules_text}"));
    let nothing = outcome(&rules, "{}");
    assert_eq!(nothing.examine.len(), 10);
    assert_eq!(nothing.examine[0].fact, "f0");
    assert_eq!(nothing.undetermined.len(), 15);
}

#[test]
fn explain_levels_keep_what_each_promises() {
    let rules = ruleset(EXCEPTION);
    let unknown = outcome(&rules, r#"{"id": 1, "symptoms": true}"#);
    let full: serde_json::Value = serde_json::from_str(&unknown.to_json_line_at(Explain::Full)).unwrap_or_default();
    let brief: serde_json::Value = serde_json::from_str(&unknown.to_json_line_at(Explain::Brief)).unwrap_or_default();
    let none: serde_json::Value = serde_json::from_str(&unknown.to_json_line_at(Explain::None)).unwrap_or_default();
    // Key sets (serde_json's map sorts them).
    let keys = |value: &serde_json::Value| -> Vec<String> {
        value.as_object().map(|object| object.keys().cloned().collect()).unwrap_or_default()
    };
    assert_eq!(keys(&full), ["actions", "examine", "fired", "id", "overridden", "undetermined"]);
    assert_eq!(keys(&brief), ["actions", "examine", "fired", "id", "overridden"]);
    assert_eq!(keys(&none), ["actions", "id"]);
    // In the fixed order.
    assert!(unknown.to_json_line_at(Explain::Brief).starts_with(r#"{"id":1,"actions":[{"name":"self_care""#));
    assert!(unknown.to_json_line_at(Explain::Brief).contains(r#""overridden":[],"examine":[{"fact":"red_flag""#));
    assert_eq!(unknown.to_json_line_at(Explain::Full), unknown.to_json_line());
    // The evaluator's writer gives the same bytes at every level.
    let record = rules.read_json(r#"{"id": 1, "symptoms": true}"#).unwrap_or_else(|e| panic!("{e}"));
    let mut evaluator = rules.evaluator();
    let evaluated = evaluator.evaluate(&record).unwrap_or_else(|e| panic!("{e}"));
    for level in [Explain::None, Explain::Brief, Explain::Full] {
        let mut line = Vec::new();
        evaluated.write_json_line_at(&mut line, level);
        assert_eq!(String::from_utf8_lossy(&line), format!("{}\n", unknown.to_json_line_at(level)));
    }
}

const PULSES: &str = "
enum Pulse { present, absent }
fact pedal_pulses: Pulse
action emergency(within: duration)
rule pulses: pedal_pulses == absent -> emergency(6h)
";

#[test]
fn unknown_fields_become_warnings_on_the_line() {
    use osler_engine::batch::{OutputFormat, RunOptions, run_csv, run_json_lines};
    let rules = ruleset(PULSES);
    let input =
        "{\"id\":\"a\",\"pedal_pulse\":\"absent\",\"temperature\":1}\n{\"id\":\"b\",\"pedal_pulses\":\"absent\"}\n";
    let mut output = Vec::new();
    let summary = run_json_lines(&rules, input.as_bytes(), &mut output, RunOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&output);
    let lines: Vec<serde_json::Value> =
        text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect();
    assert_eq!(
        lines[0]["warnings"],
        serde_json::json!([
            "unknown field `pedal_pulse` (did you mean `pedal_pulses`?)",
            "unknown field `temperature`"
        ])
    );
    // The misspelled red flag is not read: the pulses stay unknown and are
    // what to examine.
    assert_eq!(lines[0]["examine"][0]["fact"], "pedal_pulses");
    assert!(lines[1].get("warnings").is_none(), "{}", lines[1]);
    assert_eq!(summary.warned, 1);
    // The embedding API's outcome carries the same warnings.
    let record = rules.read_json(r#"{"pedal_pulse":"absent"}"#).unwrap_or_else(|e| panic!("{e}"));
    let outcome = rules.evaluate(&record).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.warnings, ["unknown field `pedal_pulse` (did you mean `pedal_pulses`?)"]);
    // CSV in and out: the warnings column.
    let mut csv = Vec::new();
    let options = RunOptions::default().output_format(OutputFormat::Csv);
    run_csv(&rules, "id,pedal_pulse\nc,absent\n".as_bytes(), &mut csv, options, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&csv),
        "id,disposition,emergency,fired,warnings,error\nc,,,,unknown field `pedal_pulse` (did you mean `pedal_pulses`?),\n"
    );
    // Strict reading rejects such a record, naming the likely fact.
    let strict = RunOptions::default().strict(true);
    let mut rejected = Vec::new();
    run_json_lines(&rules, input.as_bytes(), &mut rejected, strict, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let first = String::from_utf8_lossy(&rejected).lines().next().unwrap_or_default().to_owned();
    assert!(first.contains("\"error\":") && first.contains("did you mean `pedal_pulses`?"), "{first}");
}
