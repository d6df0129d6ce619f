//! Publishing diagnostics after every change: each file's diagnostics come
//! from the same query as `osler check` (`file_diagnostics`), computed on a
//! database snapshot off the async runtime. The edited document is checked
//! and published first (always: its version changed); then the rest of its
//! ruleset, where only files whose diagnostics changed are re-published.
//! A newer edit cancels the snapshot (`osler_dsl::db::Cancelled`), and the
//! [`Publisher`]'s generation number keeps an older computation from
//! overwriting a newer one.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use osler_dsl::db::{Database, Ruleset, SourceFile};
use tower_lsp_server::Client;
use tower_lsp_server::gen_lsp_types as lsp;

use crate::convert::{Document, Related, diagnostic};
use crate::panics::{log_panic_soon, panic_message};
use crate::workspace::{Table, Touched, Workspace};

/// One file to check.
#[derive(Clone, Debug)]
struct Job {
    uri: lsp::Uri,
    source: SourceFile,
    ruleset: Ruleset,
    version: Option<i32>,
}

/// One file's diagnostics, ready to publish.
#[derive(Debug)]
struct Outcome {
    uri: lsp::Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

/// What was last published for a document.
#[derive(Debug, Default)]
struct Published {
    generation: u64,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

/// Sends diagnostics to the editor and remembers what it sent, so an older
/// computation never overwrites a newer one and unchanged diagnostics are
/// not sent again.
#[derive(Debug)]
pub(crate) struct Publisher {
    client: Client,
    /// The number of the latest diagnostics pass scheduled.
    generation: AtomicU64,
    /// The last publication per URI.
    published: tokio::sync::Mutex<HashMap<String, Published>>,
}

/// The diagnostics of one file, converted for the editor.
fn file_diagnostics(
    db: &Database,
    table: &Table,
    uri: &lsp::Uri,
    source: SourceFile,
    ruleset: Ruleset,
) -> Vec<lsp::Diagnostic> {
    let diagnostics = osler_dsl::check::file_diagnostics(db, ruleset, source);
    let text = source.text(db);
    let document = Document::new(text);
    let lookup = |path: &str| {
        let file = table.files.get(path)?;
        Some((file.uri.clone(), file.source.text(db).as_str()))
    };
    let mut related = Related::new(&lookup);
    diagnostics.iter().map(|d| diagnostic(&document, uri, d, &mut related)).collect()
}

/// Schedules the diagnostics of the touched rulesets, `priority` (the
/// edited document's key) first. Called with the workspace locked, right
/// after the change, so the snapshot is exactly the changed state.
pub(crate) fn schedule(publisher: &Arc<Publisher>, workspace: &Workspace, touched: Touched, priority: Option<&str>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let generation = publisher.generation.fetch_add(1, Ordering::SeqCst) + 1;
    let table = Arc::clone(&workspace.table);
    let mut jobs = Vec::new();
    for folder in &touched.folders {
        let Some(&ruleset) = table.rulesets.get(folder) else { continue };
        for (key, file) in table.files_in(folder) {
            let version = workspace.versions.get(key).copied();
            let job = Job { uri: file.uri.clone(), source: file.source, ruleset, version };
            if Some(key.as_str()) == priority {
                jobs.insert(0, job);
            } else {
                jobs.push(job);
            }
        }
    }
    // The snapshot goes straight to the blocking pool: an async task could
    // sit unpolled behind the thread that is about to write to the
    // database, and that write waits for every snapshot to be dropped.
    let db = workspace.db.clone();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Outcome>();
    let client = publisher.client.clone();
    runtime.spawn_blocking(move || {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            Database::cancellable(AssertUnwindSafe(|| {
                for job in jobs {
                    let diagnostics = file_diagnostics(&db, &table, &job.uri, job.source, job.ruleset);
                    let outcome = Outcome { uri: job.uri, version: job.version, diagnostics };
                    if sender.send(outcome).is_err() {
                        break;
                    }
                }
            }))
        }));
        drop(db);
        if let Err(payload) = outcome {
            log_panic_soon(&client, "computing diagnostics".to_owned(), panic_message(payload.as_ref()));
        }
    });
    let publisher = Arc::clone(publisher);
    let removed = touched.removed;
    runtime.spawn(async move {
        for uri in removed {
            publisher.clear(&uri, generation).await;
        }
        while let Some(outcome) = receiver.recv().await {
            publisher.publish(outcome.uri, outcome.version, outcome.diagnostics, generation).await;
        }
    });
}

impl Publisher {
    /// A publisher that has published nothing yet.
    pub(crate) fn new(client: Client) -> Publisher {
        Publisher { client, generation: AtomicU64::new(0), published: tokio::sync::Mutex::new(HashMap::new()) }
    }

    /// Publishes a document's diagnostics unless a newer computation
    /// already did, or nothing changed: neither the diagnostics nor the
    /// document version (an edited document is always re-published, with
    /// its new version).
    async fn publish(&self, uri: lsp::Uri, version: Option<i32>, diagnostics: Vec<lsp::Diagnostic>, generation: u64) {
        let mut published = self.published.lock().await;
        let entry = published.entry(uri.as_ref().to_owned()).or_default();
        if entry.generation > generation {
            return;
        }
        entry.generation = generation;
        if entry.diagnostics == diagnostics && entry.version == version {
            return;
        }
        entry.diagnostics = diagnostics.clone();
        entry.version = version;
        // Sent while the map is locked, so two publications for a URI
        // cannot overtake each other.
        self.client.publish_diagnostics(uri, diagnostics, version).await;
    }

    /// Clears the diagnostics of a document that left the workspace, if it
    /// had any.
    async fn clear(&self, uri: &lsp::Uri, generation: u64) {
        let mut published = self.published.lock().await;
        let had = published.remove(uri.as_ref()).is_some_and(|entry| !entry.diagnostics.is_empty());
        if had {
            published.insert(uri.as_ref().to_owned(), Published { generation, version: None, diagnostics: Vec::new() });
            self.client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
        }
    }
}
