//! The analysis corpus: every `.osl` file under `tests/corpus/analysis` is
//! one ruleset; it must check without errors, and the findings of
//! `osler_dsl::analysis::analyze` are compared with the `.expected` file
//! beside it. Every example a finding carries is replayed through the
//! engine, which must show the finding's claim on it, and (for examples
//! from exact formulas) every known fact of the example must be needed.
//!
//! The expectation format, one line per finding, in the analysis's order:
//!
//! ```text
//! [REPORTED] SUBJECT EXAMPLE (NOTES)
//! ```
//!
//! - `REPORTED` is what the user is shown once the example is replayed:
//!   the finding's code (`osler::dead_rule`); `osler::undecided` when the
//!   example came from an over-approximating formula (arithmetic between
//!   facts) and the engine does not confirm it; `confirmed` for a silent
//!   finding (a check, not a finding) that the engine confirms, which
//!   shows nothing. The bracketed codes are what
//!   `tidy.rs::every_diagnostic_code_has_a_corpus_case` looks for.
//! - `SUBJECT` is `rule:ID`, `override:BY>RULE` (the edge `BY overrides
//!   RULE`), `assert:ID` or `exclusive:ACTION`.
//! - `EXAMPLE` is the example record as one JSON object in fact order
//!   (unknown facts left out), or `-` when the finding has none.
//! - `NOTES`, only when there are any: the finding's own code when it is
//!   not the reported one, `approximate`, `silent`.
//!
//! A case without findings has the single line `no findings`. Set
//! `UPDATE_EXPECT=1` to rewrite the expectations, then read every changed
//! line: each one states a fact about the ruleset that was checked by hand.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken fixture")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use osler_dsl::analysis::{Claim, Finding, Subject, analyze, example_value};
use osler_dsl::diagnostic::{Example, Severity, example_json};
use osler_dsl::model::{FactIndex, Model, Value};
use osler_dsl::{Code, LineIndex};
use osler_engine::{Ruleset, Truth};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join("analysis")
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "osl"))
        .collect();
    cases.sort();
    cases
}

/// The model of one case; a case that does not check is a broken fixture.
fn model_of(path: &Path) -> Arc<Model> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let checked = osler_dsl::check_sources(&[(name.clone(), text.clone())]);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == Severity::Error)
        .map(|d| {
            let at = LineIndex::new(&text).line_col(&text, d.diagnostic.span.start);
            format!("{name}:{}:{} [{}] {}", at.line + 1, at.column + 1, d.diagnostic.code, d.diagnostic.message)
        })
        .collect();
    assert!(errors.is_empty(), "{} does not check:\n{}", path.display(), errors.join("\n"));
    checked.model.unwrap()
}

/// An example as the diagnostic shows it: fact names and JSON values.
fn named(model: &Model, example: &[(FactIndex, Value)]) -> Example {
    example
        .iter()
        .map(|(fact, value)| (model.facts[*fact as usize].name.clone(), example_value(value, model)))
        .collect()
}

fn subject(model: &Model, subject: Subject) -> String {
    match subject {
        Subject::Rule(rule) => format!("rule:{}", model.rules[rule as usize].id),
        Subject::Override { rule, by } => {
            format!("override:{}>{}", model.rules[by as usize].id, model.rules[rule as usize].id)
        }
        Subject::Assert(index) => format!("assert:{}", model.asserts[index as usize].id),
        Subject::Exclusive(index) => {
            format!("exclusive:{}", model.actions[model.exclusives[index as usize].action as usize].name)
        }
    }
}

/// Whether the engine shows `claim` on the record `values`.
fn claim_holds(ruleset: &Ruleset, claim: Claim, values: &[(FactIndex, Value)]) -> bool {
    let model = ruleset.model();
    let record = ruleset.record_from_values(values).unwrap();
    let mut evaluator = ruleset.evaluator();
    let mut evaluated = evaluator.evaluate(&record).unwrap();
    let conditions = evaluated.conditions().to_vec();
    let fired: Vec<u32> = evaluated.fired_rules().collect();
    let overridden: Vec<u32> = evaluated.overridden_rules().map(|(rule, _)| rule).collect();
    let truth = |rule: u32| conditions[rule as usize];
    match claim {
        Claim::ConditionTrue(rule) => truth(rule) == Truth::True,
        Claim::Overridden(rule) => truth(rule) == Truth::True && overridden.contains(&rule),
        Claim::BothTrue(a, b) => truth(a) == Truth::True && truth(b) == Truth::True,
        Claim::Provisional(rule) => {
            fired.contains(&rule)
                && model
                    .rules
                    .iter()
                    .enumerate()
                    .any(|(by, info)| info.overrides.contains(&rule) && truth(by as u32) == Truth::Unknown)
        }
        Claim::Covered(rule) => {
            fired.contains(&rule)
                && model.rules[rule as usize].actions.iter().all(|call| {
                    fired.iter().any(|&other| other != rule && model.rules[other as usize].actions.contains(call))
                })
        }
        Claim::AssertViolated(index) => evaluated.properties().asserts[index as usize].violated(),
        Claim::ExclusiveViolated(index) => evaluated.properties().exclusives[index as usize].violated(),
    }
}

