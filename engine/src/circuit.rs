//! Rule conditions compiled into a flat Kleene circuit, the form evaluation
//! runs on every record. The node arena is a tree that an interpreter walks
//! with a branch per node kind and early exits that depend on the data;
//! here, instead, every condition becomes
//!
//! - *tests*: a fact against a constant (`unilateral`, `pedal_pulses in
//!   {..}`, `abi < 0.9`, `known(x)`), kept in one flat array per kind, so
//!   each array is a loop without dispatch over dense typed slots;
//! - *gates*: Kleene `and` over literals (a value or its negation; `or` is
//!   an `and` of negations, negated), and `count(..)` compared with a
//!   constant, evaluated in topological order without early exit.
//!
//! A truth value is two bits, "known true" and "known false" (neither:
//! unknown), and the values of a record are two bit sets, a pair of `u64`
//! words per 64 values. Bool facts and `known(..)` come straight from the
//! record's own bit sets; the other tests are appended in sequence, 64 to
//! a word. An `and` gate keeps, per word its operands touch, a mask of the
//! operands taken as they are and one of those negated: it is true when no
//! operand is short of true and false when any operand is false, a handful
//! of bitwise operations whatever the number of operands. Each rule's
//! value comes last, in rule order, so the rules' truths are whole words.
//!
//! The rewrites keep Kleene's meaning: De Morgan's laws hold in the
//! three-valued logic, `and`/`or` without early exit give the same value
//! (a false operand decides `and` wherever it stands), and identical
//! subexpressions have identical values, so tests, gates and bool lets are
//! shared between rules (hash-consed) and computed once per record. Shapes
//! the circuit has no test for (arithmetic, comparisons of two expressions,
//! strings) stay *complex* values, computed by the tree interpreter in
//! `interp.rs`. The builder is the child module `build`.
//!
//! The circuit also answers which facts an undetermined rule is missing:
//! it walks the unknown values under the rule the way the interpreter
//! walks the tree (same operands, same order), reading values instead of
//! recomputing them.

pub(crate) mod build;

use osler_dsl::model::CompareOp;

use crate::interp::Context;
use crate::logic::{Truth, compare_intervals};
use crate::program::NodeId;
use crate::record::{KIND_ENUM, KIND_NUM, Record};

/// The two-bit truth values. Unknown has neither bit.
pub(crate) const TRUE: u8 = 0b01;
pub(crate) const FALSE: u8 = 0b10;

/// A value of the circuit, or its negation: `2 * value + negated`.
pub(crate) type Lit = u32;

/// The values of a circuit on one record: per 64 values, the word of those
/// known true and the word of those known false.
pub(crate) type Values = Vec<[u64; 2]>;

/// An enum fact in a set of variants (`==`, `!=` and `in` all become this).
#[derive(Clone, Copy, Debug)]
struct EnumTest {
    slot: u32,
    /// Bit `v` is set when variant `v` is in the set.
    members: u64,
}

/// A numeric fact against a constant, as an interval: the test holds
/// when `low <= x <= high`, or, when `outside`, when that does not hold.
/// Every comparison with a finite constant has this form (`x < c` is
/// `x <= c'` with `c'` the next float below `c`), so the loop over number
/// tests has no branch on the operator.
#[derive(Clone, Copy, Debug)]
struct NumTest {
    slot: u32,
    low: f64,
    high: f64,
    outside: bool,
}

impl NumTest {
    /// The interval form of `x OP constant`, when the constant is finite.
    fn new(slot: u32, op: CompareOp, constant: f64) -> Option<NumTest> {
        if !constant.is_finite() {
            return None;
        }
        let (low, high, outside) = match op {
            CompareOp::Eq => (constant, constant, false),
            CompareOp::Ne => (constant, constant, true),
            CompareOp::Lt => (f64::NEG_INFINITY, next_below(constant), false),
            CompareOp::Le => (f64::NEG_INFINITY, constant, false),
            CompareOp::Gt => (next_above(constant), f64::INFINITY, false),
            CompareOp::Ge => (constant, f64::INFINITY, false),
        };
        Some(NumTest { slot, low, high, outside })
    }

