//! A differential property test of the static analysis: on random small
//! models (a few bool, enum, number and duration facts compared with
//! constants only, a handful of rules with overrides, asserts with action
//! patterns, an exclusive), every claim of `osler_dsl::analysis::analyze`
//! is checked against brute force: every record over the finite domains
//! (each fact unknown or one representative of each region its constants
//! cut) evaluated by the engine. Without arithmetic the analysis is exact,
//! so each finding must be reported exactly when the brute force sees it,
//! and every example must replay in the engine and be minimal.

use std::sync::Arc;

use osler_dsl::Code;
use osler_dsl::analysis::{Claim, Finding, Subject, analyze};
use osler_dsl::model::{
    ActionCall, ActionInfo, AssertInfo, CompareOp, EnumInfo, ExclusiveInfo, Expr, FactIndex, FactInfo, LetInfo,
    Location, Model, RuleIndex, RuleInfo, Type, Value,
};
use osler_engine::{Ruleset, Truth};
use proptest::prelude::*;

/// The generator's random choices, drawn by proptest as a plain sequence of
/// numbers (a choice sequence, as in `engine/tests/reference.rs`): each
/// choice is the next number modulo the number of options, and past the end
/// every choice is 0, the simplest option. Shrinking the sequence shrinks
/// the model with it.
struct Rng<'a> {
    choices: &'a [u32],
    at: usize,
}

impl Rng<'_> {
    fn below(&mut self, n: usize) -> usize {
        let choice = self.choices.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        if n == 0 { 0 } else { choice as usize % n }
    }

    /// True with `percent` chance; a choice of 0 is false.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) >= 100 - percent
    }
}

/// The constants numbers are compared with (two at most per fact).
const NUMBERS: [f64; 4] = [0.0, 1.0, 2.5, 10.0];
/// The constants durations are compared with, in seconds: 0, 1h, 1d, 36h, 2d.
const DURATIONS: [f64; 5] = [0.0, 3600.0, 86_400.0, 129_600.0, 172_800.0];
/// The one enum's variants.
const VARIANTS: u32 = 3;

struct Generator<'a> {
    rng: Rng<'a>,
    facts: Vec<Type>,
    /// Per fact, the constants it is compared with (sorted, distinct).
    constants: Vec<Vec<f64>>,
    bool_lets: u32,
    /// The actions' parameter types (none, or one).
    actions: Vec<Option<Type>>,
    /// Whether action patterns may appear (in asserts only).
    patterns: bool,
    /// Per action, whether some rule calls it with a computed argument
    /// (a fact's value): patterns name such an action without arguments
    /// and exclusives leave it out, so every question stays exact.
    computed: Vec<bool>,
}

