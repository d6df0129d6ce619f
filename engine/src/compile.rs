//! Compilation of a checked [`Model`] into the tables of a [`Program`]:
//! facts resolved to dense slots, enum variants to small integers, constants
//! normalised (durations in seconds, quantities in their declared unit),
//! conditions flattened into one typed node arena, and every name the
//! output needs pre-rendered as JSON. The circuit is built from these
//! tables afterwards (`circuit/build.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use osler_dsl::model::{CompareOp, Expr, Model, Type, Value};

use crate::error::CompileError;
use crate::output::write_entry_fields;
use crate::program::{
    ActionInstance, CallInfo, CompiledRule, ComputedCall, FactSlot, Field, FieldTable, InstanceId, Kind, Node, NodeId,
    Program, RuleCall, SlotId, flip, json_string,
};

fn inconsistent(message: impl Into<String>) -> CompileError {
    CompileError { message: message.into() }
}

/// Compiles a checked model into a program's tables.
pub(crate) fn compile(model: Arc<Model>) -> Result<Program, CompileError> {
    let mut compiler = Compiler {
        model: &model,
        nodes: Vec::new(),
        kinds: Vec::new(),
        lists: Vec::new(),
        words: Vec::new(),
        strings: Vec::new(),
        let_kinds: Vec::new(),
        patterns: None,
    };
    let let_roots = compile_lets(&mut compiler, &model)?;
    let facts = fact_slots(&model)?;
    // A fact named `id` cannot be given in a record: `id` is the
    // record's identifier by the dictionary's contract.
    let names: Vec<(&str, Field)> = std::iter::once(("id", Field::Id))
        .chain(facts.iter().enumerate().map(|(slot, fact)| (fact.name.as_str(), Field::Fact(SlotId(slot as u32)))))
        .collect();
    let fields = FieldTable::new(&names);
    let overridden_by = overridden_by(&model)?;
    let mut instances: Vec<ActionInstance> = Vec::new();
    let mut computed_calls = Vec::new();
    let mut rules = Vec::with_capacity(model.rules.len());
    for (index, rule) in model.rules.iter().enumerate() {
        let (root, kind) = compiler.expr(&rule.condition, model.lets.len())?;
        if kind != Kind::Bool {
            return Err(inconsistent(format!("the condition of rule `{}` is not a bool", rule.id)));
        }
        let RuleCalls { instances: rule_instances, calls } =
            rule_calls(&mut compiler, &model, index, &mut instances, &mut computed_calls)?;
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
            calls,
            json_undetermined_head: format!("{{\"rule\":{json_id},\"missing\":["),
            json_overridden_head: format!("{{\"rule\":{json_id},\"by\":["),
            json_id,
            json_entries: Vec::new(),
        });
    }
    let source_json: Vec<String> = model.sources.iter().map(|source| json_string(&source.name)).collect();
    for rule in &mut rules {
        let entries = rule.instances.iter().map(|&instance| {
            let mut entry = Vec::new();
            let (head, id) = (instances[instance as usize].json_head.as_str(), rule.json_id.as_str());
            write_entry_fields(
                &mut entry,
                head,
                &[()],
                |()| id,
                &rule.cites,
                |s: u32| source_json[s as usize].as_str(),
            );
            String::from_utf8(entry).map_err(|_| inconsistent("a rendered action entry is not UTF-8"))
        });
        rule.json_entries = entries.collect::<Result<_, _>>()?;
    }
    let overridable =
        rules.iter().enumerate().filter(|(_, rule)| !rule.overridden_by.is_empty()).map(|(i, _)| i as u32).collect();
    let source_words = model.sources.len().div_ceil(64);
    let cite_sets = cite_sets(&rules, source_words);
    let (asserts, exclusives, patterns, pattern_keys) = compile_properties(&mut compiler, &model, &instances)?;
    let mut calls = call_infos(&model, &instances);
    let bring_order = bring_order(&mut calls, &mut computed_calls);
    let computed_rules =
        rules.iter().enumerate().filter(|(_, rule)| !rule.calls.is_empty()).map(|(i, _)| i as u32).collect();
    let Compiler { nodes, lists, words, strings, let_kinds, .. } = compiler;
    // Starts at 1: 0 marks a record that belongs to no ruleset.
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    Ok(Program {
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
        calls,
        computed_calls,
        bring_order,
        computed_rules,
        source_json,
        overridable,
        source_words,
        cite_sets,
        patterns,
        pattern_keys,
        asserts,
        exclusives,
    })
}

/// The compiled properties: each assert's `when` and `then` roots (after
/// every rule, so the circuit, built from the rules' roots, never sees
/// them), each exclusive's action, and per action pattern the instances it
/// matches (a call matches when its action and, if the pattern gives them,
/// all its arguments are equal: the output's own merging).
type Properties = (Vec<(NodeId, NodeId)>, Vec<u32>, Vec<Vec<u32>>, Vec<(u32, Option<Vec<Value>>)>);