    fn holds(&self, x: f64) -> bool {
        (self.low <= x && x <= self.high) != self.outside
    }
}

/// The largest float below a finite `x` (`-0.0` and `0.0` alike).
fn next_below(x: f64) -> f64 {
    if x == 0.0 {
        -f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() - 1)
    } else {
        f64::from_bits(x.to_bits() + 1)
    }
}

/// The smallest float above a finite `x`.
fn next_above(x: f64) -> f64 {
    -next_below(-x)
}

/// The operands of an `and` gate within one word of values: those taken
/// as they are, and those negated.
#[derive(Clone, Copy, Debug)]
struct Masks {
    word: u32,
    positive: u64,
    negative: u64,
}

/// A gate. Most `and` gates have all their operands in one word, so that
/// case is stored inline.
#[derive(Clone, Copy, Debug)]
enum Gate {
    /// Kleene `and` over operands in one word: true when every operand is
    /// true, false when any is false.
    Word(Masks),
    /// Kleene `and` over operands in several words: `masks[start..end]`.
    Words(u32, u32),
    /// `count(operands) OP constant`, over the gate's operands in order:
    /// the count is the interval from the number of true operands to that
    /// plus the unknown ones.
    Count(CompareOp, f64),
}

/// What computes a value: the missing-facts walk follows this back.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// A test of one slot, unknown exactly when the slot has no value of
    /// the test's kind.
    Fact(u32),
    /// `known(..)`, constants and unused bits: never unknown.
    Never,
    Complex(NodeId),
    Gate(u32),
}

/// The compiled conditions of a program.
///
/// Values are numbered in the order they are computed, packed without
/// gaps: the bool facts (value `s` is slot `s`, straight from the record's
/// bit sets), `known(s)` likewise, the enum tests, number tests, complex
/// values, constants, the gates in topological order, and last one value
/// per rule, in rule order, so that the rules' truths are whole words.
#[derive(Clone, Debug, Default)]
pub(crate) struct Circuit {
    /// Values of bool facts (0 when no condition reads one, else one per
    /// slot).
    bool_values: u32,
    /// Values of `known(..)` (0 when no condition has one, else one per
    /// slot).
    known_values: u32,
    enum_tests: Vec<EnumTest>,
    num_tests: Vec<NumTest>,
    complex: Vec<NodeId>,
    constants: Vec<bool>,
    /// The number of the first gate's value.
    gate_base: u32,
    gates: Vec<Gate>,
    /// Per gate, its operands in order: `operands[start..end]`.
    gate_operands: Vec<(u32, u32)>,
    masks: Vec<Masks>,
    operands: Vec<Lit>,
    /// Per operand, the slot it tests when it is a fact test (the common
    /// case the missing-facts walk handles without a call), else `NO_SLOT`.
    operand_slots: Vec<u32>,
    /// The number of rule 0's value; rule `r`'s is `rule_base + r`.
    rule_base: u32,
    /// Per rule, the masks of its gate when that is a one-word `and`, else
    /// masks that leave it unknown: the rule is then in
    /// `other_rule_gates`, computed after.
    rule_masks: Vec<Masks>,
    other_rule_gates: Vec<u32>,
    rules: u32,
    /// What computes each value (by value number).
    sources: Vec<Source>,
}

/// No slot: the operand is not a fact test.
const NO_SLOT: u32 = u32::MAX;

/// A two-bit value and its negation, by table.
const WITH_NEGATION: [[u8; 2]; 4] = [[0, 0], [TRUE, FALSE], [FALSE, TRUE], [0, 0]];

/// The two-bit value of a literal.
pub(crate) fn read(values: &[[u64; 2]], lit: Lit) -> u8 {
    let index = lit / 2;
    let Some(&[true_word, false_word]) = values.get(index as usize / 64) else { return 0 };
    let shift = index % 64;
    let value = (((true_word >> shift) & 1) | (((false_word >> shift) & 1) << 1)) as u8;
    WITH_NEGATION[usize::from(value)][(lit % 2) as usize]
}

