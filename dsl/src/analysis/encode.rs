//! Encodes a ruleset's meaning as a propositional formula, Kleene logic in
//! two rails: every boolean expression becomes a pair of literals
//! (`t`: it is true, `f`: it is false; never both; neither means
//! unknown). Facts become one-hot choices over their domain's regions or
//! unknown, `count` a sequential counter, overrides exactly as the engine
//! applies them (a rule fires when its condition is true and no rule that
//! overrides it has a true condition), and an action pattern the
//! disjunction of the firings of the rules that emit it.
//!
//! What the encoding cannot follow exactly (arithmetic, comparisons
//! between two numeric facts, ordering of strings) becomes a free pair of
//! literals: every truth value is allowed, so the formula over-approximates
//! and a proof that something never happens stays a proof, but a witness
//! may not be real. [`Encoder::approximate`] says whether that happened;
//! such witnesses are replayed in the engine before anything is claimed.
//!
//! An encoder is built for one query: [`Cone`] first collects what the
//! query depends on (the rules, lets and facts), so the solver holds only
//! those formulas and each fact's regions are cut at only the constants
//! that matter to the query.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::domain::Domain;
use super::sat::{FALSE, Formula, Lit, TRUE};
use crate::model::{CompareOp, Expr, FactIndex, LetIndex, Model, RuleIndex, Type, Value};

mod emit;

/// The two rails of a boolean expression.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Rail {
    /// The expression is true.
    pub t: Lit,
    /// The expression is false.
    pub f: Lit,
}

impl Rail {
    const TRUE: Rail = Rail { t: TRUE, f: FALSE };
    const FALSE: Rail = Rail { t: FALSE, f: TRUE };

    fn not(self) -> Rail {
        Rail { t: self.f, f: self.t }
    }

    fn two_valued(lit: Lit) -> Rail {
        Rail { t: lit, f: !lit }
    }
}

/// What the analysis knows of a ruleset as a whole: who overrides whom,
/// who emits what. Built once per model.
#[derive(Debug)]
pub struct Index {
    /// Per rule, the rules that override it (each once, in index order).
    pub overridden_by: Vec<Vec<RuleIndex>>,
    /// Per action, the rules that emit a call of it (index order).
    pub emitters: Vec<Vec<RuleIndex>>,
    /// Per rule, the facts its condition and its computed arguments read
    /// (through lets), sorted.
    pub support: Vec<Vec<FactIndex>>,
    /// Per fact, the rules whose condition reads it (index order).
    pub readers: Vec<Vec<RuleIndex>>,
}

impl Index {
    /// The index of `model`.
    pub fn new(model: &Model) -> Index {
        let mut overridden_by: Vec<Vec<RuleIndex>> = vec![Vec::new(); model.rules.len()];
        let mut emitters: Vec<Vec<RuleIndex>> = vec![Vec::new(); model.actions.len()];
        let mut support = Vec::with_capacity(model.rules.len());
        let mut readers: Vec<Vec<RuleIndex>> = vec![Vec::new(); model.facts.len()];
        for (index, rule) in model.rules.iter().enumerate() {
            for &target in &rule.overrides {
                if let Some(list) = overridden_by.get_mut(target as usize)
                    && !list.contains(&(index as RuleIndex))
                {
                    list.push(index as RuleIndex);
                }
            }
            for call in &rule.actions {
                if let Some(list) = emitters.get_mut(call.action as usize)
                    && list.last() != Some(&(index as RuleIndex))
                {
                    list.push(index as RuleIndex);
                }
            }
            let mut facts = Vec::new();
            rule.condition.facts_read(model, &mut facts);
            for call in &rule.actions {
                call.facts_read(model, &mut facts);
            }
            facts.sort_unstable();
            for &fact in &facts {
                if let Some(list) = readers.get_mut(fact as usize) {
                    list.push(index as RuleIndex);
                }
            }
            support.push(facts);
        }
        Index { overridden_by, emitters, support, readers }
    }

