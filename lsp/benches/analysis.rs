//! Time from a one-rule edit in `rulesets/leg_pain` to the edited file's
//! diagnostics with the analysis findings (the checker's diagnostics are
//! published first, then the findings, confirmed by the engine), through
//! the real protocol in process.
//!
//! The edit toggles an action argument (`emergency(6h)` <-> `7h`): the rule
//! stays valid and the file keeps its findings, so every edit re-checks,
//! re-analyses and re-publishes it.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use osler_lsp::testing::{TestClient, position_of, uri, workspace};
use serde_json::Value;

/// The file edited, and a finding it has before and after each edit.
const EDITED: &str = "vascular.osl";
const FINDING: &str = "osler::provisional_default";

/// A copy of the shipped ruleset in a fresh workspace, and the edited
/// file's text.
fn leg_pain() -> (std::path::PathBuf, String) {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rulesets/leg_pain");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_some_and(|e| e == "osl") {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            files.push((format!("leg_pain/{name}"), text));
        }
    }
    let edited =
        files.iter().find(|(p, _)| *p == format!("leg_pain/{EDITED}")).map(|(_, t)| t.clone()).unwrap_or_default();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    (workspace("bench-analysis", &borrowed), edited)
}

/// Waits for the diagnostics of `uri` at `version` that hold the findings.
async fn findings(client: &mut TestClient, uri: &str, version: i64) {
    client
        .wait_for(|m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
                && m["params"]["diagnostics"].as_array().is_some_and(|d| d.iter().any(|d| d["code"] == FINDING))
        })
        .await;
}

fn bench_analysis(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (root, text) = leg_pain();
    let target = uri(&root.join("leg_pain").join(EDITED));
    let mut client = runtime.block_on(async {
        let mut client = TestClient::start(Some(&root)).await;
        client.open(&target, 1, &text).await;
        findings(&mut client, &target, 1).await;
        client
    });
    let mut version = 1;
    let argument = position_of(&text, "emergency(6h)", "emergency(".len());
    let line = argument["line"].as_u64().unwrap_or(0) as u32;
    let column = argument["character"].as_u64().unwrap_or(0) as u32;
    c.bench_function("edit a rule of leg_pain, until its findings", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    version += 1;
                    let digit = if version % 2 == 0 { "7" } else { "6" };
                    let start = Instant::now();
                    client.edit(&target, version, ((line, column), (line, column + 1)), digit).await;
                    findings(&mut client, &target, version).await;
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
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = bench_analysis
}
criterion_main!(benches);
