//! The orchestrator of one evaluation: the conditions through the
//! compiled [`Circuit`] (which calls the interpreter for what it leaves
//! complex), then overrides and statuses as bit sets over rules, and the
//! index-only result that the output writers and the owned outcome are
//! made from. All buffers live in a reusable [`Scratch`], so evaluating a
//! record allocates nothing once the buffers have grown.

use crate::circuit::{Circuit, Step, Values, Walk};
use crate::detail::Explain;
use crate::evaluation::{ActionEntry, Evaluation};
use crate::examine::{self, Ranking};
use crate::interp::Context;
use crate::logic::{Truth, Val};
use osler_dsl::model::{Type, Value};

use crate::program::{ActionInstance, CallInfo, InstanceId, NodeId, Program, RuleCall, RuleId, SourceId};
use crate::record::Record;

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
    /// The buffers of ranking `examine`.
    ranking: Ranking,
    /// Missing facts of exceptions that are not undetermined themselves:
    /// `(rule, start, end)` into `result.missing`.
    exception_missing: Vec<(RuleId, u32, u32)>,
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
            ranking: Ranking::new(program),
            exception_missing: Vec::new(),
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
            || !self.ranking.fits(program)
        {
            *self = Scratch::new(program, circuit);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.lets.iter_mut().for_each(|entry| entry.0 = 0);
            self.instance_marks.fill(0);
            self.ranking.forget_epochs();
            self.epoch = 1;
        }
        self.result.clear();
        self.exception_missing.clear();
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

/// Evaluates every rule of `program` on `record` into `scratch.result`,
/// with what `detail` shows: under [`Explain::None`] the undetermined
/// rules' missing facts and `examine` are left out.
pub(crate) fn evaluate(program: &Program, circuit: &Circuit, record: &Record, scratch: &mut Scratch, detail: Explain) {
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
        ranking,
        exception_missing,
        result,
    } = scratch;
    let mut context = Context::new(program, record, lets, *epoch, nodes);
    circuit.run(record, &mut context, values);

    // The rules as bit sets (whole words of the circuit's values).
    for (word, (true_word, false_word)) in (0u32..).zip(rule_true.iter_mut().zip(rule_false.iter_mut())) {
        [*true_word, *false_word] = circuit.rule_words(values, word);
    }
    statuses(program, rule_true, rule_false, overridden, fired, undetermined);
    if !program.computed_rules.is_empty() {
        computed_arguments(program, &mut context, fired, undetermined, result);
    }
    for_each_bit(fired, |rule| result.fired.push(RuleId(rule)));
    for_each_bit(overridden, |rule_index| {
        let start = result.by.len() as u32;
        let rule = program.rule(RuleId(rule_index));
        result.by.extend(rule.overridden_by.iter().copied().filter(|&by| has(rule_true, by)).map(RuleId));
        result.overridden.push((RuleId(rule_index), start, result.by.len() as u32));
    });
    // The facts that could decide a rule, by the circuit's walk.
    let mut missing_of = |rule_index: u32, out: &mut Vec<u32>| {
        *missing_stamp = missing_stamp.wrapping_add(1);
        if *missing_stamp == 0 {
            fact_marks.fill(0);
            *missing_stamp = 1;
        }
        if has(rule_true, rule_index) {
            // Its condition holds: what is unknown is a computed argument.
            for call in &program.rule(RuleId(rule_index)).calls {
                if let RuleCall::Computed(index) = *call {
                    for &(node, _) in &program.computed_calls[index as usize].args {
                        context.missing(node, out, fact_marks, *missing_stamp);
                    }
                }
            }
            return;
        }
        let mut walk = Walk { out, marks: fact_marks, stamp: *missing_stamp, steps };
        circuit.rule_missing(rule_index, values, &mut context, &mut walk);
    };
    if program.computed_rules.is_empty() {
        merge_actions(program, result, fired, instance_marks, *epoch, source_set);
    } else {
        merge_computed(program, result, instance_marks, *epoch, source_set);
    }
    mark_pending(program, result, rule_true, rule_false);
    result.disposition = disposition(program, result);
    // The missing facts of the undetermined rules: all of them in full;
    // in brief only those `examine` reads, of rules that could still
    // bring something (a call the output does not hold, a computed call)
    // or cancel something (a pending exception); none at `None`.
    for_each_bit(undetermined, |rule_index| {
        let start = result.missing.len() as u32;
        let wanted = match detail {
            Explain::None => false,
            Explain::Brief => {
                let rule = program.rule(RuleId(rule_index));
                !rule.calls.is_empty()
                    || rule.instances.iter().any(|&instance| instance_marks[instance as usize] != *epoch)
                    || result.pending.contains(&RuleId(rule_index))
            }
            Explain::Full => true,
        };
        if wanted {
            missing_of(rule_index, &mut result.missing);
        }
        result.undetermined.push((RuleId(rule_index), start, result.missing.len() as u32));
    });
    if detail == Explain::None {
        return;
    }
    // An exception that is not undetermined itself (its condition is
    // unknown, but a true rule overrides it) has no missing facts yet.
    for position in 0..result.pending.len() {
        let exception = result.pending[position];
        if result.undetermined.binary_search_by_key(&exception, |entry| entry.0).is_err()
            && !exception_missing.iter().any(|entry| entry.0 == exception)
        {
            let start = result.missing.len() as u32;
            missing_of(exception.0, &mut result.missing);
            exception_missing.push((exception, start, result.missing.len() as u32));
        }
    }
    examine::rank(program, result, instance_marks, *epoch, exception_missing, ranking);
}