/// Whether a literal is unknown (its negation is, too).
fn is_unknown(values: &[[u64; 2]], lit: Lit) -> bool {
    let index = lit / 2;
    values
        .get(index as usize / 64)
        .is_none_or(|&[true_word, false_word]| (true_word | false_word) >> (index % 64) & 1 == 0)
}

/// Bits `start..start + count` (`count` at most 64) of a sequence of words.
fn bits_at(words: impl Fn(usize) -> u64, start: u32, count: u32) -> u64 {
    let (word, shift) = (start as usize / 64, start % 64);
    let low = words(word) >> shift;
    let high = if shift == 0 { 0 } else { words(word + 1) << (64 - shift) };
    let mask = if count >= 64 { u64::MAX } else { (1 << count) - 1 };
    (low | high) & mask
}

/// Appends values to the words of values in order, 64 to a word, keeping
/// the word being filled in registers.
struct WordWriter {
    word: usize,
    bit: u32,
    true_bits: u64,
    false_bits: u64,
}

impl WordWriter {
    /// A writer that appends from value `start`, keeping the values
    /// before it in that word.
    fn at(values: &[[u64; 2]], start: u32) -> WordWriter {
        let word = start as usize / 64;
        let bit = start % 64;
        let kept = if bit == 0 { 0 } else { u64::MAX >> (64 - bit) };
        let [true_bits, false_bits] = values.get(word).copied().unwrap_or([0, 0]);
        WordWriter { word, bit, true_bits: true_bits & kept, false_bits: false_bits & kept }
    }

    /// Appends one value per item, given by `value` as (known, holds):
    /// unknown unless known, else whether it holds. `value` may read the
    /// words stored so far (not the one being filled). The items go in
    /// runs that fill the current word, so the loop inside has no check
    /// for a full word, and "known" and "holds" become the word's true and
    /// false bits once per run.
    fn extend<T>(
        &mut self,
        values: &mut [[u64; 2]],
        items: &[T],
        mut value: impl FnMut(&[[u64; 2]], &T) -> (bool, bool),
    ) {
        let mut rest = items;
        while !rest.is_empty() {
            let room = (64 - self.bit) as usize;
            let (run, later) = rest.split_at(room.min(rest.len()));
            let (mut known_bits, mut holds_bits) = (0u64, 0u64);
            for (bit, item) in run.iter().enumerate() {
                let (known, holds) = value(values, item);
                known_bits |= u64::from(known) << bit;
                holds_bits |= u64::from(holds) << bit;
            }
            let (true_bits, false_bits) = (known_bits & holds_bits, known_bits & !holds_bits);
            self.true_bits |= true_bits << self.bit;
            self.false_bits |= false_bits << self.bit;
            self.bit += run.len() as u32;
            if self.bit == 64 {
                self.flush(values);
            }
            rest = later;
        }
    }

    /// Appends `count` (at most 64) values given as bit sets.
    fn push_bits(&mut self, values: &mut [[u64; 2]], true_bits: u64, false_bits: u64, count: u32) {
        let mask = if count >= 64 { u64::MAX } else { (1 << count) - 1 };
        let (true_bits, false_bits) = (true_bits & mask, false_bits & mask);
        let used = self.bit;
        self.true_bits |= true_bits << used;
        self.false_bits |= false_bits << used;
        if used + count >= 64 {
            self.flush(values);
            if used > 0 {
                self.true_bits = true_bits >> (64 - used);
                self.false_bits = false_bits >> (64 - used);
            }
            self.bit = used + count - 64;
        } else {
            self.bit = used + count;
        }
    }

    fn flush(&mut self, values: &mut [[u64; 2]]) {
        if let Some(pair) = values.get_mut(self.word) {
            *pair = [self.true_bits, self.false_bits];
        }
        self.word += 1;
        self.bit = 0;
        self.true_bits = 0;
        self.false_bits = 0;
    }

