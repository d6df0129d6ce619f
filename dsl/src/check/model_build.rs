//! Builds the owned [`Model`] of a ruleset that checked without errors:
//! names become indices, enums by name become enum indices.

use std::collections::{BTreeMap, BTreeSet};

use super::expr::{ExprChecker, RExpr, RValue};
use super::names::{QueryEnv, SymbolKind, Symbols, let_analysis, resolve_type, symbols};
use crate::db::{Item, Ruleset, SourceFile, file_items};
use crate::model::{self, Model, Type, Value};
use crate::syntax::{self, DeclKind};
use crate::types::Ty;

/// The index of a name the checker resolved. The model is only built for a
/// ruleset without errors, so every name is declared: a missing one is a
/// checker bug, and must not quietly become index 0 (another fact).
fn index_of(indices: &BTreeMap<String, u32>, name: &str, what: &str) -> u32 {
    match indices.get(name) {
        Some(&index) => index,
        None => panic!("internal error: the checked model has no {what} `{name}`"),
    }
}

struct Indices {
    enums: BTreeMap<String, u32>,
    facts: BTreeMap<String, u32>,
    lets: BTreeMap<String, u32>,
    actions: BTreeMap<String, u32>,
}

impl Indices {
    fn ty(&self, ty: &Ty) -> Type {
        match ty {
            Ty::Bool | Ty::Error => Type::Bool,
            Ty::Number => Type::Number,
            Ty::Quantity(unit) => Type::Quantity(*unit),
            Ty::Duration => Type::Duration,
            Ty::String => Type::String,
            Ty::Enum(name) => Type::Enum(index_of(&self.enums, name, "enum")),
        }
    }

    fn value(&self, value: &RValue) -> Value {
        match value {
            RValue::Bool(b) => Value::Bool(*b),
            RValue::Number(n) => Value::Number(*n),
            RValue::Quantity(n, unit) => Value::Quantity(*n, *unit),
            RValue::Duration(seconds) => Value::Duration(*seconds),
            RValue::String(s) => Value::String(s.clone()),
            RValue::Variant(name, index) => Value::Variant(index_of(&self.enums, name, "enum"), *index),
        }
    }

    fn expr(&self, expr: &RExpr) -> model::Expr {
        use model::Expr as E;
        let boxed = |e: &RExpr| Box::new(self.expr(e));
        match expr {
            RExpr::Const(value) => E::Const(self.value(value)),
            RExpr::Fact(name) => E::Fact(index_of(&self.facts, name, "fact")),
            RExpr::Let(name) => E::Let(index_of(&self.lets, name, "let")),
            RExpr::Not(inner) => E::Not(boxed(inner)),
            RExpr::Neg(inner) => E::Neg(boxed(inner)),
            RExpr::And(operands) => E::And(operands.iter().map(|e| self.expr(e)).collect()),
            RExpr::Or(operands) => E::Or(operands.iter().map(|e| self.expr(e)).collect()),
            RExpr::Compare(op, a, b) => E::Compare(*op, boxed(a), boxed(b)),
            RExpr::Arith(op, a, b) => E::Arith(*op, boxed(a), boxed(b)),
            RExpr::In(inner, set) => E::In(boxed(inner), set.clone()),
            RExpr::Count(items) => E::Count(items.iter().map(|e| self.expr(e)).collect()),
            RExpr::Known(inner) => E::Known(boxed(inner)),
            RExpr::Output(name, args) => E::Output(
                index_of(&self.actions, name, "action"),
                args.as_ref().map(|args| args.iter().map(|value| self.value(value)).collect()),
            ),
            RExpr::Invalid => E::Const(Value::Bool(false)),
        }
    }
}

