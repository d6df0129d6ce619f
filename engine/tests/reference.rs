//! A property test: the compiled evaluator against a simple reference
//! interpreter written directly from the language's meaning (Kleene logic
//! with `Option<bool>`, `count` as an interval, overrides, missing facts),
//! walking `model::Expr` naively, on random rulesets and random partial
//! records. The reference shares no code with the engine.

use std::sync::Arc;

use osler_dsl::model::{
    ActionCall, ActionInfo, ArithOp, CompareOp, EnumInfo, Expr, FactInfo, LetInfo, Location, Model, RuleInfo,
    SourceInfo, Type, Unit, Value,
};
use osler_engine::{ActionOutcome, Explain, Input, Outcome, Overridden, RecordId, Ruleset, Truth, Undetermined};
use proptest::prelude::*;

/// The generator's random choices, drawn by proptest as a plain sequence of
/// numbers (a choice sequence, as Hypothesis does it): each choice is the
/// next number modulo the number of options, and past the end of the
/// sequence every choice is 0, the simplest option (the first shape, the
/// smallest count, "no"). So when proptest shrinks a failing case, making the
/// sequence shorter and its numbers smaller, the model and the record it
/// builds shrink with it, down to a minimal counterexample.
struct Rng<'a> {
    choices: &'a [u32],
    at: usize,
}

impl<'a> Rng<'a> {
    fn new(choices: &'a [u32]) -> Rng<'a> {
        Rng { choices, at: 0 }
    }

    fn below(&mut self, n: usize) -> usize {
        let choice = self.choices.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        if n == 0 { 0 } else { choice as usize % n }
    }

    /// True with `percent` chance; a choice of 0 is false.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) as u64 >= 100 - percent
    }
}

/// Choice sequences long enough for the models and records of each size
/// (shorter ones end in simplest choices).
fn small_model_choices() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), 256..1024)
}

fn large_model_choices() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), 16384..24576)
}

fn record_choices() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), 192..320)
}

const NUMBERS: [f64; 7] = [0.0, 1.0, 2.0, 2.5, -1.0, 50.0, 3600.0];
const ENUM_SIZES: [usize; 2] = [3, 5];
const STRINGS: [&str; 3] = ["a", "b", "ab"];

struct Generator<'a> {
    rng: Rng<'a>,
    facts: Vec<Type>,
    /// Kinds of the lets defined so far: true for bool, false for number.
    lets: Vec<Type>,
}

