//! The checks of one declaration ([`check_item`]): types, names, actions,
//! citations, overrides and tests. The same walk, recording, gives what
//! every written name resolved to ([`item_resolutions`]) for the editor queries;
//! that is a query of its own, so `osler check` never stores the names.

use std::collections::BTreeMap;

use super::env::{Env, Namespace};
use super::expr::{ExprChecker, bool_word, closest, is_constant, not_constant, with_suggestion};
use super::names::QueryEnv;
use super::resolution::{NameUse, Target};
use crate::code::Code;
use crate::db::{Item, Ruleset};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{
    ActionCall, ActionDecl, AssertDecl, BaselineDecl, DeclKind, EnumDecl, Expect, ExpectKind, Expr, ExprKind, Given,
    Ident, LetDecl, PriorityDecl, RuleDecl, Span, TestDecl, TypeExpr, TypeExprKind,
};
use crate::types::Ty;

/// Checks one declaration: its diagnostics, spans relative to the
/// declaration.
#[salsa::tracked(returns(ref))]
pub fn check_item<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Vec<Diagnostic> {
    walk_item(db, ruleset, item, false).0
}

/// Every name one declaration writes, as the checker resolved it while
/// checking it, ordered by position; spans relative to the declaration.
/// Only the editor asks for it.
#[salsa::tracked(returns(ref))]
pub fn item_resolutions<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Vec<NameUse> {
    walk_item(db, ruleset, item, true).1
}

/// The checks of one declaration, and (when `record`) its names. Recording
/// changes no diagnostic: what it resolves only for the editor is checked
/// with its diagnostics thrown away.
fn walk_item<'db>(
    db: &'db dyn salsa::Database,
    ruleset: Ruleset,
    item: Item<'db>,
    record: bool,
) -> (Vec<Diagnostic>, Vec<NameUse>) {
    let env = QueryEnv { db, ruleset };
    let mut checker = if record { ExprChecker::recording(&env) } else { ExprChecker::new(&env) };
    let declared = |checker: &mut ExprChecker<'_>, name: &Ident, target: Target| {
        checker.record(name.span, Some(target), true, None);
    };
    match &item.syntax(db).kind {
        DeclKind::Ruleset(decl) => declared(&mut checker, &decl.name, Target::Ruleset(decl.name.text.clone())),
        DeclKind::Source(decl) => declared(&mut checker, &decl.name, Target::Source(decl.name.text.clone())),
        DeclKind::Enum(decl) => check_enum(&mut checker, decl),
        DeclKind::Fact(fact) => {
            declared(&mut checker, &fact.name, Target::Fact(fact.name.text.clone()));
            check_type_expr(&mut checker, &fact.ty);
        }
        DeclKind::Action(action) => check_action_decl(&mut checker, action),
        DeclKind::Let(decl) => check_let(&mut checker, decl),
        DeclKind::Rule(rule) => check_rule(&mut checker, rule, &item.key(db).name),
        DeclKind::Test(test) => check_test(&mut checker, test),
        DeclKind::Baseline(decl) => check_baseline(&mut checker, decl),
        DeclKind::Assert(decl) => check_assert(&mut checker, decl),
        DeclKind::Exclusive(decl) => check_action_name(&mut checker, &decl.action),
        DeclKind::Priority(decl) => check_priority(&mut checker, decl),
    }
    let mut names = checker.names.take().unwrap_or_default();
    names.sort_by_key(|name| (name.span.start, name.span.end));
    (checker.diagnostics, names)
}

fn check_enum(checker: &mut ExprChecker<'_>, decl: &EnumDecl) {
    checker.record(decl.name.span, Some(Target::Enum(decl.name.text.clone())), true, None);
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for variant in &decl.variants {
        let target = Target::Variant { enum_name: decl.name.text.clone(), variant: variant.text.clone() };
        checker.record(variant.span, Some(target), true, Some(Ty::Enum(decl.name.text.clone())));
        if let Some(first) = seen.insert(&variant.text, variant.span) {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::Duplicate,
                    variant.span,
                    format!("duplicate variant `{}` in enum `{}`", variant.text, decl.name.text),
                )
                .with_label("declared again here")
                .with_related(None, first, "first declared here")
                .with_help("remove one of them"),
            );
        }
    }
    if decl.variants.is_empty() {
        checker.diagnostics.push(
            Diagnostic::error(Code::EmptyEnum, decl.name.span, format!("enum `{}` has no variants", decl.name.text))
                .with_help("list its variants: `enum Name { a, b }`"),
        );
    }
}