    /// The rules that emit exactly the call `action(args)` with constant
    /// arguments (any call of the action when `args` is `None`, computed
    /// or not). The rules whose computed calls may equal `action(args)`
    /// are [`Index::computed_emitting`].
    pub fn emitting<'a>(
        &'a self,
        model: &'a Model,
        action: u32,
        args: Option<&'a [Value]>,
    ) -> impl Iterator<Item = RuleIndex> + 'a {
        self.emitters.get(action as usize).into_iter().flatten().copied().filter(move |&rule| {
            model.rules.get(rule as usize).is_some_and(|info| {
                info.actions.iter().any(|call| {
                    call.action == action
                        && args.is_none_or(|args| {
                            call.args.len() == args.len()
                                && call
                                    .args
                                    .iter()
                                    .zip(args)
                                    .all(|(arg, value)| matches!(arg, Expr::Const(v) if v == value))
                        })
                })
            })
        })
    }
}

/// What one query depends on: rule conditions, lets and extra
/// expressions, closed under overrides and action patterns.
#[derive(Debug, Default)]
pub(crate) struct Cone {
    conditions: BTreeSet<RuleIndex>,
    firings: BTreeSet<RuleIndex>,
    lets: BTreeSet<LetIndex>,
}

impl Cone {
    /// Adds a rule's condition.
    pub(crate) fn condition(&mut self, model: &Model, index: &Index, rule: RuleIndex) {
        if self.conditions.insert(rule)
            && let Some(info) = model.rules.get(rule as usize)
        {
            self.expr(model, index, &info.condition);
        }
    }

    /// Adds whether a rule fires: its condition and its overriders'.
    pub(crate) fn firing(&mut self, model: &Model, index: &Index, rule: RuleIndex) {
        if !self.firings.insert(rule) {
            return;
        }
        self.condition(model, index, rule);
        for &by in index.overridden_by.get(rule as usize).into_iter().flatten() {
            self.condition(model, index, by);
        }
        // A rule emits only when its computed arguments are known.
        for call in model.rules.get(rule as usize).map(|info| info.actions.as_slice()).unwrap_or_default() {
            for arg in call.args.iter().filter(|arg| !matches!(arg, Expr::Const(_))) {
                self.expr(model, index, arg);
            }
        }
    }

    /// Adds an expression (lets and action patterns inside it too).
    pub(crate) fn expr(&mut self, model: &Model, index: &Index, expr: &Expr) {
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Const(_) | Expr::Fact(_) => {}
                Expr::Let(let_index) => {
                    if self.lets.insert(*let_index)
                        && let Some(info) = model.lets.get(*let_index as usize)
                    {
                        stack.push(&info.value);
                    }
                }
                Expr::Output(action, args) => {
                    let mut rules: Vec<RuleIndex> = index.emitting(model, *action, args.as_deref()).collect();
                    if let Some(args) = args {
                        rules.extend(index.computed_emitting(model, *action, args));
                    }
                    for rule in rules {
                        self.firing(model, index, rule);
                    }
                }
                Expr::Not(inner) | Expr::Neg(inner) | Expr::Known(inner) | Expr::In(inner, _) => stack.push(inner),
                Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Expr::And(items) | Expr::Or(items) | Expr::Count(items) => stack.extend(items.iter()),
            }
        }
    }

    /// Every expression of the cone, lets included (for cutting domains).
    fn exprs<'m>(&self, model: &'m Model, extra: &[&'m Expr]) -> Vec<&'m Expr> {
        let mut out: Vec<&Expr> = extra.to_vec();
        out.extend(self.conditions.iter().filter_map(|&rule| model.rules.get(rule as usize)).map(|r| &r.condition));
        out.extend(self.lets.iter().filter_map(|&l| model.lets.get(l as usize)).map(|info| &info.value));
        out
    }
}

/// A numeric or enum operand, as far as the encoding can see it.
enum Operand<'m> {
    Fact(FactIndex),
    Const(Value),
    Count(&'m [Expr]),
    Other,
}

/// The encoding of one fact: unknown, or one of its regions.
#[derive(Debug)]
pub(crate) struct FactVars {
    /// The fact is unknown.
    pub unknown: Lit,
    /// One literal per region of the domain.
    pub regions: Vec<Lit>,
    /// The domain the regions cut.
    pub domain: Domain,
    /// For a numeric fact, `at_least[k]`: the value lies in region `k` or
    /// above (one more entry than regions, the last `FALSE`), so every
    /// comparison with a constant is one gate and the example search can
    /// bisect the regions.
    pub at_least: Vec<Lit>,
}

