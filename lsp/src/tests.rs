//! Protocol tests that need this crate's test-only requests
//! (`server::test_methods`) or test-only behaviour: a handler that panics,
//! one that waits for an answer the client never gives, and an analysis
//! that panics.

use std::time::Duration;

use serde_json::{Value, json};

use crate::testing::TestClient;

/// How soon the session must end after `exit` or the end of its input.
const PROMPTLY: Duration = Duration::from_secs(1);

/// Starts a session with a server request to the client left unanswered,
/// made by the handler of a request or of a notification.
async fn client_owing_an_answer(from_a_notification: bool) -> TestClient {
    let mut client = TestClient::start(None).await;
    client.answer_requests = false;
    if from_a_notification {
        client.notify("osler/testNotifyAndAskClient", Value::Null).await;
    } else {
        client.send(json!({ "jsonrpc": "2.0", "id": 1000, "method": "osler/testAskClient", "params": null })).await;
    }
    client.wait_for(|m| m["method"] == "client/registerCapability").await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_ends_the_session_while_a_server_request_is_unanswered() {
    for from_a_notification in [true, false] {
        let mut client = client_owing_an_answer(from_a_notification).await;
        client.notify("exit", Value::Null).await;
        let clean = tokio::time::timeout(PROMPTLY, client.server).await.expect("the session ends on `exit`");
        assert_eq!(clean.ok(), Some(false), "exit without shutdown is not clean");

        let mut client = client_owing_an_answer(from_a_notification).await;
        let result = client.request_raw("shutdown", Value::Null).await;
        assert!(result.get("error").is_none(), "{result}");
        client.notify("exit", Value::Null).await;
        let clean = tokio::time::timeout(PROMPTLY, client.server).await.expect("the session ends on `exit`");
        assert_eq!(clean.ok(), Some(true), "exit after shutdown is clean");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_the_input_ends_the_session_while_a_server_request_is_unanswered() {
    for from_a_notification in [true, false] {
        let mut client = client_owing_an_answer(from_a_notification).await;
        client.close_input().await;
        let clean = tokio::time::timeout(PROMPTLY, client.server).await.expect("the session ends with its input");
        assert_eq!(clean.ok(), Some(false));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_ends_the_session_while_the_watcher_registration_is_unanswered() {
    let mut client = TestClient::spawn();
    client.answer_requests = false;
    let capabilities = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let result =
        client.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": capabilities })).await;
    assert!(result.get("capabilities").is_some(), "{result}");
    client.notify("initialized", json!({})).await;
    client.wait_for(|m| m["method"] == "client/registerCapability").await;
    client.notify("exit", Value::Null).await;
    let clean = tokio::time::timeout(PROMPTLY, client.server).await.expect("the session ends on `exit`");
    assert_eq!(clean.ok(), Some(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_are_logged_and_answered_with_an_internal_error() {
    let mut client = TestClient::start(None).await;
    let response = client.request_raw("osler/testPanic", Value::Null).await;
    assert_eq!(response["error"]["code"], -32603, "{response}");
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("osler/testPanic") && message.contains("a test panic"), "{response}");
    let is_error_log = |m: &Value, method: &str, panic: &str| {
        let message = m["params"]["message"].as_str().unwrap_or_default();
        m["method"] == "window/logMessage"
            && m["params"]["type"] == 1
            && message.contains(method)
            && message.contains(panic)
    };
    client.wait_for(|m| is_error_log(m, "osler/testPanic", "a test panic")).await;
    // A panic while applying a notification: logged too.
    client.notify("osler/testPanicChange", json!({})).await;
    client.wait_for(|m| is_error_log(m, "osler/testPanicChange", "a test panic in a change")).await;
    // The server goes on.
    client.open("untitled:after-panic", 1, "fact a: bool\n").await;
    let diagnostics = client.diagnostics("untitled:after-panic", Some(1)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(client.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_the_analysis_is_logged_and_the_server_goes_on() {
    let mut client = TestClient::start(None).await;
    let text = "ruleset test_panic_in_analysis\nfact a: bool\naction act()\nrule r: a and not a -> act\n";
    client.open("untitled:analysis-panic", 1, text).await;
    client
        .wait_for(|m| {
            let message = m["params"]["message"].as_str().unwrap_or_default();
            m["method"] == "window/logMessage"
                && message.contains("analysing the ruleset")
                && message.contains("a test panic in the analysis")
        })
        .await;
    // The checker's diagnostics still arrive, and the server still answers.
    client.open("untitled:after-analysis-panic", 1, "fact b: bool\n").await;
    let diagnostics = client.diagnostics("untitled:after-analysis-panic", Some(1)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(client.shutdown().await);
}
