//! Analysis benchmarks: the whole analysis of the shipped ruleset
//! (`rulesets/leg_pain`), every built-in per-rule analysis of a generated
//! 10,000-rule ruleset, and the incremental re-analysis after one rule of
//! it changes (what the language server does on an edit: re-check, then
//! re-analyse).

use criterion::{Criterion, criterion_group, criterion_main};
use osler_dsl::analysis::{analyze, ruleset_findings};
use osler_dsl::check::ruleset_check;
use osler_dsl::db::{Database, SourceFile};
use osler_dsl::generate::{generated_rule, generated_ruleset};
use salsa::Setter as _;

fn leg_pain() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../rulesets/leg_pain");
    let mut files: Vec<(String, String)> = std::fs::read_dir(root)
        .expect("rulesets/leg_pain")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "osl"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("readable")))
        .collect();
    files.sort();
    files
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);

    let model = osler_dsl::check_sources(&leg_pain()).model.expect("leg_pain checks");
    group.bench_function("leg_pain_full", |b| b.iter(|| analyze(&model)));

    let files = generated_ruleset(10_000);
    let model = osler_dsl::check_sources(&files).model.expect("the generated ruleset checks");
    group.bench_function("generated_10k_all_rules", |b| b.iter(|| analyze(&model)));

    let mut db = Database::default();
    let ruleset = osler_dsl::load_ruleset(&db, &files);
    assert!(!ruleset_findings(&db, ruleset).is_empty());
    let rule = 500;
    let before = generated_rule(rule, (rule * 5) % 50, 0);
    let file: SourceFile =
        *ruleset.files(&db).iter().find(|file| file.text(&db).contains(&before)).expect("the file of rule 500");
    let original = file.text(&db).clone();
    let mut flip = false;
    group.bench_function("generated_10k_edit_one_rule_recheck_and_reanalyse", |b| {
        b.iter(|| {
            flip = !flip;
            let after = generated_rule(rule, (rule * 5) % 50, usize::from(flip));
            file.set_text(&mut db).to(original.replacen(&before, &after, 1));
            assert!(ruleset_check(&db, ruleset).is_empty());
            ruleset_findings(&db, ruleset).len()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