impl Generator<'_> {
    fn facts_of(&self, want: impl Fn(Type) -> bool) -> Vec<u32> {
        (0..self.facts.len() as u32).filter(|&i| self.facts.get(i as usize).is_some_and(|t| want(*t))).collect()
    }

    fn lets_of(&self, want: impl Fn(Type) -> bool) -> Vec<u32> {
        (0..self.lets.len() as u32).filter(|&i| self.lets.get(i as usize).is_some_and(|t| want(*t))).collect()
    }

    fn pick(&mut self, items: &[u32]) -> Option<u32> {
        if items.is_empty() { None } else { items.get(self.rng.below(items.len())).copied() }
    }

    fn bool_expr(&mut self, depth: u32) -> Expr {
        let choice = if depth == 0 { self.rng.below(3) } else { self.rng.below(13) };
        match choice {
            0 => match self.pick(&self.facts_of(|t| t == Type::Bool)) {
                Some(f) => Expr::Fact(f),
                None => Expr::Const(Value::Bool(self.rng.chance(50))),
            },
            1 => match self.pick(&self.lets_of(|t| t == Type::Bool)) {
                Some(l) => Expr::Let(l),
                None => Expr::Const(Value::Bool(self.rng.chance(50))),
            },
            2 => {
                let facts: Vec<u32> = (0..self.facts.len() as u32).collect();
                match self.pick(&facts) {
                    Some(f) if self.rng.chance(80) => Expr::Known(Box::new(Expr::Fact(f))),
                    _ => Expr::Known(Box::new(self.num_expr(depth.saturating_sub(1)))),
                }
            }
            3 => Expr::Not(Box::new(self.bool_expr(depth - 1))),
            4 | 5 => Expr::And((0..2 + self.rng.below(2)).map(|_| self.bool_expr(depth - 1)).collect()),
            6 | 7 => Expr::Or((0..2 + self.rng.below(2)).map(|_| self.bool_expr(depth - 1)).collect()),
            8 | 9 => {
                let ops = [CompareOp::Eq, CompareOp::Ne, CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge];
                let op = ops[self.rng.below(ops.len())];
                Expr::Compare(op, Box::new(self.num_expr(depth - 1)), Box::new(self.num_expr(depth - 1)))
            }
            10 => {
                let e = self.rng.below(2) as u32;
                let operand = self.enum_expr(e);
                let size = ENUM_SIZES[e as usize];
                if self.rng.chance(50) {
                    let set: Vec<u32> = (0..size as u32).filter(|_| self.rng.chance(50)).collect();
                    Expr::In(Box::new(operand), set)
                } else {
                    let op = if self.rng.chance(50) { CompareOp::Eq } else { CompareOp::Ne };
                    let other = self.enum_expr(e);
                    Expr::Compare(op, Box::new(operand), Box::new(other))
                }
            }
            11 => {
                let op = if self.rng.chance(50) { CompareOp::Eq } else { CompareOp::Ne };
                let (a, b) = if self.rng.chance(50) {
                    (self.bool_expr(depth - 1), self.bool_expr(depth - 1))
                } else {
                    (self.str_expr(), self.str_expr())
                };
                Expr::Compare(op, Box::new(a), Box::new(b))
            }
            _ => {
                let count = 1 + self.rng.below(4);
                let items = (0..count).map(|_| self.bool_expr(depth - 1)).collect();
                let threshold = Expr::Const(Value::Number(self.rng.below(4) as f64));
                let ops = [CompareOp::Ge, CompareOp::Eq, CompareOp::Lt, CompareOp::Ne];
                Expr::Compare(ops[self.rng.below(4)], Box::new(Expr::Count(items)), Box::new(threshold))
            }
        }
    }

    fn num_expr(&mut self, depth: u32) -> Expr {
        let choice = if depth == 0 { self.rng.below(3) } else { self.rng.below(7) };
        let numeric = |t: Type| matches!(t, Type::Number | Type::Quantity(_) | Type::Duration);
        match choice {
            0 => match self.pick(&self.facts_of(numeric)) {
                Some(f) => Expr::Fact(f),
                None => Expr::Const(Value::Number(NUMBERS[self.rng.below(NUMBERS.len())])),
            },
            1 => Expr::Const(match self.rng.below(3) {
                0 => Value::Number(NUMBERS[self.rng.below(NUMBERS.len())]),
                1 => Value::Duration(NUMBERS[self.rng.below(NUMBERS.len())].abs()),
                _ => Value::Quantity(NUMBERS[self.rng.below(NUMBERS.len())], Unit::parse("mmHg").expect("a unit")),
            }),
            2 => match self.pick(&self.lets_of(numeric)) {
                Some(l) => Expr::Let(l),
                None => Expr::Const(Value::Number(1.0)),
            },
            3 => Expr::Neg(Box::new(self.num_expr(depth - 1))),
            4 | 5 => {
                let ops = [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div];
                let op = ops[self.rng.below(4)];
                Expr::Arith(op, Box::new(self.num_expr(depth - 1)), Box::new(self.num_expr(depth - 1)))
            }
            _ => {
                let count = 1 + self.rng.below(3);
                Expr::Count((0..count).map(|_| self.bool_expr(depth - 1)).collect())
            }
        }
    }

    fn enum_expr(&mut self, e: u32) -> Expr {
        match self.pick(&self.facts_of(|t| t == Type::Enum(e))) {
            Some(f) if self.rng.chance(75) => Expr::Fact(f),
            _ => Expr::Const(Value::Variant(e, self.rng.below(ENUM_SIZES[e as usize]) as u32)),
        }
    }

    fn str_expr(&mut self) -> Expr {
        match self.pick(&self.facts_of(|t| t == Type::String)) {
            Some(f) if self.rng.chance(70) => Expr::Fact(f),
            _ => Expr::Const(Value::String(STRINGS[self.rng.below(STRINGS.len())].to_owned())),
        }
    }
}

fn location() -> Location {
    Location { path: "random.osl".to_owned(), line: 1, span: Default::default(), allow: Vec::new() }
}

/// How large a random model is: facts, lets and rules are `base + below(spread)`.
#[derive(Clone, Copy, Debug)]
struct Size {
    facts: (usize, usize),
    lets: (usize, usize),
    rules: (usize, usize),
    /// Percent chance that a rule overrides each other rule.
    overrides: u64,
}

/// The usual small models.
const SMALL: Size = Size { facts: (3, 6), lets: (0, 4), rules: (2, 7), overrides: 20 };
/// Models past 64 facts, values and rules, so every bit set spans words.
const LARGE: Size = Size { facts: (60, 30), lets: (4, 12), rules: (60, 50), overrides: 2 };

fn random_model(choices: &[u32]) -> Model {
    random_model_sized(choices, SMALL)
}

