//! Ranks the facts to examine next ([`Evaluation::examine`]) from an
//! evaluation's undetermined rules and pending actions.
//!
//! A fact in the missing list of an undetermined rule could bring that
//! rule's calls the output does not hold yet; a fact that could decide a
//! pending action's exception could cancel it. Facts are ranked by the
//! most consequential thing they could do (the best rank under the
//! ruleset's `priority`), then by how many distinct things, then in
//! declaration order; at most [`MAX_EXAMINE`] are kept, each with what it
//! could do, most consequential first (rank, then the shortest deadline,
//! then the order of [`Could`]).
//!
//! This runs on every record of a batch, so it avoids sorting the
//! `(fact, could)` pairs: each distinct thing is visited once, its facts
//! deduplicated with a stamp, while per-fact counters keep the rank and
//! the count; only the kept facts' calls are placed (into ranges sized
//! by those counts) and sorted, each range on its own. A thing is a
//! `u32` key whose order is its consequence: what could be brought has
//! its static place in [`Program::bring_order`]; what could be cancelled
//! follows, in the order of this record's pending entries sorted by the
//! same measure.

use crate::evaluation::{Could, Evaluation, ExamineEntry, MAX_EXAMINE};
use crate::program::{InstanceId, Program, RuleCall, RuleId, SlotId};

/// Per fact, what the ranking has gathered of it on this record.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    /// The stamp of the last call it was counted for, so a fact that
    /// decides two producers of one call counts once.
    stamp: u32,
    /// How many distinct things it could do (0: not met on this record);
    /// while the kept facts' calls are placed, the next free position.
    count: u32,
    /// The best rank under `priority` among them.
    best: u32,
    /// 1 + its position among the kept facts (0: not kept).
    place: u32,
}

/// Reusable buffers of the ranking, sized for one program (see
/// [`Ranking::new`]); every per-record mark is a stamp or is reset from
/// the list of what was touched, so a record clears nothing else.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ranking {
    /// Per instance with several producers, the record epoch at which
    /// its facts were gathered.
    instance_seen: Vec<u32>,
    tallies: Vec<Tally>,
    stamp: u32,
    /// The facts met on this record, to rank and then reset.
    touched: Vec<u32>,
    /// Every distinct `(fact, key)` pair, in the order met.
    pairs: Vec<(u32, u32)>,
    /// The kept facts' keys, placed fact by fact and sorted.
    placed: Vec<u32>,
    /// This record's pending entries, `(rank, first duration argument,
    /// position in the output)`, sorted: the key of the i-th is
    /// `bring_order.len() + i`.
    cancels: Vec<(u32, f64, u32)>,
    /// `(template, rule)` of the undetermined rules' computed calls.
    templates: Vec<(u32, u32)>,
    /// `(best rank, u32::MAX - count, fact)` of the facts being ranked.
    ranked: Vec<(u32, u32, u32)>,
}

impl Ranking {
    pub(crate) fn new(program: &Program) -> Ranking {
        Ranking {
            instance_seen: vec![0; program.instances.len()],
            tallies: vec![Tally::default(); program.facts.len()],
            ..Ranking::default()
        }
    }

    /// Whether the buffers were sized for `program`.
    pub(crate) fn fits(&self, program: &Program) -> bool {
        self.instance_seen.len() == program.instances.len() && self.tallies.len() == program.facts.len()
    }

    /// Forgets the epoch marks, when the record epoch wraps around.
    pub(crate) fn forget_epochs(&mut self) {
        self.instance_seen.fill(0);
    }

