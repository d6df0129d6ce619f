//! Requests on a document whose rule is one line of 80,000 action calls
//! (`x -> a, a, a, …`), through the real protocol in process: semantic
//! tokens (a position per token) and formatting (the dsl formatter, one
//! edit). Position conversion must stay linear in the document, not in
//! tokens × line length.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use osler_lsp::testing::{TestClient, uri, workspace};
use serde_json::json;

const ACTIONS: usize = 80_000;

/// The rule's line is not in the canonical layout (`a,a` without spaces
/// after the first calls), so formatting answers with an edit.
fn generate() -> String {
    let mut text = String::from("source guide \"Guideline\" year 2026\nfact x: bool\naction a\n\nrule r \"R\": x -> a");
    for index in 1..ACTIONS {
        text.push_str(if index < 10 { ",a" } else { ", a" });
    }
    text.push_str(" cite guide\n");
    text
}

fn bench_long_line(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = generate();
    let root = workspace("bench-long-line", &[("long/rules.osl", &text)]);
    let target = uri(&root.join("long/rules.osl"));
    let mut client = runtime.block_on(async {
        let mut client = TestClient::start(Some(&root)).await;
        client.open(&target, 1, &text).await;
        client.diagnostics(&target, Some(1)).await;
        client
    });
    let mut timed = |name: &str, method: &'static str, params: serde_json::Value, check: fn(&serde_json::Value)| {
        c.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                runtime.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        let start = Instant::now();
                        let result = client.request(method, params.clone()).await;
                        total += start.elapsed();
                        check(&result);
                        client.notifications.clear();
                    }
                    total
                })
            });
        });
    };
    timed(
        "semantic tokens, one 80,000-action line",
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": target } }),
        |result| assert!(result["data"].as_array().is_some_and(|d| d.len() > 5 * ACTIONS), "{result:.200}"),
    );
    timed(
        "formatting, one 80,000-action line",
        "textDocument/formatting",
        json!({ "textDocument": { "uri": target }, "options": { "tabSize": 2, "insertSpaces": true } }),
        |result| assert!(result.as_array().is_some_and(|edits| edits.len() == 1), "{result:.200}"),
    );
    runtime.block_on(async {
        let _ = client.shutdown().await;
    });
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(10));
    targets = bench_long_line
}
criterion_main!(benches);