    /// Stores the last, partial word and clears the words after it.
    fn finish(mut self, values: &mut [[u64; 2]]) {
        if self.bit > 0 {
            self.flush(values);
        }
        if let Some(rest) = values.get_mut(self.word..) {
            rest.fill([0, 0]);
        }
    }
}

impl Circuit {
    /// The number of words a [`Values`] buffer needs.
    pub(crate) fn words(&self) -> usize {
        self.sources.len().div_ceil(64)
    }

    /// Computes every value of the circuit on `record` into `values`
    /// (sized by [`Circuit::words`]).
    pub(crate) fn run(&self, record: &Record, context: &mut Context<'_>, values: &mut [[u64; 2]]) {
        let mut writer = WordWriter { word: 0, bit: 0, true_bits: 0, false_bits: 0 };
        // Bool facts and `known(..)` are whole words of the record.
        for index in 0..self.bool_values.div_ceil(64) {
            let [trues, falses] = record.bools[index as usize];
            writer.push_bits(values, trues, falses, (self.bool_values - index * 64).min(64));
        }
        for index in 0..self.known_values.div_ceil(64) {
            let known = record.known[index as usize];
            writer.push_bits(values, known, !known, (self.known_values - index * 64).min(64));
        }
        // Each test computes "holds" from the value word whatever the kind,
        // and keeps it only when the slot holds that test's kind: no
        // branch on whether the fact is known.
        let kinds = record.kinds.as_slice();
        let bits = record.values.as_slice();
        let slot = |slot: u32| {
            let index = slot as usize;
            // Slots of the record's own program: out of range is a bug.
            (kinds[index], bits[index])
        };
        writer.extend(values, &self.enum_tests, |_, test| {
            let (kind, word) = slot(test.slot);
            (kind == KIND_ENUM, word < 64 && (test.members >> (word % 64)) & 1 != 0)
        });
        writer.extend(values, &self.num_tests, |_, test| {
            let (kind, word) = slot(test.slot);
            (kind == KIND_NUM, test.holds(f64::from_bits(word)))
        });
        writer.extend(values, &self.complex, |_, &node| {
            let truth = context.truth(node);
            (truth != Truth::Unknown, truth == Truth::True)
        });
        writer.extend(values, &self.constants, |_, &constant| (true, constant));
        writer.finish(values);
        // Inner gates (of lets and shared subexpressions) in topological
        // order: their operands are set already, and each sets its own
        // bits in the words cleared above.
        let inner = (self.rule_base - self.gate_base) as usize;
        let (inner_gates, rule_gates) = self.gates.split_at(inner.min(self.gates.len()));
        for (out, gate) in (self.gate_base..).zip(inner_gates) {
            let (is_true, is_false) = match gate {
                Gate::Word(masks) => and(values, masks, 0, 0),
                _ => self.gate(values, gate, out),
            };
            if let Some(pair) = values.get_mut(out as usize / 64) {
                pair[0] |= u64::from(is_true) << (out % 64);
                pair[1] |= u64::from(is_false) << (out % 64);
            }
        }
        // The rules' gates last: nothing reads them, so their values are
        // appended in sequence like the tests'.
        // Most are one-word `and`s: a tight loop over their masks first,
        // then the others patched in.
        let mut writer = WordWriter::at(values, self.rule_base);
        writer.extend(values, &self.rule_masks, |values, masks| {
            let (is_true, is_false) = and(values, masks, 0, 0);
            (is_true | is_false, is_true)
        });
        writer.finish(values);
        for &rule in &self.other_rule_gates {
            let out = self.rule_base + rule;
            if let Some(gate) = rule_gates.get(rule as usize) {
                let (is_true, is_false) = self.gate(values, gate, out);
                if let Some(pair) = values.get_mut(out as usize / 64) {
                    pair[0] |= u64::from(is_true) << (out % 64);
                    pair[1] |= u64::from(is_false) << (out % 64);
                }
            }
        }
    }

