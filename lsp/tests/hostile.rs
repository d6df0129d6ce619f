//! The server keeps answering after hostile documents: deep nesting, very
//! long chains, megabyte lines. Each test opens one document, waits for its
//! diagnostics, then asks for hover in it and in an ordinary file.
//!
//! A stack overflow aborts the whole test process, not just one test:
//! these tests live in a binary of their own, away from the protocol tests.

use std::time::Duration;

use osler_lsp::testing::{TestClient, position_of, uri, workspace};
use serde_json::{Value, json};

/// Checking a megabyte takes the dsl seconds in a debug build (about 8 s
/// for `osler check` on the megabyte condition), more on a busy machine.
const PATIENCE: Duration = Duration::from_secs(120);

const DECLARATIONS: &str =
    "source guide \"Guideline\" year 2026\n\n/// A flag.\nfact x: bool\n/// A number.\nfact n: number\naction a\n";

/// One megabyte.
const MEGABYTE: usize = 1 << 20;

/// A rule with `condition`, on one line.
fn rule(condition: &str) -> String {
    format!("rule r \"R\": {condition} -> a cite guide\n")
}

/// `term` joined by `separator` until the text reaches `bytes`.
fn repeated(term: &str, separator: &str, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + term.len());
    out.push_str(term);
    while out.len() < bytes {
        out.push_str(separator);
        out.push_str(term);
    }
    out
}

fn answered(response: &Value, what: &str) {
    assert!(response.get("error").is_none(), "{what}: {response:.300}");
}

/// Opens `text`, waits for its diagnostics, hovers at the first `needle`
/// in it and at a fact in the declarations.
async fn survives(name: &str, text: &str, needle: &str) {
    let root = workspace(&format!("hostile-{name}"), &[("h/decls.osl", DECLARATIONS)]);
    let decls = uri(&root.join("h/decls.osl"));
    let hostile = uri(&root.join("h/hostile.osl"));
    let mut client = TestClient::start(Some(&root)).await;
    client.timeout = PATIENCE;
    client.open(&hostile, 1, text).await;
    client.diagnostics(&hostile, Some(1)).await;
    let position = position_of(text, needle, 0);
    let hover = client
        .request_raw("textDocument/hover", json!({ "textDocument": { "uri": hostile }, "position": position }))
        .await;
    answered(&hover, "hover in the hostile document");
    let position = position_of(DECLARATIONS, "x: bool", 0);
    let hover = client
        .request_raw("textDocument/hover", json!({ "textDocument": { "uri": decls }, "position": position }))
        .await;
    answered(&hover, "hover in the declarations");
    assert!(hover["result"]["contents"]["value"].as_str().unwrap_or_default().contains("fact x: bool"), "{hover}");
    let _ = std::fs::remove_dir_all(&root);
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_parentheses() {
    let depth = 100_000;
    let text = rule(&format!("{}x{}", "(".repeat(depth), ")".repeat(depth)));
    survives("parentheses", &text, "x)").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_and_chain() {
    let terms = 100_000;
    let text = rule(&vec!["x"; terms].join(" and "));
    survives("and-chain", &text, "x and").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chained_nots() {
    let text = rule(&format!("{}x", "not ".repeat(100_000)));
    survives("not-chain", &text, "x ->").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_condition_on_one_line() {
    let text = rule(&repeated("n > 1", " or ", MEGABYTE));
    assert!(text.len() > MEGABYTE && text.lines().count() == 1);
    survives("megabyte", &text, "n > 1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_line_with_an_error_at_its_end() {
    let text = rule(&format!("{} or n >", repeated("n > 1", " or ", MEGABYTE)));
    assert!(text.len() > MEGABYTE && text.lines().count() == 1);
    survives("megabyte-error", &text, "n > 1").await;
}
