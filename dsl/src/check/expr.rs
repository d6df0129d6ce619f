//! Type inference and name resolution for one expression. Produces the
//! expression's type, its diagnostics, and a resolved form (names kept as
//! names) that the model builder turns into indices.

use super::env::{Env, NameInfo, Namespace};
use super::resolution::{NameUse, Target};
use crate::code::Code;
use crate::decimal;
use crate::diagnostic::Diagnostic;
use crate::model::{ArithOp, CompareOp};
use crate::syntax::{BinaryOp, Expr, ExprKind, Ident, LogicOp, Span, UnaryOp};
use crate::types::Ty;
use crate::units::{Dimension, Unit};

mod args;
mod render;
mod units;

use render::{render, sum_terms, unparenthesized};

/// A constant with enums by name.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum RValue {
    Bool(bool),
    Number(f64),
    Quantity(f64, Unit),
    Duration(f64),
    String(String),
    Variant(String, u32),
}

/// A resolved expression, names not yet turned into indices.
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum RExpr {
    Const(RValue),
    Fact(String),
    Let(String),
    Not(Box<RExpr>),
    Neg(Box<RExpr>),
    /// `and` of two or more operands (a chain is one node).
    And(Vec<RExpr>),
    /// `or` of two or more operands.
    Or(Vec<RExpr>),
    Compare(CompareOp, Box<RExpr>, Box<RExpr>),
    Arith(ArithOp, Box<RExpr>, Box<RExpr>),
    In(Box<RExpr>, Vec<u32>),
    Count(Vec<RExpr>),
    Known(Box<RExpr>),
    /// An action pattern (only in an `assert`): the record's output holds
    /// a call of the action, with exactly these arguments when given.
    Output(String, Option<Vec<RValue>>),
    /// Something already reported as an error.
    Invalid,
}

/// The closest name to `wanted`, if one is close enough to be a typo.
pub(crate) fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(wanted, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

pub(crate) fn with_suggestion(diagnostic: Diagnostic, suggestion: Option<&str>, otherwise: &str) -> Diagnostic {
    match suggestion {
        Some(name) => diagnostic.with_help(format!("did you mean `{name}`?")).with_fix(name),
        None => diagnostic.with_help(otherwise.to_owned()),
    }
}

/// `osler::action_pattern`: an action's name where no action pattern may
/// stand (a rule's condition, a let, a test's value).
fn pattern_outside_assert(ident: &Ident) -> Diagnostic {
    Diagnostic::error(
        Code::ActionPattern,
        ident.span,
        format!("`{}` is an action; an action pattern can only stand in an `assert`", ident.text),
    )
    .with_label("an action, not a fact or let")
    .with_help(format!(
        "a rule's actions are written after `->`; to state when the output holds `{}`, write `assert CONDITION -> {}`",
        ident.text, ident.text
    ))
}

/// A literal or a variant (as resolved by the expected type: `order(abi)`
/// is the `Test` variant even when a fact `abi` exists), possibly negated.
pub(crate) fn is_constant(resolved: &RExpr) -> bool {
    match resolved {
        RExpr::Const(_) | RExpr::Invalid => true,
        RExpr::Neg(inner) => is_constant(inner),
        _ => false,
    }
}

/// The value of a constant, negations folded.
fn constant_value(resolved: &RExpr) -> Option<RValue> {
    match resolved {
        RExpr::Const(value) => Some(value.clone()),
        RExpr::Neg(inner) => match constant_value(inner)? {
            RValue::Number(n) => Some(RValue::Number(-n)),
            RValue::Quantity(n, unit) => Some(RValue::Quantity(-n, unit)),
            RValue::Duration(seconds) => Some(RValue::Duration(-seconds)),
            _ => None,
        },
        _ => None,
    }
}

/// The `bool` an author may have meant by a word that is not one (`yes`,
/// `No`, `absent`), as written in Osler.
pub(crate) fn bool_word(word: &str) -> Option<&'static str> {
    let word = word.to_ascii_lowercase();
    if ["yes", "y", "on", "positive", "present"].contains(&word.as_str()) {
        Some("true")
    } else if ["no", "n", "off", "negative", "absent", "none"].contains(&word.as_str()) {
        Some("false")
    } else {
        None
    }
}

/// Whether `expr` is a literal zero (`0`, `0.0`, `0 mmHg`, `0h`), through
/// parentheses and minus signs.
fn is_literal_zero(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Number(n) | ExprKind::Quantity(n, _) | ExprKind::Duration(n, _) => n.value() == 0.0,
        ExprKind::Paren(inner) | ExprKind::Unary { op: UnaryOp::Neg, operand: inner } => is_literal_zero(inner),
        _ => false,
    }
}

