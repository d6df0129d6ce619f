//! Propositional formulas in conjunctive normal form and the SAT solver
//! that decides them. Gates are Tseitin-encoded with both directions (a
//! gate's literal is equivalent to its definition), so a formula can be
//! asked for a gate being true or false under assumptions. The solver is
//! BatSat (pure Rust, no system library, builds for wasm); each query gets
//! a fresh solver holding only the clauses of the formulas it depends on
//! (one solver shared by all queries grows with every query and slows all
//! of them). Clauses are kept flat, one buffer for the whole formula.

use batsat::{Callbacks, SolverInterface as _, SolverOpts, lbool};

/// A literal: variable `index / 2`, negated when `index` is odd.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub(crate) struct Lit(u32);

impl Lit {
    fn var(self) -> u32 {
        self.0 / 2
    }

    fn negated(self) -> bool {
        self.0 % 2 == 1
    }

    fn to_batsat(self) -> batsat::Lit {
        batsat::Lit::new(batsat::Var::unsafe_from_idx(self.var()), !self.negated())
    }
}

impl std::ops::Not for Lit {
    type Output = Lit;

    fn not(self) -> Lit {
        Lit(self.0 ^ 1)
    }
}

/// The literal that is always true (variable 0, fixed by a unit clause).
pub(crate) const TRUE: Lit = Lit(0);
/// The literal that is always false.
pub(crate) const FALSE: Lit = Lit(1);

/// A formula under construction: variables and clauses.
#[derive(Debug)]
pub(crate) struct Formula {
    vars: u32,
    /// Every clause's literals, one after the other.
    lits: Vec<Lit>,
    /// Where each clause ends in `lits`.
    ends: Vec<u32>,
}

impl Default for Formula {
    fn default() -> Formula {
        let mut formula = Formula { vars: 1, lits: Vec::new(), ends: Vec::new() };
        formula.push(&[TRUE]);
        formula
    }
}

impl Formula {
    /// A fresh variable's positive literal.
    pub(crate) fn var(&mut self) -> Lit {
        let lit = Lit(self.vars * 2);
        self.vars += 1;
        lit
    }

    /// Adds a clause as it is.
    fn push(&mut self, lits: &[Lit]) {
        self.lits.extend_from_slice(lits);
        self.ends.push(self.lits.len() as u32);
    }

    /// Adds the clause `lits[0] or lits[1] or ..`.
    pub(crate) fn clause(&mut self, lits: &[Lit]) {
        if lits.contains(&TRUE) {
            return;
        }
        self.lits.extend(lits.iter().copied().filter(|&lit| lit != FALSE));
        self.ends.push(self.lits.len() as u32);
    }

    /// The clauses, each a slice of literals.
    fn clauses(&self) -> impl Iterator<Item = &[Lit]> {
        let mut start = 0usize;
        self.ends.iter().map(move |&end| {
            let clause = self.lits.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            clause
        })
    }

    /// A literal equivalent to the conjunction of `lits`.
    pub(crate) fn and(&mut self, lits: &[Lit]) -> Lit {
        let mut kept: Vec<Lit> = Vec::with_capacity(lits.len());
        for &lit in lits {
            if lit == FALSE {
                return FALSE;
            }
            if lit != TRUE {
                kept.push(lit);
            }
        }
        kept.sort_unstable();
        kept.dedup();
        if kept.windows(2).any(|pair| pair[0] == !pair[1]) {
            return FALSE;
        }
        match kept.as_slice() {
            [] => TRUE,
            [one] => *one,
            _ => {
                let gate = self.var();
                // gate -> each; all -> gate.
                for &lit in &kept {
                    self.push(&[!gate, lit]);
                }
                self.lits.extend(kept.iter().map(|&lit| !lit));
                self.lits.push(gate);
                self.ends.push(self.lits.len() as u32);
                gate
            }
        }
    }

    /// A literal equivalent to the disjunction of `lits`.
    pub(crate) fn or(&mut self, lits: &[Lit]) -> Lit {
        let negated: Vec<Lit> = lits.iter().map(|&lit| !lit).collect();
        !self.and(&negated)
    }

    /// Exactly one of `lits` is true: at least one, and at most one by the
    /// sequential (ladder) encoding, linear in the number of literals.
    pub(crate) fn exactly_one(&mut self, lits: &[Lit]) {
        self.clause(lits);
        if lits.len() <= 4 {
            for (i, &a) in lits.iter().enumerate() {
                for &b in &lits[i + 1..] {
                    self.push(&[!a, !b]);
                }
            }
            return;
        }
        // `seen` is true when one of the literals so far is.
        let mut seen = lits[0];
        for &lit in &lits[1..] {
            self.push(&[!seen, !lit]);
            let next = self.var();
            self.push(&[!seen, next]);
            self.push(&[!lit, next]);
            seen = next;
        }
    }
}