/// The arguments of an action call of a checked ruleset, in the
/// parameters' order, as the checker resolves them
/// ([`ExprChecker::action_args`]; computed ones only when `computed`, in a
/// rule's actions); none for a call written without parentheses. The one
/// resolution the model builder and the analysis's rule shapes share.
pub(crate) fn call_args(checker: &mut ExprChecker<'_>, call: &syntax::ActionCall, computed: bool) -> Vec<RExpr> {
    let params = checker.env.info(&call.name.text).action.unwrap_or_default();
    checker.action_args(&call.name, call.span, call.args.as_deref(), &params, false, computed).unwrap_or_default()
}

/// 1-based line numbers of offsets, with each file's line starts computed
/// once (a ruleset of 10,000 rules must not rescan its file per rule).
#[derive(Default)]
struct Lines {
    newlines: BTreeMap<String, Vec<u32>>,
}

impl Lines {
    fn line_of(&mut self, path: &str, text: &str, offset: u32) -> u32 {
        let newlines = self.newlines.entry(path.to_owned()).or_insert_with(|| {
            text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(at, _)| at as u32).collect()
        });
        newlines.partition_point(|&at| at < offset) as u32 + 1
    }
}

/// What building the model needs at hand: the ruleset's items in file
/// order, the name lookups, and the indices assigned so far.
struct Builder<'a, 'db> {
    db: &'db dyn salsa::Database,
    env: QueryEnv<'db>,
    table: &'db Symbols<'db>,
    items: &'a [Item<'db>],
    indices: Indices,
    lines: Lines,
    /// A fragment for the analysis (see [`build_model_of`]): no docs, no
    /// locations, so it depends on the declarations' syntax only.
    fragment: bool,
    model: Model,
}

/// Builds the model. Call only when the ruleset has no errors; with errors
/// the result is well-formed but meaningless where the errors are.
pub fn build_model(db: &dyn salsa::Database, ruleset: Ruleset) -> Model {
    let mut files = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    let items: Vec<Item<'_>> = files.iter().flat_map(|&file| file_items(db, file).iter().copied()).collect();
    build(db, ruleset, &items, false)
}

/// The model of some of a ruleset's declarations, `items` in the order
/// their indices should take (every declaration they name must be among
/// them, but for the rules an `overrides` names, which are left out).
/// Docs and locations are left empty (`line` 0, an empty span, the file's
/// path), so the fragment depends on the declarations' syntax and the
/// names they use, not on comments or on where they sit: the analysis
/// builds one per rule and re-runs it only when that rule's cone changed.
pub fn build_model_of<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, items: &[Item<'db>]) -> Model {
    build(db, ruleset, items, true)
}

fn build<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, items: &[Item<'db>], fragment: bool) -> Model {
    let mut builder = Builder {
        db,
        env: QueryEnv { db, ruleset },
        table: symbols(db, ruleset),
        items,
        indices: Indices {
            enums: BTreeMap::new(),
            facts: BTreeMap::new(),
            lets: BTreeMap::new(),
            actions: BTreeMap::new(),
        },
        lines: Lines::default(),
        fragment,
        model: Model::default(),
    };
    builder.header_sources_and_enums();
    builder.facts();
    builder.lets(&let_analysis(db, ruleset).order);
    builder.actions();
    builder.rules();
    builder.tests();
    builder.properties();
    builder.model
}

impl Builder<'_, '_> {
    fn doc(&self, item: Item<'_>) -> Option<String> {
        if self.fragment {
            return None;
        }
        item.doc(self.db).as_ref().map(|d| d.text.clone())
    }

    fn location(&mut self, item: Item<'_>) -> model::Location {
        let file: SourceFile = *item.file(self.db);
        let allow = item.syntax(self.db).allow.clone();
        if self.fragment {
            return model::Location { path: file.path(self.db).clone(), line: 0, span: Default::default(), allow };
        }
        let (path, text) = (file.path(self.db), file.text(self.db));
        let offset = item.offset(self.db);
        let syntax = item.syntax(self.db);
        // The name, or for an unnamed declaration its condition (unnamed
        // rules and asserts), else the whole declaration; an `exclusive`'s
        // action.
        let span = match &syntax.kind {
            DeclKind::Rule(rule) => rule.name.as_ref().map_or(rule.condition.span, |name| name.span),
            DeclKind::Assert(assert) => assert.name.as_ref().map_or(assert.when.span, |name| name.span),
            kind => kind.name().map_or(syntax.span, |name| name.span),
        };
        model::Location {
            path: path.clone(),
            line: self.lines.line_of(path, text, offset),
            span: span.shift(offset),
            allow,
        }
    }

