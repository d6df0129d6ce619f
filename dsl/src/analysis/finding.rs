//! What the analysis reports, before the engine confirms it: a finding
//! with its code, message, the declaration it is about, and (for findings
//! that something can happen) the example record and the claim the engine
//! must see on it when it evaluates the record.

use crate::code::Code;
use crate::diagnostic::Severity;
use crate::model::{FactIndex, Location, Model, RuleIndex, Value};

/// What the analysis does not follow exactly, as undecided findings say it.
pub const NOT_FOLLOWED: &str = "arithmetic between facts (or a `count` too large to follow)";

/// One finding of the analysis.
#[derive(Clone, PartialEq, Debug)]
pub struct Finding {
    /// Its code (`osler::dead_rule`, ..).
    pub code: Code,
    /// Warning or hint.
    pub severity: Severity,
    /// The declaration it is about (where the diagnostic points).
    pub subject: Subject,
    /// One sentence: what is wrong.
    pub message: String,
    /// The label under the subject.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other rules involved, with what each is.
    pub related: Vec<(RuleIndex, String)>,
    /// The record that shows it, when it says something can happen:
    /// `(fact, value)` in fact order, unknown facts left out.
    pub example: Option<Vec<(FactIndex, Value)>>,
    /// Further examples, in order, for the engine to try when the first
    /// does not show the claim (only when `approximate`).
    pub candidates: Vec<Vec<(FactIndex, Value)>>,
    /// What the engine must show on the example.
    pub claim: Option<Claim>,
    /// The example came from a formula that over-approximates (arithmetic
    /// between facts): it may not be real. If the engine does not confirm
    /// it, the finding becomes `osler::undecided`.
    pub approximate: bool,
    /// A check, not a finding: nothing is reported when the engine
    /// confirms the claim; `osler::undecided` when it does not.
    pub silent: bool,
}

impl Finding {
    /// Whether the declaration it is about silences its code
    /// (`// osler: allow(dead_rule)`).
    pub fn silenced(&self, model: &Model) -> bool {
        self.subject.location(model).is_some_and(|location| location.allow.iter().any(|code| code == self.code.word()))
    }
}

/// What a finding is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Subject {
    /// A rule.
    Rule(RuleIndex),
    /// The edge `by overrides rule` (the diagnostic points at `by`).
    Override {
        /// The overridden rule.
        rule: RuleIndex,
        /// The rule that overrides it.
        by: RuleIndex,
    },
    /// An `assert`, by index into [`Model::asserts`].
    Assert(u32),
    /// An `exclusive`, by index into [`Model::exclusives`].
    Exclusive(u32),
}

impl Subject {
    /// Where the subject is declared.
    pub fn location<'m>(&self, model: &'m Model) -> Option<&'m Location> {
        match *self {
            Subject::Rule(rule) | Subject::Override { by: rule, .. } => {
                model.rules.get(rule as usize).map(|info| &info.location)
            }
            Subject::Assert(index) => model.asserts.get(index as usize).map(|info| &info.location),
            Subject::Exclusive(index) => model.exclusives.get(index as usize).map(|info| &info.location),
        }
    }
}

/// What the engine must see when it evaluates a finding's example.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Claim {
    /// The rule's condition is true.
    ConditionTrue(RuleIndex),
    /// The rule's condition is true and the rule is overridden.
    Overridden(RuleIndex),
    /// Both rules' conditions are true.
    BothTrue(RuleIndex, RuleIndex),
    /// The rule fires, and the condition of a rule that overrides it is
    /// unknown.
    Provisional(RuleIndex),
    /// The rule fires, and every action it emits is also emitted by
    /// another rule that fires.
    Covered(RuleIndex),
    /// The assert's `when` is true and its `then` is not.
    AssertViolated(u32),
    /// The output holds two different calls of the exclusive's action.
    ExclusiveViolated(u32),
}
