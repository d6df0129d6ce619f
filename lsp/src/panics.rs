//! Reporting panics caught in handlers, document changes and diagnostics
//! passes: the panic's message, sent to the editor's log.

use std::any::Any;
use tower_lsp_server::Client;
use tower_lsp_server::gen_lsp_types as lsp;

/// The message a panic was raised with.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Reports a caught panic in the editor's log (`window/logMessage`, as an
/// error). The panic hook has printed it on standard error too.
pub(crate) async fn log_panic(client: &Client, during: &str, message: &str) {
    client.log_message(lsp::MessageType::Error, format!("osler: internal error in {during}: {message}")).await;
}

/// [`log_panic`] from code that cannot wait: the message is sent by a task
/// of its own.
pub(crate) fn log_panic_soon(client: &Client, during: String, message: String) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let client = client.clone();
    runtime.spawn(async move { log_panic(&client, &during, &message).await });
}