impl Generator<'_> {
    fn facts_of(&self, want: impl Fn(Type) -> bool) -> Vec<u32> {
        (0..self.facts.len() as u32).filter(|&i| want(self.facts[i as usize])).collect()
    }

    fn pick(&mut self, items: &[u32]) -> Option<u32> {
        if items.is_empty() { None } else { items.get(self.rng.below(items.len())).copied() }
    }

    fn bool_expr(&mut self, depth: u32) -> Expr {
        let choice = if depth == 0 { self.rng.below(5) } else { self.rng.below(12) };
        match choice {
            0 | 1 => match self.pick(&self.facts_of(|t| t == Type::Bool)) {
                Some(f) => Expr::Fact(f),
                None => self.comparison(),
            },
            2 => self.comparison(),
            3 => self.enum_test(),
            4 => self.leaf_extra(),
            5 => Expr::Not(Box::new(self.bool_expr(depth - 1))),
            6 | 7 => Expr::And((0..2 + self.rng.below(2)).map(|_| self.bool_expr(depth - 1)).collect()),
            8 | 9 => Expr::Or((0..2 + self.rng.below(2)).map(|_| self.bool_expr(depth - 1)).collect()),
            10 => {
                let items = (0..1 + self.rng.below(3)).map(|_| self.bool_expr(depth - 1)).collect();
                let ops = [CompareOp::Ge, CompareOp::Eq, CompareOp::Lt, CompareOp::Ne, CompareOp::Gt, CompareOp::Le];
                let op = ops[self.rng.below(ops.len())];
                let k = Expr::Const(Value::Number(self.rng.below(4) as f64));
                Expr::Compare(op, Box::new(Expr::Count(items)), Box::new(k))
            }
            _ => {
                let bools = self.facts_of(|t| t == Type::Bool);
                match (self.pick(&bools), self.pick(&bools)) {
                    (Some(a), Some(b)) => {
                        let op = if self.rng.chance(50) { CompareOp::Ne } else { CompareOp::Eq };
                        Expr::Compare(op, Box::new(Expr::Fact(a)), Box::new(Expr::Fact(b)))
                    }
                    _ => self.enum_test(),
                }
            }
        }
    }

    /// A let, `known(fact)`, or (in asserts) an action pattern.
    fn leaf_extra(&mut self) -> Expr {
        if self.patterns && self.rng.chance(60) {
            let action = self.rng.below(self.actions.len());
            let args = match self.actions[action] {
                Some(ty) if !self.computed[action] && self.rng.chance(60) => Some(vec![self.argument(ty)]),
                _ => None,
            };
            return Expr::Output(action as u32, args);
        }
        if self.bool_lets > 0 && self.rng.chance(50) {
            return Expr::Let(self.rng.below(self.bool_lets as usize) as u32);
        }
        let facts: Vec<u32> = (0..self.facts.len() as u32).collect();
        match self.pick(&facts) {
            Some(f) => Expr::Known(Box::new(Expr::Fact(f))),
            None => Expr::Const(Value::Bool(true)),
        }
    }

    /// A numeric fact against one of its constants.
    fn comparison(&mut self) -> Expr {
        let numeric = self.facts_of(|t| matches!(t, Type::Number | Type::Duration));
        let Some(f) = self.pick(&numeric) else { return self.enum_test() };
        let constants = self.constants[f as usize].clone();
        let c = constants[self.rng.below(constants.len())];
        let value = if self.facts[f as usize] == Type::Duration { Value::Duration(c) } else { Value::Number(c) };
        let ops = [CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge, CompareOp::Eq, CompareOp::Ne];
        let op = ops[self.rng.below(ops.len())];
        let (a, b) = (Box::new(Expr::Fact(f)), Box::new(Expr::Const(value)));
        if self.rng.chance(20) { Expr::Compare(op, b, a) } else { Expr::Compare(op, a, b) }
    }

    /// An enum fact against a variant, a set of variants or another enum fact.
    fn enum_test(&mut self) -> Expr {
        let enums = self.facts_of(|t| t == Type::Enum(0));
        let Some(f) = self.pick(&enums) else {
            return match self.pick(&self.facts_of(|t| t == Type::Bool)) {
                Some(b) => Expr::Fact(b),
                None => Expr::Known(Box::new(Expr::Fact(0))),
            };
        };
        match self.rng.below(3) {
            0 => {
                let set: Vec<u32> = (0..VARIANTS).filter(|_| self.rng.chance(50)).collect();
                Expr::In(Box::new(Expr::Fact(f)), set)
            }
            1 => {
                let op = if self.rng.chance(50) { CompareOp::Ne } else { CompareOp::Eq };
                let other = match self.pick(&enums) {
                    Some(g) if g != f && self.rng.chance(40) => Expr::Fact(g),
                    _ => Expr::Const(Value::Variant(0, self.rng.below(VARIANTS as usize) as u32)),
                };
                Expr::Compare(op, Box::new(Expr::Fact(f)), Box::new(other))
            }
            _ => {
                let variant = Expr::Const(Value::Variant(0, self.rng.below(VARIANTS as usize) as u32));
                Expr::Compare(CompareOp::Eq, Box::new(Expr::Fact(f)), Box::new(variant))
            }
        }
    }

    fn argument(&mut self, ty: Type) -> Value {
        match ty {
            Type::Duration => Value::Duration([3600.0, 21_600.0][self.rng.below(2)]),
            _ => Value::Variant(0, self.rng.below(VARIANTS as usize) as u32),
        }
    }

    fn call(&mut self) -> ActionCall {
        let action = self.rng.below(self.actions.len());
        if let Some(ty) = self.actions[action]
            && self.rng.chance(25)
            && let Some(fact) = self.pick(&self.facts_of(|t| t == ty))
        {
            self.computed[action] = true;
            return ActionCall { action: action as u32, args: vec![Expr::Fact(fact)] };
        }
        let args = self.actions[action].map(|ty| vec![self.argument(ty)]).unwrap_or_default();
        ActionCall::constant(action as u32, args)
    }
}

fn location() -> Location {
    Location { path: "random.osl".to_owned(), line: 1, span: Default::default(), allow: Vec::new() }
}

