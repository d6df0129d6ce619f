//! The whole analysis of one model: every rule's built-in findings, then
//! the asserts, then the exclusives, in declaration order. Rules are
//! independent questions, so large rulesets spread them over the
//! machine's cores (scoped threads, chunks in rule order, results joined
//! in order: the output does not depend on the number of threads).

use super::builtin::{all_coverers, rule_findings};
use super::encode::Index;
use super::finding::Finding;
use super::properties::{assert_findings, exclusive_findings};
use crate::model::Model;

/// Below this many rules the analysis runs on the calling thread.
const PARALLEL_FROM: usize = 512;

/// Every finding about `model`, before the engine confirms them.
pub fn analyze(model: &Model) -> Vec<Finding> {
    let index = Index::new(model);
    let rules = model.rules.len();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let mut out = Vec::new();
    if rules < PARALLEL_FROM || threads < 2 {
        for rule in 0..rules {
            rule_findings(model, &index, rule as u32, &all_coverers(model, &index, rule as u32), &mut out);
        }
    } else {
        let chunk = rules.div_ceil(threads * 4);
        let starts: Vec<usize> = (0..rules).step_by(chunk).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut parts: Vec<(usize, Vec<Finding>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(&start) = starts.get(at) else { break };
                            let mut found = Vec::new();
                            for rule in start..(start + chunk).min(rules) {
                                rule_findings(
                                    model,
                                    &index,
                                    rule as u32,
                                    &all_coverers(model, &index, rule as u32),
                                    &mut found,
                                );
                            }
                            done.push((start, found));
                        }
                        done
                    })
                })
                .collect();
            // A worker that panicked is a bug in the analysis: say so
            // rather than report fewer findings.
            workers
                .into_iter()
                .flat_map(|worker| match worker.join() {
                    Ok(done) => done,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        parts.sort_by_key(|(start, _)| *start);
        out.extend(parts.into_iter().flat_map(|(_, found)| found));
    }
    for assert in 0..model.asserts.len() {
        assert_findings(model, &index, assert as u32, &mut out);
    }
    for exclusive in 0..model.exclusives.len() {
        exclusive_findings(model, &index, exclusive as u32, &mut out);
    }
    out.retain(|finding| !finding.silenced(model));
    out
}