fn random_model_sized(choices: &[u32], size: Size) -> Model {
    let mut generator = Generator { rng: Rng::new(choices), facts: Vec::new(), lets: Vec::new() };
    let types = [
        Type::Bool,
        Type::Bool,
        Type::Bool,
        Type::Number,
        Type::Quantity(Unit::parse("mmHg").expect("a unit")),
        Type::Duration,
        Type::Enum(0),
        Type::Enum(1),
        Type::String,
    ];
    let fact_count = size.facts.0 + generator.rng.below(size.facts.1);
    generator.facts = (0..fact_count).map(|_| types[generator.rng.below(types.len())]).collect();
    let mut lets = Vec::new();
    for index in 0..size.lets.0 + generator.rng.below(size.lets.1) {
        let (ty, value) = if generator.rng.chance(60) {
            (Type::Bool, generator.bool_expr(2))
        } else {
            (Type::Number, generator.num_expr(2))
        };
        lets.push(LetInfo { name: format!("let{index}"), ty, value, doc: None });
        generator.lets.push(ty);
    }
    let rule_count = size.rules.0 + generator.rng.below(size.rules.1);
    let mut rules = Vec::new();
    for index in 0..rule_count {
        let condition = generator.bool_expr(3);
        let mut actions = Vec::new();
        for _ in 0..1 + generator.rng.below(2) {
            // Computed arguments read a fact of the parameter's type, when
            // the model has one.
            let duration_fact = generator.facts.iter().position(|ty| *ty == Type::Duration);
            let enum_fact = generator.facts.iter().position(|ty| *ty == Type::Enum(0));
            actions.push(match (generator.rng.below(5), duration_fact, enum_fact) {
                (3, Some(fact), _) => ActionCall { action: 0, args: vec![Expr::Fact(fact as u32)] },
                (4, _, Some(fact)) => ActionCall { action: 1, args: vec![Expr::Fact(fact as u32)] },
                (0 | 3, ..) => {
                    ActionCall::constant(0, vec![Value::Duration([3600.0, 21600.0, 0.0][generator.rng.below(3)])])
                }
                (1 | 4, ..) => ActionCall::constant(1, vec![Value::Variant(0, generator.rng.below(3) as u32)]),
                _ => ActionCall::constant(2, Vec::new()),
            });
        }
        let cites = (0..3u32).filter(|_| generator.rng.chance(40)).collect();
        let overrides = (0..rule_count as u32)
            .filter(|&other| other != index as u32 && generator.rng.chance(size.overrides))
            .collect();
        rules.push(RuleInfo {
            id: format!("rule{index}"),
            title: None,
            doc: None,
            condition,
            actions,
            cites,
            overrides,
            location: location(),
        });
    }
    Model {
        name: None,
        title: None,
        sources: (0..3)
            .map(|i| SourceInfo {
                name: format!("source{i}"),
                title: format!("Source {i}"),
                year: None,
                url: None,
                doc: None,
            })
            .collect(),
        enums: ENUM_SIZES
            .iter()
            .enumerate()
            .map(|(e, &size)| EnumInfo {
                name: format!("E{e}"),
                variants: (0..size).map(|v| format!("v{e}_{v}")).collect(),
                doc: None,
            })
            .collect(),
        facts: generator
            .facts
            .iter()
            .enumerate()
            .map(|(i, &ty)| FactInfo { name: format!("fact{i}"), ty, doc: None })
            .collect(),
        lets,
        actions: vec![
            ActionInfo { name: "wait".to_owned(), params: vec![("within".to_owned(), Type::Duration)], doc: None },
            ActionInfo { name: "pick".to_owned(), params: vec![("what".to_owned(), Type::Enum(0))], doc: None },
            ActionInfo { name: "note".to_owned(), params: Vec::new(), doc: None },
        ],
        priority: [vec![], vec![0, 2], vec![1, 0], vec![2, 1, 0], vec![0]][generator.rng.below(5)].clone(),
        rules,
        tests: Vec::new(),
        asserts: Vec::new(),
        exclusives: Vec::new(),
    }
}

/// A fact's value in a random record.
#[derive(Clone, Debug, PartialEq)]
enum Given {
    Bool(bool),
    Num(f64),
    Variant(u32),
    Text(String),
}

fn random_record(model: &Model, choices: &[u32]) -> Vec<Option<Given>> {
    let mut rng = Rng::new(choices);
    model
        .facts
        .iter()
        .map(|fact| {
            if rng.chance(35) {
                return None;
            }
            Some(match fact.ty {
                Type::Bool => Given::Bool(rng.chance(50)),
                Type::Number | Type::Quantity(_) => Given::Num(NUMBERS[rng.below(NUMBERS.len())]),
                Type::Duration => Given::Num(NUMBERS[rng.below(NUMBERS.len())].abs()),
                Type::Enum(e) => Given::Variant(rng.below(ENUM_SIZES[e as usize]) as u32),
                Type::String => Given::Text(STRINGS[rng.below(STRINGS.len())].to_owned()),
            })
        })
        .collect()
}

