//! Time from a one-rule edit to the edited file's published diagnostics, on
//! a workspace of 10,000 rules (100 files of 100 rules, one shared file of
//! declarations), through the real protocol in process.
//!
//! Two edits: an action argument (`6h` <-> `7h`, the rule stays valid) and
//! a typo in a condition (`fact_7` <-> `fact_7x`, an unknown fact appears
//! and disappears, so diagnostics change every time).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use osler_lsp::testing::{TestClient, position_of, uri, workspace};

const FILES: usize = 100;
const RULES_PER_FILE: usize = 100;
const FACTS: usize = 200;

fn generate() -> (PathBuf, String) {
    let mut declarations = String::from("source guide \"Guideline\" year 2026\n\naction act(within: duration)\n\n");
    for fact in 0..FACTS {
        declarations.push_str(&format!("fact fact_{fact}: bool\n"));
    }
    let mut files: Vec<(String, String)> = vec![("bench/decls.osl".to_owned(), declarations)];
    let mut edited = String::new();
    for file in 0..FILES {
        let mut text = String::new();
        for rule in 0..RULES_PER_FILE {
            let a = (rule * 7 + file) % FACTS;
            let b = (rule * 13 + file + 1) % FACTS;
            text.push_str(&format!(
                "rule r_{file}_{rule} \"Rule {file}.{rule}\":\n  fact_{a} and not fact_{b} -> act({}h)\n  cite guide\n\n",
                if file == 50 && rule == 50 { 6 } else { 1 + rule % 5 }
            ));
        }
        if file == 50 {
            edited = text.clone();
        }
        files.push((format!("bench/rules_{file:03}.osl"), text));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    (workspace("bench", &borrowed), edited)
}

fn bench_edits(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (root, text) = generate();
    let target = uri(&root.join("bench/rules_050.osl"));
    let mut client = runtime.block_on(async {
        let mut client = TestClient::start(Some(&root)).await;
        client.open(&target, 1, &text).await;
        client.diagnostics(&target, Some(1)).await;
        client
    });
    let mut version = 1;

    let argument = position_of(&text, "act(6h)", 4);
    let line = argument["line"].as_u64().unwrap_or(0) as u32;
    let column = argument["character"].as_u64().unwrap_or(0) as u32;
    c.bench_function("edit an action argument, 10k rules", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    version += 1;
                    let digit = if version % 2 == 0 { "7" } else { "6" };
                    let start = Instant::now();
                    client.edit(&target, version, ((line, column), (line, column + 1)), digit).await;
                    client.diagnostics(&target, Some(version)).await;
                    total += start.elapsed();
                    client.notifications.clear();
                }
                total
            })
        });
    });

    let condition = position_of(&text, "act(6h)", 0);
    let line = condition["line"].as_u64().unwrap_or(0) as u32;
    // `  fact_N and` : put the typo after the first fact's name.
    let first_fact_end = text.lines().nth(line as usize).and_then(|l| l.find(" and")).unwrap_or(0) as u32;
    let mut typo = false;
    c.bench_function("typo in a condition, 10k rules", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    version += 1;
                    let start = Instant::now();
                    if typo {
                        client.edit(&target, version, ((line, first_fact_end), (line, first_fact_end + 1)), "").await;
                    } else {
                        client.edit(&target, version, ((line, first_fact_end), (line, first_fact_end)), "x").await;
                    }
                    typo = !typo;
                    client.diagnostics(&target, Some(version)).await;
                    total += start.elapsed();
                    client.notifications.clear();
                }
                total
            })
        });
    });
    runtime.block_on(async {
        let _ = client.shutdown().await;
    });
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(10));
    targets = bench_edits
}
criterion_main!(benches);