    /// The ruleset's name and title, its sources, and its enums (the first
    /// declaration of each name).
    fn header_sources_and_enums(&mut self) {
        for &item in self.items {
            match &item.syntax(self.db).kind {
                DeclKind::Ruleset(decl) if self.model.name.is_none() => {
                    self.model.name = Some(decl.name.text.clone());
                    self.model.title = decl.title.as_ref().map(|t| t.value.clone());
                }
                DeclKind::Source(decl) => self.model.sources.push(model::SourceInfo {
                    name: decl.name.text.clone(),
                    title: decl.title.value.clone(),
                    year: decl.year.map(|(year, _)| year),
                    url: decl.url.as_ref().map(|u| u.value.clone()),
                    doc: self.doc(item),
                }),
                DeclKind::Enum(decl) if !self.indices.enums.contains_key(&decl.name.text) => {
                    self.indices.enums.insert(decl.name.text.clone(), self.model.enums.len() as u32);
                    self.model.enums.push(model::EnumInfo {
                        name: decl.name.text.clone(),
                        variants: decl.variants.iter().map(|v| v.text.clone()).collect(),
                        doc: self.doc(item),
                    });
                }
                _ => {}
            }
        }
    }

    fn facts(&mut self) {
        for &item in self.items {
            let DeclKind::Fact(decl) = &item.syntax(self.db).kind else { continue };
            if self.indices.facts.contains_key(&decl.name.text) {
                continue;
            }
            let ty = self.indices.ty(&resolve_type(&decl.ty, self.table, self.db));
            self.indices.facts.insert(decl.name.text.clone(), self.model.facts.len() as u32);
            self.model.facts.push(model::FactInfo { name: decl.name.text.clone(), ty, doc: self.doc(item) });
        }
    }

    /// The lets, in dependency order.
    fn lets(&mut self, order: &[String]) {
        for (index, name) in order.iter().enumerate() {
            self.indices.lets.insert(name.clone(), index as u32);
        }
        for name in order {
            let Some(symbol) = self.table.find(name, |k| k == SymbolKind::Let) else { continue };
            let DeclKind::Let(decl) = &symbol.item.syntax(self.db).kind else { continue };
            let mut checker = ExprChecker::new(&self.env);
            let (ty, resolved) = checker.infer(&decl.value, None);
            let info = model::LetInfo {
                name: name.clone(),
                ty: self.indices.ty(&ty),
                value: self.indices.expr(&resolved),
                doc: self.doc(symbol.item),
            };
            self.model.lets.push(info);
        }
    }

    fn actions(&mut self) {
        for &item in self.items {
            let DeclKind::Action(decl) = &item.syntax(self.db).kind else { continue };
            if self.indices.actions.contains_key(&decl.name.text) {
                continue;
            }
            self.indices.actions.insert(decl.name.text.clone(), self.model.actions.len() as u32);
            let params = decl
                .params
                .iter()
                .map(|p| (p.name.text.clone(), self.indices.ty(&resolve_type(&p.ty, self.table, self.db))))
                .collect();
            self.model.actions.push(model::ActionInfo { name: decl.name.text.clone(), params, doc: self.doc(item) });
        }
    }

    /// An action call with its arguments, resolved as the checker resolves
    /// them (typed by the action's parameters, in their order, negations
    /// folded; computed ones only when `computed`, in a rule's actions).
    fn call(
        &self,
        checker: &mut ExprChecker<'_>,
        call: &syntax::ActionCall,
        computed: bool,
    ) -> Option<model::ActionCall> {
        let action = *self.indices.actions.get(&call.name.text)?;
        let args = call_args(checker, call, computed).iter().map(|arg| self.indices.expr(arg)).collect();
        Some(model::ActionCall { action, args })
    }