/// Builds the formula of one query.
#[derive(Debug)]
pub(crate) struct Encoder<'m> {
    pub model: &'m Model,
    pub index: &'m Index,
    pub formula: Formula,
    /// Whether some part of the formula over-approximates.
    pub approximate: bool,
    // Sparse: a query touches a few of a large ruleset's declarations.
    domains: HashMap<FactIndex, Domain>,
    facts: BTreeMap<FactIndex, FactVars>,
    lets: HashMap<LetIndex, Rail>,
    conditions: HashMap<RuleIndex, Rail>,
    firings: HashMap<RuleIndex, Lit>,
    /// Per rule, [`Encoder::emits`].
    emissions: HashMap<RuleIndex, Lit>,
}

impl<'m> Encoder<'m> {
    /// An encoder for the query whose dependencies are `cone` plus the
    /// expressions `extra` (an assert's sides): domains are cut at the
    /// constants these compare facts with, and the cone's lets are encoded
    /// first, in dependency order, so no chain of lets is recursed through.
    pub(crate) fn new(model: &'m Model, index: &'m Index, cone: &Cone, extra: &[&'m Expr]) -> Encoder<'m> {
        let mut encoder = Encoder {
            model,
            index,
            formula: Formula::default(),
            approximate: false,
            domains: HashMap::new(),
            facts: BTreeMap::new(),
            lets: HashMap::new(),
            conditions: HashMap::new(),
            firings: HashMap::new(),
            emissions: HashMap::new(),
        };
        for expr in cone.exprs(model, extra) {
            encoder.cut(expr);
        }
        for &let_index in &cone.lets {
            encoder.let_rail(let_index);
        }
        encoder
    }

    /// Cuts the domains of the facts `expr` compares with constants.
    fn cut(&mut self, expr: &'m Expr) {
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Compare(_, a, b) => {
                    match (self.operand(a), self.operand(b)) {
                        (Operand::Fact(fact), Operand::Const(value)) | (Operand::Const(value), Operand::Fact(fact)) => {
                            self.domain_mut(fact).add_constant(&value);
                        }
                        (Operand::Other, _) | (_, Operand::Other) => {
                            // Arithmetic: the encoding will not follow it,
                            // but cutting its facts at its constants gives
                            // the example search values that can make it
                            // true or false (`a - b > 3`: `a = 4`).
                            let (mut facts, mut constants) = (Vec::new(), Vec::new());
                            self.arithmetic_parts(a, &mut facts, &mut constants);
                            self.arithmetic_parts(b, &mut facts, &mut constants);
                            for fact in facts {
                                for constant in &constants {
                                    self.domain_mut(fact).add_constant(constant);
                                }
                            }
                        }
                        _ => {}
                    }
                    stack.push(a);
                    stack.push(b);
                }
                Expr::Not(inner) | Expr::Neg(inner) | Expr::Known(inner) | Expr::In(inner, _) => stack.push(inner),
                Expr::Arith(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                Expr::And(items) | Expr::Or(items) | Expr::Count(items) => stack.extend(items.iter()),
                Expr::Output(action, Some(args)) => self.cut_pattern(*action, args),
                Expr::Const(_) | Expr::Fact(_) | Expr::Let(_) | Expr::Output(..) => {}
            }
        }
    }

    /// The numeric facts and constants of an arithmetic operand (through
    /// lets; not inside `count`, whose value is never unknown).
    fn arithmetic_parts(&self, expr: &'m Expr, facts: &mut Vec<FactIndex>, constants: &mut Vec<Value>) {
        let mut stack = vec![expr];
        let mut seen_lets = BTreeSet::new();
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Fact(fact) => {
                    let numeric = self
                        .model
                        .facts
                        .get(*fact as usize)
                        .is_some_and(|info| matches!(info.ty, Type::Number | Type::Quantity(_) | Type::Duration));
                    if numeric && !facts.contains(fact) {
                        facts.push(*fact);
                    }
                }
                Expr::Const(value @ (Value::Number(_) | Value::Quantity(..) | Value::Duration(_))) => {
                    constants.push(value.clone());
                }
                Expr::Let(index) => {
                    if seen_lets.insert(*index)
                        && let Some(info) = self.model.lets.get(*index as usize)
                    {
                        stack.push(&info.value);
                    }
                }
                Expr::Neg(inner) => stack.push(inner),
                Expr::Arith(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                _ => {}
            }
        }
    }

