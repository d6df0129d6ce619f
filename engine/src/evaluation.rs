//! The index-only result of one evaluation ([`Evaluation`]): what fired,
//! what was overridden or undetermined and why, the merged action entries
//! and the decisions (pending, disposition, examine), all as typed indices
//! into the program. The evaluator (`eval`) and the ranking of `examine`
//! fill it; the output writers and the owned outcome are made from it.

use crate::program::{ActionInstance, CallInfo, InstanceId, Program, RuleId, SlotId, SourceId};

/// The result of one evaluation, as typed indices into the program (the
/// output writers index the program's tables with them directly).
#[derive(Clone, Debug, Default)]
pub(crate) struct Evaluation {
    pub(crate) fired: Vec<RuleId>,
    /// `(rule, start, end)`: the overriding rules are `by[start..end]`.
    pub(crate) overridden: Vec<(RuleId, u32, u32)>,
    pub(crate) by: Vec<RuleId>,
    /// `(rule, start, end)`: the facts to examine are `missing[start..end]`.
    pub(crate) undetermined: Vec<(RuleId, u32, u32)>,
    /// Fact slots (raw, as the circuit's walk writes them).
    pub(crate) missing: Vec<u32>,
    pub(crate) actions: Vec<ActionEntry>,
    pub(crate) action_rules: Vec<RuleId>,
    pub(crate) action_sources: Vec<SourceId>,
    /// The exceptions of pending actions (`ActionEntry::pending`).
    pub(crate) pending: Vec<RuleId>,
    /// The entry of `actions` that the ruleset's `priority` puts first.
    pub(crate) disposition: Option<u32>,
    /// The ranked facts to examine next, most consequential first, each
    /// with what it could bring: `calls[calls.0..calls.1]`.
    pub(crate) examine: Vec<ExamineEntry>,
    pub(crate) examine_calls: Vec<Could>,
    /// The instances computed calls made on this record that the program
    /// does not hold: `InstanceId(program.instances.len() + i)` is
    /// `extra[i]`.
    pub(crate) extra: Vec<(ActionInstance, CallInfo)>,
    /// Per fired rule with a computed call, ascending, its calls' instances
    /// in its own order: `rule_call_ids[start..end]`.
    pub(crate) rule_calls: Vec<(RuleId, u32, u32)>,
    pub(crate) rule_call_ids: Vec<InstanceId>,
}

impl Evaluation {
    /// Forgets the last record's result, keeping the storage.
    pub(crate) fn clear(&mut self) {
        self.fired.clear();
        self.overridden.clear();
        self.by.clear();
        self.undetermined.clear();
        self.missing.clear();
        self.actions.clear();
        self.action_rules.clear();
        self.action_sources.clear();
        self.pending.clear();
        self.disposition = None;
        self.examine.clear();
        self.examine_calls.clear();
        self.extra.clear();
        self.rule_calls.clear();
        self.rule_call_ids.clear();
    }

    /// An instance of the output: the program's, or one a computed call
    /// made on this record.
    pub(crate) fn instance<'a>(&'a self, program: &'a Program, id: InstanceId) -> &'a ActionInstance {
        match id.index().checked_sub(program.instances.len()) {
            None => program.instance(id),
            Some(extra) => &self.extra[extra].0,
        }
    }

    /// What the decisions read of an instance of the output.
    pub(crate) fn call<'a>(&'a self, program: &'a Program, id: InstanceId) -> &'a CallInfo {
        match id.index().checked_sub(program.instances.len()) {
            None => program.call(id),
            Some(extra) => &self.extra[extra].1,
        }
    }

    /// The call `what` names, as a JSON string.
    pub(crate) fn could_text<'a>(&'a self, program: &'a Program, what: Could) -> &'a str {
        match what {
            Could::Bring(instance) => &program.call(instance).json_call,
            Could::Computed(call) => &program.computed_calls[call as usize].json_template,
            Could::Cancel(entry) => &self.call(program, self.actions[entry as usize].instance).json_call,
        }
    }

    /// What the fact of `entry` could bring, then what it could cancel,
    /// each most consequential first.
    pub(crate) fn could_of(&self, entry: &ExamineEntry) -> (&[Could], &[Could]) {
        let calls = &self.examine_calls[entry.calls.0 as usize..entry.calls.2 as usize];
        calls.split_at((entry.calls.1 - entry.calls.0) as usize)
    }
}

/// One fact of `examine` and its range of [`Evaluation::examine_calls`]:
/// `calls.0..calls.2`, what it could bring before `calls.1`, what it
/// could cancel from there (see [`Evaluation::could_of`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExamineEntry {
    pub(crate) slot: SlotId,
    pub(crate) calls: (u32, u32, u32),
}

/// What determining a fact could do to the output.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Could {
    /// Bring an action call the output does not hold yet.
    Bring(InstanceId),
    /// Bring a call with a computed argument ([`Program::computed_calls`]).
    Computed(u32),
    /// Suppress a pending action (an entry of [`Evaluation::actions`]).
    Cancel(u32),
}

/// The most facts `examine` lists: the few that matter most.
pub(crate) const MAX_EXAMINE: usize = 10;

/// One merged action of the output: an action instance with the rules that
/// produced it (`action_rules[rules.0..rules.1]`) and their sources. When
/// every producing rule is provisional (a rule overriding it has an
/// unknown condition), those exceptions are `pending[pending.0..pending.1]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ActionEntry {
    pub(crate) instance: InstanceId,
    pub(crate) rules: (u32, u32),
    pub(crate) sources: (u32, u32),
    pub(crate) pending: (u32, u32),
    /// When one rule alone produced it, the instance's position among
    /// that rule's instances: its entry is pre-rendered
    /// (`CompiledRule::json_entries`). [`ActionEntry::NOT_WHOLE`] otherwise.
    pub(crate) whole: u32,
}

impl ActionEntry {
    /// [`ActionEntry::whole`] of an entry written piece by piece.
    pub(crate) const NOT_WHOLE: u32 = u32::MAX;
}
