//! Running a ruleset's `test` blocks: each test's givens become a record,
//! the record is evaluated, and every `expect` is compared with what came
//! out: the actions that stand and the rules that produced them, what
//! became of each rule (fired, overridden, undetermined, false) and the
//! facts to examine next. A failure says what was expected and what came
//! out. Also measures rule coverage: the rules no test fires.

use osler_dsl::model::{ActionIndex, Expectation, Expected, FactIndex, Model, RuleIndex, Value};
use serde::Serialize;

use crate::evaluation::Evaluation;
use crate::explain::render_call;
use crate::logic::Truth;
use crate::program::{Program, SlotId};
use crate::ruleset::Ruleset;

/// The result of one `test` block.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct TestResult {
    /// The test's title.
    pub title: String,
    /// `path:line` of the test.
    pub location: String,
    /// One message per failed expectation: `expected X, got Y`.
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
        let observed = Observed::of(model, &evaluated.scratch.result, program);
        let failures = test
            .expects
            .iter()
            .filter(|expectation| !observed.holds(expectation))
            .map(|expectation| {
                let not = if expectation.negated { "not " } else { "" };
                format!(
                    "expected {not}{}, got {}",
                    observed.describe(&expectation.what),
                    observed.got(&expectation.what)
                )
            })
            .collect();
        tests.push(TestResult {
            title: test.title.clone(),
            location: format!("{}:{}", test.location.path, test.location.line),
            failures,
            actual: observed.standing.iter().map(|entry| render_call(model, entry.action, &entry.args)).collect(),
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

/// One action entry that stands: the call and the rules that produced it.
struct Standing {
    action: ActionIndex,
    args: Vec<Value>,
    rules: Vec<RuleIndex>,
}

/// What became of a rule on a test's record.
enum Status {
    Fired,
    /// Overridden by these rules.
    Overridden(Vec<RuleIndex>),
    /// Undetermined, these facts missing.
    Undetermined(Vec<FactIndex>),
    /// Its condition is false.
    False,
}

/// What a test's record gave, as its expectations read it.
struct Observed<'m> {
    model: &'m Model,
    standing: Vec<Standing>,
    status: Vec<Status>,
    examine: Vec<FactIndex>,
}

impl<'m> Observed<'m> {
    fn of(model: &'m Model, result: &Evaluation, program: &Program) -> Observed<'m> {
        let standing = result
            .actions
            .iter()
            .map(|entry| {
                let instance = result.instance(program, entry.instance);
                let rules = &result.action_rules[entry.rules.0 as usize..entry.rules.1 as usize];
                Standing {
                    action: instance.action,
                    args: instance.args.clone(),
                    rules: rules.iter().map(|rule| rule.0).collect(),
                }
            })
            .collect();
        let mut status: Vec<Status> = (0..model.rules.len()).map(|_| Status::False).collect();
        for rule in &result.fired {
            status[rule.index()] = Status::Fired;
        }
        for &(rule, start, end) in &result.overridden {
            status[rule.index()] =
                Status::Overridden(result.by[start as usize..end as usize].iter().map(|by| by.0).collect());
        }
        for &(rule, start, end) in &result.undetermined {
            status[rule.index()] = Status::Undetermined(result.missing[start as usize..end as usize].to_vec());
        }
        let examine = result.examine.iter().map(|entry| entry.slot.0).collect();
        Observed { model, standing, status, examine }
    }

    fn holds(&self, expectation: &Expectation) -> bool {
        let call = |action: ActionIndex, args: &Option<Vec<Value>>, entry: &Standing| {
            entry.action == action && args.as_ref().is_none_or(|wanted| *wanted == entry.args)
        };
        let found = match &expectation.what {
            Expected::Action { action, args } => self.standing.iter().any(|entry| call(*action, args, entry)),
            Expected::From { action, args, rule } => {
                self.standing.iter().any(|entry| call(*action, args, entry) && entry.rules.contains(rule))
            }
            Expected::Fires(rule) => matches!(self.status[*rule as usize], Status::Fired),
            Expected::Undetermined(rule) => matches!(self.status[*rule as usize], Status::Undetermined(_)),
            Expected::Examine(fact) => self.examine.contains(fact),
            Expected::Nothing => self.standing.is_empty(),
        };
        found != expectation.negated
    }

    fn rule(&self, rule: RuleIndex) -> &str {
        &self.model.rules[rule as usize].id
    }

    fn fact(&self, fact: FactIndex) -> &str {
        &self.model.facts[fact as usize].name
    }

    fn call(&self, action: ActionIndex, args: &Option<Vec<Value>>) -> String {
        match args {
            Some(args) => render_call(self.model, action, args),
            None => self.model.actions[action as usize].name.clone(),
        }
    }

    /// What an expectation asks for, as `expect` writes it.
    fn describe(&self, what: &Expected) -> String {
        match what {
            Expected::Action { action, args } => self.call(*action, args),
            Expected::From { action, args, rule } => format!("{} from {}", self.call(*action, args), self.rule(*rule)),
            Expected::Fires(rule) => format!("{} fires", self.rule(*rule)),
            Expected::Undetermined(rule) => format!("undetermined {}", self.rule(*rule)),
            Expected::Examine(fact) => format!("examine {}", self.fact(*fact)),
            Expected::Nothing => "nothing".to_owned(),
        }
    }

    /// What came out that the expectation looked at.
    fn got(&self, what: &Expected) -> String {
        let join = |names: Vec<&str>| names.join(", ");
        match what {
            Expected::Action { .. } | Expected::Nothing => self.actions(),
            Expected::From { action, .. } => {
                let entries: Vec<String> = self
                    .standing
                    .iter()
                    .filter(|entry| entry.action == *action)
                    .map(|entry| {
                        let rules = join(entry.rules.iter().map(|rule| self.rule(*rule)).collect());
                        format!("{} from {rules}", render_call(self.model, entry.action, &entry.args))
                    })
                    .collect();
                match (entries.is_empty(), self.standing.is_empty()) {
                    (false, _) => entries.join("; "),
                    (true, true) => "no actions".to_owned(),
                    (true, false) => {
                        format!("no {} (actions: {})", self.model.actions[*action as usize].name, self.actions())
                    }
                }
            }
            Expected::Fires(rule) | Expected::Undetermined(rule) => {
                let name = self.rule(*rule);
                match &self.status[*rule as usize] {
                    Status::Fired => format!("{name} fired"),
                    Status::Overridden(by) => {
                        format!("{name} overridden by {}", join(by.iter().map(|by| self.rule(*by)).collect()))
                    }
                    Status::Undetermined(missing) if missing.is_empty() => format!("{name} undetermined"),
                    Status::Undetermined(missing) => format!(
                        "{name} undetermined (missing {})",
                        join(missing.iter().map(|fact| self.fact(*fact)).collect())
                    ),
                    Status::False => format!("{name} false"),
                }
            }
            Expected::Examine(_) if self.examine.is_empty() => "nothing to examine".to_owned(),
            Expected::Examine(_) => {
                format!("examine {}", join(self.examine.iter().map(|fact| self.fact(*fact)).collect()))
            }
        }
    }

    /// The actions that stand, or `no actions`.
    fn actions(&self) -> String {
        if self.standing.is_empty() {
            return "no actions".to_owned();
        }
        let calls: Vec<String> =
            self.standing.iter().map(|entry| render_call(self.model, entry.action, &entry.args)).collect();
        calls.join(", ")
    }
}
