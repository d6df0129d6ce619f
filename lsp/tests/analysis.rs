//! The static analysis in the editor: findings arrive as diagnostics in
//! the file they are about (whichever file was edited), with their related
//! locations and example, go away when fixed or when the ruleset gets an
//! error, and "Add as test" inserts a test that checks clean and passes.

use std::time::Duration;

use osler_lsp::testing::{TestClient, position_of, uri, workspace};
use serde_json::{Value, json};

const FACTS: &str = r#"ruleset demo "Demo"

/// The guideline everything cites.
source guide "Smoking guideline" year 2026 url "https://example.org/g"

/// Clinics.
enum Clinic { lung, heart }

/// Smokes.
fact smoker: bool
/// Has chest pain.
fact chest_pain: bool

/// Refer to a clinic.
action refer(to: Clinic)
/// Advise to stop smoking.
action advise()
"#;

const RULES: &str = r#"rule quit "Smokers are advised":
  smoker -> advise, refer(lung)
  cite guide

rule never "Never fires":
  smoker and not smoker -> advise
  cite guide

rule chest "Chest pain goes to the heart clinic":
  chest_pain -> refer(heart)
  cite guide
"#;

const PROPERTIES: &str = r#"/// Smokers are never referred to a clinic.
assert smokers_stay_home: smoker -> not refer

/// One clinic at a time.
exclusive refer
"#;

/// How long the server must stay quiet before a state counts as final.
const QUIET: Duration = Duration::from_millis(400);

/// Waits until the latest diagnostics published for `uri` satisfy `done`,
/// then until the server has been quiet for a while, and returns the
/// latest diagnostics then (which must still satisfy `done`: no later pass
/// brought back what was gone).
async fn settled(client: &mut TestClient, uri: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let is_ours = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
    let diagnostics_of = |m: &Value| m["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
    // Other messages are kept, in order, for later waits.
    let mut others = std::collections::VecDeque::new();
    let mut seen = Vec::new();
    // The wait as a whole has the client's patience; each message more.
    let patience = client.timeout;
    client.timeout = patience * 2;
    let waited = tokio::time::timeout(patience, async {
        loop {
            let message = match client.notifications.pop_front() {
                Some(message) => message,
                None => client.next_message().await,
            };
            if !is_ours(&message) {
                others.push_back(message);
            } else if done(&diagnostics_of(&message)) {
                break diagnostics_of(&message);
            } else {
                seen.push(diagnostics_of(&message));
            }
        }
    })
    .await;
    client.timeout = patience;
    let Ok(mut latest) = waited else { panic!("{uri} never got there; it got {seen:#?}") };
    others.append(&mut client.notifications);
    client.drain(QUIET).await;
    for message in std::mem::take(&mut client.notifications) {
        if is_ours(&message) {
            latest = diagnostics_of(&message);
        } else {
            others.push_back(message);
        }
    }
    client.notifications = others;
    assert!(done(&latest), "a later publication for {uri} undid it: {latest:#?}");
    latest
}

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

fn has(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |diagnostics| !with_code(diagnostics, code).is_empty()
}

fn lacks(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |diagnostics| with_code(diagnostics, code).is_empty()
}

fn range_of(text: &str, needle: &str) -> Value {
    json!({ "start": position_of(text, needle, 0), "end": position_of(text, needle, needle.len()) })
}

/// The "Add as test" actions at `needle` in `uri`.
async fn add_as_test(client: &mut TestClient, uri: &str, text: &str, needle: &str) -> Vec<Value> {
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": range_of(text, needle),
                "context": { "diagnostics": [] },
            }),
        )
        .await;
    actions.as_array().cloned().unwrap_or_default().into_iter().filter(|a| a["title"] == "Add as test").collect()
}

/// Applies one action's single edit (an insertion) to `text`.
fn applied(action: &Value, uri: &str, text: &str) -> String {
    let edits = action["edit"]["changes"][uri].as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 1, "{action:#}");
    let edit = &edits[0];
    assert_eq!(edit["range"]["start"], edit["range"]["end"], "an insertion: {action:#}");
    let at = edit["range"]["start"].clone();
    let line = at["line"].as_u64().unwrap_or_default() as usize;
    let character = at["character"].as_u64().unwrap_or_default() as usize;
    let offset = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>() + character;
    let mut out = text.to_owned();
    out.insert_str(offset, edit["newText"].as_str().unwrap_or_default());
    out
}

