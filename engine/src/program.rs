//! Compilation of a checked [`Model`] into a compact, owned [`Program`]:
//! facts resolved to dense slots, enum variants to small integers, constants
//! normalised (durations in seconds, quantities in their declared unit),
//! conditions flattened into one typed node arena, and every name the
//! output needs pre-rendered as JSON.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use osler_dsl::model::{ArithOp, CompareOp, Expr, Model, Type, Value};

use crate::circuit::{Circuit, CircuitBuilder};

/// Index of a node in [`Program::nodes`].
pub(crate) type NodeId = u32;

/// Typed indices into a [`Program`]'s tables. They cross module
/// boundaries (compiled program → evaluation result → output, readers →
/// record), so each table is indexed by its own type, and an index is
/// always valid for the program it came from: the accessors index
/// directly and panic on an out-of-range index (a broken invariant must be
/// loud, never an empty name or an unknown value).
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub(crate) struct $name(pub(crate) u32);

        impl $name {
            #[inline]
            pub(crate) fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A fact's slot in a record; [`Program::facts`] and the model's facts.
    SlotId
);
index_type!(
    /// A rule, in declaration order; [`Program::rules`] and the model's rules.
    RuleId
);
index_type!(
    /// A distinct action with its arguments; [`Program::instances`].
    InstanceId
);
index_type!(
    /// A source; [`Program::source_json`] and the model's sources.
    SourceId
);

/// The runtime representation a node computes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Bool,
    /// Numbers, quantities (in their declared unit) and durations (seconds).
    Num,
    Enum,
    Str,
}

impl Kind {
    pub(crate) fn of(ty: Type) -> Kind {
        match ty {
            Type::Bool => Kind::Bool,
            Type::Number | Type::Quantity(_) | Type::Duration => Kind::Num,
            Type::Enum(_) => Kind::Enum,
            Type::String => Kind::Str,
        }
    }
}

/// One compiled expression node. Children are indices into the same arena,
/// facts are record slots, lets are memoised per record. The specialised
/// forms (`CompareFactConst`, `FactIsVariant`, `KnownFact`) cover the
/// shapes rules use most, so the common case is a single node.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    BoolConst(bool),
    BoolFact(u32),
    /// A let of any kind; its kind is in [`Program::let_kinds`].
    Let(u32),
    Not(NodeId),
    /// `and` over `Program::lists[start..start + len]` (chains flattened).
    All {
        start: u32,
        len: u32,
    },
    /// `or` over `Program::lists[start..start + len]` (chains flattened).
    Any {
        start: u32,
        len: u32,
    },
    CompareNum(CompareOp, NodeId, NodeId),
    /// A numeric fact compared with a constant (`abi < 0.9`).
    CompareFactConst(CompareOp, u32, f64),
    /// `==` (or `!=` when negated) on enum operands.
    EqEnum(bool, NodeId, NodeId),
    /// An enum fact tested against one variant (`pedal_pulses == absent`).
    FactIsVariant {
        negated: bool,
        slot: u32,
        variant: u32,
    },
    EqBool(bool, NodeId, NodeId),
    EqStr(bool, NodeId, NodeId),
    /// `operand in {..}`: the set is a bit set in [`Program::words`].
    In {
        operand: NodeId,
        start: u32,
        len: u32,
    },
    Known(NodeId),
    KnownFact(u32),
    NumConst(f64),
    NumFact(u32),
    Neg(NodeId),
    Arith(ArithOp, NodeId, NodeId),
    /// `count(..)`: arguments are `Program::lists[start..start + len]`.
    Count {
        start: u32,
        len: u32,
    },
    EnumConst(u32),
    EnumFact(u32),
    StrConst(u32),
    StrFact(u32),
}

/// A fact as the readers and the output see it.
#[derive(Clone, Debug)]
pub(crate) struct FactSlot {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) kind: Kind,
    /// The name as a JSON string, quotes included.
    pub(crate) json_name: String,
}