/// The statuses as bit sets: a rule whose condition is not false is
/// overridden when a rule that overrides it is true; a true rule that is
/// not overridden fires; a rule neither true nor false nor overridden is
/// undetermined.
fn statuses(
    program: &Program,
    rule_true: &[u64],
    rule_false: &[u64],
    overridden: &mut [u64],
    fired: &mut [u64],
    undetermined: &mut [u64],
) {
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
        *undetermined_word = !(true_word | false_word | overridden_word);
    }
    if let Some(last) = undetermined.last_mut()
        && !program.rules.len().is_multiple_of(64)
    {
        *last &= (1 << (program.rules.len() % 64)) - 1;
    }
}

/// The actions of the fired rules, in the order of their first firing
/// rule; each lists every firing rule that produces it and their sources.
fn merge_actions(
    program: &Program,
    result: &mut Evaluation,
    fired: &[u64],
    instance_marks: &mut [u32],
    epoch: u32,
    source_set: &mut [u64],
) {
    for position in 0..result.fired.len() {
        let rule = program.rule(result.fired[position]);
        for (place, &instance_index) in (0u32..).zip(&rule.instances) {
            let mark = &mut instance_marks[instance_index as usize];
            if *mark == epoch {
                continue;
            }
            *mark = epoch;
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
            // The first firing producer is this rule: alone, its entry is
            // pre-rendered.
            let alone = result.action_rules.len() as u32 == rules_start + 1;
            result.actions.push(ActionEntry {
                instance: InstanceId(instance_index),
                rules: (rules_start, result.action_rules.len() as u32),
                sources: (sources_start, result.action_sources.len() as u32),
                pending: (0, 0),
                whole: if alone { place } else { ActionEntry::NOT_WHOLE },
            });
        }
    }
}

