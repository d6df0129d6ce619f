//! The built-in analyses of one rule, asked without any declaration:
//! dead rules, rules always overridden, rules whose condition is never
//! false, redundant rules, provisional defaults and ineffective
//! overrides. Each question is a query of its own, over only the rules it
//! depends on.

use super::encode::{Cone, Encoder, Index, Rail};
use super::finding::{Claim, Finding, NOT_FOLLOWED, Subject};
use super::sat::Lit;
use super::search::{Answer, Query};
use crate::code::Code;
use crate::diagnostic::Severity;
use crate::model::{ActionCall, Model, RuleIndex};

/// At most this many other rules are tried as emitting a rule's action
/// too (rules reading the same facts first). A redundancy proven with
/// some of them is proven with all; one not proven is not reported.
pub const MAX_COVERERS: usize = 8;

/// A finding about `subject` with nothing but its words set.
pub(crate) fn finding(code: Code, severity: Severity, subject: Subject, message: String, label: &str) -> Finding {
    Finding {
        code,
        severity,
        subject,
        message,
        label: label.to_owned(),
        help: None,
        related: Vec::new(),
        example: None,
        candidates: Vec::new(),
        claim: None,
        approximate: false,
        silent: false,
    }
}

/// How many examples an over-approximating query offers the engine.
pub(crate) const CANDIDATES: usize = 16;

/// Sets the example of `goal` (and, when the formula over-approximates,
/// further candidates); `false` when there is none.
pub(crate) fn with_witness(
    finding: &mut Finding,
    query: &mut Query<'_>,
    goal: Lit,
    claim: Claim,
    approximate: bool,
) -> bool {
    match query.example(&[goal]) {
        Answer::Witness(example) => {
            finding.example = Some(example);
            finding.claim = Some(claim);
            finding.approximate = approximate;
            if approximate {
                finding.candidates = query.more_examples(&[goal], CANDIDATES - 1);
            }
            true
        }
        Answer::Unknown => {
            out_of_budget(finding);
            true
        }
        Answer::Never => false,
    }
}

/// Makes `finding` say that its question went unanswered: the solver's
/// budget ran out ([`super::sat::CONFLICT_BUDGET`]), so nothing is claimed.
pub(crate) fn out_of_budget(finding: &mut Finding) {
    let what = finding.message.split(": ").next().unwrap_or_default().to_owned();
    finding.code = Code::Undecided;
    finding.severity = Severity::Warning;
    finding.message =
        format!("could not prove or refute that {what}: the question is too hard for the solver's budget");
    finding.label = "undecided".to_owned();
    finding.help = Some("split the rule or property into simpler ones".to_owned());
    finding.example = None;
    finding.candidates.clear();
    finding.claim = None;
    finding.silent = false;
}

/// Every rule's candidate coverers: per call of the rule, the other rules
/// that emit it too, as [`coverers`] picks them.
pub fn all_coverers(model: &Model, index: &Index, rule: RuleIndex) -> Vec<Vec<RuleIndex>> {
    model
        .rules
        .get(rule as usize)
        .map_or(Vec::new(), |info| info.actions.iter().map(|call| coverers(model, index, rule, call)).collect())
}

/// Every built-in finding about rule `rule`, appended to `out`;
/// `coverers` per call of the rule, the other rules that may emit it too
/// ([`all_coverers`], or the same rules in a cone's model).
pub fn rule_findings(
    model: &Model,
    index: &Index,
    rule: RuleIndex,
    coverers: &[Vec<RuleIndex>],
    out: &mut Vec<Finding>,
) {
    let Some(info) = model.rules.get(rule as usize) else { return };
    let id = &info.id;
    if !condition_findings(model, index, rule, out) {
        return;
    }
    let overriders = index.overridden_by.get(rule as usize).cloned().unwrap_or_default();
    let coverers: Vec<(usize, Vec<RuleIndex>)> = coverers.iter().cloned().enumerate().collect();
    if !overriders.is_empty() && !override_findings(model, index, rule, &overriders, &coverers, out) {
        return;
    }
    if info.overrides.is_empty() && !info.actions.is_empty() {
        redundancy(model, index, rule, &coverers, out);
    }
    let _ = id;
}