#[derive(Clone, Debug)]
pub(crate) struct CompiledRule {
    pub(crate) root: NodeId,
    /// The distinct action instances this rule produces, in its own order.
    pub(crate) instances: Vec<u32>,
    /// Cited sources, ascending and without repeats.
    pub(crate) cites: Vec<u32>,
    /// Rules that list this one in `overrides`, ascending.
    pub(crate) overridden_by: Vec<u32>,
    pub(crate) json_id: String,
    /// `{"rule":"..","missing":[` and `{"rule":"..","by":[`, ready to write.
    pub(crate) json_undetermined_head: String,
    pub(crate) json_overridden_head: String,
}

/// An action with constant arguments, shared by every rule that produces
/// exactly it, so identical actions from several rules merge into one entry.
#[derive(Clone, Debug)]
pub(crate) struct ActionInstance {
    pub(crate) action: u32,
    pub(crate) args: Vec<Value>,
    pub(crate) args_json: Vec<serde_json::Value>,
    /// `{"name":"..","args":[..],"rules":[`, ready to write.
    pub(crate) json_head: String,
    /// Rules whose actions include this instance, ascending.
    pub(crate) rules: Vec<u32>,
}

/// What a record field name means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Field {
    Id,
    Fact(SlotId),
    Unknown,
}

/// Field names to fields, built once per program and looked up for every
/// field of every record: open addressing over a power-of-two table,
/// hashed from the name's length and three of its bytes (no loop over the
/// name), each hit confirmed against the stored name.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldTable {
    /// `(start, length, field)` into `names`; a length of `u32::MAX` marks
    /// an empty entry.
    entries: Vec<(u32, u32, Field)>,
    names: Vec<u8>,
    shift: u32,
}

impl FieldTable {
    const EMPTY: (u32, u32, Field) = (0, u32::MAX, Field::Unknown);

    /// A table of `fields`; the first of two equal names wins.
    fn new(fields: &[(&str, Field)]) -> FieldTable {
        let size = (fields.len() * 2).next_power_of_two().max(8);
        let mut table =
            FieldTable { entries: vec![Self::EMPTY; size], names: Vec::new(), shift: 64 - size.trailing_zeros() };
        for &(name, field) in fields {
            if table.get(name.as_bytes()) != Field::Unknown {
                continue;
            }
            let start = table.names.len() as u32;
            table.names.extend_from_slice(name.as_bytes());
            let mut index = table.slot(name.as_bytes());
            while table.entries.get(index).is_some_and(|entry| entry.1 != u32::MAX) {
                index = (index + 1) % size;
            }
            if let Some(entry) = table.entries.get_mut(index) {
                *entry = (start, name.len() as u32, field);
            }
        }
        table
    }

    #[inline]
    fn slot(&self, name: &[u8]) -> usize {
        let middle = name.get(name.len() / 2).copied().unwrap_or(0);
        let (first, last) = match name {
            [] => (0, 0),
            [only] => (*only, *only),
            [first, .., last] => (*first, *last),
        };
        let key = name.len() as u64 | u64::from(first) << 16 | u64::from(middle) << 24 | u64::from(last) << 32;
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The field a name means ([`Field::Unknown`] for any other name).
    #[inline]
    pub(crate) fn get(&self, name: &[u8]) -> Field {
        let size = self.entries.len();
        let mut index = self.slot(name);
        for _ in 0..size {
            let Some(&(start, length, field)) = self.entries.get(index) else { break };
            if length == u32::MAX {
                break;
            }
            if length as usize == name.len() && self.names.get(start as usize..(start + length) as usize) == Some(name)
            {
                return field;
            }
            index = (index + 1) & (size - 1);
        }
        Field::Unknown
    }
}

/// Why a model could not be compiled. A model from the checker always
/// compiles; this guards hand-built models against inconsistencies.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CompileError {
    pub message: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inconsistent model: {}", self.message)
    }
}

impl std::error::Error for CompileError {}

fn inconsistent(message: impl Into<String>) -> CompileError {
    CompileError { message: message.into() }
}

