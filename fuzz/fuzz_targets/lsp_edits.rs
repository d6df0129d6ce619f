//! Edit sequences on a real workspace (`rulesets/leg_pain`): open one of
//! its files, then apply arbitrary changes (ranges, inserts, deletes, whole
//! texts) interleaved with requests (hover, completion, formatting, ...) at
//! arbitrary positions. The server never panics and answers every request,
//! and the diagnostics it finally publishes equal those of a fresh check of
//! the final text (with the other files as on disk).
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use osler_lsp::convert::{Document, Related, apply_change, diagnostic, path_to_uri};
use osler_lsp::testing::TestClient;
use serde_json::{Value, json};
use tower_lsp_server::gen_lsp_types as lsp;

/// At most this many operations per session (a session starts a server).
const MAX_OPS: usize = 24;

/// Pieces of Osler that mutations rarely build from scratch.
const SNIPPETS: [&str; 28] = [
    "\n",
    "\r\n",
    " ",
    "(",
    ")",
    "{",
    "}",
    "\"",
    ",",
    "->",
    " and ",
    " or not ",
    "rule ",
    "rule r \"t\":\n  ",
    "fact x: bool\n",
    "fact y: number mmHg\n",
    "enum E { a, b }\n",
    "let z = x and not x\n",
    "action act(within: duration)\n",
    "x -> act(6h)\n",
    "  cite ",
    " overrides ",
    "test \"t\" {\n  given x = true\n  expect act(6h)\n}\n",
    "/// doc\n",
    "// comment\n",
    "é",
    "😀",
    "count(x, y > 3 mmHg) >= 2",
];

#[derive(Arbitrary, Debug)]
struct Pos {
    line: u16,
    character: u16,
}

#[derive(Arbitrary, Debug)]
enum Text {
    Raw(String),
    Snippet(u8),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Replace { start: Pos, end: Pos, text: Text },
    Insert { at: Pos, text: Text },
    Delete { start: Pos, end: Pos },
    WholeDocument { text: Text },
    Hover(Pos),
    Completion(Pos),
    Definition(Pos),
    References(Pos),
    Highlight(Pos),
    SignatureHelp(Pos),
    PrepareRename(Pos),
    Rename(Pos, String),
    CodeAction(Pos, Pos),
    InlayHints(Pos, Pos),
    Formatting,
    Symbols,
    WorkspaceSymbols(String),
    Folding,
    SemanticTokens,
}

#[derive(Arbitrary, Debug)]
struct Session {
    file: u8,
    ops: Vec<Op>,
}

impl Text {
    fn text(&self) -> &str {
        match self {
            Text::Raw(text) => text,
            Text::Snippet(n) => SNIPPETS[usize::from(*n) % SNIPPETS.len()],
        }
    }
}

/// A position near the text: lines up to two past the last, characters up
/// to four past the longest line (out-of-range positions are clamped by
/// the server, and must be).
fn position(text: &str, pos: &Pos) -> Value {
    let lines: Vec<&str> = text.split('\n').collect();
    let line = usize::from(pos.line) % (lines.len() + 2);
    let width = lines.get(line).map_or(0, |l| l.encode_utf16().count());
    let character = usize::from(pos.character) % (width + 4);
    json!({ "line": line, "character": character })
}

fn range(text: &str, start: &Pos, end: &Pos) -> Value {
    json!({ "start": position(text, start), "end": position(text, end) })
}

/// The diagnostics of `path` in a fresh check of `leg_pain` with `path`'s
/// text replaced, as the server converts them.
fn fresh_diagnostics(path: &str, text: &str) -> Vec<Value> {
    let files: Vec<(String, String)> = osler_fuzz::leg_pain_files()
        .iter()
        .map(|(p, t)| (p.clone(), if p == path { text.to_owned() } else { t.clone() }))
        .collect();
    let texts: BTreeMap<&str, &str> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let lookup = |other: &str| {
        let text: &str = texts.get(other)?;
        Some((path_to_uri(std::path::Path::new(other)), text))
    };
    let mut related = Related::new(&lookup);
    let uri = path_to_uri(std::path::Path::new(path));
    let document = Document::new(text);
    osler_dsl::check_sources(&files)
        .diagnostics
        .iter()
        .filter(|d| d.path == path)
        .map(|d| serde_json::to_value(diagnostic(&document, &uri, &d.diagnostic, &mut related)).unwrap_or_default())
        .collect()
}