fn check_action_decl(checker: &mut ExprChecker<'_>, action: &ActionDecl) {
    checker.record(action.name.span, Some(Target::Action(action.name.text.clone())), true, None);
    for param in &action.params {
        let target = Target::Param { action: action.name.text.clone(), param: param.name.text.clone() };
        checker.record(param.name.span, Some(target), true, None);
        check_type_expr(checker, &param.ty);
    }
}

fn check_let(checker: &mut ExprChecker<'_>, decl: &LetDecl) {
    // The let's type is the let analysis's (in a cycle, unknown), the one
    // every use of the let sees.
    let ty = checker.env.info(&decl.name.text).let_type.filter(|ty| !ty.is_error());
    checker.record(decl.name.span, Some(Target::Let(decl.name.text.clone())), true, ty);
    checker.infer(&decl.value, None);
}

fn check_rule(checker: &mut ExprChecker<'_>, rule: &RuleDecl, own_id: &str) {
    if let Some(name) = &rule.name {
        checker.record(name.span, Some(Target::Rule(name.text.clone())), true, None);
    }
    let (ty, _) = checker.infer(&rule.condition, Some(&Ty::Bool));
    if !ty.fits(&Ty::Bool) {
        checker.diagnostics.push(
            Diagnostic::error(
                Code::ConditionNotBool,
                rule.condition.span,
                format!("a rule's condition must be `bool`, found `{ty}`"),
            )
            .with_label(format!("this is `{ty}`"))
            .with_help("compare it with something, e.g. `abi < 0.9`"),
        );
    } else if !checker.reads_facts && !checker.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        checker.diagnostics.push(
            Diagnostic::warning(Code::ConstantCondition, rule.condition.span, "this rule's condition is constant")
                .with_label("reads no fact")
                .with_help("a rule's condition should depend on the record's facts"),
        );
    }
    for call in &rule.actions {
        check_action_call(checker, call, false);
    }
    check_cites(checker, &rule.cites);
    check_overrides(checker, &rule.overrides, own_id);
}

/// An assert's two sides: `bool` conditions over facts, lets and action
/// patterns.
fn check_assert(checker: &mut ExprChecker<'_>, decl: &AssertDecl) {
    checker.patterns = true;
    check_assert_side(checker, &decl.when, "the condition of an `assert` (before `->`)");
    check_assert_side(checker, &decl.then, "what an `assert` requires (after `->`)");
    checker.patterns = false;
    check_cites(checker, &decl.cites);
}

fn check_assert_side(checker: &mut ExprChecker<'_>, side: &Expr, what: &str) {
    let (ty, _) = checker.infer(side, Some(&Ty::Bool));
    if !ty.fits(&Ty::Bool) {
        checker.diagnostics.push(
            Diagnostic::error(Code::ConditionNotBool, side.span, format!("{what} must be `bool`, found `{ty}`"))
                .with_label(format!("this is `{ty}`"))
                .with_help("compare it with something, e.g. `abi < 0.9`, or name an action: `self_care`"),
        );
    }
}

/// An action named without a call (`exclusive ACTION`, the names of a
/// `priority`): it must be declared.
fn check_action_name(checker: &mut ExprChecker<'_>, action: &Ident) {
    checker.record(action.span, Some(Target::Action(action.text.clone())), false, None);
    let info = checker.env.info(&action.text);
    if info.action.is_none() && !info.broken {
        let otherwise = format!("declare it: `action {}(...)`", action.text);
        let diagnostic = unknown_name(checker.env, Namespace::Action, action, "no such `action`", &otherwise);
        checker.diagnostics.push(diagnostic);
    }
}

/// The names a list has mentioned, each with where it was first, for
/// reporting a repeat that points back at the first mention.
#[derive(Default)]
struct FirstMentions<'a>(BTreeMap<&'a str, Span>);