// ------------------------------------------------------------------ the reference

/// A value in the reference: `None` is unknown; numbers are intervals.
#[derive(Clone, Debug, PartialEq)]
enum R {
    Bool(Option<bool>),
    Num(Option<(f64, f64)>),
    Enum(Option<u32>),
    Text(Option<String>),
}

struct Reference<'a> {
    model: &'a Model,
    record: &'a [Option<Given>],
}

impl Reference<'_> {
    fn eval(&self, expr: &Expr) -> R {
        match expr {
            // Rules never hold action patterns (only asserts do).
            Expr::Output(..) => R::Bool(None),
            Expr::Const(value) => match value {
                Value::Bool(b) => R::Bool(Some(*b)),
                Value::Number(n) | Value::Quantity(n, _) | Value::Duration(n) => R::Num(Some((*n, *n))),
                Value::Variant(_, v) => R::Enum(Some(*v)),
                Value::String(s) => R::Text(Some(s.clone())),
            },
            Expr::Fact(f) => {
                let given = self.record.get(*f as usize).cloned().flatten();
                match self.model.facts[*f as usize].ty {
                    Type::Bool => R::Bool(match given {
                        Some(Given::Bool(b)) => Some(b),
                        _ => None,
                    }),
                    Type::Enum(_) => R::Enum(match given {
                        Some(Given::Variant(v)) => Some(v),
                        _ => None,
                    }),
                    Type::String => R::Text(match given {
                        Some(Given::Text(t)) => Some(t),
                        _ => None,
                    }),
                    _ => R::Num(match given {
                        Some(Given::Num(n)) => Some((n, n)),
                        _ => None,
                    }),
                }
            }
            Expr::Let(l) => self.eval(&self.model.lets[*l as usize].value),
            Expr::Not(a) => R::Bool(self.truth(a).map(|b| !b)),
            Expr::And(items) => {
                let truths: Vec<Option<bool>> = items.iter().map(|item| self.truth(item)).collect();
                R::Bool(if truths.contains(&Some(false)) {
                    Some(false)
                } else if truths.iter().all(|t| *t == Some(true)) {
                    Some(true)
                } else {
                    None
                })
            }
            Expr::Or(items) => {
                let truths: Vec<Option<bool>> = items.iter().map(|item| self.truth(item)).collect();
                R::Bool(if truths.contains(&Some(true)) {
                    Some(true)
                } else if truths.iter().all(|t| *t == Some(false)) {
                    Some(false)
                } else {
                    None
                })
            }
            Expr::Compare(op, a, b) => R::Bool(match (self.eval(a), self.eval(b)) {
                (R::Num(Some(x)), R::Num(Some(y))) => compare(*op, x, y),
                (R::Enum(Some(x)), R::Enum(Some(y))) => equality(*op, x == y),
                (R::Bool(Some(x)), R::Bool(Some(y))) => equality(*op, x == y),
                (R::Text(Some(x)), R::Text(Some(y))) => equality(*op, x == y),
                _ => None,
            }),
            Expr::Neg(a) => R::Num(self.number(a).map(|(low, high)| (-high, -low))),
            Expr::Arith(op, a, b) => R::Num(match (self.number(a), self.number(b)) {
                (Some(x), Some(y)) => arith(*op, x, y),
                _ => None,
            }),
            Expr::In(a, set) => R::Bool(match self.eval(a) {
                R::Enum(Some(v)) => Some(set.contains(&v)),
                _ => None,
            }),
            Expr::Count(items) => {
                let truths: Vec<Option<bool>> = items.iter().map(|item| self.truth(item)).collect();
                let certain = truths.iter().filter(|t| **t == Some(true)).count() as f64;
                let possible = truths.iter().filter(|t| **t != Some(false)).count() as f64;
                R::Num(Some((certain, possible)))
            }
            Expr::Known(a) => R::Bool(Some(match self.eval(a) {
                R::Bool(v) => v.is_some(),
                R::Num(v) => v.is_some(),
                R::Enum(v) => v.is_some(),
                R::Text(v) => v.is_some(),
            })),
        }
    }

    fn truth(&self, expr: &Expr) -> Option<bool> {
        match self.eval(expr) {
            R::Bool(b) => b,
            _ => None,
        }
    }

    fn number(&self, expr: &Expr) -> Option<(f64, f64)> {
        match self.eval(expr) {
            R::Num(n) => n,
            _ => None,
        }
    }

    /// Unknown, or a number that unknown facts can still move.
    fn open(&self, expr: &Expr) -> bool {
        match self.eval(expr) {
            R::Bool(None) | R::Num(None) | R::Enum(None) | R::Text(None) => true,
            R::Num(Some((low, high))) => low != high,
            _ => false,
        }
    }

    /// The unknown facts in the open subexpressions of `expr`, in order.
    fn missing(&self, expr: &Expr, out: &mut Vec<u32>) {
        let visit = |child: &Expr, out: &mut Vec<u32>| {
            if self.open(child) {
                self.missing(child, out);
            }
        };
        match expr {
            Expr::Output(..) => {}
            Expr::Fact(f) => {
                if self.record.get(*f as usize).is_none_or(Option::is_none) && !out.contains(f) {
                    out.push(*f);
                }
            }
            Expr::Let(l) => visit(&self.model.lets[*l as usize].value, out),
            Expr::Not(a) | Expr::Neg(a) | Expr::In(a, _) => visit(a, out),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
                visit(a, out);
                visit(b, out);
            }
            Expr::And(items) | Expr::Or(items) | Expr::Count(items) => items.iter().for_each(|item| visit(item, out)),
            Expr::Const(_) | Expr::Known(_) => {}
        }
    }
}

