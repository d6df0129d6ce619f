//! The language server over the protocol, in process: requests in,
//! responses and notifications out, one test per capability.

use std::path::{Path, PathBuf};
use std::time::Duration;

use osler_lsp::testing::{TestClient, position_of, uri, workspace};
use proptest::prelude::*;
use serde_json::{Value, json};

const FACTS: &str = r#"ruleset demo "Demo"

/// The guideline everything cites.
source guide "Acute leg pain guideline" year 2026 url "https://example.org/g"

/// Palpated pulses.
enum Pulse { present, diminished, absent }

/// Symptoms affect one leg only.
fact unilateral: bool
/// Pedal pulses.
fact pedal_pulses: Pulse
/// Pressure at the ankle.
fact ankle_pressure: number mmHg

/// No pulse at the foot.
let absent_pulse = pedal_pulses == absent

/// Emergency vascular consultation.
action emergency(within: duration)
action note_pulse(pulse: Pulse)
"#;

const RULES: &str = r#"rule ali_emergency "Absent pulse with unilateral symptoms":
  absent_pulse and unilateral -> emergency(6h), note_pulse(absent)
  cite guide

rule low_pressure "Low ankle pressure" overrides ali_emergency:
  ankle_pressure < 50 mmHg and unilateral -> emergency(2h)
  cite guide
"#;

struct Fixture {
    root: PathBuf,
    facts: String,
    rules: String,
}

fn fixture(name: &str, extra: &[(&str, &str)]) -> Fixture {
    let mut files = vec![("demo/facts.osl", FACTS), ("demo/rules.osl", RULES)];
    files.extend_from_slice(extra);
    let root = workspace(name, &files);
    let facts = uri(&root.join("demo/facts.osl"));
    let rules = uri(&root.join("demo/rules.osl"));
    Fixture { root, facts, rules }
}

fn at(uri: &str, text: &str, needle: &str, delta: usize) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position_of(text, needle, delta) })
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or_default().to_owned()).collect()
}

/// The diagnostics a fresh `osler check` gives for `path`, converted the
/// way the server converts them.
fn fresh_check(files: &[(&Path, &str)], path: &Path) -> Value {
    let sources: Vec<(String, String)> =
        files.iter().map(|(p, t)| (p.to_string_lossy().into_owned(), (*t).to_owned())).collect();
    let checked = osler_dsl::check_sources(&sources);
    let key = path.to_string_lossy().into_owned();
    let text = files.iter().find(|(p, _)| *p == path).map(|(_, t)| *t).unwrap_or_default();
    let document = osler_lsp::convert::Document::new(text);
    let own_uri = osler_lsp::convert::path_to_uri(path);
    let lookup = |other: &str| {
        let (p, t) = files.iter().find(|(p, _)| p.to_string_lossy() == other)?;
        Some((osler_lsp::convert::path_to_uri(p), *t))
    };
    let mut related = osler_lsp::convert::Related::new(&lookup);
    let converted: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.path == key)
        .map(|d| osler_lsp::convert::diagnostic(&document, &own_uri, &d.diagnostic, &mut related))
        .collect();
    serde_json::to_value(converted).unwrap_or_default()
}