    /// The value of gate `gate` (whose value is `out`) as (true, false).
    /// The loops handle the common one-word `and` inline.
    fn gate(&self, values: &[[u64; 2]], gate: &Gate, out: u32) -> (bool, bool) {
        match *gate {
            Gate::Word(masks) => and(values, &masks, 0, 0),
            Gate::Words(start, end) => {
                let (mut short_of_true, mut falses) = (0, 0);
                for masks in self.masks.get(start as usize..end as usize).unwrap_or_default() {
                    (short_of_true, falses) = and_words(values, masks, short_of_true, falses);
                }
                (short_of_true == 0, falses != 0)
            }
            Gate::Count(op, constant) => self.count(values, out, op, constant),
        }
    }

    /// Word `word` of the rules whose condition is true, and of those
    /// whose condition is false (64 rules a word).
    pub(crate) fn rule_words(&self, values: &[[u64; 2]], word: u32) -> [u64; 2] {
        let start = self.rule_base + word * 64;
        let count = self.rules.saturating_sub(word * 64);
        let part = |which: usize| move |index: usize| values.get(index).map_or(0, |pair| pair[which]);
        [bits_at(part(0), start, count), bits_at(part(1), start, count)]
    }

    /// The operands of gate `gate`, in order.
    fn operands_of_gate(&self, gate: u32) -> &[Lit] {
        match self.gate_operands.get(gate as usize) {
            Some(&(start, end)) => self.operands.get(start as usize..end as usize).unwrap_or_default(),
            None => &[],
        }
    }

    /// A count gate's value as (true, false).
    fn count(&self, values: &[[u64; 2]], out: u32, op: CompareOp, constant: f64) -> (bool, bool) {
        let operands = self.operands_of_gate(out - self.gate_base);
        let (mut true_count, mut false_count) = (0u32, 0u32);
        for &lit in operands {
            let value = read(values, lit);
            true_count += u32::from(value & TRUE);
            false_count += u32::from(value >> 1);
        }
        let possible = operands.len() as u32 - false_count;
        let count = (f64::from(true_count), f64::from(possible));
        let truth = compare_intervals(op, count, (constant, constant));
        (truth == Truth::True, truth == Truth::False)
    }

    /// Appends to the walk's list the unknown facts that could decide rule
    /// `rule`, whose condition is unknown.
    pub(crate) fn rule_missing(&self, rule: u32, values: &[[u64; 2]], context: &mut Context<'_>, walk: &mut Walk<'_>) {
        self.missing((self.rule_base + rule) * 2, values, context, walk);
    }

    /// Appends to the walk's list the unknown facts that could decide
    /// `lit`, whose value is unknown, in the order the interpreter's walk
    /// of the same expression finds them (see [`Context::missing`]).
    ///
    ///
    /// Recursive while the gates nest at most `MISSING_RECURSION` deep (the
    /// common case, and the fast one); deeper, as the gates of a long chain
    /// of lets do, the rest of the walk goes on with an explicit stack.
    fn missing(&self, lit: Lit, values: &[[u64; 2]], context: &mut Context<'_>, walk: &mut Walk<'_>) {
        self.missing_within(lit, values, context, walk, 0);
    }

    fn missing_within(
        &self,
        lit: Lit,
        values: &[[u64; 2]],
        context: &mut Context<'_>,
        walk: &mut Walk<'_>,
        depth: u32,
    ) {
        if depth >= MISSING_RECURSION {
            return self.missing_deep(lit, values, context, walk);
        }
        match self.sources[lit as usize / 2] {
            Source::Fact(slot) => walk.fact(context.record, slot),
            Source::Complex(node) => context.missing(node, walk.out, walk.marks, walk.stamp),
            Source::Gate(gate) => {
                let (start, end) = self.gate_operands[gate as usize];
                let range = start as usize..end as usize;
                for (&operand, &slot) in self.operands[range.clone()].iter().zip(&self.operand_slots[range]) {
                    if !is_unknown(values, operand) {
                        continue;
                    }
                    // Facts, the common operand, without a call.
                    if slot == NO_SLOT {
                        self.missing_within(operand, values, context, walk, depth + 1);
                    } else {
                        walk.fact(context.record, slot);
                    }
                }
            }
            Source::Never => {}
        }
    }