impl<'a> FirstMentions<'a> {
    /// Where `name` was first mentioned, if this is a repeat; else notes it.
    fn again(&mut self, name: &'a Ident) -> Option<Span> {
        match self.0.get(name.text.as_str()) {
            Some(&first) => Some(first),
            None => {
                self.0.insert(&name.text, name.span);
                None
            }
        }
    }
}

/// `priority A > B > ..`: each name a declared action, none listed twice
/// (the second mention is reported, pointing back at the first).
fn check_priority(checker: &mut ExprChecker<'_>, decl: &PriorityDecl) {
    let mut seen = FirstMentions::default();
    for action in &decl.actions {
        check_action_name(checker, action);
        if let Some(first) = seen.again(action) {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::PriorityRepeats,
                    action.span,
                    format!("`{}` is listed twice in the priority", action.text),
                )
                .with_label("listed again here")
                .with_related(None, first, "first listed here")
                .with_help("list each action once, at its place from the most urgent to the least"),
            );
        }
    }
}

fn check_cites(checker: &mut ExprChecker<'_>, cites: &[Ident]) {
    for cite in cites {
        checker.record(cite.span, Some(Target::Source(cite.text.clone())), false, None);
        let info = checker.env.info(&cite.text);
        if !info.is_source && !info.broken {
            let otherwise = format!("declare it: `source {} \"Title of the guideline\" year 2026`", cite.text);
            let diagnostic = unknown_name(checker.env, Namespace::Source, cite, "no such `source`", &otherwise);
            checker.diagnostics.push(diagnostic);
        }
    }
}

fn check_overrides(checker: &mut ExprChecker<'_>, overrides: &[Ident], own_id: &str) {
    for target in overrides {
        checker.record(target.span, Some(Target::Rule(target.text.clone())), false, None);
        if target.text == own_id {
            checker.diagnostics.push(
                Diagnostic::error(Code::SelfOverride, target.span, format!("rule `{own_id}` overrides itself"))
                    .with_label("a rule cannot suppress itself")
                    .with_help("name the rule this one makes an exception to"),
            );
            continue;
        }
        let info = checker.env.info(&target.text);
        // A rule whose declaration has a syntax error keeps its name: that
        // error is the one to fix, not the `overrides`.
        if !info.is_rule && !info.broken {
            let otherwise = "`overrides` names rules declared with `rule NAME ...:`";
            let diagnostic = unknown_name(checker.env, Namespace::Rule, target, "no rule has this name", otherwise);
            checker.diagnostics.push(diagnostic);
        }
    }
}

fn check_test(checker: &mut ExprChecker<'_>, test: &TestDecl) {
    check_givens(checker, &test.givens, &test.baselines, "test");
    if test.expects.is_empty() {
        checker.diagnostics.push(
            Diagnostic::error(
                Code::EmptyTest,
                test.title.span,
                format!("test \"{}\" has no `expect`, so it can never fail", test.title.value),
            )
            .with_label("no `expect` in this test")
            .with_help(
                "say what the record must produce: `expect ACTION`, `expect RULE fires`, `expect examine FACT`, or `expect nothing` for no action",
            ),
        );
    }
    for expect in &test.expects {
        check_expect(checker, expect);
    }
}

/// `baseline NAME { given .. }`: its givens are checked as a test's are.
fn check_baseline(checker: &mut ExprChecker<'_>, decl: &BaselineDecl) {
    checker.record(decl.name.span, Some(Target::Baseline(decl.name.text.clone())), true, None);
    check_givens(checker, &decl.givens, &decl.baselines, "baseline");
}

/// The `given` statements of a test or baseline (`what`): each value
/// typed by its fact and constant, no fact given twice (a value from an
/// included baseline may be replaced), each included baseline declared
/// and included once.
fn check_givens(checker: &mut ExprChecker<'_>, givens: &[Given], baselines: &[Ident], what: &str) {
    let mut seen = FirstMentions::default();
    for given in givens {
        check_given(checker, given);
        if let Some(first) = seen.again(&given.fact) {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::GivenTwice,
                    given.fact.span,
                    format!("`{}` is given twice in this {what}", given.fact.text),
                )
                .with_label("given again here")
                .with_related(None, first, "first given here")
                .with_help("give each fact one value; a value given here replaces an included baseline's"),
            );
        }
    }
    let mut included = FirstMentions::default();
    for baseline in baselines {
        check_baseline_use(checker, baseline);
        if let Some(first) = included.again(baseline) {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::GivenTwice,
                    baseline.span,
                    format!("baseline `{}` is included twice in this {what}", baseline.text),
                )
                .with_label("included again here")
                .with_related(None, first, "first included here")
                .with_help("include each baseline once"),
            );
        }
    }
}

