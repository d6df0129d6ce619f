//! Running a ruleset's `test` blocks: each test's givens become a record,
//! the record is evaluated, and every `expect` is compared with the actions
//! that stand. Also measures rule coverage: the rules no test fires.

use osler_dsl::model::{Expectation, Value};
use serde::Serialize;

use crate::explain::render_call;
use crate::logic::Truth;
use crate::program::SlotId;
use crate::ruleset::Ruleset;

/// The result of one `test` block.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct TestResult {
    /// The test's title.
    pub title: String,
    /// `path:line` of the test.
    pub location: String,
    /// One message per failed expectation.
    pub failures: Vec<String>,
    /// The actions that stood, rendered (`emergency(6h)`).
    pub actual: Vec<String>,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Whether some test fires a rule (its condition is true, whether or not
/// it is then overridden).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct RuleCoverage {
    /// The rule's id.
    pub rule: String,
    /// `path:line` of the rule.
    pub location: String,
    /// Whether some test fires it.
    pub fired: bool,
}

/// The results of every test block and the rule coverage.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct TestReport {
    /// Each test block's result, in declaration order.
    pub tests: Vec<TestResult>,
    /// Each rule's coverage, in declaration order.
    pub coverage: Vec<RuleCoverage>,
}

impl TestReport {
    /// The number of tests that passed.
    pub fn passed(&self) -> usize {
        self.tests.iter().filter(|test| test.passed()).count()
    }

    /// The number of tests that failed.
    pub fn failed(&self) -> usize {
        self.tests.len() - self.passed()
    }

    /// The percentage of rules some test fires (100 for a ruleset without rules).
    pub fn coverage_percent(&self) -> f64 {
        if self.coverage.is_empty() {
            return 100.0;
        }
        let fired = self.coverage.iter().filter(|rule| rule.fired).count();
        fired as f64 * 100.0 / self.coverage.len() as f64
    }
}

/// Runs every test block of the ruleset.
///
/// ```
/// let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(), r#"
/// fact smoker: bool
/// action refer()
/// rule quit: smoker -> refer
/// test "smokers are referred" {
///   given smoker = true
///   expect refer
/// }
/// "#.to_owned())])?;
/// let report = osler_engine::testing::run_tests(&ruleset);
/// assert_eq!((report.passed(), report.failed()), (1, 0));
/// assert_eq!(report.coverage_percent(), 100.0);
/// # Ok::<(), osler_engine::LoadError>(())
/// ```
pub fn run_tests(ruleset: &Ruleset) -> TestReport {
    let program = ruleset.program();
    let model = &program.model;
    let mut fired_somewhere = vec![false; model.rules.len()];
    let mut evaluator = ruleset.evaluator();
    let mut record = ruleset.record();
    let mut tests = Vec::with_capacity(model.tests.len());
    for test in &model.tests {
        record.clear();
        for (fact, value) in &test.given {
            record.set_value(SlotId(*fact), value);
        }
        // The evaluator and the record are this ruleset's own.
        let Ok(evaluated) = evaluator.evaluate(&record) else { unreachable!("a record of the ruleset under test") };
        for (seen, truth) in fired_somewhere.iter_mut().zip(evaluated.conditions()) {
            *seen |= *truth == Truth::True;
        }
        let standing: Vec<(u32, &[Value])> = evaluated
            .scratch
            .result
            .actions
            .iter()
            .map(|entry| evaluated.scratch.result.instance(program, entry.instance))
            .map(|instance| (instance.action, instance.args.as_slice()))
            .collect();
        let actual: Vec<String> = standing.iter().map(|(action, args)| render_call(model, *action, args)).collect();
        let shown = if actual.is_empty() { "no actions".to_owned() } else { actual.join(", ") };
        let failures = test
            .expects
            .iter()
            .filter(|expectation| !holds(expectation, &standing))
            .map(|expectation| {
                let wanted = describe(model, expectation);
                if expectation.negated {
                    format!("expected not {wanted}, got {shown}")
                } else {
                    format!("expected {wanted}, got {shown}")
                }
            })
            .collect();
        tests.push(TestResult {
            title: test.title.clone(),
            location: format!("{}:{}", test.location.path, test.location.line),
            failures,
            actual,
        });
    }
    let coverage = model
        .rules
        .iter()
        .zip(fired_somewhere)
        .map(|(rule, fired)| RuleCoverage {
            rule: rule.id.clone(),
            location: format!("{}:{}", rule.location.path, rule.location.line),
            fired,
        })
        .collect();
    TestReport { tests, coverage }
}

fn holds(expectation: &Expectation, standing: &[(u32, &[Value])]) -> bool {
    let matches = |(action, args): &&(u32, &[Value])| {
        *action == expectation.action && expectation.args.as_ref().is_none_or(|wanted| wanted.as_slice() == *args)
    };
    standing.iter().any(|entry| matches(&entry)) != expectation.negated
}

fn describe(model: &osler_dsl::model::Model, expectation: &Expectation) -> String {
    match &expectation.args {
        Some(args) => render_call(model, expectation.action, args),
        None => model.actions[expectation.action as usize].name.clone(),
    }
}
