//! Evaluation of a compiled program on one record: the conditions through
//! the program's [`crate::circuit::Circuit`], then overrides and statuses
//! as bit sets over rules, and the index-only result that the output
//! writers and [`crate::Outcome`] are made from. The tree interpreter here
//! ([`Context`]) computes what the circuit leaves complex, and serves
//! explanations. All buffers live in a reusable [`Scratch`], so evaluating
//! a record allocates nothing once the buffers have grown.

use osler_dsl::model::{ArithOp, CompareOp};

use crate::circuit::{Step, Values, Walk};
use crate::program::{InstanceId, Node, NodeId, Program, RuleId, SourceId};
use crate::record::{Record, Slot};

/// A truth value of Kleene's three-valued logic.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Truth {
    False,
    True,
    #[default]
    Unknown,
}

impl Truth {
    fn from_bool(value: bool) -> Truth {
        if value { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::False => Truth::True,
            Truth::True => Truth::False,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// A string value: a program constant or a record's own text.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Text {
    Constant(u32),
    Record(u32),
}

/// A computed value. Numbers are closed intervals so that `count` over
/// unknown arguments keeps what is certain: `count(true, true, unknown)` is
/// between 2 and 3, so `count(..) >= 2` is true. Every other number is a
/// point (`low == high`).
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub(crate) enum Val {
    #[default]
    Unknown,
    Bool(bool),
    Num(f64, f64),
    Enum(u32),
    Text(Text),
}

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
/// thread; see [`crate::Evaluator`].
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
    pub(crate) fn new(program: &Program) -> Scratch {
        let rule_words = program.rules.len().div_ceil(64);
        Scratch {
            epoch: 0,
            missing_stamp: 0,
            lets: vec![(0, Val::Unknown); program.let_roots.len()],
            truth: vec![Truth::Unknown; program.rules.len()],
            values: vec![[0; 2]; program.circuit.words()],
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
    fn begin(&mut self, program: &Program) {
        if self.lets.len() != program.let_roots.len()
            || self.truth.len() != program.rules.len()
            || self.values.len() != program.circuit.words()
            || self.source_set.len() != program.source_words
            || self.fact_marks.len() != program.facts.len()
            || self.instance_marks.len() != program.instances.len()
        {
            *self = Scratch::new(program);
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
        Context { program, record, lets: &mut self.lets, epoch: self.epoch, let_depth: 0, nodes: &mut self.nodes }
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

/// Fills `scratch.truth` (each condition's truth, for [`crate::Evaluated`]
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
pub(crate) fn evaluate(program: &Program, record: &Record, scratch: &mut Scratch) {
    scratch.begin(program);
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
    let circuit = &program.circuit;
    let mut context = Context { program, record, lets, epoch: *epoch, let_depth: 0, nodes };
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
            result.actions.push(crate::eval::ActionEntry {
                instance: InstanceId(instance_index),
                rules: (rules_start, result.action_rules.len() as u32),
                sources: (sources_start, result.action_sources.len() as u32),
            });
        }
    }
}

/// How many lets deep the interpreter follows a let into the let it reads
/// before it evaluates that let's own lets first, in order (see
/// [`Context::let_value`]).
pub(crate) const LET_HOPS: u32 = 4;

/// The state of one evaluation: the program, the record, memoised lets.
pub(crate) struct Context<'a> {
    pub(crate) program: &'a Program,
    pub(crate) record: &'a Record,
    lets: &'a mut [(u32, Val)],
    epoch: u32,
    /// Lets being evaluated, one inside the other.
    let_depth: u32,
    /// The missing-facts walk's work stack (kept to reuse its memory).
    nodes: &'a mut Vec<(NodeId, bool)>,
}

impl<'a> Context<'a> {
    /// The truth of a boolean node. The shapes rules are made of (fact
    /// tests, `not`, `and`, `or`) are handled here directly, without
    /// building a [`Val`]; `and` and `or` stop at the first operand that
    /// decides them (`false and _` is false even when `_` is unknown).
    pub(crate) fn truth(&mut self, id: NodeId) -> Truth {
        let Some(node) = self.program.node(id) else {
            return Truth::Unknown;
        };
        match *node {
            Node::BoolFact(slot) => match self.record.slot(slot) {
                Slot::Bool(b) => Truth::from_bool(b),
                _ => Truth::Unknown,
            },
            Node::FactIsVariant { negated, slot, variant } => match self.record.slot(slot) {
                Slot::Enum(v) => Truth::from_bool((v == variant) != negated),
                _ => Truth::Unknown,
            },
            Node::CompareFactConst(op, slot, constant) => match self.record.slot(slot) {
                Slot::Num(n) => Truth::from_bool(compare_points(op, n, constant)),
                _ => Truth::Unknown,
            },
            Node::KnownFact(slot) => Truth::from_bool(self.record.slot(slot) != Slot::Unknown),
            Node::BoolConst(b) => Truth::from_bool(b),
            Node::Not(inner) => self.truth(inner).not(),
            Node::All { start, len } => {
                let mut result = Truth::True;
                for position in start..start + len {
                    let Some(&operand) = self.program.lists.get(position as usize) else { continue };
                    match self.truth(operand) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => result = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                result
            }
            Node::Any { start, len } => {
                let mut result = Truth::False;
                for position in start..start + len {
                    let Some(&operand) = self.program.lists.get(position as usize) else { continue };
                    match self.truth(operand) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => result = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                result
            }
            _ => match self.value(id) {
                Val::Bool(b) => Truth::from_bool(b),
                _ => Truth::Unknown,
            },
        }
    }

    fn number(&mut self, id: NodeId) -> Option<(f64, f64)> {
        match self.value(id) {
            Val::Num(low, high) => Some((low, high)),
            _ => None,
        }
    }

    fn fact(&self, slot: u32) -> Val {
        match self.record.slot(slot) {
            Slot::Unknown => Val::Unknown,
            Slot::Bool(b) => Val::Bool(b),
            Slot::Num(n) => Val::Num(n, n),
            Slot::Enum(v) => Val::Enum(v),
            Slot::Str(index) => Val::Text(Text::Record(index)),
        }
    }

    fn let_value(&mut self, index: u32) -> Val {
        let Some(&(stamp, value)) = self.lets.get(index as usize) else {
            return Val::Unknown;
        };
        if stamp == self.epoch {
            return value;
        }
        let Some(&root) = self.program.let_roots.get(index as usize) else {
            return Val::Unknown;
        };
        if self.let_depth >= LET_HOPS {
            // A long chain of lets (`let a2 = a1 and x`, ...): evaluate every
            // let this one reads, lowest index first. A let reads only lets
            // before it, so each finds its own lets computed and the
            // recursion never follows more than one let. (Lets are pure:
            // evaluating one that `and`/`or` would have skipped changes
            // nothing.)
            for below in lets_below(self.program, root) {
                let fresh = self.lets.get(below as usize).is_some_and(|&(stamp, _)| stamp == self.epoch);
                if let (false, Some(&below_root)) = (fresh, self.program.let_roots.get(below as usize)) {
                    let value = self.value(below_root);
                    if let Some(entry) = self.lets.get_mut(below as usize) {
                        *entry = (self.epoch, value);
                    }
                }
            }
        }
        self.let_depth += 1;
        let value = self.value(root);
        self.let_depth -= 1;
        if let Some(entry) = self.lets.get_mut(index as usize) {
            *entry = (self.epoch, value);
        }
        value
    }

    fn text(&self, text: Text) -> &str {
        match text {
            Text::Constant(index) => self.program.strings.get(index as usize).map_or("", String::as_str),
            Text::Record(index) => self.record.string(index),
        }
    }

    /// The value of a node. `and` and `or` stop early once the left operand
    /// decides the result (`false and _` is false even when `_` is unknown).
    pub(crate) fn value(&mut self, id: NodeId) -> Val {
        let Some(node) = self.program.node(id) else {
            return Val::Unknown;
        };
        match *node {
            Node::BoolConst(b) => Val::Bool(b),
            Node::BoolFact(slot) | Node::NumFact(slot) | Node::EnumFact(slot) | Node::StrFact(slot) => self.fact(slot),
            Node::Let(index) => self.let_value(index),
            Node::Not(_) | Node::All { .. } | Node::Any { .. } => truth_val(self.truth(id)),
            Node::CompareNum(op, a, b) => match (self.number(a), self.number(b)) {
                (Some(left), Some(right)) => truth_val(compare_intervals(op, left, right)),
                _ => Val::Unknown,
            },
            Node::CompareFactConst(op, slot, constant) => match self.record.slot(slot) {
                Slot::Num(n) => Val::Bool(compare_points(op, n, constant)),
                _ => Val::Unknown,
            },
            Node::FactIsVariant { negated, slot, variant } => match self.record.slot(slot) {
                Slot::Enum(v) => Val::Bool((v == variant) != negated),
                _ => Val::Unknown,
            },
            Node::EqEnum(negated, a, b) => match (self.value(a), self.value(b)) {
                (Val::Enum(x), Val::Enum(y)) => Val::Bool((x == y) != negated),
                _ => Val::Unknown,
            },
            Node::EqBool(negated, a, b) => match (self.value(a), self.value(b)) {
                (Val::Bool(x), Val::Bool(y)) => Val::Bool((x == y) != negated),
                _ => Val::Unknown,
            },
            Node::EqStr(negated, a, b) => match (self.value(a), self.value(b)) {
                (Val::Text(x), Val::Text(y)) => Val::Bool((self.text(x) == self.text(y)) != negated),
                _ => Val::Unknown,
            },
            Node::In { operand, start, len } => match self.value(operand) {
                Val::Enum(variant) => {
                    let word = variant as usize / 64;
                    let member = word < len as usize
                        && self
                            .program
                            .words
                            .get(start as usize + word)
                            .is_some_and(|bits| bits & (1 << (variant % 64)) != 0);
                    Val::Bool(member)
                }
                _ => Val::Unknown,
            },
            Node::Known(inner) => Val::Bool(self.value(inner) != Val::Unknown),
            Node::KnownFact(slot) => Val::Bool(self.record.slot(slot) != Slot::Unknown),
            Node::NumConst(n) => Val::Num(n, n),
            Node::Neg(inner) => match self.number(inner) {
                Some((low, high)) => Val::Num(-high, -low),
                None => Val::Unknown,
            },
            Node::Arith(op, a, b) => match (self.number(a), self.number(b)) {
                (Some(left), Some(right)) => arith(op, left, right),
                _ => Val::Unknown,
            },
            Node::Count { start, len } => {
                let (mut low, mut high) = (0.0, 0.0);
                for position in start..start + len {
                    let Some(&item) = self.program.lists.get(position as usize) else { continue };
                    match self.truth(item) {
                        Truth::True => {
                            low += 1.0;
                            high += 1.0;
                        }
                        Truth::Unknown => high += 1.0,
                        Truth::False => {}
                    }
                }
                Val::Num(low, high)
            }
            Node::EnumConst(variant) => Val::Enum(variant),
            Node::StrConst(index) => Val::Text(Text::Constant(index)),
        }
    }

    /// Appends to `out` the unknown facts that could decide node `id`, whose
    /// value is unknown: the facts in its unknown-valued subexpressions
    /// (through lets), left to right, each once. Operands whose value is
    /// already known cannot change the result and are not entered.
    ///
    /// A depth-first walk with an explicit stack (through a long chain of
    /// lets it would otherwise recurse once per let).
    pub(crate) fn missing(&mut self, id: NodeId, out: &mut Vec<u32>, marks: &mut [u32], stamp: u32) {
        let mut stack = std::mem::take(self.nodes);
        stack.clear();
        // `(node, whether to enter it only when its value is unknown)`.
        stack.push((id, false));
        while let Some((id, only_if_unknown)) = stack.pop() {
            if only_if_unknown && !self.is_unknown(id) {
                continue;
            }
            let Some(node) = self.program.node(id) else { continue };
            // Children are pushed last first, so they are walked in order.
            match *node {
                Node::BoolFact(slot)
                | Node::NumFact(slot)
                | Node::EnumFact(slot)
                | Node::StrFact(slot)
                | Node::CompareFactConst(_, slot, _)
                | Node::FactIsVariant { slot, .. } => {
                    if self.record.slot(slot) == Slot::Unknown
                        && let Some(mark) = marks.get_mut(slot as usize)
                        && *mark != stamp
                    {
                        *mark = stamp;
                        out.push(slot);
                    }
                }
                Node::Let(index) => {
                    if let Some(&root) = self.program.let_roots.get(index as usize) {
                        stack.push((root, true));
                    }
                }
                Node::Not(a) | Node::Neg(a) | Node::In { operand: a, .. } => stack.push((a, true)),
                Node::CompareNum(_, a, b)
                | Node::EqEnum(_, a, b)
                | Node::EqBool(_, a, b)
                | Node::EqStr(_, a, b)
                | Node::Arith(_, a, b) => {
                    stack.push((b, true));
                    stack.push((a, true));
                }
                Node::Count { start, len } | Node::All { start, len } | Node::Any { start, len } => {
                    let items = self.program.lists.get(start as usize..(start + len) as usize).unwrap_or_default();
                    stack.extend(items.iter().rev().map(|&item| (item, true)));
                }
                Node::BoolConst(_)
                | Node::Known(_)
                | Node::KnownFact(_)
                | Node::NumConst(_)
                | Node::EnumConst(_)
                | Node::StrConst(_) => {}
            }
        }
        *self.nodes = stack;
    }

    /// Whether a node's value is unknown. A count is "unknown" here when
    /// any of its arguments is, since those facts can move it.
    fn is_unknown(&mut self, id: NodeId) -> bool {
        match self.value(id) {
            Val::Unknown => true,
            Val::Num(low, high) => low != high,
            _ => false,
        }
    }
}

/// The lets that node `root` reads, directly or through other lets, in
/// ascending index order: each after every let it reads itself. Iterative.
pub(crate) fn lets_below(program: &Program, root: NodeId) -> Vec<u32> {
    let mut seen = vec![false; program.let_roots.len()];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let Some(node) = program.node(id) else { continue };
        let list = |start: u32, len: u32| program.lists.get(start as usize..(start + len) as usize).unwrap_or_default();
        match *node {
            Node::Let(index) => {
                if let (Some(mark), Some(&let_root)) =
                    (seen.get_mut(index as usize), program.let_roots.get(index as usize))
                    && !*mark
                {
                    *mark = true;
                    stack.push(let_root);
                }
            }
            Node::Not(a) | Node::Neg(a) | Node::Known(a) | Node::In { operand: a, .. } => stack.push(a),
            Node::CompareNum(_, a, b)
            | Node::EqEnum(_, a, b)
            | Node::EqBool(_, a, b)
            | Node::EqStr(_, a, b)
            | Node::Arith(_, a, b) => stack.extend([a, b]),
            Node::All { start, len } | Node::Any { start, len } | Node::Count { start, len } => {
                stack.extend_from_slice(list(start, len));
            }
            Node::BoolConst(_)
            | Node::BoolFact(_)
            | Node::CompareFactConst(..)
            | Node::FactIsVariant { .. }
            | Node::KnownFact(_)
            | Node::NumConst(_)
            | Node::NumFact(_)
            | Node::EnumConst(_)
            | Node::EnumFact(_)
            | Node::StrConst(_)
            | Node::StrFact(_) => {}
        }
    }
    (0u32..).zip(seen).filter_map(|(index, seen)| seen.then_some(index)).collect()
}

fn truth_val(truth: Truth) -> Val {
    match truth {
        Truth::False => Val::Bool(false),
        Truth::True => Val::Bool(true),
        Truth::Unknown => Val::Unknown,
    }
}

fn compare_points(op: CompareOp, a: f64, b: f64) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    }
}

/// Compares two intervals: true when the comparison holds for every pair of
/// values in them, false when it holds for none, unknown otherwise.
pub(crate) fn compare_intervals(op: CompareOp, (a_low, a_high): (f64, f64), (b_low, b_high): (f64, f64)) -> Truth {
    let decided = |always: bool, never: bool| {
        if always {
            Truth::True
        } else if never {
            Truth::False
        } else {
            Truth::Unknown
        }
    };
    match op {
        CompareOp::Lt => decided(a_high < b_low, a_low >= b_high),
        CompareOp::Le => decided(a_high <= b_low, a_low > b_high),
        CompareOp::Gt => decided(a_low > b_high, a_high <= b_low),
        CompareOp::Ge => decided(a_low >= b_high, a_high < b_low),
        CompareOp::Eq => {
            decided(a_low == a_high && b_low == b_high && a_low == b_low, a_high < b_low || b_high < a_low)
        }
        CompareOp::Ne => {
            decided(a_high < b_low || b_high < a_low, a_low == a_high && b_low == b_high && a_low == b_low)
        }
    }
}

/// Interval arithmetic. Division by an interval that contains zero, and any
/// result that is not a number (`inf - inf`), is unknown.
pub(crate) fn arith(op: ArithOp, (a_low, a_high): (f64, f64), (b_low, b_high): (f64, f64)) -> Val {
    let (low, high) = match op {
        ArithOp::Add => (a_low + b_low, a_high + b_high),
        ArithOp::Sub => (a_low - b_high, a_high - b_low),
        ArithOp::Mul => min_max([a_low * b_low, a_low * b_high, a_high * b_low, a_high * b_high]),
        ArithOp::Div => {
            if b_low <= 0.0 && b_high >= 0.0 {
                return Val::Unknown;
            }
            min_max([a_low / b_low, a_low / b_high, a_high / b_low, a_high / b_high])
        }
    };
    if low.is_nan() || high.is_nan() { Val::Unknown } else { Val::Num(low, high) }
}

fn min_max(values: [f64; 4]) -> (f64, f64) {
    if values.iter().any(|v| v.is_nan()) {
        return (f64::NAN, f64::NAN);
    }
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), &v| (low.min(v), high.max(v)))
}