/// A random small model and, per fact, the constants it is compared with.
fn random_model(choices: &[u32]) -> (Model, Vec<Vec<f64>>) {
    let mut g = Generator {
        rng: Rng { choices, at: 0 },
        facts: Vec::new(),
        constants: Vec::new(),
        bool_lets: 0,
        actions: Vec::new(),
        patterns: false,
        computed: Vec::new(),
    };
    let types = [Type::Bool, Type::Bool, Type::Enum(0), Type::Number, Type::Duration];
    for _ in 0..2 + g.rng.below(3) {
        let ty = types[g.rng.below(types.len())];
        let pool: &[f64] = if ty == Type::Duration { &DURATIONS } else { &NUMBERS };
        let mut constants: Vec<f64> = (0..1 + g.rng.below(2)).map(|_| pool[g.rng.below(pool.len())]).collect();
        constants.sort_by(f64::total_cmp);
        constants.dedup();
        g.facts.push(ty);
        g.constants.push(constants);
    }
    let action_types = [None, Some(Type::Enum(0)), Some(Type::Duration)];
    g.actions = action_types[..1 + g.rng.below(3)].to_vec();
    g.computed = vec![false; g.actions.len()];
    let mut lets = Vec::new();
    if g.rng.chance(30) {
        lets.push(LetInfo { name: "let0".to_owned(), ty: Type::Bool, value: g.bool_expr(1), doc: None });
        g.bool_lets = 1;
    }
    let rule_count = 2 + g.rng.below(4);
    let mut rules = Vec::new();
    for index in 0..rule_count {
        let condition = g.bool_expr(2);
        let actions = (0..1 + g.rng.below(2)).map(|_| g.call()).collect();
        // Rules override only earlier rules, so overrides are acyclic.
        let overrides = (0..index as u32).filter(|_| g.rng.chance(30)).collect();
        rules.push(RuleInfo {
            id: format!("rule{index}"),
            title: None,
            doc: None,
            condition,
            actions,
            cites: Vec::new(),
            overrides,
            location: location(),
        });
    }
    g.patterns = true;
    let asserts = (0..g.rng.below(3))
        .map(|index| AssertInfo {
            id: format!("assert{index}"),
            title: None,
            doc: None,
            when: g.bool_expr(1),
            then: g.bool_expr(1),
            cites: Vec::new(),
            location: location(),
        })
        .collect();
    let exclusive = g.rng.below(g.actions.len());
    let exclusives = if g.rng.chance(50) && !g.computed[exclusive] {
        vec![ExclusiveInfo { action: exclusive as u32, location: location() }]
    } else {
        Vec::new()
    };
    let names = ["note", "pick", "wait"];
    let model = Model {
        name: None,
        title: None,
        sources: Vec::new(),
        enums: vec![EnumInfo {
            name: "E".to_owned(),
            variants: (0..VARIANTS).map(|v| format!("v{v}")).collect(),
            doc: None,
        }],
        facts: g
            .facts
            .iter()
            .enumerate()
            .map(|(i, &ty)| FactInfo { name: format!("fact{i}"), ty, doc: None })
            .collect(),
        lets,
        actions: g
            .actions
            .iter()
            .zip(names)
            .map(|(ty, name)| ActionInfo {
                name: name.to_owned(),
                params: ty.iter().map(|&ty| ("value".to_owned(), ty)).collect(),
                doc: None,
            })
            .collect(),
        rules,
        tests: Vec::new(),
        asserts,
        exclusives,
        priority: Vec::new(),
    };
    (model, g.constants)
}

/// Each fact's possible values: unknown, then one per region its constants
/// cut (below, at and between them, above), durations never negative.
fn domains(model: &Model, constants: &[Vec<f64>]) -> Vec<Vec<Option<Value>>> {
    model
        .facts
        .iter()
        .zip(constants)
        .map(|(fact, cuts)| {
            let mut values = vec![None];
            match fact.ty {
                Type::Bool => values.extend([Some(Value::Bool(true)), Some(Value::Bool(false))]),
                Type::Enum(e) => values.extend((0..VARIANTS).map(|v| Some(Value::Variant(e, v)))),
                ty => {
                    let mut points = vec![cuts[0] - 1.0];
                    for (i, &cut) in cuts.iter().enumerate() {
                        points.push(cut);
                        points.push(cuts.get(i + 1).map_or(cut + 1.0, |&next| (cut + next) / 2.0));
                    }
                    for n in points {
                        if ty == Type::Duration && n < 0.0 {
                            continue;
                        }
                        values.push(Some(if ty == Type::Duration { Value::Duration(n) } else { Value::Number(n) }));
                    }
                }
            }
            values
        })
        .collect()
}