/// One `fact = value` of a test or baseline.
fn check_given(checker: &mut ExprChecker<'_>, given: &Given) {
    let info = checker.env.info(&given.fact.text);
    let target = if info.fact.is_none() && info.let_type.is_some() {
        Target::Let(given.fact.text.clone())
    } else {
        Target::Fact(given.fact.text.clone())
    };
    checker.record(given.fact.span, Some(target), false, info.value_type().cloned());
    match (&info.fact, &info.let_type) {
        (Some(ty), _) if let Some(diagnostic) = undeclared_given_value(checker.env, &given.fact, &given.value, ty) => {
            checker.resolve_silently(&given.value, Some(ty));
            checker.diagnostics.push(diagnostic);
        }
        (Some(ty), _) => {
            let (value_ty, resolved) = checker.infer_as(&given.value, ty);
            if !value_ty.fits(ty) {
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        given.value.span,
                        format!("`{}` is `{ty}`, found `{value_ty}`", given.fact.text),
                    )
                    .with_label(format!("this is `{value_ty}`"))
                    .with_help(format!("give `{}` a value of type `{ty}`", given.fact.text)),
                );
            }
            if !is_constant(&resolved) {
                checker.diagnostics.push(not_constant(given.value.span, "a test's given values"));
            }
        }
        (None, let_type) => {
            checker.resolve_silently(&given.value, let_type.as_ref());
            match let_type {
                Some(_) => checker.diagnostics.push(
                    Diagnostic::error(
                        Code::GivenLet,
                        given.fact.span,
                        format!("`{}` is a let; tests give facts", given.fact.text),
                    )
                    .with_help("give the facts it is derived from"),
                ),
                None if info.broken => {}
                None => checker.diagnostics.push(unknown_name(
                    checker.env,
                    Namespace::Fact,
                    &given.fact,
                    "not declared in this ruleset",
                    "a test gives values to declared facts",
                )),
            }
        }
    }
}

/// `given NAME`: NAME must be a declared baseline.
fn check_baseline_use(checker: &mut ExprChecker<'_>, name: &Ident) {
    let info = checker.env.info(&name.text);
    if info.is_baseline {
        checker.record(name.span, Some(Target::Baseline(name.text.clone())), false, None);
        return;
    }
    checker.record(name.span, None, false, None);
    if info.broken {
        return;
    }
    let diagnostic = if info.fact.is_some() {
        Diagnostic::error(Code::UnknownBaseline, name.span, format!("`{}` is a fact, not a baseline", name.text))
            .with_label("no value given")
            .with_help(format!("give it a value: `{} = ...`", name.text))
    } else if info.let_type.is_some() {
        Diagnostic::error(Code::UnknownBaseline, name.span, format!("`{}` is a let, not a baseline", name.text))
            .with_label("a let, not a baseline")
            .with_help("tests give facts: give the facts it is derived from")
    } else {
        let otherwise = format!("declare it: `baseline {} {{ given fact = value }}`", name.text);
        let diagnostic =
            Diagnostic::error(Code::UnknownBaseline, name.span, format!("unknown baseline `{}`", name.text))
                .with_label("no baseline has this name");
        let names = checker.env.names(Namespace::Baseline);
        with_suggestion(diagnostic, closest(&name.text, names.iter().map(String::as_str)), &otherwise)
    };
    checker.diagnostics.push(diagnostic);
}

