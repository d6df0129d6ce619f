//! Building a [`Circuit`] from a program's node arena: each condition
//! becomes tests and gates, identical values are shared (hash-consed),
//! and the values are numbered in the order [`Circuit::run`] computes
//! them. See the parent module for the circuit's form.

use std::collections::{BTreeMap, HashMap};

use osler_dsl::model::{CompareOp, Type};

use super::{Circuit, EnumTest, Gate, Lit, Masks, NO_SLOT, NumTest, Source};
use crate::interp::LET_HOPS;
use crate::program::{Kind, Node, NodeId, Program, flip, lets_below};

/// Compiles the conditions of `program` into a circuit.
pub(crate) fn build(program: &Program) -> Circuit {
    CircuitBuilder::new(program).build()
}

/// A value as the builder first records it, before numbering; also the
/// key that shares identical values.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Pending {
    Bool(u32),
    Known(u32),
    Enum(u32, u64),
    /// The constant's bits, so the key can be hashed.
    Num(u32, CompareOp, u64),
    Complex(NodeId),
    Constant(bool),
    All(Vec<Lit>),
    Count(CompareOp, u64, Vec<Lit>),
}

impl Pending {
    /// The order of the value groups in the numbering.
    fn group(&self) -> u8 {
        match self {
            Pending::Bool(_) => 0,
            Pending::Known(_) => 1,
            Pending::Enum(..) => 2,
            Pending::Num(..) => 3,
            Pending::Complex(_) => 4,
            Pending::Constant(_) => 5,
            Pending::All(_) | Pending::Count(..) => 6,
        }
    }
}

/// Builds a [`Circuit`] from a program's node arena.
struct CircuitBuilder<'p> {
    program: &'p Program,
    /// Values in creation order (operands before the gates that use them).
    pending: Vec<Pending>,
    shared: HashMap<Pending, u32>,
    lets: HashMap<u32, Lit>,
    /// Bool lets being compiled, one inside the other.
    let_depth: u32,
}