/// What the engine shows on one record.
struct Seen {
    conditions: Vec<Truth>,
    fired: Vec<RuleIndex>,
    overridden: Vec<RuleIndex>,
    output: Vec<ActionCall>,
    /// Per rule, its calls with their values on the record (`None` while
    /// a computed argument is unknown).
    calls: Vec<Option<Vec<ActionCall>>>,
    asserts: Vec<bool>,
    exclusives: Vec<bool>,
}

/// A rule's calls with the record's values put in for computed arguments.
fn actual_calls(model: &Model, values: &[(FactIndex, Value)], rule: &RuleInfo) -> Option<Vec<ActionCall>> {
    let _ = model;
    rule.actions
        .iter()
        .map(|call| {
            let args: Option<Vec<Value>> = call
                .args
                .iter()
                .map(|arg| match arg {
                    Expr::Const(value) => Some(value.clone()),
                    Expr::Fact(fact) => values.iter().rev().find(|(f, _)| f == fact).map(|(_, v)| v.clone()),
                    other => panic!("the generator makes no argument like {other:?}"),
                })
                .collect();
            args.map(|args| ActionCall::constant(call.action, args))
        })
        .collect()
}

fn evaluate(ruleset: &Ruleset, values: &[(FactIndex, Value)]) -> Seen {
    let model = ruleset.model();
    let record = ruleset.record_from_values(values).unwrap_or_else(|e| panic!("a brute-force record: {e}"));
    let mut evaluator = ruleset.evaluator();
    let mut evaluated = evaluator.evaluate(&record).unwrap_or_else(|e| panic!("{e}"));
    let report = evaluated.properties();
    Seen {
        conditions: evaluated.conditions().to_vec(),
        fired: evaluated.fired_rules().collect(),
        overridden: evaluated.overridden_rules().map(|(rule, _)| rule).collect(),
        output: evaluated.actions().map(|(action, args)| ActionCall::constant(action, args.to_vec())).collect(),
        calls: model.rules.iter().map(|rule| actual_calls(model, values, rule)).collect(),
        asserts: report.asserts.iter().map(|check| check.violated()).collect(),
        exclusives: report.exclusives.iter().map(|check| check.violated()).collect(),
    }
}

/// Whether a rule makes a call with a computed argument.
fn computed(rule: &RuleInfo) -> bool {
    rule.actions.iter().any(ActionCall::is_computed)
}

fn overriders(model: &Model, rule: RuleIndex) -> Vec<RuleIndex> {
    (0..model.rules.len() as u32).filter(|&by| model.rules[by as usize].overrides.contains(&rule)).collect()
}

/// Whether rule `rule` fires on `seen` with a call that no other fired
/// rule emits.
fn fires_uncovered(model: &Model, seen: &Seen, rule: RuleIndex) -> bool {
    let _ = model;
    let calls = |rule: RuleIndex| seen.calls[rule as usize].as_deref().unwrap_or_default();
    seen.fired.contains(&rule)
        && calls(rule).iter().any(|call| !seen.fired.iter().any(|&other| other != rule && calls(other).contains(call)))
}

/// Whether the engine shows `claim` on `seen`.
fn claim_holds(model: &Model, seen: &Seen, claim: Claim) -> bool {
    let truth = |rule: RuleIndex| seen.conditions[rule as usize];
    match claim {
        Claim::ConditionTrue(rule) => truth(rule) == Truth::True,
        Claim::Overridden(rule) => truth(rule) == Truth::True && seen.overridden.contains(&rule),
        Claim::BothTrue(a, b) => truth(a) == Truth::True && truth(b) == Truth::True,
        Claim::Provisional(rule) => {
            seen.fired.contains(&rule) && overriders(model, rule).iter().any(|&by| truth(by) == Truth::Unknown)
        }
        Claim::Covered(rule) => seen.fired.contains(&rule) && !fires_uncovered(model, seen, rule),
        Claim::AssertViolated(index) => seen.asserts[index as usize],
        Claim::ExclusiveViolated(index) => seen.exclusives[index as usize],
    }
}