/// Dead rule, always true, and (when the formula over-approximates) the
/// check that the rule can really fire. `false` when the rule is dead
/// (nothing more to ask about it).
fn condition_findings(model: &Model, index: &Index, rule: RuleIndex, out: &mut Vec<Finding>) -> bool {
    let id = &model.rules[rule as usize].id;
    let mut cone = Cone::default();
    cone.condition(model, index, rule);
    let mut encoder = Encoder::new(model, index, &cone, &[]);
    let rail = encoder.condition(rule);
    let approximate = encoder.approximate;
    let mut query = Query::new(encoder);
    match query.check(&[rail.t]) {
        Some(false) => {
            let mut dead = finding(
                Code::DeadRule,
                Severity::Warning,
                Subject::Rule(rule),
                format!("rule `{id}` can never fire: no record makes its condition true"),
                "never true",
            );
            dead.help = Some("look for thresholds or findings that contradict each other in the condition".to_owned());
            out.push(dead);
            return false;
        }
        None => {
            let mut unknown = finding(
                Code::Undecided,
                Severity::Warning,
                Subject::Rule(rule),
                format!("rule `{id}` can fire: no record makes its condition true"),
                "undecided",
            );
            out_of_budget(&mut unknown);
            out.push(unknown);
            return true;
        }
        Some(true) => {}
    }
    if approximate {
        let mut live = finding(
            Code::DeadRule,
            Severity::Warning,
            Subject::Rule(rule),
            format!("could not prove or refute that rule `{id}` can fire: {}", NOT_FOLLOWED),
            "undecided",
        );
        live.silent = true;
        if with_witness(&mut live, &mut query, rail.t, Claim::ConditionTrue(rule), true) {
            out.push(live);
        }
    }
    if query.check(&[rail.f]) == Some(false) {
        let mut always = finding(
            Code::AlwaysTrue,
            Severity::Hint,
            Subject::Rule(rule),
            format!("the condition of rule `{id}` can never be false"),
            "never false",
        );
        always.help = Some("a rule that holds for every record may be missing a finding in its condition".to_owned());
        out.push(always);
    }
    true
}