/// A compiled ruleset: owned, immutable, `Send + Sync`.
#[derive(Debug)]
pub(crate) struct Program {
    /// Unique among the programs compiled by this process: records made
    /// for this program carry it, so a record made for another ruleset
    /// is refused instead of being read with the wrong slots.
    pub(crate) id: u64,
    pub(crate) model: Arc<Model>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) lists: Vec<NodeId>,
    pub(crate) words: Vec<u64>,
    pub(crate) strings: Vec<String>,
    pub(crate) let_roots: Vec<NodeId>,
    pub(crate) let_kinds: Vec<Kind>,
    pub(crate) facts: Vec<FactSlot>,
    pub(crate) fields: FieldTable,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) instances: Vec<ActionInstance>,
    pub(crate) source_json: Vec<String>,
    /// The conditions as a flat circuit (built from `nodes`).
    pub(crate) circuit: Circuit,
    /// The rules that some rule overrides, ascending.
    pub(crate) overridable: Vec<u32>,
    /// Words per source bit set.
    pub(crate) source_words: usize,
    /// Per rule, `source_words` words: the set of sources it cites.
    pub(crate) cite_sets: Vec<u64>,
}

impl Program {
    pub(crate) fn compile(model: Arc<Model>) -> Result<Program, CompileError> {
        let mut compiler = Compiler {
            model: &model,
            nodes: Vec::new(),
            kinds: Vec::new(),
            lists: Vec::new(),
            words: Vec::new(),
            strings: Vec::new(),
            let_kinds: Vec::new(),
        };
        let mut let_roots = Vec::with_capacity(model.lets.len());
        for (index, info) in model.lets.iter().enumerate() {
            let (root, kind) = compiler.expr(&info.value, index)?;
            if kind != Kind::of(info.ty) {
                return Err(inconsistent(format!(
                    "let `{}` is declared {:?} but computes {kind:?}",
                    info.name, info.ty
                )));
            }
            let_roots.push(root);
            compiler.let_kinds.push(kind);
        }
        let facts: Vec<FactSlot> = model
            .facts
            .iter()
            .map(|fact| FactSlot {
                name: fact.name.clone(),
                ty: fact.ty,
                kind: Kind::of(fact.ty),
                json_name: json_string(&fact.name),
            })
            .collect();
        for fact in &facts {
            if let Type::Enum(index) = fact.ty
                && model.enums.get(index as usize).is_none()
            {
                return Err(inconsistent(format!("fact `{}` has an unknown enum", fact.name)));
            }
        }
        // A fact named `id` cannot be given in a record: `id` is the
        // record's identifier by the dictionary's contract.
        let names: Vec<(&str, Field)> = std::iter::once(("id", Field::Id))
            .chain(facts.iter().enumerate().map(|(slot, fact)| (fact.name.as_str(), Field::Fact(SlotId(slot as u32)))))
            .collect();
        let fields = FieldTable::new(&names);

        let rule_count = model.rules.len();
        let mut instances: Vec<ActionInstance> = Vec::new();
        let mut rules = Vec::with_capacity(rule_count);
        let mut overridden_by: Vec<Vec<u32>> = vec![Vec::new(); rule_count];
        for (index, rule) in model.rules.iter().enumerate() {
            for &target in &rule.overrides {
                let list = overridden_by
                    .get_mut(target as usize)
                    .ok_or_else(|| inconsistent(format!("rule `{}` overrides a rule that does not exist", rule.id)))?;
                if !list.contains(&(index as u32)) {
                    list.push(index as u32);
                }
            }
        }
        for (index, rule) in model.rules.iter().enumerate() {
            let (root, kind) = compiler.expr(&rule.condition, model.lets.len())?;
            if kind != Kind::Bool {
                return Err(inconsistent(format!("the condition of rule `{}` is not a bool", rule.id)));
            }
            let mut rule_instances = Vec::new();
            for call in &rule.actions {
                let action = model
                    .actions
                    .get(call.action as usize)
                    .ok_or_else(|| inconsistent(format!("rule `{}` calls an action that does not exist", rule.id)))?;
                let position = match instances.iter().position(|i| i.action == call.action && i.args == call.args) {
                    Some(position) => position,
                    None => {
                        let args_json: Vec<serde_json::Value> =
                            call.args.iter().map(|arg| value_json(&model, arg)).collect();
                        let rendered_args = serde_json::to_string(&args_json).unwrap_or_else(|_| "[]".to_owned());
                        instances.push(ActionInstance {
                            action: call.action,
                            args: call.args.clone(),
                            args_json,
                            json_head: format!(
                                "{{\"name\":{},\"args\":{rendered_args},\"rules\":[",
                                json_string(&action.name)
                            ),
                            rules: Vec::new(),
                        });
                        instances.len() - 1
                    }
                };
                if !rule_instances.contains(&(position as u32)) {
                    rule_instances.push(position as u32);
                }
                if let Some(instance) = instances.get_mut(position)
                    && instance.rules.last() != Some(&(index as u32))
                {
                    instance.rules.push(index as u32);
                }
            }
            let mut cites = rule.cites.clone();
            if cites.iter().any(|&source| source as usize >= model.sources.len()) {
                return Err(inconsistent(format!("rule `{}` cites a source that does not exist", rule.id)));
            }
            cites.sort_unstable();
            cites.dedup();
            let mut by = overridden_by.get(index).cloned().unwrap_or_default();
            by.sort_unstable();
            let json_id = json_string(&rule.id);
            rules.push(CompiledRule {
                root,
                instances: rule_instances,
                cites,
                overridden_by: by,
                json_undetermined_head: format!("{{\"rule\":{json_id},\"missing\":["),
                json_overridden_head: format!("{{\"rule\":{json_id},\"by\":["),
                json_id,
            });
        }
        let source_json = model.sources.iter().map(|source| json_string(&source.name)).collect();
        let overridable = rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| !rule.overridden_by.is_empty())
            .map(|(i, _)| i as u32)
            .collect();
        let source_words = model.sources.len().div_ceil(64);
        let mut cite_sets = vec![0u64; source_words * rules.len()];
        for (index, rule) in rules.iter().enumerate() {
            for &source in &rule.cites {
                if let Some(word) = cite_sets.get_mut(index * source_words + source as usize / 64) {
                    *word |= 1 << (source % 64);
                }
            }
        }
        let Compiler { nodes, lists, words, strings, let_kinds, .. } = compiler;
        // Starts at 1: 0 marks a record that belongs to no ruleset.
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let mut program = Program {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            model,
            nodes,
            lists,
            words,
            strings,
            let_roots,
            let_kinds,
            facts,
            fields,
            rules,
            instances,
            source_json,
            circuit: Circuit::default(),
            overridable,
            source_words,
            cite_sets,
        };
        program.circuit = CircuitBuilder::new(&program).build();
        Ok(program)
    }

    pub(crate) fn field(&self, name: &str) -> Field {
        self.fields.get(name.as_bytes())
    }

    pub(crate) fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// The fact in `slot` (panics on an index from another program).
    #[inline]
    pub(crate) fn fact(&self, slot: SlotId) -> &FactSlot {
        &self.facts[slot.index()]
    }

    #[inline]
    pub(crate) fn rule(&self, rule: RuleId) -> &CompiledRule {
        &self.rules[rule.index()]
    }

    /// The rule's id as written in the ruleset.
    #[inline]
    pub(crate) fn rule_name(&self, rule: RuleId) -> &str {
        &self.model.rules[rule.index()].id
    }

    #[inline]
    pub(crate) fn instance(&self, instance: InstanceId) -> &ActionInstance {
        &self.instances[instance.index()]
    }

    /// The action's name as written in the ruleset.
    #[inline]
    pub(crate) fn action_name(&self, instance: InstanceId) -> &str {
        &self.model.actions[self.instance(instance).action as usize].name
    }

    #[inline]
    pub(crate) fn source_name(&self, source: SourceId) -> &str {
        &self.model.sources[source.index()].name
    }
}

