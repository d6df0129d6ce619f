//! The language server: the capabilities it announces, and one small
//! method per request, each running its handler on a database
//! snapshot off the async runtime.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use osler_dsl::db::Database;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::gen_lsp_types as lsp;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};

use crate::panics::{log_panic, panic_message};
use crate::shared::Shared;
use crate::workspace::Table;
use crate::{analysis, handlers};

/// The answer to a request whose handler panicked.
fn internal_error(method: &str, message: &str) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: format!("internal error in `{method}`: {message}").into(),
        data: None,
    }
}

/// The `LanguageServer` implementation.
#[derive(Debug)]
pub(crate) struct Backend {
    /// The session's state.
    pub(crate) shared: Arc<Shared>,
}

/// Runs `f` on a snapshot of the database in a blocking thread. A newer
/// edit cancels it (`ContentModified`); a panic is logged and answered with
/// an internal error naming the request (`method`).
async fn on_snapshot<T, F>(shared: &Arc<Shared>, method: &'static str, f: F) -> Result<T>
where
    F: FnOnce(&Database, &Table) -> T + Send + 'static,
    T: Send + 'static,
{
    let task = Arc::clone(shared);
    let joined = tokio::task::spawn_blocking(move || {
        let (db, table) = {
            let workspace = task.lock();
            (workspace.db.clone(), Arc::clone(&workspace.table))
        };
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| Database::cancellable(AssertUnwindSafe(|| f(&db, &table)))));
        drop(db);
        outcome
    })
    .await;
    let message = match joined {
        Ok(Ok(Ok(value))) => return Ok(value),
        Ok(Ok(Err(_cancelled))) => return Err(Error::content_modified()),
        Ok(Err(payload)) => panic_message(payload.as_ref()),
        Err(error) => match error.try_into_panic() {
            Ok(payload) => panic_message(payload.as_ref()),
            Err(error) => error.to_string(),
        },
    };
    log_panic(&shared.client, &format!("`{method}`"), &message).await;
    Err(internal_error(method, &message))
}

fn roots(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(lsp::WorkspaceFolders::WorkspaceFolderList(folders)) =
        &params.workspace_folders_initialize_params.workspace_folders
    {
        roots.extend(folders.iter().filter_map(|folder| crate::convert::uri_to_path(&folder.uri)));
    }
    if roots.is_empty() {
        #[expect(deprecated, reason = "older clients send only `rootUri`")]
        if let Some(uri) = &params.root_uri {
            roots.extend(crate::convert::uri_to_path(uri));
        }
    }
    roots
}