/// Checks the ruleset and runs its tests: the errors and the failed tests.
fn check_and_test(files: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let checked = osler_dsl::check_sources(files);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == osler_dsl::Severity::Error)
        .map(|d| format!("{}: {}", d.diagnostic.code, d.diagnostic.message))
        .collect();
    if !errors.is_empty() {
        return (errors, Vec::new());
    }
    let ruleset = osler_engine::Ruleset::from_checked(&checked).expect("a checked ruleset compiles");
    let report = osler_engine::testing::run_tests(&ruleset);
    let failed =
        report.tests.iter().filter(|r| !r.passed()).map(|r| format!("{}: {:?}", r.title, r.failures)).collect();
    (errors, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_are_diagnostics_that_follow_edits_and_become_tests() {
    let root =
        workspace("analysis", &[("demo/facts.osl", FACTS), ("demo/rules.osl", RULES), ("demo/props.osl", PROPERTIES)]);
    let (rules, props) = (uri(&root.join("demo/rules.osl")), uri(&root.join("demo/props.osl")));
    let mut client = TestClient::start(Some(&root)).await;
    client.open(&rules, 1, RULES).await;

    // The dead rule, in the edited file, with its span on the rule's name.
    let diagnostics = settled(&mut client, &rules, has("osler::dead_rule")).await;
    let dead = with_code(&diagnostics, "osler::dead_rule");
    assert_eq!(dead.len(), 1, "{diagnostics:#?}");
    assert_eq!(dead[0]["severity"], 2, "a warning: {:#}", dead[0]);
    assert_eq!(dead[0]["range"], range_of(RULES, "never"), "{:#}", dead[0]);
    assert_eq!(dead[0]["source"], "osler");

    // The violated assert and exclusive, in the file that declares them,
    // though another file was opened; related locations point at the rules
    // that fired on the example, in their own file.
    let diagnostics =
        settled(&mut client, &props, |d| has("osler::assert_violated")(d) && has("osler::exclusive_violated")(d)).await;
    let violated = with_code(&diagnostics, "osler::assert_violated")[0];
    assert_eq!(violated["severity"], 2, "{violated:#}");
    assert_eq!(violated["range"], range_of(PROPERTIES, "smokers_stay_home"), "{violated:#}");
    let message = violated["message"].as_str().unwrap_or_default();
    assert!(message.contains("example: {") && message.contains("\"smoker\":true"), "{violated:#}");
    let related = violated["relatedInformation"].as_array().cloned().unwrap_or_default();
    assert!(
        related.iter().any(|r| r["location"]["uri"] == rules && r["location"]["range"] == range_of(RULES, "quit")),
        "the rule that fired on the example: {violated:#}"
    );
    let test = &violated["data"]["test"];
    assert_eq!(test["title"], "assert_violated: smokers_stay_home", "{violated:#}");
    assert!(test["text"].as_str().unwrap_or_default().contains("given smoker = true"), "{violated:#}");
    let exclusive = with_code(&diagnostics, "osler::exclusive_violated")[0];
    let related = exclusive["relatedInformation"].as_array().cloned().unwrap_or_default();
    for rule in ["quit", "chest"] {
        assert!(
            related.iter().any(|r| r["location"]["uri"] == rules && r["location"]["range"] == range_of(RULES, rule)),
            "{rule} emits one of the calls: {exclusive:#}"
        );
    }
    // "Add as test" on each finding with an example: inserted at the end
    // of the finding's file, the tests check clean and pass.
    let mut files = vec![
        ("facts.osl".to_owned(), FACTS.to_owned()),
        ("rules.osl".to_owned(), RULES.to_owned()),
        ("props.osl".to_owned(), PROPERTIES.to_owned()),
    ];
    let mut titles = Vec::new();
    for needle in ["smokers_stay_home", "exclusive refer"] {
        let actions = add_as_test(&mut client, &props, PROPERTIES, needle).await;
        assert_eq!(actions.len(), 1, "{needle}: {actions:#?}");
        assert_eq!(actions[0]["kind"], "quickfix");
        let text = applied(&actions[0], &props, PROPERTIES);
        let inserted = &text[PROPERTIES.len()..];
        assert!(inserted.starts_with("\ntest \"") && inserted.ends_with("}\n"), "{inserted}");
        titles.push(inserted.lines().nth(1).unwrap_or_default().to_owned());
        files[2].1 = text;
        let (errors, failed) = check_and_test(&files);
        assert!(errors.is_empty() && failed.is_empty(), "{needle}:\n{}\n{errors:?} {failed:?}", files[2].1);
        files[2].1 = PROPERTIES.to_owned();
    }
    assert_eq!(titles[0], "test \"assert_violated: smokers_stay_home\" {");
    assert_eq!(titles[1], "test \"exclusive_violated: refer\" {");
    // The dead rule has no example: no test to add.
    assert!(add_as_test(&mut client, &rules, RULES, "never").await.is_empty());

    // A syntax error: the checker's error, and every finding cleared.
    let broken = RULES.replace("rule chest", "rule chest chest");
    replace_text(&mut client, &rules, 2, &broken).await;
    let diagnostics =
        settled(&mut client, &rules, |d| d.iter().any(|d| d["severity"] == 1) && lacks("osler::dead_rule")(d)).await;
    assert!(diagnostics.iter().all(|d| d["code"] != "osler::dead_rule"), "{diagnostics:#?}");
    let diagnostics = settled(&mut client, &props, |d| d.is_empty()).await;
    assert!(diagnostics.is_empty(), "stale findings: {diagnostics:#?}");

    // Repaired: the findings are back.
    replace_text(&mut client, &rules, 3, RULES).await;
    settled(&mut client, &props, has("osler::assert_violated")).await;
    settled(&mut client, &rules, has("osler::dead_rule")).await;

    // The dead rule and the properties fixed in the rules' file: their
    // findings go, in both files.
    let fixed = RULES
        .replace("smoker and not smoker -> advise", "not smoker and not chest_pain -> advise")
        .replace("chest_pain -> refer(heart)", "chest_pain and not smoker -> refer(heart)")
        .replace("smoker -> advise, refer(lung)", "smoker -> advise");
    replace_text(&mut client, &rules, 4, &fixed).await;
    let diagnostics = settled(&mut client, &props, |d| d.is_empty()).await;
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let diagnostics = settled(&mut client, &rules, lacks("osler::dead_rule")).await;
    assert!(diagnostics.iter().all(|d| d["severity"] != 1), "{diagnostics:#?}");
    assert!(client.shutdown().await);
}

/// Replaces the whole text of an open document.
async fn replace_text(client: &mut TestClient, uri: &str, version: i64, text: &str) {
    let change = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
    client.notify("textDocument/didChange", change).await;
}