pub(crate) fn not_constant(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(Code::NotConstant, span, format!("{what} must be constants"))
        .with_label("reads a fact")
        .with_help("write a literal (`6h`, `50 mmHg`, `true`) or an enum variant")
}

/// Types and resolves expressions, collecting diagnostics (and, when
/// recording, every name it resolves).
pub(crate) struct ExprChecker<'a> {
    pub env: &'a dyn Env,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the expression read a fact or let (else it is constant).
    pub reads_facts: bool,
    /// Every name written, as resolved, when checking a declaration for
    /// its names ([`super::item::item_resolutions`]); `None` when only types or the
    /// resolved tree are wanted (let typing, model building).
    pub names: Option<Vec<NameUse>>,
    /// Whether action patterns may stand here (the two sides of an
    /// `assert`); anywhere else an action's name is `osler::action_pattern`.
    pub patterns: bool,
    /// While the left operand of a `+` is checked: the terms of the whole
    /// `+` chain it belongs to, as written (`a + b + c` folds to the left,
    /// and its first `+` is what reports `bool` operands), `None` where one
    /// cannot be shown.
    sum_terms: Option<Option<Vec<String>>>,
}

fn number(expr: &Expr) -> f64 {
    match &expr.kind {
        ExprKind::Number(n) | ExprKind::Quantity(n, _) | ExprKind::Duration(n, _) => n.value(),
        _ => f64::NAN,
    }
}

