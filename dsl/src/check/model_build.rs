//! Builds the owned [`Model`] of a ruleset that checked without errors:
//! names become indices, enums by name become enum indices.

use std::collections::BTreeMap;

use super::{ExprChecker, QueryEnv, RExpr, RValue};
use crate::db::{Item, Ruleset, file_items};
use crate::model::{self, Model, Type, Value};
use crate::syntax::DeclKind;
use crate::types::{Ty, resolve_type};

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
            RExpr::Invalid => E::Const(Value::Bool(false)),
        }
    }
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

/// Builds the model. Call only when the ruleset has no errors; with errors
/// the result is well-formed but meaningless where the errors are.
pub fn build_model(db: &dyn salsa::Database, ruleset: Ruleset) -> Model {
    let env = QueryEnv { db, ruleset };
    let mut files = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    let items: Vec<Item<'_>> = files.iter().flat_map(|&file| file_items(db, file).iter().copied()).collect();
    let table = crate::db::symbols(db, ruleset);
    let lets = super::let_analysis(db, ruleset);
    let mut model = Model::default();
    let mut indices = Indices { enums: BTreeMap::new(), facts: BTreeMap::new(), lets: BTreeMap::new() };
    let doc = |item: Item<'_>| item.doc(db).as_ref().map(|d| d.text.clone());
    let mut lines = Lines::default();

    for &item in &items {
        match &item.syntax(db).kind {
            DeclKind::Ruleset(decl) if model.name.is_none() => {
                model.name = Some(decl.name.text.clone());
                model.title = decl.title.as_ref().map(|t| t.value.clone());
            }
            DeclKind::Source(decl) => model.sources.push(model::SourceInfo {
                name: decl.name.text.clone(),
                title: decl.title.value.clone(),
                year: decl.year.map(|(year, _)| year),
                url: decl.url.as_ref().map(|u| u.value.clone()),
                doc: doc(item),
            }),
            DeclKind::Enum(decl) if !indices.enums.contains_key(&decl.name.text) => {
                indices.enums.insert(decl.name.text.clone(), model.enums.len() as u32);
                model.enums.push(model::EnumInfo {
                    name: decl.name.text.clone(),
                    variants: decl.variants.iter().map(|v| v.text.clone()).collect(),
                    doc: doc(item),
                });
            }
            _ => {}
        }
    }
    for &item in &items {
        if let DeclKind::Fact(decl) = &item.syntax(db).kind {
            if indices.facts.contains_key(&decl.name.text) {
                continue;
            }
            let ty = indices.ty(&resolve_type(&decl.ty, table, db));
            indices.facts.insert(decl.name.text.clone(), model.facts.len() as u32);
            model.facts.push(model::FactInfo { name: decl.name.text.clone(), ty, doc: doc(item) });
        }
    }
    for (index, name) in lets.order.iter().enumerate() {
        indices.lets.insert(name.clone(), index as u32);
    }
    for name in &lets.order {
        let Some(symbol) = table.find(name, |k| k == crate::db::SymbolKind::Let) else { continue };
        let DeclKind::Let(decl) = &symbol.item.syntax(db).kind else { continue };
        let mut scratch = Vec::new();
        let mut checker = ExprChecker { env: &env, diagnostics: &mut scratch, reads_facts: false };
        let (ty, resolved) = checker.infer(&decl.value, None);
        model.lets.push(model::LetInfo {
            name: name.clone(),
            ty: indices.ty(&ty),
            value: indices.expr(&resolved),
            doc: doc(symbol.item),
        });
    }
    let mut action_index: BTreeMap<String, u32> = BTreeMap::new();
    for &item in &items {
        if let DeclKind::Action(decl) = &item.syntax(db).kind {
            if action_index.contains_key(&decl.name.text) {
                continue;
            }
            action_index.insert(decl.name.text.clone(), model.actions.len() as u32);
            model.actions.push(model::ActionInfo {
                name: decl.name.text.clone(),
                params: decl
                    .params
                    .iter()
                    .map(|p| (p.name.text.clone(), indices.ty(&resolve_type(&p.ty, table, db))))
                    .collect(),
                doc: doc(item),
            });
        }
    }
    let source_index: BTreeMap<String, u32> =
        model.sources.iter().enumerate().map(|(i, s)| (s.name.clone(), i as u32)).collect();
    let rule_items: Vec<Item<'_>> = items.iter().copied().filter(|item| item.key(db).kind == "rule").collect();
    let rule_index: BTreeMap<String, u32> =
        rule_items.iter().enumerate().map(|(i, item)| (item.key(db).name.clone(), i as u32)).collect();

    let lower_call = |checker: &mut ExprChecker<'_>, call: &crate::syntax::ActionCall| -> Option<model::ActionCall> {
        let action = *action_index.get(&call.name.text)?;
        let params = &model.actions[action as usize].params;
        let _ = params;
        let info = checker.env.info(&call.name.text);
        let param_types = info.action.unwrap_or_default();
        let args = call
            .args
            .iter()
            .flatten()
            .zip(param_types.iter())
            .map(|(arg, (_, ty))| match checker.infer(arg, Some(ty)).1 {
                RExpr::Const(value) => indices.value(&value),
                _ => Value::Bool(false),
            })
            .collect();
        Some(model::ActionCall { action, args })
    };

    for &item in &rule_items {
        let DeclKind::Rule(rule) = &item.syntax(db).kind else { continue };
        let file = item.file(db);
        let mut scratch = Vec::new();
        let mut checker = ExprChecker { env: &env, diagnostics: &mut scratch, reads_facts: false };
        let (_, condition) = checker.infer(&rule.condition, Some(&Ty::Bool));
        let actions = rule.actions.iter().filter_map(|call| lower_call(&mut checker, call)).collect();
        model.rules.push(model::RuleInfo {
            id: item.key(db).name.clone(),
            title: rule.title.as_ref().map(|t| t.value.clone()),
            doc: doc(item),
            condition: indices.expr(&condition),
            actions,
            cites: rule.cites.iter().filter_map(|c| source_index.get(&c.text).copied()).collect(),
            overrides: rule.overrides.iter().filter_map(|o| rule_index.get(&o.text).copied()).collect(),
            location: model::Location {
                path: file.path(db).clone(),
                line: lines.line_of(file.path(db), file.text(db), item.offset(db)),
            },
        });
    }
    for &item in &items {
        let DeclKind::Test(test) = &item.syntax(db).kind else { continue };
        let file = item.file(db);
        let mut scratch = Vec::new();
        let mut checker = ExprChecker { env: &env, diagnostics: &mut scratch, reads_facts: false };
        let given = test
            .givens
            .iter()
            .filter_map(|given| {
                let fact = *indices.facts.get(&given.fact.text)?;
                let ty = checker.env.info(&given.fact.text).fact?;
                match checker.infer(&given.value, Some(&ty)).1 {
                    RExpr::Const(value) => Some((fact, indices.value(&value))),
                    RExpr::Neg(inner) => match *inner {
                        RExpr::Const(value) => Some((fact, negate(indices.value(&value)))),
                        _ => None,
                    },
                    _ => None,
                }
            })
            .collect();
        let expects = test
            .expects
            .iter()
            .filter_map(|expect| {
                let call = lower_call(&mut checker, &expect.action)?;
                Some(model::Expectation {
                    negated: expect.negated,
                    action: call.action,
                    args: expect.action.args.as_ref().map(|_| call.args),
                })
            })
            .collect();
        model.tests.push(model::TestInfo {
            title: test.title.value.clone(),
            given,
            expects,
            location: model::Location {
                path: file.path(db).clone(),
                line: lines.line_of(file.path(db), file.text(db), item.offset(db)),
            },
        });
    }
    model
}

fn negate(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(-n),
        Value::Quantity(n, unit) => Value::Quantity(-n, unit),
        Value::Duration(seconds) => Value::Duration(-seconds),
        other => other,
    }
}