    /// Every fact an arithmetic comparison reads outside `count`, `known`
    /// and action patterns, or `None` when it reads one of those: with
    /// one of these facts unknown the comparison is unknown.
    fn strict_facts(&self, exprs: [&'m Expr; 2]) -> Option<Vec<FactIndex>> {
        let mut stack: Vec<&Expr> = exprs.to_vec();
        let mut facts = Vec::new();
        let mut seen_lets = BTreeSet::new();
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Fact(fact) => {
                    if !facts.contains(fact) {
                        facts.push(*fact);
                    }
                }
                Expr::Let(index) => {
                    if seen_lets.insert(*index)
                        && let Some(info) = self.model.lets.get(*index as usize)
                    {
                        stack.push(&info.value);
                    }
                }
                Expr::Const(_) => {}
                Expr::Neg(inner) => stack.push(inner),
                Expr::Arith(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                _ => return None,
            }
        }
        Some(facts)
    }

    fn domain_mut(&mut self, fact: FactIndex) -> &mut Domain {
        let model = self.model;
        let ty = model.facts.get(fact as usize).map_or(Type::Bool, |info| info.ty);
        self.domains.entry(fact).or_insert_with(|| Domain::of_type(ty, model))
    }

    /// The encoded facts, in fact order.
    pub(crate) fn encoded_facts(&self) -> impl Iterator<Item = (FactIndex, &FactVars)> {
        self.facts.iter().map(|(&fact, vars)| (fact, vars))
    }

    /// The variables of `fact`, created on first use.
    pub(crate) fn fact(&mut self, fact: FactIndex) -> Option<&FactVars> {
        if fact as usize >= self.model.facts.len() {
            return None;
        }
        if !self.facts.contains_key(&fact) {
            let domain = self.domain_mut(fact).clone();
            let unknown = self.formula.var();
            let regions: Vec<Lit> = (0..domain.regions()).map(|_| self.formula.var()).collect();
            let mut all = vec![unknown];
            all.extend(&regions);
            self.formula.exactly_one(&all);
            for (region, &lit) in regions.iter().enumerate() {
                if !domain.possible(region) {
                    self.formula.clause(&[!lit]);
                }
            }
            let mut at_least = Vec::new();
            if matches!(domain, Domain::Numeric { .. }) {
                at_least = vec![FALSE; regions.len() + 1];
                for k in (0..regions.len()).rev() {
                    at_least[k] = self.formula.or(&[regions[k], at_least[k + 1]]);
                }
            }
            self.facts.insert(fact, FactVars { unknown, regions, domain, at_least });
        }
        self.facts.get(&fact)
    }

    /// A free truth value: the encoding does not follow this expression.
    fn opaque(&mut self, two_valued: bool) -> Rail {
        self.approximate = true;
        let t = self.formula.var();
        if two_valued {
            return Rail::two_valued(t);
        }
        let f = self.formula.var();
        self.formula.clause(&[!t, !f]);
        Rail { t, f }
    }