fn equality(op: CompareOp, equal: bool) -> Option<bool> {
    match op {
        CompareOp::Eq => Some(equal),
        CompareOp::Ne => Some(!equal),
        _ => None,
    }
}

/// True when the comparison holds for all values of the intervals, false
/// when for none.
fn compare(op: CompareOp, (al, ah): (f64, f64), (bl, bh): (f64, f64)) -> Option<bool> {
    let mut results = Vec::new();
    // The extreme pairs decide orderings; equality also needs points.
    for a in [al, ah] {
        for b in [bl, bh] {
            results.push(match op {
                CompareOp::Lt => a < b,
                CompareOp::Le => a <= b,
                CompareOp::Gt => a > b,
                CompareOp::Ge => a >= b,
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
            });
        }
    }
    let points = al == ah && bl == bh;
    let overlap = !(ah < bl || bh < al);
    match op {
        CompareOp::Eq if !points => {
            if overlap {
                None
            } else {
                Some(false)
            }
        }
        CompareOp::Ne if !points => {
            if overlap {
                None
            } else {
                Some(true)
            }
        }
        _ if results.iter().all(|r| *r) => Some(true),
        _ if results.iter().all(|r| !*r) => Some(false),
        _ => None,
    }
}

fn arith(op: ArithOp, (al, ah): (f64, f64), (bl, bh): (f64, f64)) -> Option<(f64, f64)> {
    let corners = |f: fn(f64, f64) -> f64| [f(al, bl), f(al, bh), f(ah, bl), f(ah, bh)];
    let values = match op {
        ArithOp::Add => corners(|a, b| a + b),
        ArithOp::Sub => corners(|a, b| a - b),
        ArithOp::Mul => corners(|a, b| a * b),
        ArithOp::Div => {
            if bl <= 0.0 && bh >= 0.0 {
                return None;
            }
            corners(|a, b| a / b)
        }
    };
    if values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some((low, high))
}

/// A call's argument values on the record (`None` while one is unknown).
fn call_values(reference: &Reference<'_>, call: &ActionCall) -> Option<Vec<Value>> {
    call.args
        .iter()
        .map(|arg| match (arg, reference.eval(arg)) {
            (Expr::Const(value), _) => Some(value.clone()),
            (_, R::Num(Some((n, m)))) if n == m => Some(Value::Duration(n)),
            (_, R::Enum(Some(v))) => Some(Value::Variant(0, v)),
            _ => None,
        })
        .collect()
}

/// `wait(1h)`, `note`, `wait(?)` for an unknown computed argument.
fn call_text(model: &Model, action: u32, args: &[Option<Value>]) -> String {
    let name = &model.actions[action as usize].name;
    if args.is_empty() {
        return name.clone();
    }
    let args: Vec<String> =
        args.iter().map(|arg| arg.as_ref().map_or("?".to_owned(), |v| model.render_value(v))).collect();
    format!("{name}({})", args.join(", "))
}

/// A call with its values: the action and its arguments.
type Call = (u32, Vec<Value>);

