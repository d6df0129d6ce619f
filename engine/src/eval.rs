//! The orchestrator of one evaluation: the conditions through the
//! compiled [`Circuit`] (which calls the interpreter for what it leaves
//! complex), then overrides and statuses as bit sets over rules, and the
//! index-only result that the output writers and the owned outcome are
//! made from. All buffers live in a reusable [`Scratch`], so evaluating a
//! record allocates nothing once the buffers have grown.

use crate::circuit::{Circuit, Step, Values, Walk};
use crate::interp::Context;
use crate::logic::{Truth, Val};
use crate::program::{InstanceId, NodeId, Program, RuleId, SourceId};
use crate::record::Record;

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
}

/// One merged action of the output: an action instance with the rules that
/// produced it (`action_rules[rules.0..rules.1]`) and their sources.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ActionEntry {
    pub(crate) instance: InstanceId,
    pub(crate) rules: (u32, u32),
    pub(crate) sources: (u32, u32),
}

/// Reusable buffers for evaluating records with one program. One per
/// thread; see `Evaluator` in `ruleset.rs`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    epoch: u32,
    /// Marks facts already listed for the rule whose missing facts are
    /// being collected; bumped per rule.
    missing_stamp: u32,
    lets: Vec<(u32, Val)>,
    pub(crate) truth: Vec<Truth>,
    /// The circuit's values on the current record.
    values: Values,
    /// Rule sets, one bit per rule: condition true, condition false,
    /// overridden, fired, undetermined.
    rule_true: Vec<u64>,
    rule_false: Vec<u64>,
    overridden: Vec<u64>,
    fired: Vec<u64>,
    undetermined: Vec<u64>,
    /// The sources of the action being merged, one bit per source.
    source_set: Vec<u64>,
    fact_marks: Vec<u32>,
    instance_marks: Vec<u32>,
    /// Work stacks of the missing-facts walks (kept to reuse their memory).
    steps: Vec<Step>,
    nodes: Vec<(NodeId, bool)>,
    pub(crate) result: Evaluation,
}

impl Scratch {
    pub(crate) fn new(program: &Program, circuit: &Circuit) -> Scratch {
        let rule_words = program.rules.len().div_ceil(64);
        Scratch {
            epoch: 0,
            missing_stamp: 0,
            lets: vec![(0, Val::Unknown); program.let_roots.len()],
            truth: vec![Truth::Unknown; program.rules.len()],
            values: vec![[0; 2]; circuit.words()],
            rule_true: vec![0; rule_words],
            rule_false: vec![0; rule_words],
            overridden: vec![0; rule_words],
            fired: vec![0; rule_words],
            undetermined: vec![0; rule_words],
            source_set: vec![0; program.source_words],
            fact_marks: vec![0; program.facts.len()],
            instance_marks: vec![0; program.instances.len()],
            steps: Vec::new(),
            nodes: Vec::new(),
            result: Evaluation::default(),
        }
    }

    /// Starts a new record: a fresh epoch invalidates memoised lets and marks.
    fn begin(&mut self, program: &Program, circuit: &Circuit) {
        if self.lets.len() != program.let_roots.len()
            || self.truth.len() != program.rules.len()
            || self.values.len() != circuit.words()
            || self.source_set.len() != program.source_words
            || self.fact_marks.len() != program.facts.len()
            || self.instance_marks.len() != program.instances.len()
        {
            *self = Scratch::new(program, circuit);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.lets.iter_mut().for_each(|entry| entry.0 = 0);
            self.instance_marks.fill(0);
            self.epoch = 1;
        }
        let result = &mut self.result;
        result.fired.clear();
        result.overridden.clear();
        result.by.clear();
        result.undetermined.clear();
        result.missing.clear();
        result.actions.clear();
        result.action_rules.clear();
        result.action_sources.clear();
    }
}

impl Scratch {
    /// A context over the record last evaluated, sharing its memoised lets.
    pub(crate) fn context<'a>(&'a mut self, program: &'a Program, record: &'a Record) -> Context<'a> {
        Context::new(program, record, &mut self.lets, self.epoch, &mut self.nodes)
    }
}

/// Whether bit `index` of a bit set is set.
fn has(set: &[u64], index: u32) -> bool {
    set.get(index as usize / 64).is_some_and(|word| word & (1 << (index % 64)) != 0)
}

/// Calls `each` with the index of every set bit, ascending.
fn for_each_bit(set: &[u64], mut each: impl FnMut(u32)) {
    for (position, &word) in set.iter().enumerate() {
        let mut rest = word;
        while rest != 0 {
            each(position as u32 * 64 + rest.trailing_zeros());
            rest &= rest - 1;
        }
    }
}

/// The truths of four rules, indexed by their four "true" bits and (above
/// them) their four "false" bits: the truth vector fills four at a time.
const TRUTHS_OF_FOUR: [[Truth; 4]; 256] = {
    let mut table = [[Truth::Unknown; 4]; 256];
    let mut index = 0;
    while index < 256 {
        let mut rule = 0;
        while rule < 4 {
            table[index][rule] = if (index >> rule) & 1 != 0 {
                Truth::True
            } else if (index >> (rule + 4)) & 1 != 0 {
                Truth::False
            } else {
                Truth::Unknown
            };
            rule += 1;
        }
        index += 1;
    }
    table
};