/// How many clauses one solve may learn (about one per conflict) before
/// it gives up: a question this hard gets no answer, and nothing is
/// claimed from it. The questions of real rulesets take a handful.
pub(crate) const CONFLICT_BUDGET: u64 = 200_000;

/// Stops a solve that has learnt more than [`CONFLICT_BUDGET`] clauses.
#[derive(Default)]
struct Budget {
    learnt: u64,
}

impl Callbacks for Budget {
    fn on_start(&mut self) {
        self.learnt = 0;
    }

    fn on_new_clause(&mut self, _clause: &[batsat::Lit], _kind: batsat::ClauseKind) {
        self.learnt += 1;
    }

    fn stop(&self) -> bool {
        self.learnt > CONFLICT_BUDGET
    }
}

/// A solver loaded with one formula, asked under assumptions.
pub(crate) struct Solver {
    inner: batsat::Solver<Budget>,
    /// Whether the last solve was satisfiable (values readable).
    sat: bool,
    /// Reused for the assumptions of each solve.
    buffer: Vec<batsat::Lit>,
}

impl std::fmt::Debug for Solver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Solver").field("sat", &self.sat).finish()
    }
}

impl Solver {
    /// A solver holding `formula`'s clauses.
    pub(crate) fn new(formula: &Formula) -> Solver {
        let mut inner = batsat::Solver::new(SolverOpts::default(), Budget::default());
        for _ in 0..formula.vars {
            inner.new_var_default();
        }
        let mut buffer = Vec::new();
        for clause in formula.clauses() {
            buffer.clear();
            buffer.extend(clause.iter().map(|lit| lit.to_batsat()));
            // `false` only says the clauses are already contradictory,
            // which the next solve reports as unsatisfiable.
            let _ = inner.add_clause_reuse(&mut buffer);
        }
        Solver { inner, sat: false, buffer: Vec::new() }
    }

    /// A new variable, beyond the formula's.
    pub(crate) fn fresh(&mut self) -> Lit {
        let var = self.inner.new_var_default();
        Lit(var.idx() * 2)
    }

    /// Adds a clause to the loaded formula. Guard it with a [`Solver::fresh`]
    /// literal (`!guard` in the clause, `guard` assumed) when it must not
    /// hold for later questions.
    pub(crate) fn add_clause(&mut self, lits: &[Lit]) {
        let mut clause: Vec<batsat::Lit> = lits.iter().map(|lit| lit.to_batsat()).collect();
        let _ = self.inner.add_clause_reuse(&mut clause);
    }

    /// Whether the formula holds together with `assumptions`: `Some(true)`
    /// satisfiable, `Some(false)` unsatisfiable, `None` when the solver
    /// gave no answer (then nothing may be claimed).
    pub(crate) fn solve(&mut self, assumptions: &[Lit]) -> Option<bool> {
        self.buffer.clear();
        self.buffer.extend(assumptions.iter().map(|lit| lit.to_batsat()));
        let result = self.inner.solve_limited(&self.buffer);
        let answer = if result == lbool::TRUE {
            Some(true)
        } else if result == lbool::FALSE {
            Some(false)
        } else {
            None
        };
        self.sat = answer == Some(true);
        answer
    }

    /// The value of `lit` in the last satisfying assignment (false when
    /// the last solve was not satisfiable).
    pub(crate) fn value(&self, lit: Lit) -> bool {
        self.sat && self.inner.value_lit(lit.to_batsat()) == lbool::TRUE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_are_equivalences() {
        let mut formula = Formula::default();
        let (a, b) = (formula.var(), formula.var());
        let both = formula.and(&[a, b]);
        let either = formula.or(&[a, b]);
        let mut solver = Solver::new(&formula);
        assert_eq!(solver.solve(&[both, !a]), Some(false));
        assert_eq!(solver.solve(&[!both, a, b]), Some(false));
        assert_eq!(solver.solve(&[either, !a, !b]), Some(false));
        assert_eq!(solver.solve(&[!either, a]), Some(false));
        assert_eq!(solver.solve(&[either, !a]), Some(true));
        assert!(solver.value(b));
        assert_eq!(formula.and(&[a, !a]), FALSE);
        assert_eq!(formula.or(&[]), FALSE);
        assert_eq!(formula.and(&[]), TRUE);
    }

    #[test]
    fn exactly_one_excludes_pairs_and_none() {
        let mut formula = Formula::default();
        let lits = [formula.var(), formula.var(), formula.var()];
        formula.exactly_one(&lits);
        let mut solver = Solver::new(&formula);
        assert_eq!(solver.solve(&[lits[0], lits[2]]), Some(false));
        assert_eq!(solver.solve(&[!lits[0], !lits[1], !lits[2]]), Some(false));
        assert_eq!(solver.solve(&[!lits[0], !lits[1]]), Some(true));
        assert!(solver.value(lits[2]));
    }
}
