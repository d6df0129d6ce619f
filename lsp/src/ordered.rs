//! Applies document changes strictly in the order they arrive.
//!
//! `tower-lsp-server` reads messages in order but runs their handlers
//! concurrently, so two `didChange` handlers could apply out of order. This
//! layer sits in front of the `LspService`: its `call` runs for each message
//! in arrival order, and it applies document notifications right there,
//! under a short lock, before any later request is even read. Requests that
//! follow therefore always see every earlier edit.

use std::sync::Arc;
use std::task::{Context, Poll};

use tower_lsp_server::gen_lsp_types as lsp;
use tower_lsp_server::jsonrpc::Request;

use crate::shared::Shared;
use crate::workspace::{Touched, key_of};

/// The ordering layer around the language service.
#[derive(Debug)]
pub(crate) struct Ordered<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Ordered<S> {
    /// Wraps `inner`, applying document changes to `shared`'s workspace.
    pub(crate) fn new(inner: S, shared: Arc<Shared>) -> Ordered<S> {
        Ordered { inner, shared }
    }
}

fn parse<T: serde::de::DeserializeOwned>(request: &Request) -> Option<T> {
    request.params().and_then(|params| serde_json::from_value(params.clone()).ok())
}

/// Applies a document notification to the workspace, if `request` is one.
fn apply(shared: &Arc<Shared>, request: &Request) {
    match request.method() {
        "initialized" => {
            // Diagnostics for the whole workspace, open or not, before any
            // document change that follows.
            shared.change(request.method(), None, |workspace| Touched {
                folders: workspace.table.rulesets.keys().cloned().collect(),
                removed: Vec::new(),
            });
        }
        "textDocument/didOpen" => {
            if let Some(params) = parse::<lsp::DidOpenTextDocumentParams>(request) {
                let key = key_of(&params.text_document.uri);
                shared.change(request.method(), Some(key), |workspace| workspace.open(params.text_document));
            }
        }
        "textDocument/didChange" => {
            if let Some(params) = parse::<lsp::DidChangeTextDocumentParams>(request) {
                let key = key_of(&params.text_document.text_document_identifier.uri);
                shared.change(request.method(), Some(key), |workspace| workspace.change(params));
            }
        }
        "textDocument/didClose" => {
            if let Some(params) = parse::<lsp::DidCloseTextDocumentParams>(request) {
                shared.change(request.method(), None, |workspace| workspace.close(&params.text_document.uri));
            }
        }
        "workspace/didChangeWorkspaceFolders" => {
            if let Some(params) = parse::<lsp::DidChangeWorkspaceFoldersParams>(request) {
                let added: Vec<_> =
                    params.event.added.iter().filter_map(|f| crate::convert::uri_to_path(&f.uri)).collect();
                shared.change(request.method(), None, |workspace| workspace.scan(&added));
            }
        }
        "workspace/didChangeWatchedFiles" => {
            if let Some(params) = parse::<lsp::DidChangeWatchedFilesParams>(request) {
                shared.change(request.method(), None, |workspace| workspace.watched(params.changes));
            }
        }
        // The session ends here, even if handlers or the server's own
        // requests to the client are still pending (see the `session` module).
        "exit" => shared.exit.notify_one(),
        #[cfg(test)]
        "osler/testPanicChange" => shared.change(request.method(), None, |_| panic!("a test panic in a change")),
        _ => {}
    }
}

impl<S> tower_service::Service<Request> for Ordered<S>
where
    S: tower_service::Service<Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        apply(&self.shared, &request);
        self.inner.call(request)
    }
}