    fn source_index(&self) -> BTreeMap<String, u32> {
        self.model.sources.iter().enumerate().map(|(i, s)| (s.name.clone(), i as u32)).collect()
    }

    fn rules(&mut self) {
        let source_index = self.source_index();
        let db = self.db;
        let rule_items: Vec<Item<'_>> = self.items.iter().copied().filter(|item| item.key(db).kind == "rule").collect();
        let rule_index: BTreeMap<String, u32> =
            rule_items.iter().enumerate().map(|(i, item)| (item.key(db).name.clone(), i as u32)).collect();
        for &item in &rule_items {
            let DeclKind::Rule(rule) = &item.syntax(db).kind else { continue };
            let mut checker = ExprChecker::new(&self.env);
            let (_, condition) = checker.infer(&rule.condition, Some(&Ty::Bool));
            let actions = rule.actions.iter().filter_map(|call| self.call(&mut checker, call, true)).collect();
            let info = model::RuleInfo {
                id: item.key(db).name.clone(),
                title: rule.title.as_ref().map(|t| t.value.clone()),
                doc: self.doc(item),
                condition: self.indices.expr(&condition),
                actions,
                cites: rule.cites.iter().filter_map(|c| source_index.get(&c.text).copied()).collect(),
                overrides: rule.overrides.iter().filter_map(|o| rule_index.get(&o.text).copied()).collect(),
                location: self.location(item),
            };
            self.model.rules.push(info);
        }
    }

    /// A test's given value as a constant (negated literals folded).
    fn given_value(&self, checker: &mut ExprChecker<'_>, given: &syntax::Given) -> Option<(u32, Value)> {
        let fact = *self.indices.facts.get(&given.fact.text)?;
        let ty = checker.env.info(&given.fact.text).fact?;
        match checker.infer_as(&given.value, &ty).1 {
            RExpr::Const(value) => Some((fact, self.indices.value(&value))),
            RExpr::Neg(inner) => match *inner {
                RExpr::Const(value) => Some((fact, negate(self.indices.value(&value)))),
                _ => None,
            },
            _ => None,
        }
    }

    fn tests(&mut self) {
        let rule_index: BTreeMap<String, u32> =
            self.model.rules.iter().enumerate().rev().map(|(i, rule)| (rule.id.clone(), i as u32)).collect();
        for &item in self.items {
            let DeclKind::Test(test) = &item.syntax(self.db).kind else { continue };
            let mut checker = ExprChecker::new(&self.env);
            let given = self.test_givens(&mut checker, test);
            let expects =
                test.expects.iter().filter_map(|expect| self.expectation(&mut checker, expect, &rule_index)).collect();
            let location = self.location(item);
            self.model.tests.push(model::TestInfo { title: test.title.value.clone(), given, expects, location });
        }
    }