/// The values of the fired rules' computed calls. A rule one of whose
/// arguments is unknown does not fire: it is undetermined (its condition
/// still holds, so whom it overrides is unchanged). The others' calls
/// become instances, the program's own when a value equals a constant call.
#[inline(never)]
fn computed_arguments(
    program: &Program,
    context: &mut Context<'_>,
    fired: &mut [u64],
    undetermined: &mut [u64],
    result: &mut Evaluation,
) {
    for &rule_index in &program.computed_rules {
        if !has(fired, rule_index) {
            continue;
        }
        let start = result.rule_call_ids.len();
        let mut known = true;
        for call in &program.rule(RuleId(rule_index)).calls {
            let computed = match *call {
                RuleCall::Constant(instance) => {
                    result.rule_call_ids.push(instance);
                    continue;
                }
                RuleCall::Computed(index) => &program.computed_calls[index as usize],
            };
            let mut args = Vec::with_capacity(computed.args.len());
            for &(node, ty) in &computed.args {
                match argument_value(program, context, node, ty) {
                    Some(value) => args.push(value),
                    None => {
                        known = false;
                        break;
                    }
                }
            }
            if !known {
                break;
            }
            let id = intern(program, result, computed.action, args);
            result.rule_call_ids.push(id);
        }
        if known {
            result.rule_calls.push((RuleId(rule_index), start as u32, result.rule_call_ids.len() as u32));
        } else {
            result.rule_call_ids.truncate(start);
            let bit = 1u64 << (rule_index % 64);
            if let (Some(fired_word), Some(undetermined_word)) =
                (fired.get_mut(rule_index as usize / 64), undetermined.get_mut(rule_index as usize / 64))
            {
                *fired_word &= !bit;
                *undetermined_word |= bit;
            }
        }
    }
}

/// A computed argument's value as a model value of the parameter's type,
/// or `None` while it is unknown (a `count` still a range is unknown).
fn argument_value(program: &Program, context: &mut Context<'_>, node: NodeId, ty: Type) -> Option<Value> {
    match (context.value(node), ty) {
        (Val::Bool(b), Type::Bool) => Some(Value::Bool(b)),
        (Val::Num(low, high), _) if low != high => None,
        (Val::Num(n, _), Type::Number) => Some(Value::Number(n)),
        (Val::Num(n, _), Type::Quantity(unit)) => Some(Value::Quantity(n, unit)),
        (Val::Num(n, _), Type::Duration) => Some(Value::Duration(n)),
        (Val::Enum(variant), Type::Enum(index)) => Some(Value::Variant(index, variant)),
        (Val::Text(text), Type::String) => Some(Value::String(context.text(text).to_owned())),
        (Val::Unknown, _) => None,
        (value, ty) => {
            unreachable!("a computed argument of type {ty:?} evaluated to {value:?} (program {})", program.id)
        }
    }
}

/// The instance of a computed call's values: the program's constant call
/// when one is equal (identical calls merge), else one made on this record.
fn intern(program: &Program, result: &mut Evaluation, action: u32, args: Vec<Value>) -> InstanceId {
    if let Some(position) = program.instances.iter().position(|i| i.action == action && i.args == args) {
        return InstanceId(position as u32);
    }
    if let Some(position) = result.extra.iter().position(|(i, _)| i.action == action && i.args == args) {
        return InstanceId((program.instances.len() + position) as u32);
    }
    let instance = ActionInstance::new(&program.model, action, args);
    let call = CallInfo::new(&program.model, &instance);
    result.extra.push((instance, call));
    InstanceId((program.instances.len() + result.extra.len() - 1) as u32)
}