impl<'p> CircuitBuilder<'p> {
    fn new(program: &'p Program) -> CircuitBuilder<'p> {
        CircuitBuilder { program, pending: Vec::new(), shared: HashMap::new(), lets: HashMap::new(), let_depth: 0 }
    }

    /// Compiles each rule's condition, then numbers the values in the
    /// order they are computed.
    fn build(mut self) -> Circuit {
        let roots: Vec<NodeId> = self.program.rules.iter().map(|rule| rule.root).collect();
        let roots: Vec<Lit> = roots.into_iter().map(|root| self.lit(root)).collect();
        let rule_values = self.rule_values(&roots);
        let facts = self.program.facts.len() as u32;
        let uses = |group: u8| self.pending.iter().any(|value| value.group() == group);
        let mut circuit = Circuit {
            bool_values: if uses(0) { facts } else { 0 },
            known_values: if uses(1) { facts } else { 0 },
            rules: roots.len() as u32,
            ..Circuit::default()
        };
        let (order, renumbered) = self.numbering(&circuit, &rule_values);
        let first = circuit.bool_values + circuit.known_values;
        circuit.rule_base = first + order.len() as u32 - circuit.rules;
        circuit.gate_base = first
            + order
                .iter()
                .position(|&index| self.group(index) == 6)
                .map_or(order.len() as u32, |position| position as u32);
        let total = first + order.len() as u32;
        circuit.sources = vec![Source::Never; total as usize];
        for slot in 0..circuit.bool_values {
            if let Some(source) = circuit.sources.get_mut(slot as usize) {
                *source = Source::Fact(slot);
            }
        }
        for &old in &order {
            let Some(value) = self.pending.get(old as usize) else { continue };
            let number = renumbered.get(old as usize).copied().unwrap_or(0);
            let source = place(&mut circuit, value, &renumbered);
            if let Some(entry) = circuit.sources.get_mut(number as usize) {
                *entry = source;
            }
        }
        let first_rule_gate = (circuit.rule_base - circuit.gate_base) as usize;
        for (rule, gate) in (0u32..).zip(circuit.gates.get(first_rule_gate..).unwrap_or_default()) {
            match *gate {
                Gate::Word(masks) => circuit.rule_masks.push(masks),
                _ => {
                    // One operand in a word past the end, which reads as
                    // unknown: the rule stays unknown until patched.
                    circuit.rule_masks.push(Masks { word: u32::MAX, positive: 1, negative: 0 });
                    circuit.other_rule_gates.push(rule);
                }
            }
        }
        circuit
    }

    /// Gives each rule its own value at the end: the gate of its condition
    /// itself when nothing else refers to that gate (no gate, no other
    /// rule), else a one-operand `and` that copies the condition. Rule
    /// values are computed last, so no value may read one. Returns each
    /// rule's value (by pending index).
    fn rule_values(&mut self, roots: &[Lit]) -> Vec<u32> {
        let mut used = vec![0u32; self.pending.len()];
        let gate_operands = self.pending.iter().filter_map(|value| match value {
            Pending::All(operands) | Pending::Count(_, _, operands) => Some(operands.as_slice()),
            _ => None,
        });
        for &lit in gate_operands.flatten().chain(roots) {
            if let Some(count) = used.get_mut(lit as usize / 2) {
                *count += 1;
            }
        }
        let mut rule_values = Vec::with_capacity(roots.len());
        for &root in roots {
            let index = root / 2;
            let is_gate = matches!(self.pending.get(index as usize), Some(Pending::All(_) | Pending::Count(..)));
            let own = root % 2 == 0 && is_gate && used.get(index as usize) == Some(&1);
            rule_values.push(if own {
                index
            } else {
                self.pending.push(Pending::All(vec![root]));
                self.pending.len() as u32 - 1
            });
        }
        rule_values
    }

    /// The order values are computed in after the bool facts and
    /// `known(..)` (by pending index), and each pending value's number.
    fn numbering(&self, circuit: &Circuit, rule_values: &[u32]) -> (Vec<u32>, Vec<u32>) {
        let mut is_rule_value = vec![false; self.pending.len()];
        for &index in rule_values {
            if let Some(mark) = is_rule_value.get_mut(index as usize) {
                *mark = true;
            }
        }
        // Tests in their groups, then gates in creation order, which keeps
        // them after their operands, then the rules' values in rule order.
        let mut order: Vec<u32> = (0..self.pending.len() as u32)
            .filter(|&index| self.group(index) >= 2 && !is_rule_value.get(index as usize).copied().unwrap_or(false))
            .collect();
        order.sort_by_key(|&index| (self.group(index), index));
        order.extend(rule_values);
        let mut renumbered = vec![0u32; self.pending.len()];
        for (old, value) in self.pending.iter().enumerate() {
            let number = match *value {
                Pending::Bool(slot) => Some(slot),
                Pending::Known(slot) => Some(circuit.bool_values + slot),
                _ => None,
            };
            if let (Some(number), Some(entry)) = (number, renumbered.get_mut(old)) {
                *entry = number;
            }
        }
        let first = circuit.bool_values + circuit.known_values;
        for (position, &old) in order.iter().enumerate() {
            if let Some(entry) = renumbered.get_mut(old as usize) {
                *entry = first + position as u32;
            }
        }
        (order, renumbered)
    }

    fn group(&self, index: u32) -> u8 {
        self.pending.get(index as usize).map_or(u8::MAX, Pending::group)
    }

    fn value(&mut self, value: Pending) -> Lit {
        if let Some(&index) = self.shared.get(&value) {
            return index * 2;
        }
        let index = self.pending.len() as u32;
        self.pending.push(value.clone());
        self.shared.insert(value, index);
        index * 2
    }

    /// An enum test, when the fact's enum is small enough for a one-word
    /// set (every enum of a real ruleset is).
    fn enum_test(&mut self, slot: u32, members: u64) -> Option<Lit> {
        let fact = self.program.facts.get(slot as usize)?;
        let Type::Enum(index) = fact.ty else { return None };
        let variants = self.program.model.enums.get(index as usize)?.variants.len();
        if variants > 64 {
            return None;
        }
        Some(self.value(Pending::Enum(slot, members)))
    }

    fn list(&self, start: u32, len: u32) -> &'p [NodeId] {
        self.program.lists.get(start as usize..(start + len) as usize).unwrap_or_default()
    }