    /// What a numeric or enum expression is, seen through lets.
    fn operand(&self, mut expr: &'m Expr) -> Operand<'m> {
        loop {
            return match expr {
                Expr::Let(index) => match self.model.lets.get(*index as usize) {
                    Some(info) => {
                        expr = &info.value;
                        continue;
                    }
                    None => Operand::Other,
                },
                Expr::Fact(fact) => Operand::Fact(*fact),
                Expr::Const(value) => Operand::Const(value.clone()),
                Expr::Neg(inner) => match self.operand(inner) {
                    Operand::Const(Value::Number(n)) => Operand::Const(Value::Number(-n)),
                    Operand::Const(Value::Quantity(n, unit)) => Operand::Const(Value::Quantity(-n, unit)),
                    Operand::Const(Value::Duration(n)) => Operand::Const(Value::Duration(-n)),
                    _ => Operand::Other,
                },
                Expr::Count(items) => Operand::Count(items),
                _ => Operand::Other,
            };
        }
    }

    /// Whether `expr` is boolean (its rails are the encoding's).
    fn is_bool(&self, mut expr: &'m Expr) -> bool {
        loop {
            return match expr {
                Expr::Const(value) => matches!(value, Value::Bool(_)),
                Expr::Fact(fact) => self.model.facts.get(*fact as usize).is_some_and(|info| info.ty == Type::Bool),
                Expr::Let(index) => match self.model.lets.get(*index as usize) {
                    Some(info) => {
                        expr = &info.value;
                        continue;
                    }
                    None => false,
                },
                Expr::Neg(_) | Expr::Arith(..) | Expr::Count(_) => false,
                _ => true,
            };
        }
    }

    fn let_rail(&mut self, index: LetIndex) -> Rail {
        if let Some(rail) = self.lets.get(&index) {
            return *rail;
        }
        let model = self.model;
        let rail = match model.lets.get(index as usize) {
            Some(info) if info.ty == Type::Bool => self.expr(&info.value),
            // A numeric or enum let is read through `operand`; as a truth
            // value it has none.
            Some(_) => return Rail::FALSE,
            None => self.opaque(false),
        };
        self.lets.insert(index, rail);
        rail
    }

    /// The rails of a rule's condition.
    pub(crate) fn condition(&mut self, rule: RuleIndex) -> Rail {
        if let Some(rail) = self.conditions.get(&rule) {
            return *rail;
        }
        let model = self.model;
        let rail = match model.rules.get(rule as usize) {
            Some(info) => self.expr(&info.condition),
            None => self.opaque(false),
        };
        self.conditions.insert(rule, rail);
        rail
    }

    /// Whether a rule fires: its condition is true and no rule that
    /// overrides it has a true condition.
    pub(crate) fn fires(&mut self, rule: RuleIndex) -> Lit {
        if let Some(lit) = self.firings.get(&rule) {
            return *lit;
        }
        let mut all = vec![self.condition(rule).t];
        let overriders = self.index.overridden_by.get(rule as usize).cloned().unwrap_or_default();
        for by in overriders {
            all.push(!self.condition(by).t);
        }
        let lit = self.formula.and(&all);
        self.firings.insert(rule, lit);
        lit
    }

    /// Whether the record's output holds `action(args)` (any call when
    /// `args` is `None`). A computed call that may equal `action(args)`
    /// is not followed ([`Encoder::may_emit`]).
    pub(crate) fn output(&mut self, action: u32, args: Option<&[Value]>) -> Lit {
        let rules: Vec<RuleIndex> = self.index.emitting(self.model, action, args).collect();
        let mut lits: Vec<Lit> = rules.into_iter().map(|rule| self.emits(rule)).collect();
        if let Some(args) = args {
            let computed: Vec<RuleIndex> = self.index.computed_emitting(self.model, action, args).collect();
            lits.extend(computed.into_iter().map(|rule| self.may_emit(rule)));
        }
        self.formula.or(&lits)
    }

    /// The rails of a boolean expression.
    pub(crate) fn expr(&mut self, expr: &'m Expr) -> Rail {
        match expr {
            Expr::Const(Value::Bool(b)) => {
                if *b {
                    Rail::TRUE
                } else {
                    Rail::FALSE
                }
            }
            Expr::Fact(fact) => match self.fact(*fact) {
                Some(vars) if vars.domain == Domain::Bool && vars.regions.len() == 2 => {
                    Rail { t: vars.regions[0], f: vars.regions[1] }
                }
                _ => self.opaque(false),
            },
            Expr::Let(index) => self.let_rail(*index),
            Expr::Not(inner) => self.expr(inner).not(),
            Expr::And(items) => {
                let rails: Vec<Rail> = items.iter().map(|item| self.expr(item)).collect();
                let t = self.formula.and(&rails.iter().map(|r| r.t).collect::<Vec<_>>());
                let f = self.formula.or(&rails.iter().map(|r| r.f).collect::<Vec<_>>());
                Rail { t, f }
            }
            Expr::Or(items) => {
                let rails: Vec<Rail> = items.iter().map(|item| self.expr(item)).collect();
                let t = self.formula.or(&rails.iter().map(|r| r.t).collect::<Vec<_>>());
                let f = self.formula.and(&rails.iter().map(|r| r.f).collect::<Vec<_>>());
                Rail { t, f }
            }
            Expr::Compare(op, a, b) => self.compare(*op, a, b),
            Expr::In(inner, set) => match self.operand(inner) {
                Operand::Fact(fact) => self.fact_in(fact, set),
                Operand::Const(Value::Variant(_, variant)) => {
                    if set.contains(&variant) {
                        Rail::TRUE
                    } else {
                        Rail::FALSE
                    }
                }
                _ => self.opaque(false),
            },
            Expr::Known(inner) => self.known(inner),
            Expr::Output(action, args) => Rail::two_valued(self.output(*action, args.as_deref())),
            Expr::Const(_) | Expr::Neg(_) | Expr::Arith(..) | Expr::Count(_) => self.opaque(false),
        }
    }

    fn known(&mut self, inner: &'m Expr) -> Rail {
        if self.is_bool(inner) {
            let rail = self.expr(inner);
            return Rail::two_valued(self.formula.or(&[rail.t, rail.f]));
        }
        match self.operand(inner) {
            Operand::Fact(fact) => match self.fact(fact) {
                Some(vars) => Rail::two_valued(!vars.unknown),
                None => self.opaque(true),
            },
            Operand::Const(_) => Rail::TRUE,
            Operand::Count(_) | Operand::Other => self.opaque(true),
        }
    }

    /// `fact in {set}` for an enum fact.
    fn fact_in(&mut self, fact: FactIndex, set: &[u32]) -> Rail {
        let Some(vars) = self.fact(fact) else { return self.opaque(false) };
        if !matches!(vars.domain, Domain::Enum { .. }) {
            return self.opaque(false);
        }
        let mut inside = Vec::new();
        let mut outside = Vec::new();
        for (region, &lit) in vars.regions.iter().enumerate() {
            if set.contains(&(region as u32)) { inside.push(lit) } else { outside.push(lit) }
        }
        let t = self.formula.or(&inside);
        let f = self.formula.or(&outside);
        Rail { t, f }
    }

    fn compare(&mut self, op: CompareOp, a: &'m Expr, b: &'m Expr) -> Rail {
        if self.is_bool(a) && self.is_bool(b) {
            return self.compare_bools(op, a, b);
        }
        match (self.operand(a), self.operand(b)) {
            (Operand::Fact(fact), Operand::Const(value)) => self.fact_vs_const(fact, op, &value),
            (Operand::Const(value), Operand::Fact(fact)) => self.fact_vs_const(fact, flip(op), &value),
            (Operand::Count(items), Operand::Const(value)) => self.count_vs_const(items, op, &value),
            (Operand::Const(value), Operand::Count(items)) => self.count_vs_const(items, flip(op), &value),
            (Operand::Fact(x), Operand::Fact(y)) => self.fact_vs_fact(op, x, y, [a, b]),
            (Operand::Const(x), Operand::Const(y)) => match constant_compare(op, &x, &y) {
                Some(true) => Rail::TRUE,
                Some(false) => Rail::FALSE,
                None => self.opaque(false),
            },
            _ => self.opaque_compare(a, b),
        }
    }

    /// A comparison the encoding does not follow: free, but a comparison
    /// or arithmetic with an unknown operand is unknown, so it is true or
    /// false only when the facts it reads are known.
    fn opaque_compare(&mut self, a: &'m Expr, b: &'m Expr) -> Rail {
        let rail = self.opaque(false);
        if let Some(facts) = self.strict_facts([a, b]) {
            for fact in facts {
                if let Some(unknown) = self.fact(fact).map(|vars| vars.unknown) {
                    self.formula.clause(&[!rail.t, !unknown]);
                    self.formula.clause(&[!rail.f, !unknown]);
                }
            }
        }
        rail
    }

    fn compare_bools(&mut self, op: CompareOp, a: &'m Expr, b: &'m Expr) -> Rail {
        let (x, y) = (self.expr(a), self.expr(b));
        let same_t = self.formula.and(&[x.t, y.t]);
        let same_f = self.formula.and(&[x.f, y.f]);
        let equal = self.formula.or(&[same_t, same_f]);
        let cross_a = self.formula.and(&[x.t, y.f]);
        let cross_b = self.formula.and(&[x.f, y.t]);
        let differ = self.formula.or(&[cross_a, cross_b]);
        match op {
            CompareOp::Eq => Rail { t: equal, f: differ },
            CompareOp::Ne => Rail { t: differ, f: equal },
            _ => self.opaque(false),
        }
    }

    fn fact_vs_const(&mut self, fact: FactIndex, op: CompareOp, constant: &Value) -> Rail {
        let Some(vars) = self.fact(fact) else { return self.opaque(false) };
        if let Domain::Numeric { cuts, .. } = &vars.domain {
            let (Value::Number(c) | Value::Quantity(c, _) | Value::Duration(c)) = constant else {
                return self.opaque(false);
            };
            let Ok(i) = cuts.binary_search_by(|cut| cut.total_cmp(c)) else { return self.opaque(false) };
            // The constant is region `2i + 1`; regions below it are `< c`.
            let (point, known) = (vars.regions[2 * i + 1], !vars.unknown);
            let above = vars.at_least[2 * i + 2];
            let from = vars.at_least[2 * i + 1];
            return match op {
                CompareOp::Gt => Rail { t: above, f: self.formula.and(&[known, !above]) },
                CompareOp::Ge => Rail { t: from, f: self.formula.and(&[known, !from]) },
                CompareOp::Lt => Rail { t: self.formula.and(&[known, !from]), f: from },
                CompareOp::Le => Rail { t: self.formula.and(&[known, !above]), f: above },
                CompareOp::Eq => Rail { t: point, f: self.formula.and(&[known, !point]) },
                CompareOp::Ne => Rail { t: self.formula.and(&[known, !point]), f: point },
            };
        }
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return self.opaque(false);
        }
        let mut t = Vec::new();
        let mut f = Vec::new();
        for (region, &lit) in vars.regions.iter().enumerate() {
            match vars.domain.compare_region(region, constant) {
                Some(ordering) => {
                    if holds(op, ordering) {
                        t.push(lit);
                    } else {
                        f.push(lit);
                    }
                }
                None => return self.opaque(false),
            }
        }
        let t = self.formula.or(&t);
        let f = self.formula.or(&f);
        Rail { t, f }
    }