/// What brute force finds possible, over every record.
#[derive(Default)]
struct Possible {
    can_true: Vec<bool>,
    can_false: Vec<bool>,
    can_fire: Vec<bool>,
    /// The condition true and the rule not overridden (it fires, or a
    /// computed argument is unknown).
    can_stand: Vec<bool>,
    provisional: Vec<bool>,
    uncovered_fire: Vec<bool>,
    /// Per `(rule, by)` edge: both conditions true; and that with no other
    /// overrider true and a call of `rule` missing from the output.
    both: Vec<((RuleIndex, RuleIndex), bool, bool)>,
    asserts: Vec<bool>,
    exclusives: Vec<bool>,
}

fn brute_force(model: &Model, ruleset: &Ruleset, domains: &[Vec<Option<Value>>]) -> Possible {
    let rules = model.rules.len();
    let mut possible = Possible {
        can_true: vec![false; rules],
        can_false: vec![false; rules],
        can_fire: vec![false; rules],
        can_stand: vec![false; rules],
        provisional: vec![false; rules],
        uncovered_fire: vec![false; rules],
        both: Vec::new(),
        asserts: vec![false; model.asserts.len()],
        exclusives: vec![false; model.exclusives.len()],
    };
    for rule in 0..rules as u32 {
        for by in overriders(model, rule) {
            possible.both.push(((rule, by), false, false));
        }
    }
    let mut pick = vec![0usize; domains.len()];
    loop {
        let values: Vec<(FactIndex, Value)> = pick
            .iter()
            .enumerate()
            .filter_map(|(fact, &i)| domains[fact][i].clone().map(|value| (fact as FactIndex, value)))
            .collect();
        let seen = evaluate(ruleset, &values);
        for rule in 0..rules as u32 {
            let r = rule as usize;
            possible.can_true[r] |= seen.conditions[r] == Truth::True;
            possible.can_false[r] |= seen.conditions[r] == Truth::False;
            possible.can_fire[r] |= seen.fired.contains(&rule);
            possible.can_stand[r] |= seen.conditions[r] == Truth::True && !seen.overridden.contains(&rule);
            possible.provisional[r] |= claim_holds(model, &seen, Claim::Provisional(rule));
            possible.uncovered_fire[r] |= fires_uncovered(model, &seen, rule);
        }
        for ((rule, by), both, change) in &mut possible.both {
            if seen.conditions[*rule as usize] == Truth::True && seen.conditions[*by as usize] == Truth::True {
                *both = true;
                let others_false = overriders(model, *rule)
                    .iter()
                    .all(|&other| other == *by || seen.conditions[other as usize] != Truth::True);
                let missing = seen.calls[*rule as usize]
                    .as_ref()
                    .is_some_and(|calls| calls.iter().any(|call| !seen.output.contains(call)));
                *change |= others_false && missing;
            }
        }
        for (was, now) in possible.asserts.iter_mut().zip(&seen.asserts) {
            *was |= now;
        }
        for (was, now) in possible.exclusives.iter_mut().zip(&seen.exclusives) {
            *was |= now;
        }
        // The next record, odometer style.
        let mut fact = 0;
        loop {
            if fact == pick.len() {
                return possible;
            }
            pick[fact] += 1;
            if pick[fact] < domains[fact].len() {
                break;
            }
            pick[fact] = 0;
            fact += 1;
        }
    }
}

/// The findings with `code` about `subject`.
fn reported(findings: &[Finding], code: Code, subject: Subject) -> Vec<&Finding> {
    findings.iter().filter(|f| f.code == code && f.subject == subject).collect()
}