    /// The items of a `count(..)`, directly or through number lets.
    fn count_items(&self, mut id: NodeId) -> Option<&'p [NodeId]> {
        loop {
            match *self.program.node(id)? {
                Node::Count { start, len } => return Some(self.list(start, len)),
                Node::Let(index) => id = *self.program.let_roots.get(index as usize)?,
                _ => return None,
            }
        }
    }

    fn number(&self, id: NodeId) -> Option<f64> {
        match *self.program.node(id)? {
            Node::NumConst(value) => Some(value),
            _ => None,
        }
    }

    /// `count(..) OP constant` (either way round) as a count gate. The
    /// interpreter's missing-facts walk enters the count's unknown items
    /// in order, and the constant has none: the gate's walk is the same.
    fn count_compare(&mut self, op: CompareOp, a: NodeId, b: NodeId) -> Option<Lit> {
        let (items, op, constant) = match (self.count_items(a), self.number(b)) {
            (Some(items), Some(constant)) => (items, op, constant),
            _ => (self.count_items(b)?, flip(op), self.number(a)?),
        };
        let operands = items.iter().map(|&item| self.lit(item)).collect();
        Some(self.value(Pending::Count(op, constant.to_bits(), operands)))
    }

    /// The literal of a bool node.
    fn lit(&mut self, id: NodeId) -> Lit {
        let program = self.program;
        let Some(node) = program.node(id) else { return self.value(Pending::Complex(id)) };
        match *node {
            Node::BoolConst(value) => self.value(Pending::Constant(value)),
            Node::BoolFact(slot) => self.value(Pending::Bool(slot)),
            Node::KnownFact(slot) => self.value(Pending::Known(slot)),
            Node::FactIsVariant { negated, slot, variant } if variant < 64 => {
                match self.enum_test(slot, 1 << variant) {
                    Some(lit) => lit ^ u32::from(negated),
                    None => self.value(Pending::Complex(id)),
                }
            }
            // Only the first word of the set can hold a variant of an enum
            // with at most 64 variants.
            Node::In { operand, start, len } => match program.node(operand) {
                Some(&Node::EnumFact(slot)) if len <= 1 => {
                    let members = if len == 1 { program.words.get(start as usize).copied().unwrap_or(0) } else { 0 };
                    self.enum_test(slot, members).unwrap_or_else(|| self.value(Pending::Complex(id)))
                }
                _ => self.value(Pending::Complex(id)),
            },
            // A comparison with an infinite or NaN constant (only a
            // hand-built model has one) stays with the interpreter.
            Node::CompareFactConst(op, slot, constant) if constant.is_finite() => {
                self.value(Pending::Num(slot, op, constant.to_bits()))
            }
            Node::CompareNum(op, a, b) => {
                self.count_compare(op, a, b).unwrap_or_else(|| self.value(Pending::Complex(id)))
            }
            Node::Not(inner) => self.lit(inner) ^ 1,
            Node::All { start, len } => {
                let operands = self.list(start, len).iter().map(|&operand| self.lit(operand)).collect();
                self.value(Pending::All(operands))
            }
            // `a or b` is `not (not a and not b)`.
            Node::Any { start, len } => {
                let operands = self.list(start, len).iter().map(|&operand| self.lit(operand) ^ 1).collect();
                self.value(Pending::All(operands)) ^ 1
            }
            Node::Let(index) if program.let_kinds.get(index as usize) == Some(&Kind::Bool) => {
                if let Some(&lit) = self.lets.get(&index) {
                    return lit;
                }
                let Some(&root) = program.let_roots.get(index as usize) else {
                    return self.value(Pending::Complex(id));
                };
                if self.let_depth >= LET_HOPS {
                    // A long chain of lets: compile the bool lets this one
                    // reads first, lowest index first, so each finds its own
                    // lets compiled and the recursion follows one let at most.
                    for below in lets_below(program, root) {
                        let is_bool = program.let_kinds.get(below as usize) == Some(&Kind::Bool);
                        if let (true, false, Some(&below_root)) =
                            (is_bool, self.lets.contains_key(&below), program.let_roots.get(below as usize))
                        {
                            let lit = self.lit(below_root);
                            self.lets.insert(below, lit);
                        }
                    }
                }
                self.let_depth += 1;
                let lit = self.lit(root);
                self.let_depth -= 1;
                self.lets.insert(index, lit);
                lit
            }
            _ => self.value(Pending::Complex(id)),
        }
    }
}