/// What the server can do, as announced in the `initialize` answer.
fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSync::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::Incremental),
            ..Default::default()
        })),
        hover_provider: Some(lsp::HoverProvider::Bool(true)),
        definition_provider: Some(lsp::DefinitionProvider::Bool(true)),
        references_provider: Some(lsp::ReferencesProvider::Bool(true)),
        document_highlight_provider: Some(lsp::DocumentHighlightProvider::Bool(true)),
        document_symbol_provider: Some(lsp::DocumentSymbolProvider::Bool(true)),
        workspace_symbol_provider: Some(lsp::WorkspaceSymbolProvider::Bool(true)),
        rename_provider: Some(lsp::RenameProvider::RenameOptions(lsp::RenameOptions {
            prepare_provider: Some(true),
            ..Default::default()
        })),
        folding_range_provider: Some(lsp::FoldingRangeProvider::Bool(true)),
        semantic_tokens_provider: Some(lsp::SemanticTokensProvider::SemanticTokensOptions(
            lsp::SemanticTokensOptions {
                legend: handlers::semantic_legend(),
                full: Some(lsp::Full::Bool(true)),
                ..Default::default()
            },
        )),
        signature_help_provider: Some(lsp::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_owned(), ",".to_owned()]),
            ..Default::default()
        }),
        inlay_hint_provider: Some(lsp::InlayHintProvider::Bool(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some([">", "{", "(", ",", "=", ":"].iter().map(|c| (*c).to_owned()).collect()),
            ..Default::default()
        }),
        code_action_provider: Some(lsp::CodeActionProvider::CodeActionOptions(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QuickFix]),
            ..Default::default()
        })),
        document_formatting_provider: Some(lsp::DocumentFormattingProvider::Bool(true)),
        workspace: Some(lsp::WorkspaceOptions {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::ChangeNotifications::Bool(true)),
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        self.shared.watch_files.store(watch, Ordering::SeqCst);
        let roots = roots(&params);
        let shared = Arc::clone(&self.shared);
        // The scan reads the disk: off the runtime. `initialize` holds back
        // every other message until it returns, so nothing sees a half scan.
        let scanned = tokio::task::spawn_blocking(move || {
            let mut workspace = shared.lock();
            std::panic::catch_unwind(AssertUnwindSafe(|| workspace.scan(&roots))).map(drop)
        })
        .await;
        let failed = match scanned {
            Ok(Ok(())) => None,
            Ok(Err(payload)) => Some(panic_message(payload.as_ref())),
            Err(error) => Some(error.to_string()),
        };
        if let Some(message) = failed {
            log_panic(&self.shared.client, "`initialize`", &message).await;
            return Err(internal_error("initialize", &message));
        }
        Ok(lsp::InitializeResult {
            capabilities: capabilities(),
            server_info: Some(lsp::ServerInfo {
                name: "osler".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        if self.shared.watch_files.load(Ordering::SeqCst) {
            let options = lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::Pattern("**/*.osl".to_owned()),
                    kind: None,
                }],
            };
            let registration = lsp::Registration {
                id: "osler-watch-osl".to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
                register_options: serde_json::to_value(options).ok(),
            };
            // Not awaited here: a client that never answers must not hold
            // one of the library's few concurrent handler slots forever.
            let client = self.shared.client.clone();
            tokio::spawn(async move {
                let _ = client.register_capability(vec![registration]).await;
            });
        }
        // The first diagnostics of the whole workspace are scheduled by the
        // ordering layer when `initialized` arrives (see the `ordered` module).
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.shutdown_requested.store(true, Ordering::SeqCst);
        Ok(())
    }

    // Document changes are applied by the ordering layer (the `ordered` module)
    // as they arrive; these handlers have nothing left to do.
    async fn did_open(&self, _: lsp::DidOpenTextDocumentParams) {}

    async fn did_change(&self, _: lsp::DidChangeTextDocumentParams) {}

    async fn did_close(&self, _: lsp::DidCloseTextDocumentParams) {}

    async fn did_save(&self, _: lsp::DidSaveTextDocumentParams) {}

    async fn did_change_watched_files(&self, _: lsp::DidChangeWatchedFilesParams) {}

    async fn did_change_workspace_folders(&self, _: lsp::DidChangeWorkspaceFoldersParams) {}

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        on_snapshot(&self.shared, "textDocument/hover", move |db, table| {
            handlers::hover(db, table, &params.text_document_position_params)
        })
        .await
    }

    async fn goto_definition(&self, params: lsp::DefinitionParams) -> Result<Option<lsp::DefinitionResponse>> {
        on_snapshot(&self.shared, "textDocument/definition", move |db, table| {
            handlers::definition(db, table, &params.text_document_position_params)
        })
        .await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        on_snapshot(&self.shared, "textDocument/references", move |db, table| {
            handlers::references(db, table, &params.text_document_position_params, params.context.include_declaration)
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        on_snapshot(&self.shared, "textDocument/documentHighlight", move |db, table| {
            handlers::highlight(db, table, &params.text_document_position_params)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResult>> {
        on_snapshot(&self.shared, "textDocument/prepareRename", move |db, table| {
            handlers::prepare_rename(db, table, &params)
        })
        .await?
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        on_snapshot(&self.shared, "textDocument/rename", move |db, table| handlers::rename(db, table, &params)).await?
    }

    async fn document_symbol(&self, params: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        on_snapshot(&self.shared, "textDocument/documentSymbol", move |db, table| {
            handlers::document_symbols(db, table, &params.text_document.uri)
        })
        .await
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        on_snapshot(&self.shared, "workspace/symbol", move |db, table| {
            handlers::workspace_symbols(db, table, &params.query)
        })
        .await
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        on_snapshot(&self.shared, "textDocument/foldingRange", move |db, table| {
            handlers::folding_ranges(db, table, &params.text_document.uri)
        })
        .await
    }

    async fn semantic_tokens_full(&self, params: lsp::SemanticTokensParams) -> Result<Option<lsp::SemanticTokens>> {
        on_snapshot(&self.shared, "textDocument/semanticTokens/full", move |db, table| {
            handlers::semantic_tokens(db, table, &params.text_document.uri)
        })
        .await
    }

    async fn signature_help(&self, params: lsp::SignatureHelpParams) -> Result<Option<lsp::SignatureHelp>> {
        on_snapshot(&self.shared, "textDocument/signatureHelp", move |db, table| {
            handlers::signature_help(db, table, &params.text_document_position_params)
        })
        .await
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        on_snapshot(&self.shared, "textDocument/inlayHint", move |db, table| {
            handlers::inlay_hints(db, table, &params.text_document.uri, params.range)
        })
        .await
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        on_snapshot(&self.shared, "textDocument/completion", move |db, table| {
            handlers::completion(db, table, &params.text_document_position_params)
        })
        .await
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<Vec<lsp::CodeActionResponse>>> {
        let engines = self.shared.engines();
        on_snapshot(&self.shared, "textDocument/codeAction", move |db, table| {
            let mut actions = handlers::code_actions(db, table, &params)?;
            actions.extend(analysis::add_as_test(db, table, &engines, &params));
            Some(actions)
        })
        .await
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        on_snapshot(&self.shared, "textDocument/formatting", move |db, table| {
            handlers::formatting(db, table, &params.text_document.uri)
        })
        .await
    }
}

/// Requests that exist only in this crate's own tests: a handler that
/// panics, and one that waits for an answer from the client.
#[cfg(test)]
pub(crate) fn test_methods(
    builder: tower_lsp_server::LspServiceBuilder<Backend>,
) -> tower_lsp_server::LspServiceBuilder<Backend> {
    builder
        .custom_method("osler/testPanic", Backend::test_panic)
        .custom_method("osler/testAskClient", Backend::test_ask_client)
        .custom_method("osler/testNotifyAndAskClient", Backend::test_notify_and_ask_client)
}

#[cfg(test)]
impl Backend {
    async fn test_panic(&self, _: serde_json::Value) -> Result<serde_json::Value> {
        on_snapshot(&self.shared, "osler/testPanic", |_, _| -> serde_json::Value { panic!("a test panic") }).await
    }

    async fn test_ask_client(&self, _: serde_json::Value) -> Result<serde_json::Value> {
        let registration = lsp::Registration {
            id: "osler-test".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: None,
        };
        self.shared.client.register_capability(vec![registration]).await?;
        Ok(serde_json::Value::Null)
    }

    /// A notification handler waiting for the client: `exit` does not
    /// cancel it, unlike a request's.
    async fn test_notify_and_ask_client(&self, params: serde_json::Value) {
        let _ = self.test_ask_client(params).await;
    }
}