/// One `expect` statement: the names it uses must be what its form needs.
fn check_expect(checker: &mut ExprChecker<'_>, expect: &Expect) {
    match &expect.kind {
        ExpectKind::Action(call) => {
            // `expect examine` with its name left out reads as an action
            // `examine`: say what the form wants.
            let form = match call.name.text.as_str() {
                "examine" => Some("the fact to examine: `expect examine FACT`"),
                "undetermined" => Some("the rule: `expect undetermined RULE`"),
                _ => None,
            };
            let info = checker.env.info(&call.name.text);
            if let Some(form) = form
                && call.args.is_none()
                && info.action.is_none()
                && !info.broken
            {
                checker.record(call.name.span, None, false, None);
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::UnknownAction,
                        call.name.span,
                        format!("unknown action `{}`", call.name.text),
                    )
                    .with_label("no such `action`")
                    .with_help(format!("`expect {}` names {form}", call.name.text)),
                );
                return;
            }
            check_action_call(checker, call, true);
        }
        ExpectKind::From { action, rule } => {
            check_action_call(checker, action, true);
            check_rule_name(checker, rule);
        }
        ExpectKind::Fires(rule) | ExpectKind::Undetermined(rule) => check_rule_name(checker, rule),
        ExpectKind::Examine(fact) => check_examined(checker, fact),
        ExpectKind::Nothing => {}
    }
}

/// A rule a test's `expect` names, by name or id.
fn check_rule_name(checker: &mut ExprChecker<'_>, rule: &Ident) {
    checker.record(rule.span, Some(Target::Rule(rule.text.clone())), false, None);
    let info = checker.env.info(&rule.text);
    if info.is_rule || info.broken {
        return;
    }
    let otherwise = "name a rule by its name, or an unnamed rule by its id (`<file stem>_<n>`)";
    let what = match () {
        _ if info.action.is_some() => "an action",
        _ if info.fact.is_some() => "a fact",
        _ if info.let_type.is_some() => "a let",
        _ => {
            let diagnostic = unknown_name(checker.env, Namespace::Rule, rule, "no rule has this name", otherwise);
            checker.diagnostics.push(diagnostic);
            return;
        }
    };
    checker.diagnostics.push(
        Diagnostic::error(Code::UnknownRule, rule.span, format!("`{}` is {what}, not a rule", rule.text))
            .with_label(format!("{what}, not a rule"))
            .with_help(
                "`fires`, `undetermined` and `from` name a rule, by its name or, unnamed, its id (`<file stem>_<n>`)",
            ),
    );
}

/// `expect examine FACT`: only facts are examined (what a clinician can
/// find out), never a let, an action or a rule.
fn check_examined(checker: &mut ExprChecker<'_>, fact: &Ident) {
    let info = checker.env.info(&fact.text);
    if let Some(ty) = &info.fact {
        checker.record(fact.span, Some(Target::Fact(fact.text.clone())), false, Some(ty.clone()));
        return;
    }
    let what = match () {
        _ if info.let_type.is_some() => {
            checker.record(fact.span, Some(Target::Let(fact.text.clone())), false, info.let_type.clone());
            Some(("a let", "name one of the facts it is derived from: `examine` lists facts only"))
        }
        _ if info.action.is_some() => {
            checker.record(fact.span, Some(Target::Action(fact.text.clone())), false, None);
            Some(("an action", "to expect the action, write `expect ACTION`; `examine` lists facts"))
        }
        _ if info.is_rule => {
            checker.record(fact.span, Some(Target::Rule(fact.text.clone())), false, None);
            Some(("a rule", "to expect the rule undecided, write `expect undetermined RULE`; `examine` lists facts"))
        }
        _ => None,
    };
    match what {
        Some((kind, help)) => checker.diagnostics.push(
            Diagnostic::error(
                Code::ExamineNotFact,
                fact.span,
                format!("`expect examine` names a fact, and `{}` is {kind}", fact.text),
            )
            .with_label(format!("{kind}, not a fact"))
            .with_help(help),
        ),
        None if info.broken => checker.record(fact.span, None, false, None),
        None => {
            checker.record(fact.span, None, false, None);
            let otherwise = "`expect examine` names a declared fact";
            checker.diagnostics.push(unknown_name(
                checker.env,
                Namespace::Fact,
                fact,
                "not declared in this ruleset",
                otherwise,
            ));
        }
    }
}