/// Replays a finding's example (for an approximate one, its candidates in
/// turn, as `osler check` does); `Err` says what is wrong with the
/// finding. `Ok(Some(example))` is the example the engine confirmed,
/// `Ok(None)` when it confirmed none.
fn replay<'f>(ruleset: &Ruleset, finding: &'f Finding) -> Result<Option<&'f [(FactIndex, Value)]>, String> {
    let (example, claim) = match (&finding.example, finding.claim) {
        (Some(example), Some(claim)) => (example, claim),
        (None, None) => return Ok(Some(&[])),
        _ => return Err("an example without a claim, or a claim without an example".to_owned()),
    };
    let mut facts: Vec<FactIndex> = example.iter().map(|(fact, _)| *fact).collect();
    let sorted = facts.windows(2).all(|pair| pair[0] < pair[1]);
    facts.dedup();
    if !sorted || facts.len() != example.len() {
        return Err("the example's facts are not in fact order, each once".to_owned());
    }
    let holds = claim_holds(ruleset, claim, example);
    if finding.approximate {
        let confirmed = std::iter::once(example)
            .chain(&finding.candidates)
            .find(|candidate| claim_holds(ruleset, claim, candidate));
        return Ok(confirmed.map(Vec::as_slice));
    }
    if !holds {
        return Err(format!("the engine does not show {claim:?} on the example"));
    }
    for drop in 0..example.len() {
        let fewer: Vec<(FactIndex, Value)> =
            example.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, pair)| pair.clone()).collect();
        if claim_holds(ruleset, claim, &fewer) {
            let name = &ruleset.model().facts[example[drop].0 as usize].name;
            return Err(format!("the example is not minimal: {claim:?} holds without `{name}`"));
        }
    }
    Ok(Some(example))
}

/// One finding's expectation line, after its replay (`shown`: the example
/// the engine confirmed, else the finding's first).
fn line(model: &Model, finding: &Finding, shown: Option<&[(FactIndex, Value)]>) -> String {
    let confirmed = shown.is_some();
    let reported = match (confirmed, finding.silent) {
        (false, _) => Code::Undecided.as_str(),
        (true, true) => "confirmed",
        (true, false) => finding.code.as_str(),
    };
    let example = match (shown, &finding.example) {
        (_, None) => "-".to_owned(),
        (Some(shown), Some(_)) => example_json(&named(model, shown)),
        (None, Some(example)) => example_json(&named(model, example)),
    };
    let mut notes = Vec::new();
    if reported != finding.code.as_str() {
        notes.push(finding.code.as_str().trim_start_matches("osler::").to_owned());
    }
    if finding.approximate {
        notes.push("approximate".to_owned());
    }
    if finding.silent {
        notes.push("silent".to_owned());
    }
    let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
    format!("[{reported}] {} {example}{notes}\n", subject(model, finding.subject))
}

/// The rendered findings of one case, or what is wrong with them.
fn run_case(path: &Path) -> Result<String, String> {
    let model = model_of(path);
    let ruleset = Ruleset::from_model(Arc::clone(&model)).map_err(|e| format!("does not compile: {e}"))?;
    let findings = analyze(&model);
    let mut out = String::new();
    let mut problems = Vec::new();
    for finding in &findings {
        if finding.silent && !finding.approximate {
            problems.push(format!("{finding:?}: a silent finding from an exact formula"));
        }
        match replay(&ruleset, finding) {
            Ok(shown) => out.push_str(&line(&model, finding, shown)),
            Err(problem) => problems.push(format!("{}: {problem}", line(&model, finding, None).trim_end())),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    if out.is_empty() {
        out.push_str("no findings\n");
    }
    Ok(out)
}

#[test]
fn analysis_corpus() {
    let cases = cases();
    assert!(cases.len() >= 30, "the analysis corpus has {} cases, expected at least 30", cases.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let actual = match run_case(case) {
            Ok(actual) => actual,
            Err(problems) => {
                failures.push(format!("--- {}: findings the engine refutes:\n{problems}", case.display()));
                continue;
            }
        };
        let expected_path = case.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("--- {}\nexpected:\n{expected}actual:\n{actual}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{} analysis cases differ:\n{}", failures.len(), failures.join("\n"));
}

/// Every code the analysis can report is shown by some case, so each
/// finding has at least one hand-checked instance.
#[test]
fn every_analysis_code_has_a_case() {
    let mut all = String::new();
    for case in cases() {
        all.push_str(&std::fs::read_to_string(case.with_extension("expected")).unwrap_or_default());
    }
    let codes = [
        Code::DeadRule,
        Code::AlwaysOverridden,
        Code::IneffectiveOverride,
        Code::AlwaysTrue,
        Code::RedundantRule,
        Code::ProvisionalDefault,
        Code::AssertViolated,
        Code::ExclusiveViolated,
        Code::Undecided,
    ];
    let missing: Vec<&str> =
        codes.iter().map(|code| code.as_str()).filter(|code| !all.contains(&format!("[{code}]"))).collect();
    assert!(missing.is_empty(), "no analysis case shows {}", missing.join(", "));
    assert!(all.contains("no findings"), "no analysis case is clean");
}