/// Fills `scratch.truth` (each condition's truth, for `Evaluated`
/// and explanations) from the rule sets of the record last evaluated. The
/// batch driver does not need it and does not call it.
pub(crate) fn fill_truths(scratch: &mut Scratch) {
    let Scratch { truth, rule_true, rule_false, .. } = scratch;
    for ((truths, &true_word), &false_word) in truth.chunks_mut(64).zip(rule_true.iter()).zip(rule_false.iter()) {
        let pattern = |position: usize| {
            let shift = position * 4;
            let index = ((true_word >> shift) & 0xf) | (((false_word >> shift) & 0xf) << 4);
            TRUTHS_OF_FOUR[index as usize]
        };
        let mut fours = truths.chunks_exact_mut(4);
        let mut position = 0;
        for four in &mut fours {
            four.copy_from_slice(&pattern(position));
            position += 1;
        }
        let rest = fours.into_remainder();
        if !rest.is_empty() {
            for (truth, &value) in rest.iter_mut().zip(&pattern(position)) {
                *truth = value;
            }
        }
    }
}

/// Evaluates every rule of `program` on `record` into `scratch.result`.
pub(crate) fn evaluate(program: &Program, circuit: &Circuit, record: &Record, scratch: &mut Scratch) {
    scratch.begin(program, circuit);
    let Scratch {
        epoch,
        missing_stamp,
        lets,
        truth: _,
        values,
        rule_true,
        rule_false,
        overridden,
        fired,
        undetermined,
        source_set,
        fact_marks,
        instance_marks,
        steps,
        nodes,
        result,
    } = scratch;
    let mut context = Context::new(program, record, lets, *epoch, nodes);
    circuit.run(record, &mut context, values);

    // The rules as bit sets (whole words of the circuit's values).
    for (word, (true_word, false_word)) in (0u32..).zip(rule_true.iter_mut().zip(rule_false.iter_mut())) {
        [*true_word, *false_word] = circuit.rule_words(values, word);
    }
    // A rule whose condition is not false is overridden when a rule that
    // overrides it is true.
    overridden.fill(0);
    for &rule_index in &program.overridable {
        let rule = program.rule(RuleId(rule_index));
        if !has(rule_false, rule_index)
            && rule.overridden_by.iter().any(|&by| has(rule_true, by))
            && let Some(word) = overridden.get_mut(rule_index as usize / 64)
        {
            *word |= 1 << (rule_index % 64);
        }
    }
    for ((((fired_word, undetermined_word), &true_word), &false_word), &overridden_word) in fired
        .iter_mut()
        .zip(undetermined.iter_mut())
        .zip(rule_true.iter())
        .zip(rule_false.iter())
        .zip(overridden.iter())
    {
        *fired_word = true_word & !overridden_word;
        // Neither true nor false, and not overridden.
        *undetermined_word = !(true_word | false_word | overridden_word);
    }
    if let Some(last) = undetermined.last_mut()
        && !program.rules.len().is_multiple_of(64)
    {
        *last &= (1 << (program.rules.len() % 64)) - 1;
    }
    for_each_bit(fired, |rule| result.fired.push(RuleId(rule)));
    for_each_bit(overridden, |rule_index| {
        let start = result.by.len() as u32;
        let rule = program.rule(RuleId(rule_index));
        result.by.extend(rule.overridden_by.iter().copied().filter(|&by| has(rule_true, by)).map(RuleId));
        result.overridden.push((RuleId(rule_index), start, result.by.len() as u32));
    });
    for_each_bit(undetermined, |rule_index| {
        let start = result.missing.len() as u32;
        *missing_stamp = missing_stamp.wrapping_add(1);
        if *missing_stamp == 0 {
            fact_marks.fill(0);
            *missing_stamp = 1;
        }
        let mut walk = Walk { out: &mut result.missing, marks: fact_marks, stamp: *missing_stamp, steps };
        circuit.rule_missing(rule_index, values, &mut context, &mut walk);
        result.undetermined.push((RuleId(rule_index), start, result.missing.len() as u32));
    });
    // Actions in the order of their first firing rule; each lists every
    // firing rule that produces it and those rules' sources.
    for &rule_index in &result.fired {
        let rule = program.rule(rule_index);
        for &instance_index in &rule.instances {
            let mark = &mut instance_marks[instance_index as usize];
            if *mark == *epoch {
                continue;
            }
            *mark = *epoch;
            let instance = program.instance(InstanceId(instance_index));
            let rules_start = result.action_rules.len() as u32;
            let sources_start = result.action_sources.len() as u32;
            source_set.fill(0);
            for &producer in &instance.rules {
                if has(fired, producer) {
                    result.action_rules.push(RuleId(producer));
                    let cites = &program.cite_sets[producer as usize * program.source_words..];
                    for (set, &cited) in source_set.iter_mut().zip(cites) {
                        *set |= cited;
                    }
                }
            }
            for_each_bit(source_set, |source| result.action_sources.push(SourceId(source)));
            result.actions.push(ActionEntry {
                instance: InstanceId(instance_index),
                rules: (rules_start, result.action_rules.len() as u32),
                sources: (sources_start, result.action_sources.len() as u32),
            });
        }
    }
}
