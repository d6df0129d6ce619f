//! What computed action arguments do to a rule's output. A rule whose
//! condition is true and that no true rule overrides emits its actions
//! only when every computed argument is known; otherwise it is
//! undetermined and emits nothing (whom it overrides depends on its
//! condition alone). Whether an argument is known is encoded as exactly
//! as the rest (a fact's unknown literal; arithmetic is left free, as
//! elsewhere), but an argument's value is not followed: a pattern with
//! arguments (`wells(3)`) that a computed call may equal is a free literal
//! that implies the rule emits, and marks the question approximate.

use super::{Encoder, Index, Operand};
use crate::analysis::sat::{Lit, TRUE};
use crate::model::{ActionCall, Expr, Model, RuleIndex, Value};

/// Whether the computed call `call` may equal `action(args)`: the same
/// action, and its constant arguments equal to those of `args`.
fn could_match(call: &ActionCall, action: u32, args: &[Value]) -> bool {
    call.action == action
        && call.is_computed()
        && call.args.len() == args.len()
        && call.args.iter().zip(args).all(|(arg, value)| !matches!(arg, Expr::Const(v) if v != value))
}

impl Index {
    /// The rules with a computed call that may equal `action(args)`.
    pub fn computed_emitting<'a>(
        &'a self,
        model: &'a Model,
        action: u32,
        args: &'a [Value],
    ) -> impl Iterator<Item = RuleIndex> + 'a {
        self.emitters.get(action as usize).into_iter().flatten().copied().filter(move |&rule| {
            model
                .rules
                .get(rule as usize)
                .is_some_and(|info| info.actions.iter().any(|call| could_match(call, action, args)))
        })
    }
}

impl<'m> Encoder<'m> {
    /// Whether a rule emits its actions: it fires and every computed
    /// argument of its calls is known.
    pub(crate) fn emits(&mut self, rule: RuleIndex) -> Lit {
        if let Some(lit) = self.emissions.get(&rule) {
            return *lit;
        }
        let fires = self.fires(rule);
        let known = self.args_known(rule);
        let lit = if known == TRUE { fires } else { self.formula.and(&[fires, known]) };
        self.emissions.insert(rule, lit);
        lit
    }

    /// Whether the output holds `action(args)` from a rule that emits
    /// exactly that constant call (computed calls left out).
    pub(crate) fn exact_output(&mut self, action: u32, args: &[Value]) -> Lit {
        let rules: Vec<RuleIndex> = self.index.emitting(self.model, action, Some(args)).collect();
        let lits: Vec<Lit> = rules.into_iter().map(|rule| self.emits(rule)).collect();
        self.formula.or(&lits)
    }

    /// Whether every computed argument of a rule is known (`TRUE` for a
    /// rule without computed arguments).
    pub(crate) fn args_known(&mut self, rule: RuleIndex) -> Lit {
        let model = self.model;
        let mut all = Vec::new();
        for call in model.rules.get(rule as usize).map(|info| info.actions.as_slice()).unwrap_or_default() {
            for arg in call.args.iter().filter(|arg| !matches!(arg, Expr::Const(_))) {
                all.push(self.arg_known(arg));
            }
        }
        if all.is_empty() { TRUE } else { self.formula.and(&all) }
    }

    /// A free literal that implies `rule` emits: one of its computed calls
    /// has the value a pattern asks for, which the encoding does not
    /// follow.
    pub(crate) fn may_emit(&mut self, rule: RuleIndex) -> Lit {
        self.approximate = true;
        let emits = self.emits(rule);
        let lit = self.formula.var();
        self.formula.clause(&[!lit, emits]);
        lit
    }

    /// Cuts the facts of the computed arguments that a pattern
    /// `action(args)` may match at the pattern's values, so the example
    /// search can try a record on which the computed call is the pattern
    /// (`wells(score: s)` against `wells(3)`: `s = 3`).
    pub(super) fn cut_pattern(&mut self, action: u32, args: &'m [Value]) {
        let (model, index) = (self.model, self.index);
        for rule in index.computed_emitting(model, action, args) {
            let calls = model.rules.get(rule as usize).map(|info| info.actions.as_slice()).unwrap_or_default();
            for call in calls.iter().filter(|call| could_match(call, action, args)) {
                for (arg, value) in call.args.iter().zip(args) {
                    if let Operand::Fact(fact) = self.operand(arg) {
                        self.domain_mut(fact).add_constant(value);
                        continue;
                    }
                    let (mut facts, mut constants) = (Vec::new(), vec![value.clone()]);
                    self.arithmetic_parts(arg, &mut facts, &mut constants);
                    for fact in facts {
                        for constant in &constants {
                            self.domain_mut(fact).add_constant(constant);
                        }
                    }
                }
            }
        }
    }

    /// Whether the value of `arg` is known.
    fn arg_known(&mut self, arg: &'m Expr) -> Lit {
        if self.is_bool(arg) {
            let rail = self.expr(arg);
            return self.formula.or(&[rail.t, rail.f]);
        }
        match self.operand(arg) {
            Operand::Fact(fact) => match self.fact(fact) {
                Some(vars) => !vars.unknown,
                None => self.opaque(true).t,
            },
            Operand::Const(_) => TRUE,
            Operand::Count(_) => self.opaque(true).t,
            Operand::Other => {
                // Arithmetic is not followed, but with one of its facts
                // unknown it is unknown.
                let known = self.opaque(true).t;
                if let Some(facts) = self.strict_facts([arg, arg]) {
                    for fact in facts {
                        if let Some(unknown) = self.fact(fact).map(|vars| vars.unknown) {
                            self.formula.clause(&[!known, !unknown]);
                        }
                    }
                }
                known
            }
        }
    }
}
