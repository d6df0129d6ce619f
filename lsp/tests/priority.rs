//! The `priority` declaration in the editor, over the protocol: its names
//! are actions to hover, go-to-definition, references, rename and
//! completion, and its errors reach the editor as `osler check` reports them.

use osler_lsp::testing::{TestClient, position_of, uri, workspace};
use serde_json::{Value, json};

const ACTIONS: &str = r#"fact absent_pulse: bool
fact rest_pain: bool

/// Emergency vascular consultation.
action emergency(within: duration)
/// Home care.
action self_care
"#;

const RULES: &str = r#"rule ali "Absent pulse":
  absent_pulse -> emergency(6h)

rule home "Pain without a red flag":
  not absent_pulse and not rest_pain -> self_care

priority emergency
  > self_care
"#;

fn at(uri: &str, text: &str, needle: &str, delta: usize) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position_of(text, needle, delta) })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_names_hover_navigate_and_rename_as_actions() {
    let root = workspace("priority", &[("triage/actions.osl", ACTIONS), ("triage/rules.osl", RULES)]);
    let actions = uri(&root.join("triage/actions.osl"));
    let rules = uri(&root.join("triage/rules.osl"));
    let mut client = TestClient::start(Some(&root)).await;

    let hover = client.request("textDocument/hover", at(&rules, RULES, "priority emergency", 10)).await;
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        text.contains("action emergency(within: duration)") && text.contains("Emergency vascular consultation."),
        "{hover}"
    );

    let definition = client.request("textDocument/definition", at(&rules, RULES, "> self_care", 2)).await;
    assert_eq!(definition["uri"], actions.as_str());
    assert_eq!(definition["range"]["start"], position_of(ACTIONS, "self_care", 0));

    let mut params = at(&rules, RULES, "priority emergency", 9);
    params["context"] = json!({ "includeDeclaration": true });
    let references = client.request("textDocument/references", params).await;
    let references = references.as_array().cloned().unwrap_or_default();
    let in_rules: Vec<&Value> = references.iter().filter(|r| r["uri"] == rules.as_str()).map(|r| &r["range"]).collect();
    assert_eq!(references.len(), 3, "the declaration, the rule and the priority: {references:?}");
    assert!(in_rules.iter().any(|range| range["start"] == position_of(RULES, "priority emergency", 9)));

    let mut params = at(&rules, RULES, "priority emergency", 9);
    params["newName"] = json!("vascular_emergency");
    let edit = client.request("textDocument/rename", params).await;
    let changes = edit["changes"].as_object().cloned().unwrap_or_default();
    assert_eq!(changes[&actions].as_array().map(Vec::len), Some(1), "{edit}");
    assert_eq!(changes[&rules].as_array().map(Vec::len), Some(2), "the rule's call and the priority: {edit}");

    // After `>`, completion offers the actions, not the facts.
    let scratch = uri(&root.join("triage/scratch.osl"));
    let typed = "priority emergency > ";
    client.open(&scratch, 1, typed).await;
    let end = position_of(typed, "", typed.len());
    let result =
        client.request("textDocument/completion", json!({ "textDocument": { "uri": scratch }, "position": end })).await;
    let items = result["items"].as_array().cloned().unwrap_or_default();
    let labels: Vec<&str> = items.iter().map(|item| item["label"].as_str().unwrap_or_default()).collect();
    assert!(labels.contains(&"self_care") && labels.contains(&"emergency"), "{labels:?}");
    assert!(!labels.contains(&"absent_pulse"), "{labels:?}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_or_unknown_priority_name_is_reported_where_it_stands() {
    let broken = "priority emergency > self_car > emergency\n";
    let root = workspace("priority-errors", &[("triage/actions.osl", ACTIONS), ("triage/priority.osl", broken)]);
    let file = uri(&root.join("triage/priority.osl"));
    let mut client = TestClient::start(Some(&root)).await;
    client.open(&file, 1, broken).await;
    let diagnostics = client.diagnostics(&file, Some(1)).await;
    let found: Vec<(String, Value)> = diagnostics
        .iter()
        .map(|d| (d["code"].as_str().unwrap_or_default().to_owned(), d["range"]["start"].clone()))
        .collect();
    assert_eq!(
        found,
        [
            ("osler::unknown_action".to_owned(), position_of(broken, "self_car", 0)),
            ("osler::priority_repeats".to_owned(), position_of(broken, "> emergency", 2)),
        ],
        "{diagnostics:?}"
    );
    let repeated = &diagnostics[1];
    assert_eq!(repeated["relatedInformation"][0]["location"]["range"]["start"], position_of(broken, "emergency", 0));
    assert!(client.shutdown().await);
}
