//! Asking one query's formula questions, and finding its canonical
//! example: the record that shows a finding, with as few known facts as
//! possible and the same record for the same meaning whatever the solver
//! did. Facts are fixed in declaration order; each is first tried unknown,
//! then its regions in order (bools `true` before `false`, enum variants
//! in declaration order, numbers from low to high), and the first choice
//! under which the goal still holds is kept. So every known fact in the
//! example is needed: made unknown (the others kept), the goal fails.

use super::encode::Encoder;
use super::sat::{Lit, Solver};
use crate::model::{FactIndex, Value};

/// The answer to "can the goal hold?".
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum Answer {
    /// No record makes the goal hold (a proof, also when the formula
    /// over-approximates).
    Never,
    /// This record makes it hold: `(fact, value)` in fact order, unknown
    /// facts left out. A candidate only, when the formula over-approximates.
    Witness(Vec<(FactIndex, Value)>),
    /// The solver gave no answer.
    Unknown,
}

/// One query: a finished formula and its solver.
#[derive(Debug)]
pub(crate) struct Query<'m> {
    pub encoder: Encoder<'m>,
    solver: Solver,
    /// The choice literals of the last example, to block it.
    last: Vec<Lit>,
}

impl<'m> Query<'m> {
    /// Freezes the encoder's formula into a solver. Every literal asked
    /// about must have been encoded before.
    pub(crate) fn new(encoder: Encoder<'m>) -> Query<'m> {
        let solver = Solver::new(&encoder.formula);
        Query { encoder, solver, last: Vec::new() }
    }

    /// Whether the goal can hold.
    pub(crate) fn check(&mut self, goal: &[Lit]) -> Option<bool> {
        self.solver.solve(goal)
    }

    /// Whether the goal can hold, and if it can the canonical example.
    pub(crate) fn example(&mut self, goal: &[Lit]) -> Answer {
        match self.solver.solve(goal) {
            Some(false) => return Answer::Never,
            None => return Answer::Unknown,
            Some(true) => {}
        }
        // Per fact, the choices in canonical order: unknown, then regions;
        // for a numeric fact also its `at_least` ladder, to bisect.
        let facts: Vec<(FactIndex, Vec<Lit>, Vec<Lit>)> = self
            .encoder
            .encoded_facts()
            .map(|(fact, vars)| {
                let mut choices = vec![vars.unknown];
                choices.extend(&vars.regions);
                (fact, choices, vars.at_least.clone())
            })
            .collect();
        let read = |solver: &Solver| -> Vec<usize> {
            facts.iter().map(|(_, choices, _)| choices.iter().position(|&lit| solver.value(lit)).unwrap_or(0)).collect()
        };
        let mut model = read(&self.solver);
        let mut assumptions: Vec<Lit> = goal.to_vec();
        let mut chosen = Vec::with_capacity(facts.len());
        for (position, (_, choices, at_least)) in facts.iter().enumerate() {
            let current = model[position];
            let pick = if current == 0 {
                0
            } else if at_least.is_empty() || current <= 2 {
                match self.first_choice(&mut assumptions, &choices[..current]) {
                    Some(Some(choice)) => choice,
                    Some(None) => current,
                    None => return Answer::Unknown,
                }
            } else {
                match self.first_choice(&mut assumptions, &choices[..1]) {
                    Some(Some(_)) => 0,
                    Some(None) => match self.first_region(&mut assumptions, choices[0], at_least, current - 1) {
                        Some(region) => region + 1,
                        None => return Answer::Unknown,
                    },
                    None => return Answer::Unknown,
                }
            };
            assumptions.push(choices[pick]);
            if pick != current {
                // Refresh the model so it agrees with every choice so far.
                match self.solver.solve(&assumptions) {
                    Some(true) => model = read(&self.solver),
                    _ => return Answer::Unknown,
                }
            }
            chosen.push(pick);
        }
        self.last = facts.iter().zip(&chosen).map(|((_, choices, _), &pick)| choices[pick]).collect();
        let mut example = Vec::new();
        for ((fact, _, _), &pick) in facts.iter().zip(&chosen) {
            if pick == 0 {
                continue;
            }
            let domain = self.encoder.fact(*fact).map(|vars| vars.domain.clone());
            match domain.and_then(|domain| domain.value(pick - 1)) {
                Some(value) => example.push((*fact, value)),
                None => return Answer::Unknown,
            }
        }
        Answer::Witness(example)
    }

    /// The first of `choices` under which the goal still holds with
    /// `assumptions`: `Some(None)` when none does, `None` when the solver
    /// gave no answer.
    fn first_choice(&mut self, assumptions: &mut Vec<Lit>, choices: &[Lit]) -> Option<Option<usize>> {
        for (choice, &lit) in choices.iter().enumerate() {
            assumptions.push(lit);
            let answer = self.solver.solve(assumptions);
            assumptions.pop();
            if answer? {
                return Some(Some(choice));
            }
        }
        Some(None)
    }

    /// The lowest region of a known numeric fact under which the goal holds
    /// with `assumptions`, knowing that region `known_good` does: bisects
    /// on "the value lies at or below region k", which only grows with k.
    fn first_region(
        &mut self,
        assumptions: &mut Vec<Lit>,
        unknown: Lit,
        at_least: &[Lit],
        known_good: usize,
    ) -> Option<usize> {
        let (mut low, mut high) = (0, known_good);
        while low < high {
            let middle = (low + high) / 2;
            assumptions.push(!unknown);
            assumptions.push(!*at_least.get(middle + 1)?);
            let answer = self.solver.solve(assumptions);
            assumptions.truncate(assumptions.len() - 2);
            if answer? {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        Some(low)
    }

    /// Up to `limit` further examples after the one [`Query::example`]
    /// found, each the canonical example once the ones before it are
    /// excluded. For over-approximating formulas, whose first example may
    /// not be real: the engine tries them in order.
    pub(crate) fn more_examples(&mut self, goal: &[Lit], limit: usize) -> Vec<Vec<(FactIndex, Value)>> {
        let mut out = Vec::new();
        // The blocking clauses hold only under `guard`, so later questions
        // to this solver see the formula unchanged.
        let guard = self.solver.fresh();
        let mut guarded = goal.to_vec();
        guarded.push(guard);
        while out.len() < limit && !self.last.is_empty() {
            let mut block: Vec<Lit> = self.last.iter().map(|&lit| !lit).collect();
            block.push(!guard);
            self.solver.add_clause(&block);
            self.last.clear();
            match self.example(&guarded) {
                Answer::Witness(example) => out.push(example),
                Answer::Never | Answer::Unknown => break,
            }
        }
        out
    }
}
