//! The tables of a compiled ruleset, [`Program`], and the typed indices
//! into them: facts as dense slots, enum variants as small integers,
//! conditions as one typed node arena, and every name the output needs
//! pre-rendered as JSON. Every other module reads these tables, so this
//! one imports none of them (the compiler is in `compile.rs`, the circuit
//! in `circuit.rs`).

use std::sync::Arc;

use osler_dsl::model::{ArithOp, CompareOp, Model, Type, Value};

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
    /// An assert's action pattern: the truth of [`Program::patterns`]`[i]`
    /// on the output, supplied per evaluation (only asserts hold one).
    Output(u32),
}

/// A fact as the readers and the output see it.
#[derive(Clone, Debug)]
pub(crate) struct FactSlot {
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) kind: Kind,
    /// The name as a JSON string, quotes included.
    pub(crate) json_name: String,
    /// `{"fact":"..."`, the start of its entry in `examine`.
    pub(crate) json_examine_head: String,
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
    /// For a rule with a computed argument, its calls in its own order
    /// (empty for every other rule, whose calls are `instances`).
    pub(crate) calls: Vec<RuleCall>,
    /// `{"rule":"..","missing":[` and `{"rule":"..","by":[`, ready to write.
    pub(crate) json_undetermined_head: String,
    pub(crate) json_overridden_head: String,
    /// Per instance (same index as `instances`), its whole action entry
    /// when this rule is the only producer that fired, without the closing
    /// brace: `{"name":..,"args":..,"rules":["this"],"sources":[..]`.
    pub(crate) json_entries: Vec<String>,
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

/// One call of a rule that has a computed argument.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RuleCall {
    /// A call with constant arguments: an instance.
    Constant(InstanceId),
    /// A call with a computed argument: an index into
    /// [`Program::computed_calls`].
    Computed(u32),
}

/// A call whose arguments are computed on each record (`wells(score:
/// wells_score)`); the rule that makes it fires only when every argument
/// is known.
#[derive(Clone, Debug)]
pub(crate) struct ComputedCall {
    pub(crate) action: u32,
    /// Per parameter, its compiled expression (a constant is a constant
    /// node) and the parameter's type.
    pub(crate) args: Vec<(NodeId, Type)>,
    /// The call as `examine` names it while its values are unknown, a JSON
    /// string: `"wells(?)"`, constants rendered.
    pub(crate) json_template: String,
    /// The action's rank in the ruleset's `priority` (`u32::MAX` when not
    /// listed).
    pub(crate) rank: u32,
    /// The first computed call with the same template: `examine` names
    /// `wells(?)` once, whichever rules could make it.
    pub(crate) template: u32,
    /// Its template's place in [`Program::bring_order`].
    pub(crate) key: u32,
}

/// What the decision logic needs of an action instance, beside it in
/// [`Program::calls`] (same index).
#[derive(Clone, Debug)]
pub(crate) struct CallInfo {
    /// The action's place in the ruleset's `priority` (0 first); `u32::MAX`
    /// when the priority does not list it.
    pub(crate) rank: u32,
    /// Its first duration argument in seconds (infinite without one):
    /// among calls of the disposition's action the shortest governs.
    pub(crate) within: f64,
    /// The call as `examine` names it, a JSON string: `"emergency(6h)"`,
    /// `"self_care"` (no parentheses without arguments).
    pub(crate) json_call: String,
    /// Its place in [`Program::bring_order`] (set when the program is
    /// compiled; 0 for a call a computed call made on one record).
    pub(crate) key: u32,
}

impl ActionInstance {
    /// The instance of `action` with constant `args`, rendered once.
    pub(crate) fn new(model: &Model, action: u32, args: Vec<Value>) -> ActionInstance {
        let args_json: Vec<serde_json::Value> = args.iter().map(|arg| value_json(model, arg)).collect();
        let rendered_args = serde_json::to_string(&args_json).unwrap_or_else(|_| "[]".to_owned());
        let name = model.actions.get(action as usize).map_or("", |info| info.name.as_str());
        ActionInstance {
            action,
            args,
            args_json,
            json_head: format!("{{\"name\":{},\"args\":{rendered_args},\"rules\":[", json_string(name)),
            rules: Vec::new(),
        }
    }
}

