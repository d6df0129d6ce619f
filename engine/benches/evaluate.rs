//! Per-record evaluation: a generated ruleset of about twenty typical rules
//! (and the leg-pain ruleset when it checks clean), on records already
//! read into slots. Measures evaluation alone, and evaluation plus the
//! output line.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use osler_engine::{Explain, Record, Ruleset};

fn records(ruleset: &Ruleset, count: u64) -> Vec<Record> {
    let mut rng = common::Rng(0x9e37_79b9_7f4a_7c15);
    (0..count)
        .filter_map(|id| {
            let mut text = String::new();
            common::record(&mut rng, id, &mut text);
            ruleset.read_json(&text).ok()
        })
        .collect()
}

fn bench_ruleset(c: &mut Criterion, name: &str, ruleset: &Ruleset, records: &[Record]) {
    let mut group = c.benchmark_group(format!("evaluate/{name}"));
    group.throughput(Throughput::Elements(records.len() as u64));
    let mut evaluator = ruleset.evaluator();
    group.bench_function("evaluate", |b| {
        b.iter(|| {
            let mut actions = 0;
            for record in records {
                actions += evaluator.evaluate(black_box(record)).expect("a record of this ruleset").action_count();
            }
            actions
        })
    });
    let mut line = Vec::with_capacity(1 << 16);
    group.bench_function("evaluate_and_write_line", |b| {
        b.iter(|| {
            for record in records {
                line.clear();
                evaluator.evaluate(black_box(record)).expect("a record of this ruleset").write_json_line(&mut line);
            }
            line.len()
        })
    });
    // The batch's path: evaluate as far as the line shows, at each level.
    for level in [Explain::None, Explain::Brief, Explain::Full] {
        group.bench_function(format!("write_line_{level}"), |b| {
            b.iter(|| {
                for record in records {
                    line.clear();
                    evaluator
                        .write_json_line_at(black_box(record), level, &mut line)
                        .expect("a record of this ruleset");
                }
                line.len()
            })
        });
    }
    group.finish();
}

fn evaluation(c: &mut Criterion) {
    let generated = match Ruleset::from_sources(&[("generated.osl".to_owned(), common::RULES.to_owned())]) {
        Ok(ruleset) => ruleset,
        Err(error) => panic!("the generated ruleset does not check: {error}"),
    };
    let sample = records(&generated, 1_000);
    bench_ruleset(c, "generated_20_rules", &generated, &sample);

    let leg_pain = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rulesets/leg_pain");
    if let Ok(ruleset) = Ruleset::from_path(&leg_pain) {
        // The leg-pain facts are a superset of the generated ones by name
        // where they overlap; records carry what matches.
        let sample = records(&ruleset, 1_000);
        bench_ruleset(c, "leg_pain", &ruleset, &sample);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = evaluation
}
criterion_main!(benches);