/// Always overridden, provisional default, ineffective overrides.
/// `false` when the rule never fires.
fn override_findings(
    model: &Model,
    index: &Index,
    rule: RuleIndex,
    overriders: &[RuleIndex],
    coverers: &[(usize, Vec<RuleIndex>)],
    out: &mut Vec<Finding>,
) -> bool {
    let id = &model.rules[rule as usize].id;
    let mut cone = Cone::default();
    cone.firing(model, index, rule);
    for (_, rules) in coverers {
        for &other in rules {
            cone.firing(model, index, other);
        }
    }
    let mut encoder = Encoder::new(model, index, &cone, &[]);
    let own = encoder.condition(rule);
    let fires = encoder.fires(rule);
    let rails: Vec<Rail> = overriders.iter().map(|&by| encoder.condition(by)).collect();
    let unknowns: Vec<Lit> = rails.iter().map(|rail| encoder.formula.and(&[!rail.t, !rail.f])).collect();
    // Provisional means it emits: undetermined arguments emit nothing.
    let mut goal = vec![own.t, encoder.args_known(rule)];
    goal.extend(rails.iter().map(|rail| !rail.t));
    let some_unknown = encoder.formula.or(&unknowns);
    goal.push(some_unknown);
    let provisional = encoder.formula.and(&goal);
    let uncovered = uncovered(&mut encoder, coverers);
    let edges: Vec<(Lit, Lit)> = overriders
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let both = encoder.formula.and(&[own.t, rails[i].t]);
            let mut change = vec![both, uncovered];
            change.extend(rails.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, rail)| !rail.t));
            (both, encoder.formula.and(&change))
        })
        .collect();
    let approximate = encoder.approximate;
    let mut query = Query::new(encoder);
    let names =
        overriders.iter().map(|&by| format!("`{}`", model.rules[by as usize].id)).collect::<Vec<_>>().join(", ");
    if query.check(&[fires]) == Some(false) {
        let mut never = finding(
            Code::AlwaysOverridden,
            Severity::Warning,
            Subject::Rule(rule),
            format!(
                "rule `{id}` never fires: whenever its condition is true, a rule that overrides it ({names}) is true too"
            ),
            "always overridden",
        );
        never.help = Some("remove the rule, or narrow the conditions of the rules that override it".to_owned());
        never.related = overriders.iter().map(|&by| (by, "overrides it".to_owned())).collect();
        if with_witness(&mut never, &mut query, own.t, Claim::Overridden(rule), approximate) {
            out.push(never);
        }
        return false;
    }
    let mut provisional_finding = finding(
        Code::ProvisionalDefault,
        Severity::Hint,
        Subject::Rule(rule),
        format!(
            "rule `{id}` can fire while an exception to it ({names}) is undetermined: its actions are then provisional"
        ),
        "can fire provisionally",
    );
    provisional_finding.help =
        Some("the facts that decide the exception are what to examine before acting on this rule".to_owned());
    if with_witness(&mut provisional_finding, &mut query, provisional, Claim::Provisional(rule), approximate) {
        out.push(provisional_finding);
    }
    for (i, &by) in overriders.iter().enumerate() {
        let (both, change) = edges[i];
        let by_id = &model.rules[by as usize].id;
        let subject = Subject::Override { rule, by };
        match query.check(&[both]) {
            Some(false) => {
                let mut never = finding(
                    Code::IneffectiveOverride,
                    Severity::Warning,
                    subject,
                    format!("`{by_id}` overrides `{id}`, but no record makes both conditions true"),
                    "suppresses nothing",
                );
                never.help = Some(format!("remove `{id}` from the `overrides` of `{by_id}`, or check both conditions"));
                never.related = vec![(rule, "the rule it overrides".to_owned())];
                out.push(never);
            }
            Some(true) if query.check(&[change]) == Some(false) => {
                let mut idle = finding(
                    Code::IneffectiveOverride,
                    Severity::Warning,
                    subject,
                    format!(
                        "`{by_id}` overrides `{id}`, but that never changes a record's output: whenever both are true, other rules emit every action of `{id}`"
                    ),
                    "changes no output",
                );
                idle.help = Some(format!("remove `{id}` from the `overrides` of `{by_id}`"));
                idle.related = vec![(rule, "the rule it overrides".to_owned())];
                if with_witness(&mut idle, &mut query, both, Claim::BothTrue(rule, by), approximate) {
                    out.push(idle);
                }
            }
            _ => {}
        }
    }
    true
}

/// A rule that overrides nothing and whose every action is always emitted
/// by another rule too whenever it fires.
fn redundancy(
    model: &Model,
    index: &Index,
    rule: RuleIndex,
    coverers: &[(usize, Vec<RuleIndex>)],
    out: &mut Vec<Finding>,
) {
    let info = &model.rules[rule as usize];
    if coverers.len() != info.actions.len() || coverers.iter().any(|(_, rules)| rules.is_empty()) {
        return;
    }
    let mut cone = Cone::default();
    cone.firing(model, index, rule);
    for (_, rules) in coverers {
        for &other in rules {
            cone.firing(model, index, other);
        }
    }
    let mut encoder = Encoder::new(model, index, &cone, &[]);
    let fires = encoder.emits(rule);
    let uncovered = uncovered(&mut encoder, coverers);
    let goal = encoder.formula.and(&[fires, uncovered]);
    let approximate = encoder.approximate;
    let mut query = Query::new(encoder);
    if query.check(&[goal]) != Some(false) {
        return;
    }
    let mut others: Vec<RuleIndex> = coverers.iter().flat_map(|(_, rules)| rules.iter().copied()).collect();
    others.sort_unstable();
    others.dedup();
    let names = others.iter().map(|&r| format!("`{}`", model.rules[r as usize].id)).collect::<Vec<_>>().join(", ");
    let mut redundant = finding(
        Code::RedundantRule,
        Severity::Hint,
        Subject::Rule(rule),
        format!("rule `{}` is redundant: whenever it fires, other rules ({names}) emit each of its actions", info.id),
        "redundant",
    );
    redundant.help = Some("remove it, or give it a case of its own".to_owned());
    redundant.related = others.iter().map(|&r| (r, "emits the same action".to_owned())).collect();
    if with_witness(&mut redundant, &mut query, fires, Claim::Covered(rule), approximate) {
        out.push(redundant);
    }
}