async fn run(session: &Session) {
    let files = osler_fuzz::leg_pain_files();
    let (path, original) = &files[usize::from(session.file) % files.len()];
    let root = osler_fuzz::leg_pain_dir();
    let uri = path_to_uri(std::path::Path::new(path)).as_ref().to_owned();
    let mut client = TestClient::start(Some(&root)).await;
    let mut text = original.clone();
    let mut version = 1;
    client.open(&uri, version, &text).await;
    let document = json!({ "uri": uri });
    for op in session.ops.iter().take(MAX_OPS) {
        let change = match op {
            Op::Replace { start, end, text: new } => {
                Some(json!({ "range": range(&text, start, end), "text": new.text() }))
            }
            Op::Insert { at, text: new } => Some(json!({ "range": range(&text, at, at), "text": new.text() })),
            Op::Delete { start, end } => Some(json!({ "range": range(&text, start, end), "text": "" })),
            Op::WholeDocument { text: new } => Some(json!({ "text": new.text() })),
            _ => None,
        };
        if let Some(change) = change {
            version += 1;
            let event: lsp::TextDocumentContentChangeEvent =
                serde_json::from_value(change.clone()).unwrap_or_else(|e| panic!("bad change {change}: {e}"));
            apply_change(&mut text, event);
            client
                .notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
                )
                .await;
            continue;
        }
        let at = |pos: &Pos| json!({ "textDocument": document, "position": position(&text, pos) });
        let (method, params) = match op {
            Op::Hover(pos) => ("textDocument/hover", at(pos)),
            Op::Completion(pos) => ("textDocument/completion", at(pos)),
            Op::Definition(pos) => ("textDocument/definition", at(pos)),
            Op::References(pos) => {
                let mut params = at(pos);
                params["context"] = json!({ "includeDeclaration": true });
                ("textDocument/references", params)
            }
            Op::Highlight(pos) => ("textDocument/documentHighlight", at(pos)),
            Op::SignatureHelp(pos) => ("textDocument/signatureHelp", at(pos)),
            Op::PrepareRename(pos) => ("textDocument/prepareRename", at(pos)),
            Op::Rename(pos, name) => {
                let mut params = at(pos);
                params["newName"] = json!(name);
                ("textDocument/rename", params)
            }
            Op::CodeAction(start, end) => (
                "textDocument/codeAction",
                json!({ "textDocument": document, "range": range(&text, start, end), "context": { "diagnostics": [] } }),
            ),
            Op::InlayHints(start, end) => {
                ("textDocument/inlayHint", json!({ "textDocument": document, "range": range(&text, start, end) }))
            }
            Op::Formatting => (
                "textDocument/formatting",
                json!({ "textDocument": document, "options": { "tabSize": 2, "insertSpaces": true } }),
            ),
            Op::Symbols => ("textDocument/documentSymbol", json!({ "textDocument": document })),
            Op::WorkspaceSymbols(query) => ("workspace/symbol", json!({ "query": query })),
            Op::Folding => ("textDocument/foldingRange", json!({ "textDocument": document })),
            Op::SemanticTokens => ("textDocument/semanticTokens/full", json!({ "textDocument": document })),
            _ => continue,
        };
        let response = client.request_raw(method, params.clone()).await;
        // Errors are fine ("content modified" after a newer edit) as long
        // as they are not internal errors (a caught panic, a bad answer).
        if let Some(error) = response.get("error") {
            assert_ne!(error["code"], json!(-32603), "internal error for {method} {params}: {error}");
        }
    }
    let published = client.diagnostics(&uri, Some(version)).await;
    let expected = fresh_diagnostics(path, &text);
    assert!(
        published == expected,
        "published diagnostics differ from a fresh check\n--- final text:\n{text}\n--- published:\n{}\n--- fresh:\n{}",
        serde_json::to_string_pretty(&published).unwrap_or_default(),
        serde_json::to_string_pretty(&expected).unwrap_or_default(),
    );
    assert!(client.shutdown().await, "the server did not see `shutdown` before `exit`");
}

fuzz_target!(|session: Session| {
    osler_fuzz::runtime().block_on(run(&session));
});
