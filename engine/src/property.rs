//! Checking a ruleset's properties (`assert` and `exclusive`) on one
//! evaluated record, with the engine's own semantics: action patterns are
//! read from the output that stands (after overrides, identical calls
//! merged), and `when`/`then` run through the tree interpreter with the
//! evaluation's memoised lets. Properties run only on request (`osler
//! check`, an analysis replaying its example); `osler run` never calls
//! this, so a ruleset with properties runs exactly as one without.

use osler_dsl::model::{ActionIndex, Value};

use crate::eval::Scratch;
use crate::logic::Truth;
use crate::program::Program;
use crate::record::Record;

/// The properties of a ruleset checked on one record: each `assert` and
/// each `exclusive`, in the model's order.
#[derive(Clone, PartialEq, Debug, Default)]
#[non_exhaustive]
pub struct PropertyReport {
    /// Per `assert`, in the model's order (`Model::asserts`).
    pub asserts: Vec<AssertCheck>,
    /// Per `exclusive`, in the model's order (`Model::exclusives`).
    pub exclusives: Vec<ExclusiveCheck>,
}

impl PropertyReport {
    /// Whether every property holds on the record.
    pub fn holds(&self) -> bool {
        !self.asserts.iter().any(AssertCheck::violated) && !self.exclusives.iter().any(ExclusiveCheck::violated)
    }
}

/// One `assert WHEN -> THEN` on one record.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct AssertCheck {
    /// The truth of `WHEN`.
    pub when: Truth,
    /// The truth of `THEN` (computed whatever `WHEN` is).
    pub then: Truth,
}

impl AssertCheck {
    /// Whether the record violates the assert: `WHEN` is true and `THEN`
    /// is not (false or unknown). An unknown `WHEN` violates nothing.
    pub fn violated(&self) -> bool {
        self.when == Truth::True && self.then != Truth::True
    }
}

/// One `exclusive ACTION` on one record.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub struct ExclusiveCheck {
    /// The action (an index into `Model::actions`).
    pub action: ActionIndex,
    /// The arguments of each distinct call of the action in the output, in
    /// output order. Identical calls from several rules are one call.
    pub calls: Vec<Vec<Value>>,
}

impl ExclusiveCheck {
    /// Whether the output holds two or more different calls of the action.
    pub fn violated(&self) -> bool {
        self.calls.len() >= 2
    }
}

/// Checks every property of `program` on `record`, whose evaluation is the
/// one in `scratch` (its output and memoised lets).
pub(crate) fn check(program: &Program, record: &Record, scratch: &mut Scratch) -> PropertyReport {
    let mut standing = vec![false; program.instances.len()];
    for entry in &scratch.result.actions {
        if let Some(mark) = standing.get_mut(entry.instance.index()) {
            *mark = true;
        }
    }
    // Calls computed on this record match a pattern by action and values.
    let computed: Vec<&crate::program::ActionInstance> = scratch
        .result
        .actions
        .iter()
        .filter(|entry| entry.instance.index() >= program.instances.len())
        .map(|entry| scratch.result.instance(program, entry.instance))
        .collect();
    let outputs: Vec<bool> = program
        .patterns
        .iter()
        .zip(&program.pattern_keys)
        .map(|(matches, (action, args))| {
            matches.iter().any(|&instance| standing.get(instance as usize) == Some(&true))
                || computed.iter().any(|instance| {
                    instance.action == *action && args.as_ref().is_none_or(|args| *args == instance.args)
                })
        })
        .collect();
    let exclusives = program
        .exclusives
        .iter()
        .map(|&action| ExclusiveCheck {
            action,
            calls: scratch
                .result
                .actions
                .iter()
                .map(|entry| scratch.result.instance(program, entry.instance))
                .filter(|instance| instance.action == action)
                .map(|instance| instance.args.clone())
                .collect(),
        })
        .collect();
    let mut context = scratch.context(program, record).with_outputs(&outputs);
    let asserts = program
        .asserts
        .iter()
        .map(|&(when, then)| AssertCheck { when: context.truth(when), then: context.truth(then) })
        .collect();
    PropertyReport { asserts, exclusives }
}