/// A computed call as `examine` names it: `wait(?)`.
fn template_text(model: &Model, call: &ActionCall) -> String {
    let shown: Vec<Option<Value>> = call
        .args
        .iter()
        .map(|arg| match arg {
            Expr::Const(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    call_text(model, call.action, &shown)
}

/// What the reference decides about one rule.
enum Status {
    Fired(Vec<Call>),
    Overridden(Vec<usize>),
    Undetermined(Vec<u32>),
    False,
}

fn status(reference: &Reference<'_>, truth: &[Option<bool>], index: usize) -> Status {
    let model = reference.model;
    let rule = &model.rules[index];
    if truth[index] == Some(false) {
        return Status::False;
    }
    let by: Vec<usize> = (0..model.rules.len())
        .filter(|&other| truth[other] == Some(true) && model.rules[other].overrides.contains(&(index as u32)))
        .collect();
    if !by.is_empty() {
        return Status::Overridden(by);
    }
    let mut missing = Vec::new();
    if truth[index] == Some(true) {
        let calls: Option<Vec<Call>> =
            rule.actions.iter().map(|call| call_values(reference, call).map(|args| (call.action, args))).collect();
        if let Some(calls) = calls {
            return Status::Fired(calls);
        }
        // The condition holds; a computed argument is unknown.
        for call in &rule.actions {
            for arg in &call.args {
                if !matches!(arg, Expr::Const(_)) {
                    reference.missing(arg, &mut missing);
                }
            }
        }
    } else {
        reference.missing(&rule.condition, &mut missing);
    }
    Status::Undetermined(missing)
}

fn reference_outcome(model: &Model, record: &[Option<Given>]) -> Outcome {
    let reference = Reference { model, record };
    let truth: Vec<Option<bool>> = model.rules.iter().map(|rule| reference.truth(&rule.condition)).collect();
    let mut outcome = Outcome::default();
    outcome.id = RecordId::Null;
    let mut fired: Vec<(usize, Vec<Call>)> = Vec::new();
    let mut undetermined: Vec<(usize, Vec<u32>)> = Vec::new();
    for (index, rule) in model.rules.iter().enumerate() {
        match status(&reference, &truth, index) {
            Status::False => {}
            Status::Overridden(by) => {
                let mut overridden = Overridden::default();
                overridden.rule = rule.id.clone();
                overridden.by = by.iter().map(|&o| model.rules[o].id.clone()).collect();
                outcome.overridden.push(overridden);
            }
            Status::Fired(calls) => {
                outcome.fired.push(rule.id.clone());
                fired.push((index, calls));
            }
            Status::Undetermined(missing) => {
                let mut entry = Undetermined::default();
                entry.rule = rule.id.clone();
                entry.missing = missing.iter().map(|&f| model.facts[f as usize].name.clone()).collect();
                outcome.undetermined.push(entry);
                undetermined.push((index, missing));
            }
        }
    }
    // Actions: every distinct call of the fired rules, in the order of its
    // first firing rule; each lists every fired rule that makes it.
    let unknown_overriders = |index: usize| -> Vec<usize> {
        (0..model.rules.len())
            .filter(|&other| truth[other].is_none() && model.rules[other].overrides.contains(&(index as u32)))
            .collect()
    };
    let mut entries: Vec<Call> = Vec::new();
    for (_, calls) in &fired {
        for call in calls {
            if entries.contains(call) {
                continue;
            }
            entries.push(call.clone());
            let producers: Vec<usize> =
                fired.iter().filter(|(_, calls)| calls.contains(call)).map(|(index, _)| *index).collect();
            let mut sources: Vec<u32> = producers.iter().flat_map(|&r| model.rules[r].cites.clone()).collect();
            sources.sort_unstable();
            sources.dedup();
            let mut pending: Vec<usize> = Vec::new();
            if producers.iter().all(|&r| !unknown_overriders(r).is_empty()) {
                pending = producers.iter().flat_map(|&r| unknown_overriders(r)).collect();
                pending.sort_unstable();
                pending.dedup();
            }
            let mut action = ActionOutcome::default();
            action.name = model.actions[call.0 as usize].name.clone();
            action.args = call.1.iter().map(|arg| serde_json::Value::String(model.render_value(arg))).collect();
            action.rules = producers.iter().map(|&r| model.rules[r].id.clone()).collect();
            action.sources = sources.iter().map(|&s| model.sources[s as usize].name.clone()).collect();
            action.pending = pending.iter().map(|&r| model.rules[r].id.clone()).collect();
            outcome.actions.push(action);
        }
    }
    let rank = |action: u32| model.priority.iter().position(|&a| a == action).unwrap_or(usize::MAX);
    let within = |args: &[Value]| {
        args.iter()
            .find_map(|arg| match arg {
                Value::Duration(d) => Some(*d),
                _ => None,
            })
            .unwrap_or(f64::INFINITY)
    };
    // The disposition: the first listed action present, its shortest call.
    for &action in &model.priority {
        let mut best: Option<usize> = None;
        for (position, entry) in entries.iter().enumerate() {
            if entry.0 == action && best.is_none_or(|b| within(&entry.1) < within(&entries[b].1)) {
                best = Some(position);
            }
        }
        if let Some(best) = best {
            outcome.disposition = Some(outcome.actions[best].clone());
            break;
        }
    }
    outcome.examine = reference_examine(model, &reference, &undetermined, &entries, &outcome, &rank, &within);
    outcome
}

/// `examine`, written from its definition: per unknown fact, the calls
/// the undetermined rules missing it could bring (not already output) and
/// the pending actions whose exceptions it could decide; facts ranked by
/// the best rank, then the most things, then declaration order.
fn reference_examine(
    model: &Model,
    reference: &Reference<'_>,
    undetermined: &[(usize, Vec<u32>)],
    entries: &[Call],
    outcome: &Outcome,
    rank: &dyn Fn(u32) -> usize,
    within: &dyn Fn(&[Value]) -> f64,
) -> Vec<osler_engine::Examine> {
    // The constant calls in order of first appearance, and the computed
    // calls' texts likewise: the tie order of the engine's list.
    let mut constants: Vec<Call> = Vec::new();
    let mut templates: Vec<String> = Vec::new();
    for rule in &model.rules {
        for call in &rule.actions {
            match call.constant_args() {
                Some(args) if !constants.contains(&(call.action, args.clone())) => constants.push((call.action, args)),
                Some(_) => {}
                None => {
                    let text = template_text(model, call);
                    if !templates.contains(&text) {
                        templates.push(text);
                    }
                }
            }
        }
    }
    // (fact, kind order, tie index, rank, within, text, cancel)
    let mut items: Vec<(u32, usize, usize, f64, String, bool)> = Vec::new();
    let mut add = |fact: u32, tie: usize, rank: usize, within: f64, text: String, cancel: bool| {
        if !items.iter().any(|item| item.0 == fact && item.4 == text && item.5 == cancel) {
            items.push((fact, tie, rank, within, text, cancel));
        }
    };
    for (index, missing) in undetermined {
        for call in &model.rules[*index].actions {
            let tie_and_text = match call.constant_args() {
                Some(args) if entries.contains(&(call.action, args.clone())) => None,
                Some(args) => {
                    let tie = constants.iter().position(|c| *c == (call.action, args.clone())).unwrap_or(0);
                    let text = call_text(model, call.action, &args.iter().cloned().map(Some).collect::<Vec<_>>());
                    Some((tie, rank(call.action), within(&args), text))
                }
                None => {
                    let text = template_text(model, call);
                    let tie = 1_000_000 + templates.iter().position(|t| *t == text).unwrap_or(0);
                    Some((tie, rank(call.action), f64::INFINITY, text))
                }
            };
            if let Some((tie, rank, within, text)) = tie_and_text {
                for &fact in missing {
                    add(fact, tie, rank, within, text.clone(), false);
                }
            }
        }
    }
    for (position, action) in outcome.actions.iter().enumerate() {
        for exception in &action.pending {
            let Some(rule) = model.rules.iter().find(|rule| rule.id == *exception) else { continue };
            let mut missing = Vec::new();
            reference.missing(&rule.condition, &mut missing);
            let (call_action, args) = &entries[position];
            let text = call_text(model, *call_action, &args.iter().cloned().map(Some).collect::<Vec<_>>());
            for fact in missing {
                add(fact, 2_000_000 + position, rank(*call_action), within(args), text.clone(), true);
            }
        }
    }
    let mut facts: Vec<u32> = items.iter().map(|item| item.0).collect();
    facts.sort_unstable();
    facts.dedup();
    let key = |fact: u32| {
        let mine = items.iter().filter(|item| item.0 == fact);
        let best = mine.clone().map(|item| item.2).min().unwrap_or(usize::MAX);
        (best, usize::MAX - mine.count(), fact)
    };
    facts.sort_by_key(|&fact| key(fact));
    facts.truncate(10);
    facts
        .iter()
        .map(|&fact| {
            let mut mine: Vec<&(u32, usize, usize, f64, String, bool)> =
                items.iter().filter(|item| item.0 == fact).collect();
            mine.sort_by(|a, b| {
                (a.2, a.3).partial_cmp(&(b.2, b.3)).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1))
            });
            let mut examine = osler_engine::Examine::default();
            examine.fact = model.facts[fact as usize].name.clone();
            examine.could = mine.iter().filter(|item| !item.5).map(|item| item.4.clone()).collect();
            examine.could_cancel = mine.iter().filter(|item| item.5).map(|item| item.4.clone()).collect();
            examine
        })
        .collect()
}

fn engine_outcome(ruleset: &Ruleset, model: &Model, record: &[Option<Given>]) -> Outcome {
    ruleset.evaluate(&engine_record(ruleset, model, record)).unwrap_or_else(|e| panic!("{e}"))
}

/// The reference truth of every rule's condition, as the engine reports it.
fn reference_conditions(model: &Model, record: &[Option<Given>]) -> Vec<Truth> {
    let reference = Reference { model, record };
    model
        .rules
        .iter()
        .map(|rule| match reference.truth(&rule.condition) {
            Some(true) => Truth::True,
            Some(false) => Truth::False,
            None => Truth::Unknown,
        })
        .collect()
}

fn engine_record(ruleset: &Ruleset, model: &Model, record: &[Option<Given>]) -> osler_engine::Record {
    let mut built = ruleset.record();
    for (fact, given) in model.facts.iter().zip(record) {
        let variant_name;
        let input = match given {
            None => Input::Unknown,
            Some(Given::Bool(b)) => Input::Bool(*b),
            Some(Given::Num(n)) => match fact.ty {
                Type::Duration => Input::Duration(std::time::Duration::from_secs_f64(*n)),
                _ => Input::Number(*n),
            },
            Some(Given::Variant(v)) => {
                let Type::Enum(e) = fact.ty else { panic!("variant for a non-enum fact") };
                variant_name = model.enums[e as usize].variants[*v as usize].clone();
                Input::Text(&variant_name)
            }
            Some(Given::Text(t)) => Input::Text(t),
        };
        if let Err(error) = ruleset.set(&mut built, &fact.name, input) {
            panic!("cannot set {}: {error}", fact.name);
        }
    }
    built
}

/// The number of cases `PROPTEST_CASES` asks for, or `default`.
fn cases_from_env(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|text| text.parse().ok()).unwrap_or(default)
}