    /// A fresh stamp for deduplicating one thing's facts.
    fn next_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.tallies.iter_mut().for_each(|tally| tally.stamp = 0);
            self.stamp = 1;
        }
    }

    /// Counts the thing `key` (of rank `rank`) for each fact of `facts`;
    /// with `dedup`, only for those not yet counted under the current
    /// stamp (one rule's missing facts never repeat, so a thing with one
    /// source needs no stamp).
    #[inline]
    fn add(&mut self, facts: &[u32], key: u32, rank: u32, dedup: bool) {
        for &slot in facts {
            let tally = &mut self.tallies[slot as usize];
            if dedup {
                if tally.stamp == self.stamp {
                    continue;
                }
                tally.stamp = self.stamp;
            }
            if tally.count == 0 {
                self.touched.push(slot);
                tally.best = rank;
            }
            tally.count += 1;
            tally.best = tally.best.min(rank);
            self.pairs.push((slot, key));
        }
    }
}

/// Fills `result.examine` and `result.examine_calls` (see the module
/// notes). `instance_marks[i] == epoch` marks the program instances the
/// output holds; `exception_missing` holds the missing facts of pending
/// exceptions that are not undetermined themselves. (Not inlined: it runs
/// once per record, and profiles then show its cost apart.)
#[inline(never)]
pub(crate) fn rank(
    program: &Program,
    result: &mut Evaluation,
    instance_marks: &[u32],
    epoch: u32,
    exception_missing: &[(RuleId, u32, u32)],
    ranking: &mut Ranking,
) {
    ranking.pairs.clear();
    gather_bring(program, result, instance_marks, epoch, ranking);
    if !program.computed_rules.is_empty() {
        gather_computed(program, result, ranking);
    }
    if !result.pending.is_empty() {
        gather_cancel(program, result, exception_missing, ranking);
    }
    if !ranking.pairs.is_empty() {
        keep_most_consequential(ranking);
        place(program, result, ranking);
    }
    for &slot in &ranking.touched {
        let tally = &mut ranking.tallies[slot as usize];
        tally.count = 0;
        tally.place = 0;
    }
    ranking.touched.clear();
}

/// The missing facts of an undetermined rule, or none.
fn missing_of(result: &Evaluation, rule: u32) -> &[u32] {
    match result.undetermined.binary_search_by_key(&RuleId(rule), |entry| entry.0) {
        Ok(found) => {
            let (_, start, end) = result.undetermined[found];
            &result.missing[start as usize..end as usize]
        }
        Err(_) => &[],
    }
}

/// The calls of undetermined rules that the output does not hold: each
/// instance once, with the missing facts of all its undetermined
/// producers.
fn gather_bring(program: &Program, result: &Evaluation, instance_marks: &[u32], epoch: u32, ranking: &mut Ranking) {
    for &(rule, start, end) in &result.undetermined {
        if start == end {
            continue;
        }
        let facts = &result.missing[start as usize..end as usize];
        for &instance in &program.rule(rule).instances {
            let index = instance as usize;
            if instance_marks[index] == epoch {
                continue;
            }
            let id = InstanceId(instance);
            let call = program.call(id);
            let producers = &program.instance(id).rules;
            if producers.len() == 1 {
                ranking.add(facts, call.key, call.rank, false);
                continue;
            }
            if ranking.instance_seen[index] == epoch {
                continue;
            }
            ranking.instance_seen[index] = epoch;
            ranking.next_stamp();
            for &producer in producers {
                let facts = if producer == rule.0 { facts } else { missing_of(result, producer) };
                ranking.add(facts, call.key, call.rank, true);
            }
        }
    }
}

/// The computed calls of undetermined rules, each template once (`wells(?)`
/// whichever rules could make it).
fn gather_computed(program: &Program, result: &Evaluation, ranking: &mut Ranking) {
    ranking.templates.clear();
    for &(rule, _, _) in &result.undetermined {
        for call in &program.rule(rule).calls {
            if let RuleCall::Computed(index) = *call {
                ranking.templates.push((program.computed_calls[index as usize].template, rule.0));
            }
        }
    }
    ranking.templates.sort_unstable();
    ranking.templates.dedup();
    for position in 0..ranking.templates.len() {
        let (template, rule) = ranking.templates[position];
        if position == 0 || ranking.templates[position - 1].0 != template {
            ranking.next_stamp();
        }
        let call = &program.computed_calls[template as usize];
        ranking.add(missing_of(result, rule), call.key, call.rank, true);
    }
}

