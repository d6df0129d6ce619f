//! The tree interpreter: the value of any node of a program's arena on
//! one record, with lets memoised per record, and the walk that lists the
//! unknown facts under an unknown node. The circuit hands it the shapes it
//! leaves complex (arithmetic, strings), and explanations read through it.

use crate::logic::{Text, Truth, Val, arith, compare_intervals, compare_points, truth_val};
use crate::program::{Node, NodeId, Program, lets_below};
use crate::record::{Record, Slot};

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
    /// The truth of each action pattern on the record's output, when
    /// asserts are being checked (empty while the rules are evaluated:
    /// rule conditions never hold a pattern).
    outputs: &'a [bool],
}

impl<'a> Context<'a> {
    /// A context over `record`; `lets` memoises the lets' values for the
    /// record whose epoch is `epoch`, and `nodes` is a reusable work stack.
    pub(crate) fn new(
        program: &'a Program,
        record: &'a Record,
        lets: &'a mut [(u32, Val)],
        epoch: u32,
        nodes: &'a mut Vec<(NodeId, bool)>,
    ) -> Context<'a> {
        Context { program, record, lets, epoch, let_depth: 0, nodes, outputs: &[] }
    }

    /// The same context, with `outputs` giving each action pattern's truth
    /// (indexed like `Program::patterns`), for evaluating asserts.
    pub(crate) fn with_outputs(self, outputs: &'a [bool]) -> Context<'a> {
        Context { outputs, ..self }
    }

    /// Whether action pattern `index` holds on the output (false when no
    /// outputs were given: only asserts read patterns).
    fn output(&self, index: u32) -> bool {
        self.outputs.get(index as usize).copied().unwrap_or(false)
    }

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
            Node::Output(index) => Truth::from_bool(self.output(index)),
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

    pub(crate) fn text(&self, text: Text) -> &str {
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
            Node::Output(index) => Val::Bool(self.output(index)),
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
                | Node::StrConst(_)
                | Node::Output(_) => {}
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