proptest! {
    // 400 cases by default; `PROPTEST_CASES` asks for more (or fewer).
    #![proptest_config(ProptestConfig { cases: cases_from_env(400), ..ProptestConfig::default() })]

    #[test]
    fn compiled_evaluator_matches_the_reference(choices in small_model_choices(), records in proptest::collection::vec(record_choices(), 1..12)) {
        let model = random_model(&choices);
        let ruleset = match Ruleset::from_model(Arc::new(model.clone())) {
            Ok(ruleset) => ruleset,
            Err(error) => panic!("a generated model does not compile: {error}"),
        };
        let mut evaluator = ruleset.evaluator();
        for record_choices in &records {
            let record = random_record(&model, record_choices);
            let expected = reference_outcome(&model, &record);
            let got = engine_outcome(&ruleset, &model, &record);
            prop_assert_eq!(&got, &expected, "record {:?}\nrules {:#?}", record, model.rules);
            let built = engine_record(&ruleset, &model, &record);
            // The batch's path, which at `none` and `brief` collects only
            // what the line shows, writes the reference's line.
            for level in [Explain::Brief, Explain::None, Explain::Full] {
                let mut line = Vec::new();
                evaluator.write_json_line_at(&built, level, &mut line).unwrap_or_else(|e| panic!("{e}"));
                let want = format!("{}\n", expected.to_json_line_at(level));
                prop_assert_eq!(String::from_utf8_lossy(&line), want, "{:?} record {:?}\nrules {:#?}", level, record, model.rules);
            }
            let conditions = evaluator.evaluate(&built).unwrap_or_else(|e| panic!("{e}")).conditions().to_vec();
            prop_assert_eq!(conditions, reference_conditions(&model, &record));
            // The reusable evaluator agrees with the one-shot API.
            let mut built = ruleset.record();
            for (fact, given) in model.facts.iter().zip(&record) {
                if let Some(Given::Bool(b)) = given {
                    let _ = ruleset.set(&mut built, &fact.name, *b);
                }
            }
            let once = ruleset.evaluate(&built).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(evaluator.evaluate(&built).unwrap_or_else(|e| panic!("{e}")).to_outcome(), once);
        }
    }
}