/// [`merge_actions`] for a program with computed calls: the calls of
/// every fired rule (a computed rule's as evaluated), merged into entries
/// in the order of their first firing rule, each listing every fired rule
/// that produces it.
#[inline(never)]
fn merge_computed(
    program: &Program,
    result: &mut Evaluation,
    instance_marks: &mut [u32],
    epoch: u32,
    source_set: &mut [u64],
) {
    let mut pairs: Vec<(InstanceId, RuleId)> = Vec::new();
    for &rule in &result.fired {
        match result.rule_calls.binary_search_by_key(&rule, |entry| entry.0) {
            Ok(found) => {
                let (_, start, end) = result.rule_calls[found];
                pairs.extend(result.rule_call_ids[start as usize..end as usize].iter().map(|&id| (id, rule)));
            }
            Err(_) => pairs.extend(program.rule(rule).instances.iter().map(|&id| (InstanceId(id), rule))),
        }
    }
    let mut extra_done = vec![false; result.extra.len()];
    for position in 0..pairs.len() {
        let instance = pairs[position].0;
        let done = match instance.index().checked_sub(program.instances.len()) {
            None => {
                let mark = &mut instance_marks[instance.index()];
                std::mem::replace(mark, epoch) == epoch
            }
            Some(extra) => std::mem::replace(&mut extra_done[extra], true),
        };
        if done {
            continue;
        }
        let rules_start = result.action_rules.len() as u32;
        let sources_start = result.action_sources.len() as u32;
        source_set.fill(0);
        for &(other, producer) in &pairs[position..] {
            let repeated =
                result.action_rules.len() > rules_start as usize && result.action_rules.last() == Some(&producer);
            if other == instance && !repeated {
                result.action_rules.push(producer);
                let cites = &program.cite_sets[producer.index() * program.source_words..];
                for (set, &cited) in source_set.iter_mut().zip(cites) {
                    *set |= cited;
                }
            }
        }
        // A rule that makes one call twice lists itself once; producers
        // come in firing order, which is declaration order.
        for_each_bit(source_set, |source| result.action_sources.push(SourceId(source)));
        result.actions.push(ActionEntry {
            instance,
            rules: (rules_start, result.action_rules.len() as u32),
            sources: (sources_start, result.action_sources.len() as u32),
            pending: (0, 0),
            whole: ActionEntry::NOT_WHOLE,
        });
    }
}

/// Marks the pending actions: those whose every producing rule is
/// provisional, that is fires while a rule overriding it has an unknown
/// condition (if that exception turns out true, the rule is overridden).
/// The exceptions are listed once each, ascending.
fn mark_pending(program: &Program, result: &mut Evaluation, rule_true: &[u64], rule_false: &[u64]) {
    if program.overridable.is_empty() {
        return;
    }
    let unknown = |rule: u32| !has(rule_true, rule) && !has(rule_false, rule);
    for position in 0..result.actions.len() {
        let entry = result.actions[position];
        let producers = &result.action_rules[entry.rules.0 as usize..entry.rules.1 as usize];
        let provisional = |producer: &RuleId| program.rule(*producer).overridden_by.iter().any(|&by| unknown(by));
        if !producers.iter().all(provisional) {
            continue;
        }
        let start = result.pending.len();
        for index in entry.rules.0 as usize..entry.rules.1 as usize {
            let producer = result.action_rules[index];
            for &by in &program.rule(producer).overridden_by {
                if unknown(by) {
                    result.pending.push(RuleId(by));
                }
            }
        }
        result.pending[start..].sort_unstable();
        let kept = {
            let tail = &mut result.pending[start..];
            let mut kept = 0;
            for index in 0..tail.len() {
                if index == 0 || tail[index] != tail[kept - 1] {
                    tail[kept] = tail[index];
                    kept += 1;
                }
            }
            kept
        };
        result.pending.truncate(start + kept);
        result.actions[position].pending = (start as u32, result.pending.len() as u32);
    }
}

/// The entry the ruleset's `priority` puts first: the first listed action
/// present, and among its calls the one with the shortest duration
/// argument (the first in output order on a tie).
fn disposition(program: &Program, result: &Evaluation) -> Option<u32> {
    let mut best: Option<(u32, f64, u32)> = None;
    for (position, entry) in (0u32..).zip(&result.actions) {
        let call = result.call(program, entry.instance);
        if call.rank == u32::MAX {
            continue;
        }
        if best.is_none_or(|(rank, within, _)| (call.rank, call.within) < (rank, within)) {
            best = Some((call.rank, call.within, position));
        }
    }
    best.map(|(_, _, position)| position)
}