impl<'a> ExprChecker<'a> {
    /// A checker that does not record names.
    pub fn new(env: &'a dyn Env) -> ExprChecker<'a> {
        ExprChecker { env, diagnostics: Vec::new(), reads_facts: false, names: None, patterns: false, sum_terms: None }
    }

    /// A checker that records every name it resolves.
    pub fn recording(env: &'a dyn Env) -> ExprChecker<'a> {
        ExprChecker { names: Some(Vec::new()), ..ExprChecker::new(env) }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records a written name, when recording.
    pub fn record(&mut self, span: Span, target: Option<Target>, declaration: bool, ty: Option<Ty>) {
        if let Some(names) = &mut self.names {
            names.push(NameUse { span, target, declaration, ty, peer: None });
        }
    }

    /// Resolves the names of an expression the checks skip (the set of an
    /// `in` whose operand is wrong, the arguments of a call with the wrong
    /// arity) so the editor still knows them. Only when recording, and
    /// with the diagnostics and the constness it finds thrown away: the
    /// checks already said what is wrong.
    pub fn resolve_silently(&mut self, expr: &Expr, expected: Option<&Ty>) -> Option<Ty> {
        self.names.as_ref()?;
        let (diagnostics, reads_facts) = (self.diagnostics.len(), self.reads_facts);
        let (ty, _) = self.infer(expr, expected);
        self.diagnostics.truncate(diagnostics);
        self.reads_facts = reads_facts;
        Some(ty)
    }

    /// Notes the other operand's type on a name written as an operand.
    fn note_peer(&mut self, operand: &Expr, peer: &Ty) {
        let (ExprKind::Name(ident), Some(names)) = (&operand.kind, &mut self.names) else { return };
        if let Some(name) = names.iter_mut().rev().find(|name| name.span == ident.span)
            && name.peer.is_none()
        {
            name.peer = Some(peer.clone());
        }
    }

    /// Infers `expr`'s type; `expected` guides how bare variant names are
    /// resolved (it is not enforced here).
    pub fn infer(&mut self, expr: &Expr, expected: Option<&Ty>) -> (Ty, RExpr) {
        if let ExprKind::Number(n) | ExprKind::Quantity(n, _) | ExprKind::Duration(n, _) = &expr.kind
            && decimal::significant_digits(&n.0) > decimal::DIGITS
        {
            self.error(
                Diagnostic::error(
                    Code::NumberPrecision,
                    expr.span,
                    format!("`{}` has more than {} significant digits", n.0, decimal::DIGITS),
                )
                .with_label(format!("would be rounded to `{}`", crate::model::format_number(n.value())))
                .with_help("numbers keep 15 significant digits; write the number rounded"),
            );
        }
        match &expr.kind {
            ExprKind::Bool(b) => (Ty::Bool, RExpr::Const(RValue::Bool(*b))),
            ExprKind::Number(_) => (Ty::Number, RExpr::Const(RValue::Number(number(expr)))),
            ExprKind::Quantity(_, unit) => (Ty::Quantity(*unit), RExpr::Const(RValue::Quantity(number(expr), *unit))),
            ExprKind::Duration(_, unit) => {
                (Ty::Duration, RExpr::Const(RValue::Duration(crate::decimal::mul(number(expr), unit.seconds() as f64))))
            }
            ExprKind::String(s) => (Ty::String, RExpr::Const(RValue::String(s.clone()))),
            // A named argument where the caller did not put it in place
            // (`count`, an unknown function) has been reported there.
            ExprKind::Paren(inner) | ExprKind::Named { value: inner, .. } => self.infer(inner, expected),
            ExprKind::Name(ident) => self.name(ident, expected),
            ExprKind::Qualified { ty, variant } => self.qualified(ty, variant),
            ExprKind::Call { callee, args } => self.call(expr.span, callee, args),
            ExprKind::Unary { op: UnaryOp::Not, operand } => {
                let inner = self.expect(operand, &Ty::Bool, "`not` applies to a `bool`");
                (Ty::Bool, RExpr::Not(Box::new(inner)))
            }
            ExprKind::Unary { op: UnaryOp::Neg, operand } => {
                let (ty, inner) = self.infer(operand, None);
                match ty {
                    Ty::Number | Ty::Quantity(_) | Ty::Duration | Ty::Error => (ty, RExpr::Neg(Box::new(inner))),
                    other => {
                        self.error(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                operand.span,
                                format!("`-` applies to numbers, found `{other}`"),
                            )
                            .with_label(format!("this is `{other}`"))
                            .with_help("negate a number, a quantity or a duration"),
                        );
                        (Ty::Error, RExpr::Invalid)
                    }
                }
            }
            ExprKind::Logic { op, operands, .. } => {
                let message = format!("`{}` combines `bool` conditions", op.as_str());
                let resolved = operands.iter().map(|operand| self.expect(operand, &Ty::Bool, &message)).collect();
                (Ty::Bool, if *op == LogicOp::And { RExpr::And(resolved) } else { RExpr::Or(resolved) })
            }
            ExprKind::Binary { op, op_span, lhs, rhs } if op.is_comparison() => self.compare(*op, *op_span, lhs, rhs),
            ExprKind::Binary { op, op_span, lhs, rhs } => self.arith(*op, *op_span, lhs, rhs),
            ExprKind::In { operand, set, set_span } => self.in_set(operand, set, *set_span),
        }
    }

    /// Infers `expr` where a value of type `expected` stands: a quantity
    /// in another unit of the same dimension is converted to the expected
    /// unit (`30 mm` where `cm` is expected is `3 cm`), and has its type.
    pub fn infer_as(&mut self, expr: &Expr, expected: &Ty) -> (Ty, RExpr) {
        let inferred = self.infer(expr, Some(expected));
        self.in_unit_of(inferred, expected)
    }

    /// Infers `expr` and reports a mismatch with `expected`.
    pub fn expect(&mut self, expr: &Expr, expected: &Ty, context: &str) -> RExpr {
        let (ty, resolved) = self.infer_as(expr, expected);
        if !ty.fits(expected) {
            self.error(
                Diagnostic::error(Code::TypeMismatch, expr.span, format!("expected `{expected}`, found `{ty}`"))
                    .with_label(format!("this is `{ty}`"))
                    .with_help(context.to_owned()),
            );
        }
        resolved
    }

    /// A bare name: resolved and typed by [`Self::resolve_name`], then
    /// recorded as what it was found to be.
    fn name(&mut self, ident: &Ident, expected: Option<&Ty>) -> (Ty, RExpr) {
        let info = self.env.info(&ident.text);
        let single_owner = match info.variant_of.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        };
        let is_action = info.action.is_some() && info.value_type().is_none();
        let (ty, resolved) = self.resolve_name(ident, expected, info);
        if self.names.is_some() {
            let variant = |enum_name: String| Target::Variant { enum_name, variant: ident.text.clone() };
            let target = match &resolved {
                RExpr::Const(RValue::Variant(enum_name, _)) => Some(variant(enum_name.clone())),
                RExpr::Fact(name) => Some(Target::Fact(name.clone())),
                RExpr::Let(name) => Some(Target::Let(name.clone())),
                RExpr::Output(name, _) => Some(Target::Action(name.clone())),
                // An action where no pattern may stand: still that action,
                // for the editor, though it is an error here.
                _ if is_action => Some(Target::Action(ident.text.clone())),
                // A variant of another enum than the one expected: still
                // that variant, when only one enum has it.
                _ => single_owner.map(variant),
            };
            let known = target.is_some() && !ty.is_error();
            self.record(ident.span, target, false, known.then(|| ty.clone()));
        }
        (ty, resolved)
    }

    fn resolve_name(&mut self, ident: &Ident, expected: Option<&Ty>, info: NameInfo) -> (Ty, RExpr) {
        if let Some(Ty::Enum(enum_name)) = expected
            && info.variant_of.contains(enum_name)
        {
            return self.variant(enum_name, &ident.text);
        }
        if let Some(ty) = info.value_type() {
            self.reads_facts = true;
            let resolved =
                if info.fact.is_some() { RExpr::Fact(ident.text.clone()) } else { RExpr::Let(ident.text.clone()) };
            return (ty.clone(), resolved);
        }
        // A fact or let of the name wins over an action of the name; in an
        // assert the action wins over a variant of another enum than the one
        // expected, elsewhere such a variant keeps its meaning.
        if info.action.is_some() && (self.patterns || info.variant_of.is_empty()) {
            if self.patterns {
                return (Ty::Bool, RExpr::Output(ident.text.clone(), None));
            }
            self.error(pattern_outside_assert(ident));
            return (Ty::Error, RExpr::Invalid);
        }
        match (info.variant_of.as_slice(), expected) {
            ([], _) => {}
            (owners, Some(Ty::Enum(wanted))) => {
                self.error(
                    Diagnostic::error(
                        Code::WrongEnum,
                        ident.span,
                        format!("`{}` is a variant of `{}`, not of `{wanted}`", ident.text, owners.join("`, `")),
                    )
                    .with_label(format!("expected a `{wanted}` variant"))
                    .with_help(self.variants_help(wanted)),
                );
                return (Ty::Error, RExpr::Invalid);
            }
            ([only], _) => return self.variant(&only.clone(), &ident.text),
            (owners, _) => {
                let candidates: Vec<String> = owners.iter().map(|owner| format!("`{owner}.{}`", ident.text)).collect();
                self.error(
                    Diagnostic::error(
                        Code::AmbiguousName,
                        ident.span,
                        format!("`{}` is ambiguous: it could be {}", ident.text, candidates.join(" or ")),
                    )
                    .with_label("ambiguous variant")
                    .with_help("write the qualified form, e.g. ".to_owned() + &candidates[0]),
                );
                return (Ty::Error, RExpr::Invalid);
            }
        }
        if info.broken {
            // Probably a fact whose declaration is broken: not constant.
            self.reads_facts = true;
            return (Ty::Error, RExpr::Invalid);
        }
        let what = if info.is_rule {
            Some("a rule, not a value")
        } else if info.is_source {
            Some("a source; sources are named after `cite`")
        } else if info.enum_variants.is_some() {
            Some("an enum type; name one of its variants, e.g. `Type.variant`")
        } else {
            None
        };
        if let Some(what) = what {
            self.error(
                Diagnostic::error(Code::NotAValue, ident.span, format!("`{}` is {what}", ident.text))
                    .with_label("not a fact or let")
                    .with_help("use a fact, a let, or a literal here"),
            );
            return (Ty::Error, RExpr::Invalid);
        }
        if let Some(Ty::Enum(wanted)) = expected {
            let variants = self.env.info(wanted).enum_variants.unwrap_or_default();
            let suggestion = closest(&ident.text, variants.iter().map(String::as_str)).map(str::to_owned);
            let diagnostic = Diagnostic::error(
                Code::UnknownVariant,
                ident.span,
                format!("unknown variant `{}` of `{wanted}`", ident.text),
            )
            .with_label("not a variant");
            let help = self.variants_help(wanted);
            self.error(with_suggestion(diagnostic, suggestion.as_deref(), &help));
            return (Ty::Error, RExpr::Invalid);
        }
        let mut names = self.env.names(Namespace::Value);
        if self.patterns {
            names.extend(self.env.names(Namespace::Action));
        }
        let suggestion = closest(&ident.text, names.iter().map(String::as_str)).map(str::to_owned);
        let to_action = suggestion.as_deref().is_some_and(|name| self.is_only_action(name));
        let diagnostic = if to_action {
            Diagnostic::error(Code::UnknownAction, ident.span, format!("unknown action `{}`", ident.text))
                .with_label("no such `action`")
        } else {
            Diagnostic::error(Code::UnknownFact, ident.span, format!("unknown fact `{}`", ident.text))
                .with_label("not declared in this ruleset")
        };
        let otherwise = format!("declare it: `fact {}: bool` (or the type it has)", ident.text);
        // `confusion == yes`: a value was meant, and `bool`'s are `true` and
        // `false`.
        if suggestion.is_none()
            && expected == Some(&Ty::Bool)
            && let Some(value) = bool_word(&ident.text)
        {
            self.error(
                diagnostic
                    .with_help(format!(
                        "a `bool` is `true` or `false`: write `{value}` (or declare a fact `{}`)",
                        ident.text
                    ))
                    .with_fix(value),
            );
            return (Ty::Error, RExpr::Invalid);
        }
        self.error(with_suggestion(diagnostic, suggestion.as_deref(), &otherwise));
        (Ty::Error, RExpr::Invalid)
    }

    /// Whether `name` is an action and not a fact or let (so, in an
    /// `assert`, an action pattern).
    fn is_only_action(&self, name: &str) -> bool {
        let info = self.env.info(name);
        info.action.is_some() && info.value_type().is_none()
    }

    fn variants_help(&self, enum_name: &str) -> String {
        let variants = self.env.info(enum_name).enum_variants.unwrap_or_default();
        format!("`{enum_name}` has {}", variants.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
    }

    fn variant(&mut self, enum_name: &str, variant: &str) -> (Ty, RExpr) {
        let variants = self.env.info(enum_name).enum_variants.unwrap_or_default();
        let index = variants.iter().position(|v| v == variant).unwrap_or(0) as u32;
        (Ty::Enum(enum_name.to_owned()), RExpr::Const(RValue::Variant(enum_name.to_owned(), index)))
    }

    fn qualified(&mut self, ty: &Ident, variant: &Ident) -> (Ty, RExpr) {
        let info = self.env.info(&ty.text);
        if self.names.is_some() {
            // `Type.variant` names the enum and its variant, declared or not.
            let known = info.enum_variants.as_ref().is_some_and(|variants| variants.contains(&variant.text));
            let enum_type = known.then(|| Ty::Enum(ty.text.clone()));
            self.record(ty.span, Some(Target::Enum(ty.text.clone())), false, None);
            let target = Target::Variant { enum_name: ty.text.clone(), variant: variant.text.clone() };
            self.record(variant.span, Some(target), false, enum_type);
        }
        let Some(variants) = info.enum_variants else {
            let names = self.env.names(Namespace::Type);
            let suggestion = closest(&ty.text, names.iter().map(String::as_str)).map(str::to_owned);
            let diagnostic = Diagnostic::error(Code::UnknownType, ty.span, format!("unknown enum `{}`", ty.text))
                .with_label("not declared");
            self.error(with_suggestion(diagnostic, suggestion.as_deref(), "declare it with `enum Name { a, b }`"));
            return (Ty::Error, RExpr::Invalid);
        };
        if !variants.contains(&variant.text) {
            let suggestion = closest(&variant.text, variants.iter().map(String::as_str)).map(str::to_owned);
            let diagnostic = Diagnostic::error(
                Code::UnknownVariant,
                variant.span,
                format!("unknown variant `{}` of `{}`", variant.text, ty.text),
            )
            .with_label("not a variant");
            let help = self.variants_help(&ty.text);
            self.error(with_suggestion(diagnostic, suggestion.as_deref(), &help));
            return (Ty::Error, RExpr::Invalid);
        }
        self.variant(&ty.text, &variant.text)
    }

    fn call(&mut self, span: Span, callee: &Ident, args: &[Expr]) -> (Ty, RExpr) {
        match callee.text.as_str() {
            "count" => {
                self.no_named_arguments(callee, args);
                if args.is_empty() {
                    self.error(
                        Diagnostic::error(Code::Arity, span, "`count` needs at least one condition")
                            .with_help("write `count(a, b, c) >= 2`"),
                    );
                }
                let items =
                    args.iter().map(|arg| self.expect(arg, &Ty::Bool, "`count` counts `bool` conditions")).collect();
                (Ty::Number, RExpr::Count(items))
            }
            "known" => {
                self.no_named_arguments(callee, args);
                if args.len() != 1 {
                    self.error(
                        Diagnostic::error(Code::Arity, span, format!("`known` takes 1 argument, found {}", args.len()))
                            .with_help("write `known(fact)`"),
                    );
                    for arg in args {
                        self.resolve_silently(arg, None);
                    }
                    return (Ty::Bool, RExpr::Invalid);
                }
                let (_, inner) = self.infer(&args[0], None);
                self.reads_facts = true;
                (Ty::Bool, RExpr::Known(Box::new(inner)))
            }
            other => {
                let info = self.env.info(other);
                if let Some(params) = &info.action {
                    self.record(callee.span, Some(Target::Action(other.to_owned())), false, None);
                    if self.patterns {
                        return match self.action_values(callee, span, Some(args), params, false) {
                            Some(values) => (Ty::Bool, RExpr::Output(other.to_owned(), Some(values))),
                            None => (Ty::Bool, RExpr::Invalid),
                        };
                    }
                    self.error(pattern_outside_assert(callee));
                    for arg in args {
                        self.resolve_silently(arg, None);
                    }
                    return (Ty::Error, RExpr::Invalid);
                }
                self.unknown_function(callee);
                for arg in args {
                    self.infer(arg, None);
                }
                (Ty::Error, RExpr::Invalid)
            }
        }
    }

    /// `osler::unknown_function`, or in an `assert` `osler::unknown_action`
    /// when the name is close to an action's.
    fn unknown_function(&mut self, callee: &Ident) {
        let name = callee.text.as_str();
        let mut candidates: Vec<String> = vec!["count".to_owned(), "known".to_owned()];
        if self.patterns {
            candidates.extend(self.env.names(Namespace::Action));
        }
        let suggestion = closest(name, candidates.iter().map(String::as_str)).map(str::to_owned);
        let diagnostic = match suggestion.as_deref() {
            Some(action) if self.patterns && self.is_only_action(action) => {
                Diagnostic::error(Code::UnknownAction, callee.span, format!("unknown action `{name}`"))
                    .with_label("no such `action`")
            }
            _ => Diagnostic::error(Code::UnknownFunction, callee.span, format!("unknown function `{name}`"))
                .with_label("not a function"),
        };
        let otherwise = if self.patterns {
            "the functions are `count(..)` and `known(..)`; an action pattern calls a declared action"
        } else {
            "the functions are `count(..)` and `known(..)`"
        };
        self.error(with_suggestion(diagnostic, suggestion.as_deref(), otherwise));
    }

    /// Is this a bare name that only makes sense given the other side's
    /// type (a variant, not a fact or let)?
    fn is_bare_variant(&self, expr: &Expr) -> bool {
        match &expr.kind {
            ExprKind::Name(ident) => {
                let info = self.env.info(&ident.text);
                info.value_type().is_none() && !info.variant_of.is_empty()
            }
            ExprKind::Paren(inner) => self.is_bare_variant(inner),
            _ => false,
        }
    }

    fn compare(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> (Ty, RExpr) {
        let ((lt, l), (rt, r)) = if self.is_bare_variant(lhs) && !self.is_bare_variant(rhs) {
            let right = self.infer(rhs, None);
            let left = self.infer(lhs, Some(&right.0));
            (left, right)
        } else {
            let left = self.infer(lhs, None);
            let right = self.infer(rhs, Some(&left.0));
            (left, right)
        };
        let ((lt, l), (rt, r)) = self.in_one_unit((lt, l), (rt, r));
        let compare_op = match op {
            BinaryOp::Eq => CompareOp::Eq,
            BinaryOp::Ne => CompareOp::Ne,
            BinaryOp::Lt => CompareOp::Lt,
            BinaryOp::Le => CompareOp::Le,
            BinaryOp::Gt => CompareOp::Gt,
            _ => CompareOp::Ge,
        };
        self.note_peer(lhs, &rt);
        self.note_peer(rhs, &lt);
        let resolved = RExpr::Compare(compare_op, Box::new(l), Box::new(r));
        if lt.is_error() || rt.is_error() {
            return (Ty::Bool, resolved);
        }
        let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
        if ordering {
            for ty in [&lt, &rt] {
                if !matches!(ty, Ty::Number | Ty::Quantity(_) | Ty::Duration) {
                    let help = match ty {
                        Ty::Enum(_) => "enums have no order; compare with `==`, `!=` or `in {..}`",
                        _ => "order comparisons apply to numbers, quantities and durations",
                    };
                    self.error(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            op_span,
                            format!("`{}` cannot compare values of type `{ty}`", op.as_str()),
                        )
                        .with_label(format!("`{ty}` has no order"))
                        .with_help(help),
                    );
                    return (Ty::Bool, RExpr::Invalid);
                }
            }
        }
        if self.check_operands(op, op_span, (&lt, lhs), (&rt, rhs)) {
            (Ty::Bool, resolved)
        } else {
            (Ty::Bool, RExpr::Invalid)
        }
    }

    /// Reports operands whose types do not go together (units, durations,
    /// bare numbers). Returns whether they do.
    fn check_operands(&mut self, op: BinaryOp, op_span: Span, left: (&Ty, &Expr), right: (&Ty, &Expr)) -> bool {
        let (lt, lhs) = left;
        let (rt, rhs) = right;
        if lt == rt {
            return true;
        }
        let verb = if op.is_comparison() { "compare" } else { "combine" };
        let diagnostic = match (lt, rt) {
            (Ty::Quantity(a), Ty::Quantity(b)) => {
                let (da, db) = (a.dimension(), b.dimension());
                let mut help = "units convert only within one dimension (`mm` and `cm`, `mmol/L` and `umol/L`); \
                                write the threshold in the fact's own unit"
                    .to_owned();
                if [da, db] == [Dimension::MassConcentration, Dimension::SubstanceConcentration]
                    || [db, da] == [Dimension::MassConcentration, Dimension::SubstanceConcentration]
                {
                    help.push_str(
                        " (a mass concentration becomes a molar one only through the analyte's molar mass, \
                         which Osler does not guess)",
                    );
                }
                Diagnostic::error(
                    Code::UnitMismatch,
                    op_span,
                    format!(
                        "cannot {verb} a quantity in `{a}` ({}) with a quantity in `{b}` ({})",
                        da.describe(),
                        db.describe()
                    ),
                )
                .with_label(format!("`{a}` and `{b}` do not convert"))
                .with_help(help)
            }
            (Ty::Quantity(unit), Ty::Number) | (Ty::Number, Ty::Quantity(unit)) => {
                let bare = if matches!(lt, Ty::Number) { lhs } else { rhs };
                let mut diagnostic = Diagnostic::error(
                    Code::BareNumber,
                    bare.span,
                    format!("cannot {verb} a quantity in `{unit}` with a bare number"),
                )
                .with_label(format!("this number has no unit; expected `{unit}`"))
                .with_help(format!("write the unit, e.g. `50 {unit}`"));
                if let ExprKind::Number(n) = &bare.kind {
                    diagnostic = diagnostic
                        .with_help(format!("write the unit: `{} {unit}`", n.0))
                        .with_fix(format!("{} {unit}", n.0));
                }
                diagnostic
            }
            (Ty::Duration, other) | (other, Ty::Duration) if matches!(other, Ty::Number | Ty::Quantity(_)) => {
                Diagnostic::error(Code::DurationMismatch, op_span, format!("cannot {verb} a duration with `{other}`"))
                    .with_label("a duration on one side only")
                    .with_help("write a duration with its unit, e.g. `6h`, `2d`, `4w`")
            }
            _ => Diagnostic::error(
                Code::TypeMismatch,
                op_span,
                format!("`{}` cannot {verb} `{lt}` with `{rt}`", op.as_str()),
            )
            .with_label(format!("`{lt}` on the left, `{rt}` on the right"))
            .with_help("both sides must have the same type"),
        };
        self.error(diagnostic);
        false
    }

    fn arith(&mut self, op: BinaryOp, op_span: Span, lhs: &Expr, rhs: &Expr) -> (Ty, RExpr) {
        let chain = self.sum_terms.take();
        let terms = match chain {
            Some(terms) => terms,
            None if op == BinaryOp::Add => sum_terms(lhs, rhs),
            None => None,
        };
        let left_continues = op == BinaryOp::Add && matches!(lhs.kind, ExprKind::Binary { op: BinaryOp::Add, .. });
        self.sum_terms = left_continues.then(|| terms.clone());
        let (lt, l) = self.infer(lhs, None);
        self.sum_terms = None;
        let (rt, r) = self.infer(rhs, None);
        if op == BinaryOp::Div && is_literal_zero(rhs) {
            self.error(
                Diagnostic::error(Code::DivisionByZero, rhs.span, "division by zero")
                    .with_label("this is zero")
                    .with_help(
                        "a division by zero has no value: the expression would be unknown on every record; divide by a number that is not zero",
                    ),
            );
        }
        let ((lt, l), (rt, r)) = if matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Div) {
            self.in_one_unit((lt, l), (rt, r))
        } else {
            ((lt, l), (rt, r))
        };
        let arith_op = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        self.note_peer(lhs, &rt);
        self.note_peer(rhs, &lt);
        let resolved = RExpr::Arith(arith_op, Box::new(l), Box::new(r));
        if lt.is_error() || rt.is_error() {
            return (Ty::Error, resolved);
        }
        let additive = matches!(op, BinaryOp::Add | BinaryOp::Sub);
        let result = match (&lt, &rt) {
            (Ty::Number, Ty::Number) => Some(Ty::Number),
            (Ty::Quantity(a), Ty::Quantity(b)) if a == b && additive => Some(lt.clone()),
            (Ty::Quantity(a), Ty::Quantity(b)) if a == b && op == BinaryOp::Div => Some(Ty::Number),
            (Ty::Quantity(_), Ty::Number) if !additive => Some(lt.clone()),
            (Ty::Number, Ty::Quantity(_)) if op == BinaryOp::Mul => Some(rt.clone()),
            (Ty::Duration, Ty::Duration) if additive => Some(Ty::Duration),
            (Ty::Duration, Ty::Duration) if op == BinaryOp::Div => Some(Ty::Number),
            (Ty::Duration, Ty::Number) if !additive => Some(Ty::Duration),
            (Ty::Number, Ty::Duration) if op == BinaryOp::Mul => Some(Ty::Duration),
            _ => None,
        };
        if let Some(ty) = result {
            return (ty, resolved);
        }
        let numeric = |ty: &Ty| matches!(ty, Ty::Number | Ty::Quantity(_) | Ty::Duration);
        if !numeric(&lt) || !numeric(&rt) {
            let bad = if numeric(&lt) { &rt } else { &lt };
            let help = match (op, &lt, &rt, terms) {
                // Adding conditions, to count the true ones (a score).
                (BinaryOp::Add, Ty::Bool, Ty::Bool, Some(terms)) => format!(
                    "a `bool` is not a number; to count the true conditions, write `count({})`",
                    terms.join(", ")
                ),
                (_, Ty::Bool, _, _) | (_, _, Ty::Bool, _) => {
                    let condition = unparenthesized(if lt == Ty::Bool { lhs } else { rhs });
                    let example = render(condition)
                        .map_or_else(|| "`count(a, b, c)`".to_owned(), |text| format!("`count({text})`"));
                    format!(
                        "a `bool` is not a number; {example} is 1 when the condition is true and 0 when it is false"
                    )
                }
                _ => "arithmetic applies to numbers, quantities and durations".to_owned(),
            };
            self.error(
                Diagnostic::error(
                    Code::TypeMismatch,
                    op_span,
                    format!("`{}` needs numbers, found `{bad}`", op.as_str()),
                )
                .with_label(format!("`{lt}` {} `{rt}`", op.as_str()))
                .with_help(help),
            );
        } else if self.check_operands(op, op_span, (&lt, lhs), (&rt, rhs)) {
            self.error(
                Diagnostic::error(
                    Code::UnitMismatch,
                    op_span,
                    format!("`{lt}` {} `{rt}` has no meaningful unit", op.as_str()),
                )
                .with_label("unsupported unit arithmetic")
                .with_help("multiply or divide a quantity by a bare number, or add quantities of the same unit"),
            );
        }
        (Ty::Error, RExpr::Invalid)
    }

    fn in_set(&mut self, operand: &Expr, set: &[Expr], set_span: Span) -> (Ty, RExpr) {
        let (ty, inner) = self.infer(operand, None);
        let enum_name = match &ty {
            Ty::Enum(name) => name.clone(),
            Ty::Error => {
                self.resolve_set_silently(operand, set);
                return (Ty::Bool, RExpr::Invalid);
            }
            other => {
                self.resolve_set_silently(operand, set);
                self.error(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        operand.span,
                        format!("`in` needs an enum value, found `{other}`"),
                    )
                    .with_label(format!("this is `{other}`"))
                    .with_help("`x in {a, b}` tests an enum fact against some of its variants"),
                );
                return (Ty::Bool, RExpr::Invalid);
            }
        };
        if set.is_empty() {
            self.error(
                Diagnostic::error(Code::EmptySet, set_span, "`in {}` with no variants is never true")
                    .with_help("list at least one variant"),
            );
        }
        let expected = Ty::Enum(enum_name.clone());
        let mut indices = Vec::new();
        let mut valid = true;
        for item in set {
            let (item_ty, resolved) = self.infer(item, Some(&expected));
            match resolved {
                RExpr::Const(RValue::Variant(owner, index)) if owner == enum_name => indices.push(index),
                _ if item_ty.is_error() => valid = false,
                _ => {
                    valid = false;
                    self.error(
                        Diagnostic::error(
                            Code::WrongEnum,
                            item.span,
                            format!("expected a variant of `{enum_name}`, found `{item_ty}`"),
                        )
                        .with_label("not in this enum")
                        .with_help(self.variants_help(&enum_name)),
                    );
                }
            }
        }
        (Ty::Bool, if valid { RExpr::In(Box::new(inner), indices) } else { RExpr::Invalid })
    }

    /// The set of an `in` whose operand is not an enum value, resolved for
    /// the editor; the operand's peer is the set's first element.
    fn resolve_set_silently(&mut self, operand: &Expr, set: &[Expr]) {
        let mut first = None;
        for item in set {
            let ty = self.resolve_silently(item, None);
            first = first.or(ty);
        }
        if let Some(ty) = first {
            self.note_peer(operand, &ty);
        }
    }
}