/// A test's value that is a bare name no declaration has (`given
/// confusion = yes`): the author wrote a value, not a fact (a test's values
/// are constants), so the diagnostic says what the values of the fact's
/// type are, not that a fact `yes` is missing. An enum's variants are left
/// to the expression checker, which suggests the closest or lists them.
fn undeclared_given_value(env: &dyn Env, fact: &Ident, value: &Expr, ty: &Ty) -> Option<Diagnostic> {
    let ExprKind::Name(name) = &value.kind else { return None };
    let info = env.info(&name.text);
    let declared = info.value_type().is_some()
        || !info.variant_of.is_empty()
        || info.action.is_some()
        || info.enum_variants.is_some()
        || info.is_rule
        || info.is_source
        || info.broken;
    if declared || matches!(ty, Ty::Enum(_) | Ty::Error) {
        return None;
    }
    let fact = &fact.text;
    let diagnostic = Diagnostic::error(
        Code::TypeMismatch,
        value.span,
        format!("`{fact}` is `{ty}`, found the name `{}`", name.text),
    );
    Some(match ty {
        Ty::Bool => {
            let meant = bool_word(&name.text);
            let diagnostic = diagnostic.with_label("not `true` or `false`");
            match meant {
                Some(value) => diagnostic
                    .with_help(format!("a `bool` is `true` or `false`: write `given {fact} = {value}`"))
                    .with_fix(value),
                None => diagnostic.with_help(format!(
                    "a `bool` is `true` or `false`: write `given {fact} = true` or `given {fact} = false`"
                )),
            }
        }
        _ => {
            let example = match ty {
                Ty::Quantity(unit) => format!("a quantity such as `50 {unit}`"),
                Ty::Duration => "a duration such as `6h`".to_owned(),
                Ty::String => "a string such as `\"text\"`".to_owned(),
                _ => "a number such as `30`".to_owned(),
            };
            diagnostic
                .with_label("not a value")
                .with_help(format!("a test gives each fact a value: give `{fact}` {example}"))
        }
    })
}

/// "unknown fact `x`" and its kin, with a "did you mean" from the names of
/// the same namespace, or `otherwise` as help when none is close.
fn unknown_name(env: &dyn Env, namespace: Namespace, ident: &Ident, label: &str, otherwise: &str) -> Diagnostic {
    let (code, what) = match namespace {
        Namespace::Value | Namespace::Fact => (Code::UnknownFact, "fact"),
        Namespace::Action => (Code::UnknownAction, "action"),
        Namespace::Source => (Code::UnknownSource, "source"),
        Namespace::Rule => (Code::UnknownRule, "rule"),
        Namespace::Type => (Code::UnknownType, "type"),
        Namespace::Baseline => (Code::UnknownBaseline, "baseline"),
    };
    let names = env.names(namespace);
    let diagnostic = Diagnostic::error(code, ident.span, format!("unknown {what} `{}`", ident.text)).with_label(label);
    with_suggestion(diagnostic, closest(&ident.text, names.iter().map(String::as_str)), otherwise)
}

fn check_type_expr(checker: &mut ExprChecker<'_>, ty: &TypeExpr) {
    let TypeExprKind::Named(name) = &ty.kind else { return };
    checker.record(name.span, Some(Target::Enum(name.text.clone())), false, None);
    let info = checker.env.info(&name.text);
    if info.enum_variants.is_none() && !info.broken {
        let otherwise =
            format!("declare it: `enum {} {{ a, b }}`, or use `bool`, `number`, `duration` or `string`", name.text);
        let diagnostic = unknown_name(checker.env, Namespace::Type, name, "not a declared enum", &otherwise);
        checker.diagnostics.push(diagnostic);
    }
}

/// Checks an action call in a rule (`in_test` false) or an `expect`.
fn check_action_call(checker: &mut ExprChecker<'_>, call: &ActionCall, in_test: bool) {
    checker.record(call.name.span, Some(Target::Action(call.name.text.clone())), false, None);
    let info = checker.env.info(&call.name.text);
    let Some(params) = info.action else {
        for arg in call.args.iter().flatten() {
            checker.resolve_silently(arg, None);
        }
        if info.broken {
            return;
        }
        let otherwise = format!("declare it: `action {}(...)`", call.name.text);
        let diagnostic = unknown_name(checker.env, Namespace::Action, &call.name, "no such `action`", &otherwise);
        checker.diagnostics.push(diagnostic);
        return;
    };
    checker.action_args(&call.name, call.span, call.args.as_deref(), &params, !in_test, !in_test);
}