fn compile_properties(
    compiler: &mut Compiler<'_>,
    model: &Model,
    instances: &[ActionInstance],
) -> Result<Properties, CompileError> {
    compiler.patterns = Some(Vec::new());
    let mut asserts = Vec::with_capacity(model.asserts.len());
    for assert in &model.asserts {
        let side = |compiler: &mut Compiler<'_>, expr: &Expr, which: &str| {
            compiler
                .expect(expr, model.lets.len(), Kind::Bool)
                .map_err(|error| inconsistent(format!("the {which} side of assert `{}`: {}", assert.id, error.message)))
        };
        let when = side(compiler, &assert.when, "when")?;
        let then = side(compiler, &assert.then, "then")?;
        asserts.push((when, then));
    }
    let mut exclusives = Vec::with_capacity(model.exclusives.len());
    for exclusive in &model.exclusives {
        if exclusive.action as usize >= model.actions.len() {
            return Err(inconsistent("an exclusive names an action that does not exist"));
        }
        exclusives.push(exclusive.action);
    }
    let keys = compiler.patterns.take().unwrap_or_default();
    let patterns = keys
        .iter()
        .map(|(action, args)| {
            let action = *action;
            (0u32..)
                .zip(instances)
                .filter(|(_, instance)| {
                    instance.action == action && args.as_ref().is_none_or(|args| *args == instance.args)
                })
                .map(|(index, _)| index)
                .collect()
        })
        .collect();
    Ok((asserts, exclusives, patterns, keys))
}

/// Compiles every let, in index order (a let reads only lets before it).
fn compile_lets(compiler: &mut Compiler<'_>, model: &Model) -> Result<Vec<NodeId>, CompileError> {
    let mut let_roots = Vec::with_capacity(model.lets.len());
    for (index, info) in model.lets.iter().enumerate() {
        let (root, kind) = compiler.expr(&info.value, index)?;
        if kind != Kind::of(info.ty) {
            return Err(inconsistent(format!("let `{}` is declared {:?} but computes {kind:?}", info.name, info.ty)));
        }
        let_roots.push(root);
        compiler.let_kinds.push(kind);
    }
    Ok(let_roots)
}

/// The facts as the readers and the output see them.
fn fact_slots(model: &Model) -> Result<Vec<FactSlot>, CompileError> {
    let facts: Vec<FactSlot> = model
        .facts
        .iter()
        .map(|fact| FactSlot {
            name: fact.name.clone(),
            ty: fact.ty,
            kind: Kind::of(fact.ty),
            json_name: json_string(&fact.name),
            json_examine_head: format!("{{\"fact\":{}", json_string(&fact.name)),
        })
        .collect();
    for fact in &facts {
        if let Type::Enum(index) = fact.ty
            && model.enums.get(index as usize).is_none()
        {
            return Err(inconsistent(format!("fact `{}` has an unknown enum", fact.name)));
        }
    }
    Ok(facts)
}

/// Per rule, the rules that list it in `overrides` (each once).
fn overridden_by(model: &Model) -> Result<Vec<Vec<u32>>, CompileError> {
    let mut overridden_by: Vec<Vec<u32>> = vec![Vec::new(); model.rules.len()];
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
    Ok(overridden_by)
}

/// What one rule's actions compile to: its distinct constant instances,
/// and, for a rule with a computed argument, every call in its order.
struct RuleCalls {
    instances: Vec<u32>,
    calls: Vec<RuleCall>,
}