proptest! {
    // Fewer cases: each model has about a hundred rules.
    #![proptest_config(ProptestConfig { cases: cases_from_env(400) / 8, ..ProptestConfig::default() })]

    #[test]
    fn large_models_match_the_reference(choices in large_model_choices(), records in proptest::collection::vec(record_choices(), 1..6)) {
        let model = random_model_sized(&choices, LARGE);
        let ruleset = match Ruleset::from_model(Arc::new(model.clone())) {
            Ok(ruleset) => ruleset,
            Err(error) => panic!("a generated model does not compile: {error}"),
        };
        for record_choices in &records {
            let record = random_record(&model, record_choices);
            let expected = reference_outcome(&model, &record);
            let got = engine_outcome(&ruleset, &model, &record);
            prop_assert_eq!(&got, &expected, "record {:?}", record);
            let built = engine_record(&ruleset, &model, &record);
            let conditions = ruleset.evaluator().evaluate(&built).unwrap_or_else(|e| panic!("{e}")).conditions().to_vec();
            prop_assert_eq!(conditions, reference_conditions(&model, &record));
            let mut line = Vec::new();
            ruleset.evaluator().write_json_line_at(&built, Explain::Brief, &mut line).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(String::from_utf8_lossy(&line), format!("{}\n", expected.to_json_line_at(Explain::Brief)));
        }
    }
}
