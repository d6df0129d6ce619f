//! The arguments of action calls and action patterns: positional ones
//! first, then named ones put in their parameters' places, each parameter
//! once; typed by the parameters; constants where they must be (a test's
//! `expect`, an action pattern) and any expression of the parameter's type
//! in a rule's actions.

use super::{ExprChecker, RExpr, RValue, closest, constant_value, is_constant, not_constant, with_suggestion};
use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::{Expr, ExprKind, Ident, Span};
use crate::types::Ty;

use std::collections::HashMap;

/// The expression of an argument, named or not.
fn argument_value(arg: &Expr) -> &Expr {
    match &arg.kind {
        ExprKind::Named { value, .. } => value,
        _ => arg,
    }
}

/// Each parameter's position by name (a hostile call must not cost
/// arguments times parameters).
fn positions(params: &[(String, Ty)]) -> HashMap<&str, usize> {
    let mut positions = HashMap::with_capacity(params.len());
    for (at, (name, _)) in params.iter().enumerate() {
        positions.entry(name.as_str()).or_insert(at);
    }
    positions
}

fn arity_error(name: &str, span: Span, params: &[(String, Ty)], found: usize) -> Diagnostic {
    let signature: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
    let plural = if params.len() == 1 { "" } else { "s" };
    Diagnostic::error(Code::Arity, span, format!("`{name}` takes {} argument{plural}, found {found}", params.len()))
        .with_label(format!("`{name}({})`", signature.join(", ")))
        .with_help(format!("call it as `{name}({})`", signature.join(", ")))
}

impl ExprChecker<'_> {
    /// Checks the arguments of an action call (a rule's action, a test's
    /// `expect`, an action pattern) against the action's parameters: names
    /// (positional first, then named, each parameter once), arity, types,
    /// and, unless `computed` (a rule's actions), constants. `args` is
    /// `None` without parentheses, which needs no arguments only when
    /// `bare_needs_args` is false (a test's `expect` and a pattern match
    /// every call). Gives the resolved arguments in the parameters' order
    /// (constants folded), or `None` when something was reported (or none
    /// were written).
    pub fn action_args(
        &mut self,
        name: &Ident,
        span: Span,
        args: Option<&[Expr]>,
        params: &[(String, Ty)],
        bare_needs_args: bool,
        computed: bool,
    ) -> Option<Vec<RExpr>> {
        let Some(args) = args else {
            if bare_needs_args && !params.is_empty() {
                self.error(arity_error(&name.text, span, params, 0));
            }
            return None;
        };
        let by_name = positions(params);
        let Some(slots) = self.place_arguments(name, span, args, params, &by_name) else {
            let mut positional = 0;
            for arg in args {
                let at = match &arg.kind {
                    ExprKind::Named { name, .. } => by_name.get(name.text.as_str()).copied(),
                    _ => {
                        positional += 1;
                        Some(positional - 1)
                    }
                };
                let param = at.and_then(|at| params.get(at));
                self.resolve_silently(argument_value(arg), param.map(|(_, ty)| ty));
            }
            return None;
        };
        let mut values = Some(Vec::with_capacity(params.len()));
        for (arg, (param_name, param_ty)) in slots.into_iter().zip(params) {
            let (ty, resolved) = self.infer_as(arg, param_ty);
            if !ty.fits(param_ty) {
                self.error(
                    Diagnostic::error(
                        Code::ArgumentType,
                        arg.span,
                        format!("argument `{param_name}` of `{}` is `{param_ty}`, found `{ty}`", name.text),
                    )
                    .with_label(format!("this is `{ty}`"))
                    .with_help(format!("pass a `{param_ty}`")),
                );
                values = None;
            } else if !computed && !is_constant(&resolved) {
                self.error(not_constant(arg.span, "the arguments of an `expect` or an action pattern"));
                values = None;
            }
            let resolved = constant_value(&resolved).map_or(resolved, RExpr::Const);
            if let Some(values) = &mut values {
                values.push(resolved);
            }
        }
        values
    }

    /// The constant arguments of an action pattern or an `expect`
    /// ([`Self::action_args`] without computed arguments).
    pub fn action_values(
        &mut self,
        name: &Ident,
        span: Span,
        args: Option<&[Expr]>,
        params: &[(String, Ty)],
        bare_needs_args: bool,
    ) -> Option<Vec<RValue>> {
        let resolved = self.action_args(name, span, args, params, bare_needs_args, false)?;
        resolved.iter().map(constant_value).collect()
    }

    /// Each parameter's argument, positional ones first, then named ones
    /// put in place; `None` when something was reported: the first named
    /// argument that names no parameter, parameter given twice or
    /// positional argument after a named one, or else (the one arity
    /// check) as many arguments as parameters not given.
    fn place_arguments<'e>(
        &mut self,
        name: &Ident,
        span: Span,
        args: &'e [Expr],
        params: &[(String, Ty)],
        by_name: &HashMap<&str, usize>,
    ) -> Option<Vec<&'e Expr>> {
        let mut slots: Vec<Option<&Expr>> = vec![None; params.len()];
        let (mut ok, mut named_seen, mut positional) = (true, false, 0);
        for arg in args {
            // The first misplaced argument is reported, not every one: a
            // call of thousands of them gets one diagnostic.
            if !ok {
                break;
            }
            let ExprKind::Named { name: param, value } = &arg.kind else {
                if named_seen {
                    ok = false;
                    self.error(
                        Diagnostic::error(
                            Code::PositionalAfterNamed,
                            arg.span,
                            "a positional argument cannot follow a named one",
                        )
                        .with_label("positional, after a named argument")
                        .with_help("write the positional arguments first, or name this one too"),
                    );
                } else if let Some(slot) = slots.get_mut(positional) {
                    *slot = Some(arg);
                }
                positional += 1;
                continue;
            };
            named_seen = true;
            match by_name.get(param.text.as_str()).copied() {
                Some(at) if slots[at].is_some() => {
                    ok = false;
                    self.error(
                        Diagnostic::error(
                            Code::DuplicateArgument,
                            param.span,
                            format!("argument `{}` of `{}` is given twice", param.text, name.text),
                        )
                        .with_label("given already")
                        .with_help("give each parameter once"),
                    );
                }
                Some(at) => slots[at] = Some(value),
                None => {
                    ok = false;
                    let names = params.iter().map(|(p, _)| p.as_str());
                    let signature: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                    let diagnostic = Diagnostic::error(
                        Code::UnknownParameter,
                        param.span,
                        format!("`{}` has no parameter `{}`", name.text, param.text),
                    )
                    .with_label("not a parameter");
                    let otherwise = format!("its parameters are `{}({})`", name.text, signature.join(", "));
                    self.error(with_suggestion(diagnostic, closest(&param.text, names), &otherwise));
                }
            }
        }
        if ok && (args.len() != params.len() || slots.iter().any(Option::is_none)) {
            ok = false;
            self.error(arity_error(&name.text, span, params, args.len()));
        }
        if !ok {
            return None;
        }
        slots.into_iter().collect()
    }

    /// `osler::unknown_parameter` on each named argument of `count` or
    /// `known`, which have no parameter names.
    pub(super) fn no_named_arguments(&mut self, callee: &Ident, args: &[Expr]) {
        for arg in args {
            if let ExprKind::Named { name, .. } = &arg.kind {
                self.error(
                    Diagnostic::error(
                        Code::UnknownParameter,
                        name.span,
                        format!("`{}` takes no named arguments", callee.text),
                    )
                    .with_label("not a parameter")
                    .with_help(format!("write `{}(..)` with its arguments unnamed", callee.text)),
                );
            }
        }
    }
}