/// The byte offset of an LSP position in `text`, found by scanning it (not
/// with the server's index), with the server's rules for positions that
/// are out of range: a line past the last is the end of the text, a column
/// past the end of its line is the line's end (before its `\n`), and a
/// column between the halves of a surrogate pair is the character's end.
fn offset_at(text: &str, (line, character): (u32, u32)) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(newline) => start += newline + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (index, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + index;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// A document the test edits, and the text the server must have for it:
/// every edit sent is applied here too, with the same range in UTF-16
/// positions (clamped, and ordered when reversed, as the server does).
struct Model {
    uri: String,
    text: String,
    version: i64,
}

impl Model {
    /// Opens the document with `text` as version 1.
    async fn open(client: &mut TestClient, uri: &str, text: &str) -> Model {
        client.open(uri, 1, text).await;
        Model { uri: uri.to_owned(), text: text.to_owned(), version: 1 }
    }

    /// Replaces `range` (line, UTF-16 character pairs) with `new`, in the
    /// server's document and in the model.
    async fn edit(&mut self, client: &mut TestClient, range: ((u32, u32), (u32, u32)), new: &str) {
        self.version += 1;
        client.edit(&self.uri, self.version, range, new).await;
        let (start, end) = (offset_at(&self.text, range.0), offset_at(&self.text, range.1));
        self.text.replace_range(start.min(end)..start.max(end), new);
    }

    /// The (line, UTF-16 character) of the first `needle`, plus `delta`
    /// characters.
    fn position(&self, needle: &str, delta: usize) -> (u32, u32) {
        let at = position_of(&self.text, needle, delta);
        (at["line"].as_u64().unwrap_or(0) as u32, at["character"].as_u64().unwrap_or(0) as u32)
    }

    /// The position of the end of the text.
    fn end(&self) -> (u32, u32) {
        self.position("", self.text.len())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_announces_every_capability() {
    let mut client = TestClient::spawn();
    let result = client.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} })).await;
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["textDocumentSync"]["change"], 2, "incremental sync");
    for capability in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "renameProvider",
        "foldingRangeProvider",
        "semanticTokensProvider",
        "signatureHelpProvider",
        "inlayHintProvider",
        "completionProvider",
        "codeActionProvider",
        "documentFormattingProvider",
    ] {
        assert!(!capabilities[capability].is_null(), "{capability} missing in {capabilities}");
    }
    assert_eq!(result["serverInfo"]["name"], "osler");
    client.notify("initialized", json!({})).await;
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_carry_version_code_help_and_related_locations() {
    let f = fixture("diagnostics", &[("demo/zdup.osl", "fact unilateral: bool\n")]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let dup = uri(&f.root.join("demo/zdup.osl"));
    client.open(&dup, 3, "fact unilateral: bool\n").await;
    let diagnostics = client.diagnostics(&dup, Some(3)).await;
    let duplicate = diagnostics.iter().find(|d| d["code"] == "osler::duplicate").expect("a duplicate diagnostic");
    assert_eq!(duplicate["severity"], 1);
    assert_eq!(duplicate["source"], "osler");
    assert_eq!(duplicate["range"]["start"], json!({ "line": 0, "character": 5 }));
    let message = duplicate["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("duplicate fact `unilateral`\nhelp: "), "{message}");
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], f.facts.as_str());
    assert_eq!(related["location"]["range"]["start"], position_of(FACTS, "unilateral: bool", 0));
    assert!(related["message"].as_str().unwrap_or_default().contains("first declared here"));
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_incremental_edits_end_in_the_diagnostics_of_a_fresh_check() {
    let f = fixture("rapid", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let mut document = Model::open(&mut client, &f.rules, RULES).await;
    // Type a new rule character by character, without waiting, as an
    // editor does, with a typo and its correction along the way.
    let typed = "\nrule typo \"Typo\":\n  unilaterl and pedal_pulses == absnt -> emergency(1h)\n";
    for character in typed.chars() {
        let end = document.end();
        document.edit(&mut client, (end, end), &character.to_string()).await;
    }
    // Delete the `l` of `unilaterl` and type it where it belongs.
    let (line, column) = document.position("unilaterl", 8);
    document.edit(&mut client, ((line, column), (line, column + 1)), "").await;
    document.edit(&mut client, ((line, column - 1), (line, column - 1)), "l").await;
    assert!(document.text.ends_with("\n  unilatelr and pedal_pulses == absnt -> emergency(1h)\n"), "{}", document.text);
    let received = client.diagnostics(&f.rules, Some(document.version)).await;
    let facts_path = f.root.join("demo/facts.osl");
    let rules_path = f.root.join("demo/rules.osl");
    let expected = fresh_check(&[(&facts_path, FACTS), (&rules_path, &document.text)], &rules_path);
    assert_eq!(Value::Array(received.clone()), expected);
    assert!(codes(&received).contains(&"osler::unknown_fact".to_owned()), "{received:?}");
    assert!(codes(&received).contains(&"osler::unknown_variant".to_owned()), "{received:?}");
    assert!(codes(&received).contains(&"osler::missing_cite".to_owned()), "{received:?}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_shows_types_units_docs_signatures_and_citations() {
    let f = fixture("hover", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let hover = |value: Value| value["contents"]["value"].as_str().unwrap_or_default().to_owned();
    let fact = hover(client.request("textDocument/hover", at(&f.rules, RULES, "unilateral ->", 2)).await);
    assert!(fact.contains("fact unilateral: bool") && fact.contains("Symptoms affect one leg only."), "{fact}");
    let quantity = hover(client.request("textDocument/hover", at(&f.rules, RULES, "ankle_pressure", 0)).await);
    assert!(
        quantity.contains("fact ankle_pressure: number mmHg") && quantity.contains("quantity in `mmHg`"),
        "{quantity}"
    );
    let derived = hover(client.request("textDocument/hover", at(&f.rules, RULES, "absent_pulse", 3)).await);
    assert!(
        derived.contains("let absent_pulse = pedal_pulses == absent") && derived.contains("Type: `bool`"),
        "{derived}"
    );
    assert!(derived.contains("No pulse at the foot."), "{derived}");
    let action = hover(client.request("textDocument/hover", at(&f.rules, RULES, "emergency(6h)", 1)).await);
    assert!(
        action.contains("action emergency(within: duration)") && action.contains("Emergency vascular consultation."),
        "{action}"
    );
    let rule = hover(client.request("textDocument/hover", at(&f.rules, RULES, "low_pressure", 0)).await);
    assert!(rule.contains("rule low_pressure \"Low ankle pressure\""), "{rule}");
    assert!(rule.contains("`guide`: *Acute leg pain guideline*, 2026"), "{rule}");
    assert!(rule.contains("Overrides `ali_emergency`."), "{rule}");
    let overridden = hover(client.request("textDocument/hover", at(&f.rules, RULES, "ali_emergency", 0)).await);
    assert!(overridden.contains("Overridden by `low_pressure`."), "{overridden}");
    let source = hover(client.request("textDocument/hover", at(&f.rules, RULES, "guide", 0)).await);
    assert!(source.contains("*Acute leg pain guideline*, 2026, <https://example.org/g>"), "{source}");
    assert!(source.contains("The guideline everything cites."), "{source}");
    let variant = hover(client.request("textDocument/hover", at(&f.rules, RULES, "note_pulse(absent)", 11)).await);
    assert!(variant.contains("Pulse.absent"), "{variant}");
    let nothing = client.request("textDocument/hover", at(&f.rules, RULES, "->", 0)).await;
    assert!(nothing.is_null(), "{nothing}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_references_and_highlight_cross_files() {
    let f = fixture("navigation", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let definition = client.request("textDocument/definition", at(&f.rules, RULES, "unilateral ->", 0)).await;
    assert_eq!(definition["uri"], f.facts.as_str());
    assert_eq!(definition["range"]["start"], position_of(FACTS, "unilateral: bool", 0));
    // A bare variant goes to its enum's variant.
    let variant = client.request("textDocument/definition", at(&f.rules, RULES, "note_pulse(absent)", 11)).await;
    assert_eq!(variant["range"]["start"], position_of(FACTS, "absent }", 0));
    let rule = client.request("textDocument/definition", at(&f.rules, RULES, "overrides ali_emergency", 10)).await;
    assert_eq!(rule["range"]["start"], json!({ "line": 0, "character": 5 }));

    let mut params = at(&f.rules, RULES, "unilateral ->", 0);
    params["context"] = json!({ "includeDeclaration": true });
    let references = client.request("textDocument/references", params.clone()).await;
    let references = references.as_array().cloned().unwrap_or_default();
    assert_eq!(references.len(), 3, "{references:?}");
    assert_eq!(references.iter().filter(|r| r["uri"] == f.rules.as_str()).count(), 2);
    params["context"] = json!({ "includeDeclaration": false });
    let uses = client.request("textDocument/references", params).await;
    assert_eq!(uses.as_array().map(Vec::len), Some(2));

    let highlights = client.request("textDocument/documentHighlight", at(&f.facts, FACTS, "pedal_pulses", 0)).await;
    let kinds: Vec<Value> =
        highlights.as_array().cloned().unwrap_or_default().iter().map(|h| h["kind"].clone()).collect();
    assert_eq!(kinds, vec![json!(3), json!(2)], "declaration is a write, the use a read");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_changes_every_file_and_refuses_invalid_names() {
    let f = fixture("rename", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let prepared = client.request("textDocument/prepareRename", at(&f.rules, RULES, "unilateral ->", 3)).await;
    assert_eq!(prepared["placeholder"], "unilateral");

    let mut params = at(&f.rules, RULES, "unilateral ->", 3);
    params["newName"] = json!("one_leg");
    let edit = client.request("textDocument/rename", params.clone()).await;
    let changes = edit["changes"].as_object().cloned().unwrap_or_default();
    assert_eq!(changes[&f.facts].as_array().map(Vec::len), Some(1));
    assert_eq!(changes[&f.rules].as_array().map(Vec::len), Some(2));
    assert!(
        changes
            .values()
            .flat_map(|edits| edits.as_array().cloned().unwrap_or_default())
            .all(|e| e["newText"] == "one_leg")
    );

    for (bad, why) in [
        ("One Leg", "not a valid fact name"),
        ("rule", "keyword"),
        ("ankle_pressure", "already exists"),
        ("Foo", "not a valid"),
    ] {
        params["newName"] = json!(bad);
        let error = client.request_raw("textDocument/rename", params.clone()).await;
        let message = error["error"]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(why), "renaming to `{bad}`: {error}");
    }
    // Enums, variants, rules, sources and actions rename too.
    for (needle, delta, new_name, count) in [
        ("Pulse {", 0, "PulseKind", 3),
        ("absent }", 0, "missing", 3),
        ("ali_emergency", 0, "ali_consult", 2),
        ("guide \"", 0, "main_guide", 3),
        ("emergency(within", 0, "urgent_consult", 3),
        ("absent_pulse =", 0, "no_pulse", 2),
    ] {
        let mut params = if needle == "ali_emergency" {
            at(&f.rules, RULES, needle, delta)
        } else {
            at(&f.facts, FACTS, needle, delta)
        };
        params["newName"] = json!(new_name);
        let edit = client.request("textDocument/rename", params).await;
        let total: usize =
            edit["changes"].as_object().map_or(0, |c| c.values().map(|e| e.as_array().map_or(0, Vec::len)).sum());
        assert_eq!(total, count, "renaming `{needle}`: {edit}");
    }
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outline_workspace_symbols_folding_and_semantic_tokens() {
    let f = fixture("symbols", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": f.facts } })).await;
    let symbols = symbols.as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = symbols.iter().map(|s| s["name"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        names,
        [
            "demo",
            "guide",
            "Pulse",
            "unilateral",
            "pedal_pulses",
            "ankle_pressure",
            "absent_pulse",
            "emergency",
            "note_pulse"
        ]
    );
    let pulse = &symbols[2];
    assert_eq!(pulse["kind"], 10, "an enum");
    assert_eq!(pulse["children"].as_array().map(Vec::len), Some(3));

    let found = client.request("workspace/symbol", json!({ "query": "emerg" })).await;
    let mut found: Vec<String> = found
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    assert_eq!(found, ["ali_emergency", "emergency"]);

    let folds = client.request("textDocument/foldingRange", json!({ "textDocument": { "uri": f.rules } })).await;
    let folds: Vec<(u64, u64)> = folds
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|r| (r["startLine"].as_u64().unwrap_or(0), r["endLine"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(folds, [(0, 2), (4, 6)]);

    let tokens =
        client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": f.rules } })).await;
    let data: Vec<u64> =
        tokens["data"].as_array().cloned().unwrap_or_default().iter().map(|n| n.as_u64().unwrap_or(0)).collect();
    assert_eq!(data.len() % 5, 0);
    // `rule` (keyword), `ali_emergency` (class, declaration), the title (string).
    assert_eq!(&data[..15], &[0, 0, 4, 0, 0, 0, 5, 13, 11, 1, 0, 14, 39, 3, 0]);
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_help_and_inlay_hints() {
    let f = fixture("signature", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let help = client.request("textDocument/signatureHelp", at(&f.rules, RULES, "emergency(6h)", 10)).await;
    assert_eq!(help["signatures"][0]["label"], "emergency(within: duration)");
    assert_eq!(help["signatures"][0]["parameters"][0]["label"], json!([10, 26]));
    assert_eq!(help["activeParameter"], 0);
    assert!(help["signatures"][0]["documentation"]["value"].as_str().unwrap_or_default().contains("Emergency"));

    let everything = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 100, "character": 0 } });
    let hints = client
        .request("textDocument/inlayHint", json!({ "textDocument": { "uri": f.rules }, "range": everything }))
        .await;
    let labels: Vec<String> = hints
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| h["label"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(labels.contains(&"within:".to_owned()) && labels.contains(&"pulse:".to_owned()), "{labels:?}");
    assert!(labels.contains(&"[mmHg]".to_owned()), "the unit of a quantity fact: {labels:?}");
    let hints = client
        .request("textDocument/inlayHint", json!({ "textDocument": { "uri": f.facts }, "range": everything }))
        .await;
    assert!(hints.as_array().is_some_and(|h| h.iter().any(|h| h["label"] == ": bool")), "a let's type: {hints}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_knows_the_context() {
    let f = fixture("completion", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let scratch = uri(&f.root.join("demo/scratch.osl"));
    client.open(&scratch, 1, "").await;
    let mut version = 1;
    let cases: [(&str, &[&str], &[&str]); 9] = [
        (
            "rule r \"R\":\n  unilateral and ",
            &["unilateral", "pedal_pulses", "absent_pulse", "count", "known", "not"],
            &["emergency", "guide"],
        ),
        ("rule r \"R\":\n  pedal_pulses == ", &["present", "diminished", "absent"], &["unilateral"]),
        ("rule r \"R\":\n  pedal_pulses in {present, ", &["diminished", "absent"], &["unilateral"]),
        ("rule r \"R\":\n  unilateral -> ", &["emergency", "note_pulse"], &["unilateral"]),
        ("rule r \"R\":\n  unilateral -> note_pulse(", &["present", "absent"], &["unilateral"]),
        ("rule r \"R\":\n  unilateral -> emergency(6h)\n  cite ", &["guide"], &["unilateral"]),
        ("rule r \"R\" overrides ", &["ali_emergency", "low_pressure"], &["unilateral"]),
        ("fact weight: number ", &["kg", "mmHg", "%"], &["bool"]),
        ("", &["rule", "fact", "enum", "test"], &["guide"]),
    ];
    for (text, wanted, unwanted) in cases {
        version += 1;
        client
            .notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": scratch, "version": version }, "contentChanges": [{ "text": text }] }),
            )
            .await;
        let end = position_of(text, "", text.len());
        let result = client
            .request("textDocument/completion", json!({ "textDocument": { "uri": scratch }, "position": end }))
            .await;
        let items = result["items"].as_array().cloned().unwrap_or_default();
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap_or_default()).collect();
        for label in wanted {
            assert!(labels.contains(label), "after {text:?}: `{label}` missing from {labels:?}");
        }
        for label in unwanted {
            assert!(!labels.contains(label), "after {text:?}: `{label}` should not be offered ({labels:?})");
        }
    }
    // Items carry their docs.
    let text = "rule r \"R\":\n  uni";
    version += 1;
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": scratch, "version": version }, "contentChanges": [{ "text": text }] }),
        )
        .await;
    let result = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": scratch }, "position": position_of(text, "uni", 3) }),
        )
        .await;
    let item = result["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["label"] == "unilateral").cloned())
        .unwrap_or_default();
    assert_eq!(item["detail"], "fact: bool");
    assert_eq!(item["documentation"]["value"], "Symptoms affect one leg only.");
    assert_eq!(item["textEdit"]["range"]["start"], json!({ "line": 1, "character": 2 }), "replaces the typed prefix");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_fix_typos_declare_facts_and_add_citations() {
    let f = fixture("actions", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let scratch = uri(&f.root.join("demo/scratch.osl"));
    let text = "rule typo \"Typo\":\n  unilaterl and ankle_pressure < 40 mmHg -> emergency(1h)\n  cite guide\n\nrule new_fact \"New\":\n  systolic_pressure > 180 mmHg -> emergency(1h)\n";
    client.open(&scratch, 1, text).await;
    let diagnostics = client.diagnostics(&scratch, Some(1)).await;
    assert!(codes(&diagnostics).contains(&"osler::missing_cite".to_owned()), "{diagnostics:?}");
    let actions_at = |needle: &str| {
        let start = position_of(text, needle, 0);
        json!({ "textDocument": { "uri": scratch }, "range": { "start": start, "end": start }, "context": { "diagnostics": [] } })
    };
    let actions = client.request("textDocument/codeAction", actions_at("unilaterl")).await;
    let actions = actions.as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap_or_default()).collect();
    assert_eq!(titles, ["Replace with `unilateral`", "Declare fact `unilaterl`"]);
    let fix = &actions[0]["edit"]["changes"][&scratch][0];
    assert_eq!(fix["newText"], "unilateral");
    assert_eq!(fix["range"]["start"], position_of(text, "unilaterl", 0));
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "osler::unknown_fact");

    let actions = client.request("textDocument/codeAction", actions_at("systolic_pressure")).await;
    let declare = actions
        .as_array()
        .and_then(|a| a.iter().find(|a| a["title"] == "Declare fact `systolic_pressure`").cloned())
        .unwrap_or_default();
    // Declared after the ruleset's last fact, typed from its comparison.
    let insertion = &declare["edit"]["changes"][&f.facts][0];
    assert_eq!(insertion["newText"], "\nfact systolic_pressure: number mmHg");
    assert_eq!(insertion["range"]["start"], position_of(FACTS, "ankle_pressure: number mmHg", 27));

    let actions = client.request("textDocument/codeAction", actions_at("new_fact")).await;
    let cite =
        actions.as_array().and_then(|a| a.iter().find(|a| a["title"] == "Cite `guide`").cloned()).unwrap_or_default();
    let insertion = &cite["edit"]["changes"][&scratch][0];
    assert_eq!(insertion["newText"], "\n  cite guide");
    assert_eq!(insertion["range"]["start"], json!({ "line": 5, "character": 47 }), "after the rule's last token");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_uses_the_dsl_formatter() {
    let f = fixture("formatting", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let scratch = uri(&f.root.join("demo/scratch.osl"));
    let text = "rule  r   \"R\" :  unilateral->emergency( 6h )   cite guide\nfact   x :bool";
    client.open(&scratch, 1, text).await;
    let edits = client
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": scratch }, "options": { "tabSize": 2, "insertSpaces": true } }),
        )
        .await;
    let expected = osler_dsl::format::format(text).unwrap_or_default();
    assert_eq!(edits[0]["newText"], expected.as_str());
    assert_eq!(expected, "rule r \"R\":\n  unilateral -> emergency(6h)\n  cite guide\n\nfact x: bool\n");
    // Already formatted: no edit. Syntax errors: nothing to do.
    let edits = client
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": f.rules }, "options": { "tabSize": 2, "insertSpaces": true } }),
        )
        .await;
    assert_eq!(edits, json!([]));
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": scratch, "version": 2 }, "contentChanges": [{ "text": "fact x number" }] })).await;
    let edits = client
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": scratch }, "options": { "tabSize": 2, "insertSpaces": true } }),
        )
        .await;
    assert!(edits.is_null(), "{edits}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_created_changed_and_deleted_on_disk_are_picked_up() {
    let f = fixture(
        "watched",
        &[("demo/more_rules.osl", "rule extra \"Extra\":\n  bleeding -> emergency(1h)\n  cite guide\n")],
    );
    let mut client = TestClient::start(Some(&f.root)).await;
    let more = uri(&f.root.join("demo/more_rules.osl"));
    let initial = client.diagnostics(&more, None).await;
    assert_eq!(codes(&initial), ["osler::unknown_fact"]);
    let created = f.root.join("demo/bleeding.osl");
    std::fs::write(&created, "/// Active bleeding.\nfact bleeding: bool\n").unwrap_or_default();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&created), "type": 1 }] })).await;
    let after = client.diagnostics(&more, None).await;
    assert!(after.is_empty(), "{after:?}");
    std::fs::remove_file(&created).unwrap_or_default();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&created), "type": 3 }] })).await;
    let again = client.diagnostics(&more, None).await;
    assert_eq!(codes(&again), ["osler::unknown_fact"]);
    // A new ruleset folder appears.
    let other = f.root.join("other/one.osl");
    std::fs::create_dir_all(f.root.join("other")).unwrap_or_default();
    std::fs::write(&other, "fact lonely: bool\n").unwrap_or_default();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&other), "type": 1 }] })).await;
    let lonely = client.diagnostics(&uri(&other), None).await;
    assert_eq!(codes(&lonely), ["osler::unused_fact"]);
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_files_whose_diagnostics_changed_are_republished() {
    let f = fixture("republish", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    client.open(&f.rules, 1, RULES).await;
    client.diagnostics(&f.rules, Some(1)).await;
    client.drain(Duration::from_millis(300)).await;
    client.notifications.clear();
    // `6h` becomes `7h`: nothing changes for facts.osl.
    let six = position_of(RULES, "6h", 0);
    let (line, column) = (six["line"].as_u64().unwrap_or(0) as u32, six["character"].as_u64().unwrap_or(0) as u32);
    client.edit(&f.rules, 2, ((line, column), (line, column + 1)), "7").await;
    client.diagnostics(&f.rules, Some(2)).await;
    client.drain(Duration::from_millis(300)).await;
    assert!(!client.notifications.iter().any(|n| n["params"]["uri"] == f.facts.as_str()), "{:?}", client.notifications);
    // The only use of `ankle_pressure` goes away: facts.osl gets a warning.
    let text = RULES.replace("6h", "7h");
    let start = position_of(&text, "ankle_pressure < 50 mmHg and ", 0);
    let (line, column) = (start["line"].as_u64().unwrap_or(0) as u32, start["character"].as_u64().unwrap_or(0) as u32);
    client.edit(&f.rules, 3, ((line, column), (line, column + 29)), "").await;
    let facts = client.diagnostics(&f.facts, None).await;
    assert_eq!(codes(&facts), ["osler::unused_fact"]);
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_without_a_path_and_closing() {
    let mut client = TestClient::start(None).await;
    let untitled = "untitled:Untitled-1";
    client.open(untitled, 1, "fact a: bool\nrule r: a and b -> f\n").await;
    let diagnostics = client.diagnostics(untitled, Some(1)).await;
    assert!(codes(&diagnostics).contains(&"osler::unknown_action".to_owned()), "{diagnostics:?}");
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": untitled } })).await;
    let cleared = client.diagnostics(untitled, None).await;
    assert!(cleared.is_empty());
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_malformed_messages() {
    let f = fixture("malformed", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    // Not JSON: a parse error, and the server goes on.
    client.send_raw(b"Content-Length: 6\r\n\r\n{oops}").await;
    let error = client.wait_for(|m| m.get("error").is_some()).await;
    assert_eq!(error["error"]["code"], -32700);
    // Headers without a length, bodies that are not UTF-8 or not JSON-RPC.
    client.send_raw(b"Content-Type: text/plain\r\n\r\n").await;
    let error = client.wait_for(|m| m.get("error").is_some()).await;
    assert_eq!(error["error"]["code"], -32700);
    client.send_raw(b"Content-Length: 2\r\n\r\n\xff\xfe").await;
    let error = client.wait_for(|m| m.get("error").is_some()).await;
    assert_eq!(error["error"]["code"], -32700);
    client.send(json!({ "jsonrpc": "1.0", "id": 99, "method": "textDocument/hover" })).await;
    let error = client.wait_for(|m| m.get("error").is_some()).await;
    assert_eq!((error["id"].clone(), error["error"]["code"].clone()), (json!(99), json!(-32600)));
    // Wrong parameters, unknown methods.
    let bad = client.request_raw("textDocument/hover", json!({ "nonsense": true })).await;
    assert_eq!(bad["error"]["code"], -32602);
    let unknown = client.request_raw("osler/unknown", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601);
    // Requests about documents nobody opened.
    let nowhere = client.request("textDocument/hover", at("file:///nowhere.osl", "", "", 0)).await;
    assert!(nowhere.is_null());
    // Still alive, still right.
    let hover = client.request("textDocument/hover", at(&f.rules, RULES, "unilateral ->", 2)).await;
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("fact unilateral: bool"));
    assert!(client.shutdown().await);
}

/// What the edit storm types: pieces of Osler and of everything else.
const PIECES: [&str; 42] = [
    "rule",
    " r",
    " \"T",
    "\":",
    "\n",
    "  ",
    "->",
    "(",
    ")",
    "{",
    "}",
    ",",
    "==",
    "💡",
    "é",
    "\"",
    "//",
    "///",
    "cite ",
    "given",
    "test \"t\" {",
    "unilateral",
    "pedal_pulses == ",
    "50 mmHg",
    "6h",
    "-",
    "not ",
    "\r\n",
    "\t",
    "in {",
    "overrides ",
    "fact x: ",
    "enum E {",
    "let l = ",
    "action f(a: ",
    "number ",
    ".",
    "Pulse.",
    "count(",
    "known(",
    "\u{0}",
    "9999999999999999999999",
];

/// Requests at a position, asked in the middle of the storm.
const POSITION_METHODS: [&str; 6] = [
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/signatureHelp",
    "textDocument/documentHighlight",
    "textDocument/prepareRename",
];

/// One step of the edit storm. Lines are taken modulo the document's line
/// count plus two, so edits land anywhere in the text as it grows, and
/// sometimes past its end.
#[derive(Clone, Debug)]
enum Step {
    /// Replaces a range (reversed or out of range at times) with a piece.
    Edit { start: (u32, u32), end: Option<(u32, u32)>, piece: usize },
    /// A request at a position.
    Ask { method: usize, line: u32, character: u32 },
    /// The whole-document requests: tokens, symbols, folding, formatting,
    /// inlay hints and code actions.
    AskAll,
}

fn step() -> impl Strategy<Value = Step> {
    let position = (0..1000u32, 0..40u32);
    prop_oneof![
        12 => (position.clone(), proptest::option::weighted(0.25, position), 0..PIECES.len())
            .prop_map(|(start, end, piece)| Step::Edit { start, end, piece }),
        2 => (0..POSITION_METHODS.len(), 0..1000u32, 0..50u32)
            .prop_map(|(method, line, character)| Step::Ask { method, line, character }),
        1 => Just(Step::AskAll),
    ]
}

/// Sends `steps` to a fresh server on a new document of the demo ruleset,
/// checks every answer, and returns the diagnostics published for the last
/// version with the model's text.
async fn edit_storm(steps: &[Step]) -> (Vec<Value>, Value) {
    let f = fixture("storm", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let scratch_path = f.root.join("demo/scratch.osl");
    let scratch = uri(&scratch_path);
    let mut document = Model::open(&mut client, &scratch, "").await;
    for step in steps {
        let lines = document.text.lines().count() as u32 + 2;
        match *step {
            Step::Edit { start: (sl, sc), end, piece } => {
                let start = (sl % lines, sc);
                let end = end.map_or(start, |(el, ec)| (el % lines, ec));
                document.edit(&mut client, (start, end), PIECES[piece]).await;
            }
            Step::Ask { method, line, character } => {
                let method = POSITION_METHODS[method];
                let position = json!({ "line": line % lines, "character": character });
                let response = client
                    .request_raw(method, json!({ "textDocument": { "uri": scratch }, "position": position }))
                    .await;
                let code = response["error"]["code"].as_i64();
                assert!(code.is_none() || code == Some(-32801) || code == Some(-32602), "{method}: {response}");
            }
            Step::AskAll => ask_all(&mut client, &scratch).await,
        }
    }
    let received = client.diagnostics(&scratch, Some(document.version)).await;
    let facts_path = f.root.join("demo/facts.osl");
    let rules_path = f.root.join("demo/rules.osl");
    let expected =
        fresh_check(&[(&facts_path, FACTS), (&rules_path, RULES), (&scratch_path, &document.text)], &scratch_path);
    // Still alive, still right.
    let hover = client.request("textDocument/hover", at(&f.rules, RULES, "unilateral ->", 2)).await;
    assert!(hover["contents"]["value"].as_str().unwrap_or_default().contains("fact unilateral: bool"));
    assert!(client.shutdown().await);
    (received, expected)
}

/// Every whole-document request; each is answered, or cancelled by a
/// newer edit ("content modified").
async fn ask_all(client: &mut TestClient, scratch: &str) {
    for method in [
        "textDocument/semanticTokens/full",
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/formatting",
    ] {
        let response = client
            .request_raw(
                method,
                json!({ "textDocument": { "uri": scratch }, "options": { "tabSize": 2, "insertSpaces": true } }),
            )
            .await;
        assert!(response["error"]["code"].as_i64().is_none_or(|c| c == -32801), "{method}: {response}");
    }
    let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } });
    let response = client
        .request_raw("textDocument/inlayHint", json!({ "textDocument": { "uri": scratch }, "range": range }))
        .await;
    assert!(response.get("error").is_none_or(|e| e["code"] == -32801), "{response}");
    let response = client
        .request_raw(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": scratch }, "range": range, "context": { "diagnostics": [] } }),
        )
        .await;
    assert!(response.get("error").is_none_or(|e| e["code"] == -32801), "{response}");
}

proptest! {
    // Each case starts a server of its own; 32 cases of up to 120 steps
    // (about 2 s in a debug build) keep the test to a few seconds.
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Any sequence of edits (anywhere, out of range, reversed, wide
    /// characters) and requests: every request is answered, and the last
    /// diagnostics are those of a fresh check of the text the edits make.
    #[test]
    fn any_edit_storm_ends_in_the_diagnostics_of_a_fresh_check(steps in proptest::collection::vec(step(), 1..120)) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|error| panic!("a runtime: {error}"));
        let (received, expected) = runtime.block_on(edit_storm(&steps));
        runtime.shutdown_timeout(Duration::from_secs(1));
        prop_assert_eq!(Value::Array(received), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_ends_the_server_with_or_without_shutdown() {
    let mut client = TestClient::start(None).await;
    client.notify("exit", Value::Null).await;
    let clean = tokio::time::timeout(Duration::from_secs(5), client.server).await.expect("the server exits on `exit`");
    assert_eq!(clean.ok(), Some(false), "exit without shutdown is not clean");
    let client = TestClient::start(None).await;
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_documents_overlay_the_disk_until_closed() {
    let f = fixture("overlay", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let edited = RULES.replacen("ankle_pressure < 50 mmHg and unilateral", "ankle_pressure < 50 mmHg and unilaterl", 1);
    client.open(&f.rules, 1, &edited).await;
    let diagnostics = client.diagnostics(&f.rules, Some(1)).await;
    assert_eq!(codes(&diagnostics), ["osler::unknown_fact"]);
    let mut params = at(&f.facts, FACTS, "unilateral: bool", 0);
    params["context"] = json!({ "includeDeclaration": false });
    let uses = client.request("textDocument/references", params.clone()).await;
    assert_eq!(uses.as_array().map(Vec::len), Some(1), "the editor's text, not the disk's");
    // The file changes on disk while open: the editor's text still wins.
    std::fs::write(f.root.join("demo/rules.osl"), RULES.replace("6h", "8h")).unwrap_or_default();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": f.rules, "type": 2 }] })).await;
    let uses = client.request("textDocument/references", params.clone()).await;
    assert_eq!(uses.as_array().map(Vec::len), Some(1));
    // Closed: back to the disk's text, and its diagnostics.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": f.rules } })).await;
    let uses = client.request("textDocument/references", params).await;
    assert_eq!(uses.as_array().map(Vec::len), Some(2));
    let diagnostics = client.diagnostics(&f.rules, None).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn added_workspace_folders_are_scanned() {
    let first = fixture("folders", &[]);
    let second = workspace("folders-added", &[("more/one.osl", "fact lonely: bool\n")]);
    let mut client = TestClient::start(Some(&first.root)).await;
    let added = json!({ "event": { "added": [{ "uri": uri(&second), "name": "more" }], "removed": [] } });
    client.notify("workspace/didChangeWorkspaceFolders", added).await;
    let lonely = client.diagnostics(&uri(&second.join("more/one.osl")), None).await;
    assert_eq!(codes(&lonely), ["osler::unused_fact"]);
    let found = client.request("workspace/symbol", json!({ "query": "lonely" })).await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_block_without_content_length_loses_no_later_message() {
    let f = fixture("framing", &[]);
    let mut client = TestClient::start(Some(&f.root)).await;
    let bad_blocks: [&[u8]; 5] = [
        // Headers without a length, then a body the server cannot frame.
        b"Content-Type: application/json\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"textDocument/hover\"}",
        // Lines ended by `\n` alone: no header end until the next message's.
        b"Content-Length: 9\n\n{\"a\":\"b\"}",
        b"Content-Type: text/plain\r\n\r\n",
        b"Content-Length: many\r\n\r\n",
        b"garbage",
    ];
    for bad in bad_blocks {
        client.notifications.clear();
        client.send_raw(bad).await;
        let hover = client.request("textDocument/hover", at(&f.rules, RULES, "unilateral ->", 2)).await;
        let shown = String::from_utf8_lossy(bad);
        assert!(
            hover["contents"]["value"].as_str().unwrap_or_default().contains("fact unilateral"),
            "after {shown:?}: {hover}"
        );
        let error = client.wait_for(|m| m.get("error").is_some()).await;
        assert_eq!(
            (error["id"].clone(), error["error"]["code"].clone()),
            (Value::Null, json!(-32700)),
            "after {shown:?}"
        );
    }
    assert!(client.shutdown().await);
}

/// Absolute (line, UTF-16 character, length) of each semantic token.
fn decode_tokens(data: &[u64]) -> Vec<(u64, u64, u64)> {
    let (mut line, mut character) = (0, 0);
    data.chunks(5)
        .map(|token| {
            if token[0] > 0 {
                character = 0;
            }
            line += token[0];
            character += token[1];
            (line, character, token[2])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_on_one_long_line_with_wide_characters() {
    const ACTIONS: usize = 20_000;
    let mut line = String::from("rule r \"💡 é\": x -> a");
    for _ in 1..ACTIONS {
        line.push_str(",a");
    }
    line.push_str(" cite guide");
    let text = format!("source guide \"Guideline\" year 2026\nfact x: bool\naction a\n\n{line}\n");
    let root = workspace("long-line", &[("long/rules.osl", &text)]);
    let target = uri(&root.join("long/rules.osl"));
    let mut client = TestClient::start(Some(&root)).await;
    client.open(&target, 1, &text).await;
    let diagnostics = client.diagnostics(&target, Some(1)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // UTF-16 columns of every `a` call on the rule's line (counted in one
    // pass: the test must not be quadratic either).
    let utf16 = |byte: usize| line[..byte].encode_utf16().count() as u64;
    let arrow = line.find("->").unwrap_or(0);
    let mut calls = Vec::new();
    let mut column = 0;
    for (index, character) in line.char_indices() {
        if character == 'a' && index > arrow {
            calls.push(column);
        }
        column += character.len_utf16() as u64;
    }
    assert_eq!(calls.len(), ACTIONS);

    let tokens = client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": target } })).await;
    let data: Vec<u64> =
        tokens["data"].as_array().cloned().unwrap_or_default().iter().filter_map(Value::as_u64).collect();
    let on_line: Vec<(u64, u64, u64)> = decode_tokens(&data).into_iter().filter(|t| t.0 == 4).collect();
    let title = utf16(line.find('"').unwrap_or(0));
    assert!(on_line.contains(&(4, title, "\"💡 é\"".encode_utf16().count() as u64)), "the title, counted in UTF-16");
    let function_tokens: Vec<u64> = decode_tokens(&data)
        .iter()
        .zip(data.chunks(5))
        .filter(|((l, _, _), raw)| *l == 4 && raw[3] == 7)
        .map(|((_, c, _), _)| *c)
        .collect();
    assert_eq!(function_tokens, calls, "every action call at its UTF-16 column");

    let mut params = json!({ "textDocument": { "uri": target }, "position": { "line": 2, "character": 7 } });
    params["context"] = json!({ "includeDeclaration": false });
    let references = client.request("textDocument/references", params).await;
    let starts: Vec<u64> = references
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r["range"]["start"]["character"].as_u64())
        .collect();
    assert_eq!(starts, calls);

    let edits = client
        .request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": target }, "options": { "tabSize": 2, "insertSpaces": true } }),
        )
        .await;
    assert_eq!(edits[0]["newText"], osler_dsl::format::format(&text).unwrap_or_default().as_str());
    assert_eq!(edits[0]["range"]["end"], json!({ "line": 5, "character": 0 }));
    // A position at the end of the long line, and one past it.
    let last = *calls.last().unwrap_or(&0);
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": target }, "position": { "line": 4, "character": last } }),
        )
        .await;
    assert_eq!(hover["range"]["start"], json!({ "line": 4, "character": last }), "{hover}");
    let _ = std::fs::remove_dir_all(&root);
    assert!(client.shutdown().await);
}