/// The pending entries' exceptions: a fact that decides one could cancel
/// the entry.
fn gather_cancel(
    program: &Program,
    result: &Evaluation,
    exception_missing: &[(RuleId, u32, u32)],
    ranking: &mut Ranking,
) {
    ranking.cancels.clear();
    for (position, entry) in (0u32..).zip(&result.actions) {
        if entry.pending.0 != entry.pending.1 {
            let call = result.call(program, entry.instance);
            ranking.cancels.push((call.rank, call.within, position));
        }
    }
    ranking.cancels.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
    let first = program.bring_order.len() as u32;
    for index in 0..ranking.cancels.len() {
        let (rank, _, position) = ranking.cancels[index];
        ranking.next_stamp();
        let entry = &result.actions[position as usize];
        for &exception in &result.pending[entry.pending.0 as usize..entry.pending.1 as usize] {
            let facts = match exception_missing.iter().find(|entry| entry.0 == exception) {
                Some(&(_, start, end)) => &result.missing[start as usize..end as usize],
                None => missing_of(result, exception.0),
            };
            ranking.add(facts, first + index as u32, rank, true);
        }
    }
}

/// Keeps in `ranking.ranked` the [`MAX_EXAMINE`] most consequential facts,
/// in order.
fn keep_most_consequential(ranking: &mut Ranking) {
    let Ranking { touched, tallies, ranked, .. } = ranking;
    ranked.clear();
    ranked.extend(touched.iter().map(|&slot| {
        let tally = &tallies[slot as usize];
        (tally.best, u32::MAX - tally.count, slot)
    }));
    if ranked.len() > MAX_EXAMINE {
        keep_first(ranked);
    }
    if ranked.len() > 1 {
        ranked.sort_unstable();
    }
}

/// Keeps the [`MAX_EXAMINE`] least of `ranked`, in any order (rare in a
/// batch: out of the common path's code).
#[cold]
#[inline(never)]
fn keep_first(ranked: &mut Vec<(u32, u32, u32)>) {
    ranked.select_nth_unstable(MAX_EXAMINE - 1);
    ranked.truncate(MAX_EXAMINE);
}

/// Places the kept facts' keys, one range per fact sized by its count,
/// sorts each range (most consequential first: what it could bring, then
/// what it could cancel) and writes what they name to
/// `result.examine_calls`.
fn place(program: &Program, result: &mut Evaluation, ranking: &mut Ranking) {
    let Ranking { tallies, pairs, placed, ranked, cancels, .. } = ranking;
    let mut next = 0u32;
    for (place, &(_, _, slot)) in (1u32..).zip(ranked.iter()) {
        let tally = &mut tallies[slot as usize];
        let count = tally.count;
        result.examine.push(ExamineEntry { slot: SlotId(slot), calls: (next, next, next + count) });
        tally.count = next;
        tally.place = place;
        next += count;
    }
    placed.clear();
    placed.resize(next as usize, 0);
    for &(slot, key) in pairs.iter() {
        let tally = &mut tallies[slot as usize];
        if tally.place != 0 {
            placed[tally.count as usize] = key;
            tally.count += 1;
        }
    }
    let first = program.bring_order.len() as u32;
    let instances = program.instances.len() as u32;
    for entry in &mut result.examine {
        let (start, _, end) = entry.calls;
        let range = &mut placed[start as usize..end as usize];
        if range.len() > 1 {
            range.sort_unstable();
        }
        entry.calls.1 = start + range.partition_point(|&key| key < first) as u32;
    }
    result.examine_calls.extend(placed.iter().map(|&key| match key.checked_sub(first) {
        None => match program.bring_order[key as usize] {
            thing if thing < instances => Could::Bring(InstanceId(thing)),
            thing => Could::Computed(thing - instances),
        },
        Some(cancel) => Could::Cancel(cancels[cancel as usize].2),
    }));
}