    fn fact_vs_fact(&mut self, op: CompareOp, x: FactIndex, y: FactIndex, operands: [&'m Expr; 2]) -> Rail {
        let finite = |vars: Option<&FactVars>| {
            vars.is_some_and(|vars| matches!(vars.domain, Domain::Bool | Domain::Enum { .. }))
        };
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) || !finite(self.fact(x)) || !finite(self.fact(y)) {
            return self.opaque_compare(operands[0], operands[1]);
        }
        let (Some(a), Some(b)) = (
            self.fact(x).map(|v| (v.unknown, v.regions.clone())),
            self.fact(y).map(|v| (v.unknown, v.regions.clone())),
        ) else {
            return self.opaque_compare(operands[0], operands[1]);
        };
        if a.1.len() != b.1.len() {
            return self.opaque_compare(operands[0], operands[1]);
        }
        let pairs: Vec<Lit> = a.1.iter().zip(&b.1).map(|(&p, &q)| self.formula.and(&[p, q])).collect();
        let equal = self.formula.or(&pairs);
        let differ = self.formula.and(&[!a.0, !b.0, !equal]);
        match op {
            CompareOp::Eq => Rail { t: equal, f: differ },
            _ => Rail { t: differ, f: equal },
        }
    }

    /// `count(items) op constant`. A count with unknown arguments is the
    /// interval from the number of true arguments (`lo`) to the number of
    /// arguments not false (`hi`); the comparison is true when every count
    /// in the interval satisfies it, false when none does.
    fn count_vs_const(&mut self, items: &'m [Expr], op: CompareOp, constant: &Value) -> Rail {
        let Value::Number(c) = constant else { return self.opaque(false) };
        let c = *c;
        let rails: Vec<Rail> = items.iter().map(|item| self.expr(item)).collect();
        let n = rails.len() as i64;
        if !c.is_finite() {
            return self.opaque(false);
        }
        let trues: Vec<Lit> = rails.iter().map(|r| r.t).collect();
        let not_false: Vec<Lit> = rails.iter().map(|r| !r.f).collect();
        // The integers satisfying the comparison: [from, to].
        let (from, to) = match op {
            CompareOp::Ge => (c.ceil() as i64, n),
            CompareOp::Gt => (c.floor() as i64 + 1, n),
            CompareOp::Le => (0, c.floor() as i64),
            CompareOp::Lt => (0, c.ceil() as i64 - 1),
            CompareOp::Eq | CompareOp::Ne => {
                if c.fract() != 0.0 {
                    let never = Rail::FALSE;
                    return if op == CompareOp::Eq { never } else { never.not() };
                }
                (c as i64, c as i64)
            }
        };
        // A sequential counter up to `j` costs `n * j` gates: past a bound
        // (a hostile `count` of thousands of arguments) the comparison is
        // left free rather than the formula grown without limit.
        let needed = (from.max(to.saturating_add(1))).clamp(0, n) as usize;
        if rails.len().saturating_mul(needed) > MAX_COUNTER_GATES {
            return self.opaque(false);
        }
        // lo >= j and hi >= j, for any j.
        let at_least_true = |encoder: &mut Encoder<'m>, j: i64| encoder.at_least(&trues, j);
        let lo_ge_from = at_least_true(self, from);
        let lo_gt_to = at_least_true(self, to + 1);
        let hi_ge_from = self.at_least(&not_false, from);
        let hi_gt_to = self.at_least(&not_false, to + 1);
        // Every count in [lo, hi] lies in [from, to]: lo >= from and hi <= to.
        let all = self.formula.and(&[lo_ge_from, !hi_gt_to]);
        // None does: lo > to or hi < from.
        let none = self.formula.or(&[lo_gt_to, !hi_ge_from]);
        let rail = Rail { t: all, f: none };
        if op == CompareOp::Ne { rail.not() } else { rail }
    }