/// Checks every finding's example (replays, minimal) and that the
/// analysis claims exactly what brute force finds. `Err` names the first
/// disagreement.
fn compare(model: &Model, ruleset: &Ruleset, findings: &[Finding], possible: &Possible) -> Result<(), String> {
    for finding in findings {
        if finding.approximate || finding.silent {
            return Err(format!("approximate or silent without arithmetic: {finding:?}"));
        }
        match (&finding.example, finding.claim) {
            (Some(example), Some(claim)) => {
                if !claim_holds(model, &evaluate(ruleset, example), claim) {
                    return Err(format!("the example does not replay: {finding:?}"));
                }
                for drop in 0..example.len() {
                    let mut fewer = example.clone();
                    fewer.remove(drop);
                    if claim_holds(model, &evaluate(ruleset, &fewer), claim) {
                        return Err(format!("the example is not minimal (fact {drop}): {finding:?}"));
                    }
                }
            }
            (None, None) => {}
            _ => return Err(format!("an example without a claim or the reverse: {finding:?}")),
        }
    }
    let expect = |what: &str, code: Code, subject: Subject, should: bool| -> Result<(), String> {
        let found = reported(findings, code, subject);
        if found.len() > 1 || found.is_empty() == should {
            return Err(format!("{what}: brute force says {should}, the analysis reported {found:?}"));
        }
        Ok(())
    };
    let any_computed = model.rules.iter().any(computed);
    for rule in 0..model.rules.len() as u32 {
        let r = rule as usize;
        let subject = Subject::Rule(rule);
        let has_overriders = !overriders(model, rule).is_empty();
        expect("dead rule", Code::DeadRule, subject, !possible.can_true[r])?;
        expect("always true", Code::AlwaysTrue, subject, possible.can_true[r] && !possible.can_false[r])?;
        let never_fires = possible.can_true[r] && !possible.can_stand[r] && has_overriders;
        expect("always overridden", Code::AlwaysOverridden, subject, never_fires)?;
        expect("provisional default", Code::ProvisionalDefault, subject, possible.provisional[r])?;
        let info = &model.rules[r];
        let redundant = possible.can_fire[r]
            && info.overrides.is_empty()
            && !info.actions.is_empty()
            && !possible.uncovered_fire[r];
        // A computed call never covers nor is covered (its value is not
        // followed), so with one in the model the analysis may miss a
        // redundancy, never claim one falsely.
        if any_computed {
            if !reported(findings, Code::RedundantRule, subject).is_empty() && !redundant {
                return Err(format!("redundant claimed falsely with a computed call: {}", info.id));
            }
        } else {
            expect("redundant rule", Code::RedundantRule, subject, redundant)?;
        }
    }
    for &((rule, by), both, change) in &possible.both {
        let subject = Subject::Override { rule, by };
        let found = reported(findings, Code::IneffectiveOverride, subject);
        let should = possible.can_stand[rule as usize] && (!both || !change);
        // Whether computed calls cover one another is not followed: "never
        // changes an output" may be missed, never claimed falsely.
        let may_miss = any_computed && both;
        if found.len() > 1 || (found.is_empty() == should && !(may_miss && found.is_empty())) {
            return Err(format!("ineffective override {by} > {rule}: brute force says {should}, got {found:?}"));
        }
        // Never both true: no example; never a change: an example of both.
        if let Some(finding) = found.first()
            && finding.example.is_some() != both
        {
            return Err(format!("ineffective override {by} > {rule} of the wrong kind: {finding:?}"));
        }
    }
    for (index, &violated) in possible.asserts.iter().enumerate() {
        expect("assert", Code::AssertViolated, Subject::Assert(index as u32), violated)?;
    }
    for (index, &violated) in possible.exclusives.iter().enumerate() {
        expect("exclusive", Code::ExclusiveViolated, Subject::Exclusive(index as u32), violated)?;
    }
    let known = [
        Code::DeadRule,
        Code::AlwaysTrue,
        Code::AlwaysOverridden,
        Code::ProvisionalDefault,
        Code::RedundantRule,
        Code::IneffectiveOverride,
        Code::AssertViolated,
        Code::ExclusiveViolated,
    ];
    if let Some(other) = findings.iter().find(|f| !known.contains(&f.code)) {
        return Err(format!("an unexpected finding: {other:?}"));
    }
    Ok(())
}

/// The number of cases `PROPTEST_CASES` asks for, or `default`.
fn cases_from_env(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|text| text.parse().ok()).unwrap_or(default)
}

proptest! {
    // 1000 cases by default (about 3 s in a debug build); `PROPTEST_CASES`
    // asks for more (or fewer).
    #![proptest_config(ProptestConfig { cases: cases_from_env(1000), ..ProptestConfig::default() })]

    #[test]
    fn analysis_agrees_with_brute_force(choices in proptest::collection::vec(any::<u32>(), 64..512)) {
        let (model, constants) = random_model(&choices);
        let ruleset = match Ruleset::from_model(Arc::new(model.clone())) {
            Ok(ruleset) => ruleset,
            Err(error) => panic!("a generated model does not compile: {error}"),
        };
        let findings = analyze(&model);
        prop_assert_eq!(&findings, &analyze(&model), "the analysis is deterministic");
        let possible = brute_force(&model, &ruleset, &domains(&model, &constants));
        if let Err(problem) = compare(&model, &ruleset, &findings, &possible) {
            prop_assert!(false, "{}\nmodel: {:#?}", problem, model);
        }
    }
}
