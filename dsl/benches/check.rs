//! Checker benchmarks on a generated 10,000-rule ruleset: a full check in
//! a fresh database, and the re-check after one rule body changes.

use criterion::{Criterion, criterion_group, criterion_main};
use osler_dsl::check::ruleset_check;
use osler_dsl::db::{Database, SourceFile};
use osler_dsl::generate::{generated_rule, generated_ruleset};
use salsa::Setter as _;

fn bench(c: &mut Criterion) {
    let files = generated_ruleset(10_000);
    let mut group = c.benchmark_group("check_10k_rules");
    group.sample_size(10);
    group.bench_function("full_check_fresh_database", |b| {
        b.iter(|| {
            let checked = osler_dsl::check_sources(&files);
            assert!(!checked.has_errors());
        });
    });

    let mut db = Database::default();
    let ruleset = osler_dsl::load_ruleset(&db, &files);
    assert!(ruleset_check(&db, ruleset).is_empty());
    let file: SourceFile = ruleset.files(&db)[1];
    let original = file.text(&db).clone();
    let rule = 500;
    let before = generated_rule(rule, (rule * 5) % 50, 0);
    let mut flip = false;
    group.bench_function("recheck_after_one_rule_body_edit", |b| {
        b.iter(|| {
            flip = !flip;
            let after = generated_rule(rule, (rule * 5) % 50, usize::from(flip));
            file.set_text(&mut db).to(original.replacen(&before, &after, 1));
            assert!(ruleset_check(&db, ruleset).is_empty());
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