    /// A test's record: the givens of the baselines it includes (in the
    /// order written, each baseline's own included ones before its own
    /// values), then the test's own; of two values of one fact the later
    /// counts. Walked backwards with an explicit stack (a chain of
    /// baselines may be long, and a cycle, a checker error, must not
    /// loop), keeping the first value met for each fact: a baseline met a
    /// second time adds nothing, its later inclusion gave the same facts.
    fn test_givens(&self, checker: &mut ExprChecker<'_>, test: &syntax::TestDecl) -> Vec<(u32, Value)> {
        let mut values: BTreeMap<u32, Value> = BTreeMap::new();
        let mut keep = |checker: &mut ExprChecker<'_>, givens: &[syntax::Given]| {
            for given in givens.iter().rev() {
                if let Some((fact, value)) = self.given_value(checker, given) {
                    values.entry(fact).or_insert(value);
                }
            }
        };
        keep(checker, &test.givens);
        let mut stack: Vec<&syntax::Ident> = test.baselines.iter().collect();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some(name) = stack.pop() {
            if !seen.insert(&name.text) {
                continue;
            }
            let Some(symbol) = self.table.find(&name.text, |k| k == SymbolKind::Baseline) else { continue };
            let DeclKind::Baseline(baseline) = &symbol.item.syntax(self.db).kind else { continue };
            keep(checker, &baseline.givens);
            stack.extend(baseline.baselines.iter());
        }
        values.into_iter().collect()
    }

    /// One `expect` of a test, its names as indices.
    fn expectation(
        &self,
        checker: &mut ExprChecker<'_>,
        expect: &syntax::Expect,
        rule_index: &BTreeMap<String, u32>,
    ) -> Option<model::Expectation> {
        let mut call = |call: &syntax::ActionCall| {
            let resolved = self.call(checker, call, false)?;
            let args = call.args.as_ref().map(|_| resolved.constant_args().unwrap_or_default());
            Some((resolved.action, args))
        };
        let rule = |rule: &syntax::Ident| rule_index.get(&rule.text).copied();
        let what = match &expect.kind {
            syntax::ExpectKind::Action(action) => {
                let (action, args) = call(action)?;
                model::Expected::Action { action, args }
            }
            syntax::ExpectKind::From { action, rule: by } => {
                let (action, args) = call(action)?;
                model::Expected::From { action, args, rule: rule(by)? }
            }
            syntax::ExpectKind::Fires(name) => model::Expected::Fires(rule(name)?),
            syntax::ExpectKind::Undetermined(name) => model::Expected::Undetermined(rule(name)?),
            syntax::ExpectKind::Examine(fact) => model::Expected::Examine(*self.indices.facts.get(&fact.text)?),
            syntax::ExpectKind::Nothing => model::Expected::Nothing,
        };
        Some(model::Expectation { negated: expect.negated, what })
    }
}

impl Builder<'_, '_> {
    /// The `assert` and `exclusive` properties, in declaration order
    /// (files sorted by path); action patterns become [`model::Expr::Output`].
    /// The `priority` too: its actions as indices, most urgent first.
    fn properties(&mut self) {
        let source_index = self.source_index();
        let db = self.db;
        for &item in self.items {
            match &item.syntax(db).kind {
                DeclKind::Assert(assert) => {
                    let mut checker = ExprChecker::new(&self.env);
                    checker.patterns = true;
                    let (_, when) = checker.infer(&assert.when, Some(&Ty::Bool));
                    let (_, then) = checker.infer(&assert.then, Some(&Ty::Bool));
                    let info = model::AssertInfo {
                        id: item.key(db).name.clone(),
                        title: assert.title.as_ref().map(|t| t.value.clone()),
                        doc: self.doc(item),
                        when: self.indices.expr(&when),
                        then: self.indices.expr(&then),
                        cites: assert.cites.iter().filter_map(|c| source_index.get(&c.text).copied()).collect(),
                        location: self.location(item),
                    };
                    self.model.asserts.push(info);
                }
                DeclKind::Exclusive(exclusive) => {
                    let Some(&action) = self.indices.actions.get(&exclusive.action.text) else { continue };
                    let location = self.location(item);
                    self.model.exclusives.push(model::ExclusiveInfo { action, location });
                }
                // The first `priority` (a second is a checker error); a
                // fragment's model keeps the actions it has.
                DeclKind::Priority(priority) if self.model.priority.is_empty() => {
                    let actions = priority.actions.iter();
                    self.model.priority =
                        actions.filter_map(|action| self.indices.actions.get(&action.text).copied()).collect();
                }
                _ => {}
            }
        }
    }
}

fn negate(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(-n),
        Value::Quantity(n, unit) => Value::Quantity(-n, unit),
        Value::Duration(seconds) => Value::Duration(-seconds),
        other => other,
    }
}