/// Appends a pending value, numbered, to the circuit's tests or gates and
/// returns what computes it.
fn place(circuit: &mut Circuit, value: &Pending, renumbered: &[u32]) -> Source {
    let relit = |lit: Lit| renumbered.get(lit as usize / 2).map_or(lit, |&new| new * 2 + lit % 2);
    match *value {
        Pending::Bool(slot) => Source::Fact(slot),
        Pending::Known(_) => Source::Never,
        Pending::Enum(slot, members) => {
            circuit.enum_tests.push(EnumTest { slot, members });
            Source::Fact(slot)
        }
        Pending::Num(slot, op, constant) => {
            // `lit` makes only finite constants number tests.
            let test = NumTest::new(slot, op, f64::from_bits(constant));
            circuit.num_tests.push(test.unwrap_or(NumTest { slot, low: 1.0, high: 0.0, outside: false }));
            Source::Fact(slot)
        }
        Pending::Complex(node) => {
            circuit.complex.push(node);
            Source::Complex(node)
        }
        Pending::Constant(value) => {
            circuit.constants.push(value);
            Source::Never
        }
        Pending::All(ref operands) | Pending::Count(_, _, ref operands) => {
            let operands: Vec<Lit> = operands.iter().map(|&lit| relit(lit)).collect();
            let gate = match *value {
                Pending::Count(op, constant, _) => Gate::Count(op, f64::from_bits(constant)),
                _ => and_gate(circuit, &operands),
            };
            let start = circuit.operands.len() as u32;
            for &lit in &operands {
                let slot = match circuit.sources.get(lit as usize / 2) {
                    Some(&Source::Fact(slot)) => slot,
                    _ => NO_SLOT,
                };
                circuit.operand_slots.push(slot);
            }
            circuit.operands.extend(operands);
            circuit.gate_operands.push((start, circuit.operands.len() as u32));
            circuit.gates.push(gate);
            Source::Gate(circuit.gates.len() as u32 - 1)
        }
    }
}

/// An `and` gate over numbered operands: inline when they are all in one
/// word, else masks per word appended to the circuit's.
fn and_gate(circuit: &mut Circuit, operands: &[Lit]) -> Gate {
    let mut words: BTreeMap<u32, Masks> = BTreeMap::new();
    for &lit in operands {
        let index = lit / 2;
        let masks = words.entry(index / 64).or_insert(Masks { word: index / 64, positive: 0, negative: 0 });
        if lit % 2 == 0 {
            masks.positive |= 1 << (index % 64);
        } else {
            masks.negative |= 1 << (index % 64);
        }
    }
    match words.len() {
        1 => words.into_values().next().map_or(Gate::Words(0, 0), Gate::Word),
        _ => {
            let start = circuit.masks.len() as u32;
            circuit.masks.extend(words.into_values());
            Gate::Words(start, circuit.masks.len() as u32)
        }
    }
}