/// The distinct action instances rule `index` produces, in its own order;
/// instances new to the program are appended to `instances`, and every
/// instance the rule produces lists the rule. A call with a computed
/// argument compiles its arguments into `computed` instead; the rule then
/// also keeps all its calls in order.
fn rule_calls(
    compiler: &mut Compiler<'_>,
    model: &Model,
    index: usize,
    instances: &mut Vec<ActionInstance>,
    computed: &mut Vec<ComputedCall>,
) -> Result<RuleCalls, CompileError> {
    let rule = &model.rules[index];
    let mut rule_instances = Vec::new();
    let mut calls = Vec::new();
    for call in &rule.actions {
        let action = model
            .actions
            .get(call.action as usize)
            .ok_or_else(|| inconsistent(format!("rule `{}` calls an action that does not exist", rule.id)))?;
        let Some(args) = call.constant_args() else {
            if call.args.len() != action.params.len() {
                return Err(inconsistent(format!("rule `{}` calls `{}` with the wrong arity", rule.id, action.name)));
            }
            let mut compiled = Vec::with_capacity(call.args.len());
            let mut shown = Vec::with_capacity(call.args.len());
            for (arg, (_, ty)) in call.args.iter().zip(&action.params) {
                let (node, kind) = compiler.expr(arg, model.lets.len())?;
                if kind != Kind::of(*ty) {
                    return Err(inconsistent(format!(
                        "an argument of `{}` in rule `{}` has the wrong kind",
                        action.name, rule.id
                    )));
                }
                compiled.push((node, *ty));
                shown.push(match arg {
                    Expr::Const(value) => model.render_value(value),
                    _ => "?".to_owned(),
                });
            }
            let rank = model.priority.iter().position(|&listed| listed == call.action).map_or(u32::MAX, |p| p as u32);
            let json_template = json_string(&format!("{}({})", action.name, shown.join(", ")));
            let index = computed.len() as u32;
            let template =
                computed.iter().position(|other| other.json_template == json_template).map_or(index, |p| p as u32);
            calls.push(RuleCall::Computed(index));
            computed.push(ComputedCall { action: call.action, args: compiled, json_template, rank, template, key: 0 });
            continue;
        };
        let position = match instances.iter().position(|i| i.action == call.action && i.args == args) {
            Some(position) => position,
            None => {
                instances.push(ActionInstance::new(model, call.action, args));
                instances.len() - 1
            }
        };
        calls.push(RuleCall::Constant(InstanceId(position as u32)));
        if !rule_instances.contains(&(position as u32)) {
            rule_instances.push(position as u32);
        }
        if let Some(instance) = instances.get_mut(position)
            && instance.rules.last() != Some(&(index as u32))
        {
            instance.rules.push(index as u32);
        }
    }
    if !calls.iter().any(|call| matches!(call, RuleCall::Computed(_))) {
        calls.clear();
    }
    Ok(RuleCalls { instances: rule_instances, calls })
}

/// Per instance, what the disposition and `examine` read.
fn call_infos(model: &Model, instances: &[ActionInstance]) -> Vec<CallInfo> {
    instances.iter().map(|instance| CallInfo::new(model, instance)).collect()
}

/// [`Program::bring_order`], setting each call's and computed call's
/// `key` (a computed call's is its template's).
fn bring_order(calls: &mut [CallInfo], computed: &mut [ComputedCall]) -> Vec<u32> {
    // (rank, within, kind: 0 instance, 1 template, index)
    let mut things: Vec<(u32, f64, u32, u32)> =
        calls.iter().enumerate().map(|(index, call)| (call.rank, call.within, 0, index as u32)).collect();
    things.extend(
        computed
            .iter()
            .enumerate()
            .filter(|(index, call)| call.template as usize == *index)
            .map(|(index, call)| (call.rank, f64::INFINITY, 1, index as u32)),
    );
    things.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then((a.2, a.3).cmp(&(b.2, b.3))));
    let instances = calls.len() as u32;
    let mut template_keys = vec![0u32; computed.len()];
    let mut order = Vec::with_capacity(things.len());
    for (key, &(_, _, kind, index)) in (0u32..).zip(&things) {
        if kind == 0 {
            calls[index as usize].key = key;
            order.push(index);
        } else {
            template_keys[index as usize] = key;
            order.push(instances + index);
        }
    }
    for call in computed.iter_mut() {
        call.key = template_keys[call.template as usize];
    }
    order
}

/// Per rule, `source_words` words: the set of sources it cites.
fn cite_sets(rules: &[CompiledRule], source_words: usize) -> Vec<u64> {
    let mut cite_sets = vec![0u64; source_words * rules.len()];
    for (index, rule) in rules.iter().enumerate() {
        for &source in &rule.cites {
            if let Some(word) = cite_sets.get_mut(index * source_words + source as usize / 64) {
                *word |= 1 << (source % 64);
            }
        }
    }
    cite_sets
}

struct Compiler<'m> {
    model: &'m Model,
    nodes: Vec<Node>,
    kinds: Vec<Kind>,
    lists: Vec<NodeId>,
    words: Vec<u64>,
    strings: Vec<String>,
    let_kinds: Vec<Kind>,
    /// The action patterns met so far, `(action, args)`, while compiling
    /// asserts; `None` elsewhere, where a pattern is an inconsistent model.
    patterns: Option<Vec<(u32, Option<Vec<Value>>)>>,
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
            Expr::Output(action, args) => {
                let Some(patterns) = self.patterns.as_mut() else {
                    return Err(inconsistent("an action pattern outside an assert"));
                };
                if *action as usize >= self.model.actions.len() {
                    return Err(inconsistent(format!("action pattern on action index {action}, out of range")));
                }
                patterns.push((*action, args.clone()));
                let index = patterns.len() as u32 - 1;
                self.push(Node::Output(index), Kind::Bool)
            }
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