    /// [`Circuit::missing`] with an explicit stack, in the same order.
    fn missing_deep(&self, lit: Lit, values: &[[u64; 2]], context: &mut Context<'_>, walk: &mut Walk<'_>) {
        let mut steps = std::mem::take(walk.steps);
        steps.clear();
        steps.push(Step::Lit(lit));
        while let Some(step) = steps.pop() {
            let lit = match step {
                Step::Fact(slot) => {
                    walk.fact(context.record, slot);
                    continue;
                }
                Step::Lit(lit) => lit,
            };
            match self.sources.get(lit as usize / 2) {
                Some(&Source::Fact(slot)) => walk.fact(context.record, slot),
                Some(&Source::Complex(node)) => context.missing(node, walk.out, walk.marks, walk.stamp),
                Some(&Source::Gate(gate)) => {
                    // Gates and operands are the circuit's own: out of range is a bug.
                    let (start, end) = self.gate_operands[gate as usize];
                    let range = start as usize..end as usize;
                    let operands = &self.operands[range.clone()];
                    let slots = &self.operand_slots[range];
                    // This gate's operands come before everything still on
                    // the stack, so its leading facts (the common operand)
                    // are listed at once; from the first operand that needs
                    // a walk of its own, the rest go on the stack, last
                    // first, so they are walked in order.
                    let unknown =
                        |(&operand, &slot): (&Lit, &u32)| is_unknown(values, operand).then_some((operand, slot));
                    let mut rest = operands.iter().zip(slots).filter_map(unknown).peekable();
                    while let Some((_, slot)) = rest.next_if(|&(_, slot)| slot != NO_SLOT) {
                        walk.fact(context.record, slot);
                    }
                    let mark = steps.len();
                    steps.extend(rest.map(
                        |(operand, slot)| {
                            if slot == NO_SLOT { Step::Lit(operand) } else { Step::Fact(slot) }
                        },
                    ));
                    steps[mark..].reverse();
                }
                Some(&Source::Never) | None => {}
            }
        }
        *walk.steps = steps;
    }
}

/// How deep [`Circuit::missing`] recurses before it goes on with an explicit
/// stack (each level is one small frame).
const MISSING_RECURSION: u32 = 128;

/// One step of a missing-facts walk over the circuit.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    /// Walk the value behind this literal.
    Lit(Lit),
    /// List this fact if it is unknown.
    Fact(u32),
}

/// Where a missing-facts walk collects: the list, and marks that keep each
/// fact once per `stamp`.
#[derive(Debug)]
pub(crate) struct Walk<'w> {
    pub(crate) out: &'w mut Vec<u32>,
    pub(crate) marks: &'w mut [u32],
    pub(crate) stamp: u32,
    /// The walk's work stack (kept to reuse its memory).
    pub(crate) steps: &'w mut Vec<Step>,
}

impl Walk<'_> {
    /// Lists fact `slot` if it is unknown and not listed yet.
    fn fact(&mut self, record: &Record, slot: u32) {
        if record.is_unknown(slot)
            && let Some(mark) = self.marks.get_mut(slot as usize)
            && *mark != self.stamp
        {
            *mark = self.stamp;
            self.out.push(slot);
        }
    }
}

/// Kleene `and` over the operands in one word: (true, false).
#[inline(always)]
fn and(values: &[[u64; 2]], masks: &Masks, short_of_true: u64, falses: u64) -> (bool, bool) {
    let (short_of_true, falses) = and_words(values, masks, short_of_true, falses);
    (short_of_true == 0, falses != 0)
}

/// Accumulates one word of an `and`: the operands not (yet) known true,
/// and those known false.
#[inline(always)]
fn and_words(values: &[[u64; 2]], masks: &Masks, short_of_true: u64, falses: u64) -> (u64, u64) {
    let [true_word, false_word] = values.get(masks.word as usize).copied().unwrap_or([0, 0]);
    (
        short_of_true | (masks.positive & !true_word) | (masks.negative & !false_word),
        falses | (masks.positive & false_word) | (masks.negative & true_word),
    )
}