    /// A literal true when at least `j` of `lits` are (sequential counter).
    pub(crate) fn at_least(&mut self, lits: &[Lit], j: i64) -> Lit {
        if j <= 0 {
            return TRUE;
        }
        if j > lits.len() as i64 {
            return FALSE;
        }
        let j = j as usize;
        // row[k]: at least k of the literals so far (k = 0..=j).
        let mut row: Vec<Lit> = vec![TRUE];
        row.extend(std::iter::repeat_n(FALSE, j));
        for &lit in lits {
            let mut next = vec![TRUE];
            for k in 1..=j {
                let with = self.formula.and(&[lit, row[k - 1]]);
                next.push(self.formula.or(&[row[k], with]));
            }
            row = next;
        }
        row[j]
    }
}

/// The most gates one `count` comparison may cost before it is left free.
const MAX_COUNTER_GATES: usize = 200_000;

/// `b op a` as `a op' b`.
fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// Whether `x op y` holds when `x` compares to `y` as `ordering`.
fn holds(op: CompareOp, ordering: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        CompareOp::Eq => ordering == Equal,
        CompareOp::Ne => ordering != Equal,
        CompareOp::Lt => ordering == Less,
        CompareOp::Le => ordering != Greater,
        CompareOp::Gt => ordering == Greater,
        CompareOp::Ge => ordering != Less,
    }
}

/// A comparison of two constants, when the encoding can decide it.
fn constant_compare(op: CompareOp, x: &Value, y: &Value) -> Option<bool> {
    let ordering = match (x, y) {
        (
            Value::Number(a) | Value::Quantity(a, _) | Value::Duration(a),
            Value::Number(b) | Value::Quantity(b, _) | Value::Duration(b),
        ) => a.partial_cmp(b)?,
        (Value::Variant(_, a), Value::Variant(_, b)) if matches!(op, CompareOp::Eq | CompareOp::Ne) => a.cmp(b),
        (Value::String(a), Value::String(b)) if matches!(op, CompareOp::Eq | CompareOp::Ne) => a.cmp(b),
        _ => return None,
    };
    Some(holds(op, ordering))
}