impl CallInfo {
    /// What the decisions read of `instance`: the action's rank in the
    /// ruleset's `priority`, its first duration argument, the call's text.
    pub(crate) fn new(model: &Model, instance: &ActionInstance) -> CallInfo {
        let rank = model.priority.iter().position(|&action| action == instance.action).map_or(u32::MAX, |p| p as u32);
        let within = instance
            .args
            .iter()
            .find_map(|arg| match arg {
                Value::Duration(seconds) => Some(*seconds),
                _ => None,
            })
            .unwrap_or(f64::INFINITY);
        CallInfo { rank, within, json_call: json_string(&call_text(model, instance.action, &instance.args)), key: 0 }
    }
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
    pub(crate) fn new(fields: &[(&str, Field)]) -> FieldTable {
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
    /// Per instance (same index), its rank, deadline and rendered call.
    pub(crate) calls: Vec<CallInfo>,
    /// The calls with computed arguments, of every rule.
    pub(crate) computed_calls: Vec<ComputedCall>,
    /// What a fact could bring, in the order `examine` ranks it (the
    /// action's rank under `priority`, then its first duration argument,
    /// sooner first, then instances before computed templates, then by
    /// index): a thing below `instances.len()` is an instance, and from
    /// there a template of `computed_calls`. A call's place here is its
    /// `key`.
    pub(crate) bring_order: Vec<u32>,
    /// The rules with a computed call, ascending.
    pub(crate) computed_rules: Vec<u32>,
    pub(crate) source_json: Vec<String>,
    /// The rules that some rule overrides, ascending.
    pub(crate) overridable: Vec<u32>,
    /// Words per source bit set.
    pub(crate) source_words: usize,
    /// Per rule, `source_words` words: the set of sources it cites.
    pub(crate) cite_sets: Vec<u64>,
    /// Per action pattern ([`Node::Output`]), the action instances it
    /// matches, ascending: it is true when the output holds one of them.
    pub(crate) patterns: Vec<Vec<u32>>,
    /// Per action pattern, what it matches: the action and, when given,
    /// the arguments (for the calls computed on a record).
    pub(crate) pattern_keys: Vec<(u32, Option<Vec<Value>>)>,
    /// Per assert, in model order, the roots of `when` and `then`. The
    /// circuit never sees them: properties run only on request.
    pub(crate) asserts: Vec<(NodeId, NodeId)>,
    /// Per `exclusive`, in model order, its action.
    pub(crate) exclusives: Vec<u32>,
}

impl Program {
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

    #[inline]
    pub(crate) fn call(&self, instance: InstanceId) -> &CallInfo {
        &self.calls[instance.index()]
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

/// `emergency(6h)`, `refer(vascular_surgery)`, `self_care`: a call as the
/// ruleset writes it.
pub(crate) fn call_text(model: &Model, action: u32, args: &[Value]) -> String {
    let name = model.actions.get(action as usize).map_or("", |info| info.name.as_str());
    if args.is_empty() {
        return name.to_owned();
    }
    let args: Vec<String> = args.iter().map(|arg| model.render_value(arg)).collect();
    format!("{name}({})", args.join(", "))
}

/// A number as JSON: integral values without a fraction (`50`, not `50.0`).
pub(crate) fn number_json(value: f64) -> serde_json::Value {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Number::from_f64(value).map_or(serde_json::Value::Null, serde_json::Value::Number)
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
            | Node::StrFact(_)
            | Node::Output(_) => {}
        }
    }
    (0u32..).zip(seen).filter_map(|(index, seen)| seen.then_some(index)).collect()
}