/// A string as a JSON literal, quotes included.
pub(crate) fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A constant as it appears in output: numbers and bools as JSON, the rest
/// as their canonical strings (`"6h"`, `"50 mmHg"`, variant names).
pub(crate) fn value_json(model: &Model, value: &Value) -> serde_json::Value {
    match value {
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => number_json(*n),
        Value::Quantity(..) | Value::Duration(_) | Value::String(_) | Value::Variant(..) => {
            serde_json::Value::String(model.render_value(value))
        }
    }
}

/// A number as JSON: integral values without a fraction (`50`, not `50.0`).
pub(crate) fn number_json(value: f64) -> serde_json::Value {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

struct Compiler<'m> {
    model: &'m Model,
    nodes: Vec<Node>,
    kinds: Vec<Kind>,
    lists: Vec<NodeId>,
    words: Vec<u64>,
    strings: Vec<String>,
    let_kinds: Vec<Kind>,
}

impl Compiler<'_> {
    fn push(&mut self, node: Node, kind: Kind) -> (NodeId, Kind) {
        self.nodes.push(node);
        self.kinds.push(kind);
        ((self.nodes.len() - 1) as NodeId, kind)
    }

    fn fact(&self, index: u32) -> Result<Kind, CompileError> {
        self.model
            .facts
            .get(index as usize)
            .map(|fact| Kind::of(fact.ty))
            .ok_or_else(|| inconsistent(format!("fact index {index} is out of range")))
    }

    fn expect(&mut self, expr: &Expr, lets_visible: usize, want: Kind) -> Result<NodeId, CompileError> {
        let (id, kind) = self.expr(expr, lets_visible)?;
        if kind == want { Ok(id) } else { Err(inconsistent(format!("expected a {want:?} operand, found {kind:?}"))) }
    }

    /// Compiles `expr`, which may refer to lets before `lets_visible` only:
    /// that keeps derived facts acyclic even in a hand-built model.
    fn expr(&mut self, expr: &Expr, lets_visible: usize) -> Result<(NodeId, Kind), CompileError> {
        Ok(match expr {
            Expr::Const(value) => match value {
                Value::Bool(b) => self.push(Node::BoolConst(*b), Kind::Bool),
                Value::Number(n) | Value::Quantity(n, _) | Value::Duration(n) => {
                    self.push(Node::NumConst(*n), Kind::Num)
                }
                Value::Variant(_, variant) => self.push(Node::EnumConst(*variant), Kind::Enum),
                Value::String(text) => {
                    let index = match self.strings.iter().position(|s| s == text) {
                        Some(index) => index,
                        None => {
                            self.strings.push(text.clone());
                            self.strings.len() - 1
                        }
                    };
                    self.push(Node::StrConst(index as u32), Kind::Str)
                }
            },
            Expr::Fact(index) => {
                let kind = self.fact(*index)?;
                let node = match kind {
                    Kind::Bool => Node::BoolFact(*index),
                    Kind::Num => Node::NumFact(*index),
                    Kind::Enum => Node::EnumFact(*index),
                    Kind::Str => Node::StrFact(*index),
                };
                self.push(node, kind)
            }
            Expr::Let(index) => {
                if *index as usize >= lets_visible {
                    return Err(inconsistent(format!("let index {index} is not defined before its use")));
                }
                let kind = self
                    .let_kinds
                    .get(*index as usize)
                    .copied()
                    .ok_or_else(|| inconsistent(format!("let index {index} is out of range")))?;
                self.push(Node::Let(*index), kind)
            }
            Expr::Not(inner) => {
                let inner = self.expect(inner, lets_visible, Kind::Bool)?;
                self.push(Node::Not(inner), Kind::Bool)
            }
            Expr::Neg(inner) => {
                let inner = self.expect(inner, lets_visible, Kind::Num)?;
                self.push(Node::Neg(inner), Kind::Num)
            }
            Expr::And(..) | Expr::Or(..) => {
                // Kleene `and` and `or` are associative: a chain becomes one
                // n-ary node, evaluated in a loop instead of by recursion.
                let conjunction = matches!(expr, Expr::And(..));
                let mut operands = Vec::new();
                flatten(expr, conjunction, &mut operands);
                let mut ids = Vec::with_capacity(operands.len());
                for operand in operands {
                    ids.push(self.expect(operand, lets_visible, Kind::Bool)?);
                }
                let start = self.lists.len() as u32;
                let len = ids.len() as u32;
                self.lists.extend(ids);
                let node = if conjunction { Node::All { start, len } } else { Node::Any { start, len } };
                self.push(node, Kind::Bool)
            }
            Expr::Compare(op, a, b) => self.compare(*op, a, b, lets_visible)?,
            Expr::Arith(op, a, b) => {
                let a = self.expect(a, lets_visible, Kind::Num)?;
                let b = self.expect(b, lets_visible, Kind::Num)?;
                self.push(Node::Arith(*op, a, b), Kind::Num)
            }
            Expr::In(operand, variants) => {
                let operand = self.expect(operand, lets_visible, Kind::Enum)?;
                let len = variants.iter().map(|v| *v as usize / 64 + 1).max().unwrap_or(0);
                let start = self.words.len();
                self.words.resize(start + len, 0);
                for variant in variants {
                    if let Some(word) = self.words.get_mut(start + *variant as usize / 64) {
                        *word |= 1 << (variant % 64);
                    }
                }
                self.push(Node::In { operand, start: start as u32, len: len as u32 }, Kind::Bool)
            }
            Expr::Count(items) => {
                let mut ids = Vec::with_capacity(items.len());
                for item in items {
                    ids.push(self.expect(item, lets_visible, Kind::Bool)?);
                }
                let start = self.lists.len() as u32;
                self.lists.extend(ids);
                self.push(Node::Count { start, len: items.len() as u32 }, Kind::Num)
            }
            Expr::Known(inner) => {
                if let Expr::Fact(index) = **inner {
                    self.fact(index)?;
                    self.push(Node::KnownFact(index), Kind::Bool)
                } else {
                    let (inner, _) = self.expr(inner, lets_visible)?;
                    self.push(Node::Known(inner), Kind::Bool)
                }
            }
        })
    }

    fn compare(
        &mut self,
        op: CompareOp,
        a: &Expr,
        b: &Expr,
        lets_visible: usize,
    ) -> Result<(NodeId, Kind), CompileError> {
        // The specialised shapes: a fact against a constant, either way round.
        let (fact_side, const_side, op_for_fact) = match (a, b) {
            (Expr::Fact(f), Expr::Const(c)) => (Some(*f), Some(c), op),
            (Expr::Const(c), Expr::Fact(f)) => (Some(*f), Some(c), flip(op)),
            _ => (None, None, op),
        };
        if let (Some(fact), Some(constant)) = (fact_side, const_side) {
            let kind = self.fact(fact)?;
            match (kind, constant) {
                (Kind::Num, Value::Number(n) | Value::Quantity(n, _) | Value::Duration(n)) => {
                    return Ok(self.push(Node::CompareFactConst(op_for_fact, fact, *n), Kind::Bool));
                }
                (Kind::Enum, Value::Variant(_, variant)) if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
                    let negated = op == CompareOp::Ne;
                    return Ok(self.push(Node::FactIsVariant { negated, slot: fact, variant: *variant }, Kind::Bool));
                }
                _ => {}
            }
        }
        let (a, kind_a) = self.expr(a, lets_visible)?;
        let (b, kind_b) = self.expr(b, lets_visible)?;
        if kind_a != kind_b {
            return Err(inconsistent(format!("comparison of {kind_a:?} with {kind_b:?}")));
        }
        let equality = match op {
            CompareOp::Eq => Some(false),
            CompareOp::Ne => Some(true),
            _ => None,
        };
        let node = match (kind_a, equality) {
            (Kind::Num, _) => Node::CompareNum(op, a, b),
            (Kind::Enum, Some(negated)) => Node::EqEnum(negated, a, b),
            (Kind::Bool, Some(negated)) => Node::EqBool(negated, a, b),
            (Kind::Str, Some(negated)) => Node::EqStr(negated, a, b),
            (kind, None) => return Err(inconsistent(format!("ordering comparison on {kind:?} operands"))),
        };
        Ok(self.push(node, Kind::Bool))
    }
}

/// The operands of a chain of `and` (or of `or`), left to right, nested
/// chains of the same operator (`(a and b) and c`) spliced in.
fn flatten<'e>(expr: &'e Expr, conjunction: bool, out: &mut Vec<&'e Expr>) {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match expr {
            Expr::And(items) if conjunction => stack.extend(items.iter().rev()),
            Expr::Or(items) if !conjunction => stack.extend(items.iter().rev()),
            other => out.push(other),
        }
    }
}

/// The operator that gives the same answer with the operands swapped.
pub(crate) fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        CompareOp::Eq | CompareOp::Ne => op,
    }
}