/// A literal true when some call of the rule is emitted by none of its
/// coverers (which are already in the encoder's cone).
fn uncovered(encoder: &mut Encoder<'_>, coverers: &[(usize, Vec<RuleIndex>)]) -> Lit {
    let mut missing = Vec::with_capacity(coverers.len());
    for (_, rules) in coverers {
        let fired: Vec<Lit> = rules.iter().map(|&other| encoder.emits(other)).collect();
        let covered = encoder.formula.or(&fired);
        missing.push(!covered);
    }
    encoder.formula.or(&missing)
}

/// Other rules that emit `call` exactly: at most [`MAX_COVERERS`], the
/// ones nearest to `rule` in declaration order among those whose
/// condition reads a fact `rule`'s reads, then among any. None for a call
/// with computed arguments, whose value the analysis does not follow (so
/// a rule with one is never redundant), and a computed call covers none.
pub(crate) fn coverers(model: &Model, index: &Index, rule: RuleIndex, call: &ActionCall) -> Vec<RuleIndex> {
    if call.is_computed() {
        return Vec::new();
    }
    let emits = |other: RuleIndex| {
        other != rule && model.rules.get(other as usize).is_some_and(|info| info.actions.iter().any(|c| c == call))
    };
    let support = index.support.get(rule as usize).map(Vec::as_slice).unwrap_or_default();
    let readers = |fact: u32| index.readers.get(fact as usize).map(Vec::as_slice).unwrap_or_default();
    let emitters = index.emitters.get(call.action as usize).map(Vec::as_slice).unwrap_or_default();
    pick_coverers(rule, support, &readers, emitters, &emits)
}

/// How far from a rule the search for coverers looks, per list.
const COVERER_PROBES: usize = 4 * MAX_COVERERS + 64;

/// The coverer choice itself, over plain lists (so the incremental
/// queries choose exactly as the whole-model analysis does): `readers_of`
/// a fact and `emitters` are rule lists in ascending order.
pub(crate) fn pick_coverers<'a>(
    rule: u32,
    support: &[u32],
    readers_of: &dyn Fn(u32) -> &'a [u32],
    emitters: &[u32],
    emits: &dyn Fn(u32) -> bool,
) -> Vec<u32> {
    let mut found: Vec<u32> = Vec::new();
    for &fact in support {
        nearest(readers_of(fact), rule, emits, &mut found);
    }
    if found.len() < MAX_COVERERS {
        nearest(emitters, rule, emits, &mut found);
    }
    found.sort_by_key(|&other| (other.abs_diff(rule), other));
    found.dedup();
    found.truncate(MAX_COVERERS);
    found.sort_unstable();
    found
}

/// Adds to `found` the qualifying rules of `list` nearest to `rule`
/// (at most [`MAX_COVERERS`] of them, looking at most
/// [`COVERER_PROBES`] entries on each side).
fn nearest(list: &[u32], rule: u32, emits: &dyn Fn(u32) -> bool, found: &mut Vec<u32>) {
    let at = list.partition_point(|&other| other < rule);
    let (mut below, mut above) = (at, at);
    let mut taken = 0;
    let mut probes = 0;
    while taken < MAX_COVERERS && probes < 2 * COVERER_PROBES && (below > 0 || above < list.len()) {
        probes += 1;
        let take_below = match (below.checked_sub(1).map(|i| list[i]), list.get(above)) {
            (Some(low), Some(&high)) => rule - low <= high - rule,
            (Some(_), None) => true,
            _ => false,
        };
        let other = if take_below {
            below -= 1;
            list[below]
        } else {
            above += 1;
            list[above - 1]
        };
        if emits(other) && !found.contains(&other) {
            found.push(other);
            taken += 1;
        }
    }
}
