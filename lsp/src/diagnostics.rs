//! Publishing diagnostics after every change: each file's diagnostics come
//! from the same query as `osler check` (`file_diagnostics`), computed on a
//! database snapshot off the async runtime. The edited document is checked
//! and published first (always: its version changed); then the rest of its
//! ruleset, where only files whose diagnostics changed are re-published.
//! A newer edit cancels the snapshot (`osler_dsl::db::Cancelled`), and the
//! [`Publisher`]'s generation number keeps an older computation from
//! overwriting a newer one.
//!
//! When the checker's diagnostics are out, the same pass analyses the
//! touched rulesets (`crate::analysis`): the model and findings are read on
//! the snapshot (cancellable salsa queries), the snapshot is dropped, the
//! engine replays the findings, and each file of the ruleset gets its
//! findings published beside its checker diagnostics (none clears them).

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use osler_dsl::db::{Cancelled, Database, Ruleset, SourceFile};
use tower_lsp_server::Client;
use tower_lsp_server::gen_lsp_types as lsp;

use crate::analysis::{self, Engines, FileText, Pending};
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

/// One ruleset to analyse, with its files.
#[derive(Clone, Debug)]
struct AnalysisJob {
    folder: String,
    ruleset: Ruleset,
    /// Each file by path, with its URI and document version.
    files: Vec<(String, lsp::Uri, SourceFile, Option<i32>)>,
}

/// One file's diagnostics, ready to publish: the checker's, or the
/// analysis findings.
#[derive(Debug)]
struct Outcome {
    uri: lsp::Uri,
    version: Option<i32>,
    /// A hash of the text they were computed on.
    text: u64,
    diagnostics: Vec<lsp::Diagnostic>,
    kind: Kind,
}

/// Which part of a file's diagnostics an [`Outcome`] holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Checker,
    Findings,
}

/// What was last published for a document.
#[derive(Debug, Default)]
struct Published {
    generation: u64,
    version: Option<i32>,
    /// The checker's diagnostics.
    checker: Vec<lsp::Diagnostic>,
    /// The analysis findings, and the hash of the text they were computed on.
    findings: Vec<lsp::Diagnostic>,
    findings_text: u64,
    /// What the editor was last sent: the two together.
    sent: Vec<lsp::Diagnostic>,
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
    /// Rulesets (by folder) whose analysis has not been published since
    /// they changed, with the pass that last asked for it: a pass that a
    /// newer edit cancels leaves them to the next pass, whatever that edit
    /// touched.
    unanalysed: Mutex<HashMap<String, u64>>,
    /// The compiled engine programs, shared with the code actions.
    pub(crate) engines: Arc<Engines>,
}

fn text_hash(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The diagnostics of one file, converted for the editor.
fn file_diagnostics(db: &Database, table: &Table, job: &Job) -> Vec<lsp::Diagnostic> {
    let diagnostics = osler_dsl::check::file_diagnostics(db, job.ruleset, job.source);
    let text = job.source.text(db);
    let document = Document::new(text);
    let lookup = |path: &str| {
        let file = table.files.get(path)?;
        Some((file.uri.clone(), file.source.text(db).as_str()))
    };
    let mut related = Related::new(&lookup);
    diagnostics.iter().map(|d| diagnostic(&document, &job.uri, d, &mut related)).collect()
}

/// The checker's diagnostics of every job, in order, sent as they come.
fn check_files(db: &Database, table: &Table, jobs: Vec<Job>, sender: &Sender) {
    for job in jobs {
        let diagnostics = file_diagnostics(db, table, &job);
        let text = text_hash(job.source.text(db));
        let outcome = Outcome { uri: job.uri, version: job.version, text, diagnostics, kind: Kind::Checker };
        if sender.send(outcome).is_err() {
            break;
        }
    }
}

type Sender = tokio::sync::mpsc::UnboundedSender<Outcome>;

/// A ruleset's analysis as read from a snapshot: its model and findings
/// (none when it has errors), and its files' texts.
struct Read {
    job: AnalysisJob,
    pending: Option<Pending>,
    files: BTreeMap<String, FileText>,
}

/// Reads what the analysis of each job needs, on the snapshot (salsa
/// queries, cancelled by a newer edit). A job whose queries panicked is
/// logged and read as having no findings.
fn read_analyses(db: &Database, jobs: Vec<AnalysisJob>, client: &Client) -> Result<Vec<Read>, Cancelled> {
    let mut reads = Vec::new();
    for job in jobs {
        let files = job
            .files
            .iter()
            .map(|(path, uri, source, _)| (path.clone(), FileText { uri: uri.clone(), text: source.text(db).clone() }))
            .collect();
        let read = std::panic::catch_unwind(AssertUnwindSafe(|| {
            Database::cancellable(AssertUnwindSafe(|| analysis::pending(db, job.ruleset)))
        }));
        let pending = match read {
            Ok(Ok(pending)) => pending,
            Ok(Err(cancelled)) => return Err(cancelled),
            Err(payload) => {
                log_panic_soon(client, "analysing the ruleset".to_owned(), panic_message(payload.as_ref()));
                None
            }
        };
        reads.push(Read { job, pending, files });
    }
    Ok(reads)
}

impl Publisher {
    /// Whether a pass newer than `generation` has been scheduled.
    fn outdated(&self, generation: u64) -> bool {
        self.generation.load(Ordering::SeqCst) > generation
    }

    /// Confirms and sends the findings of each read ruleset, every file of
    /// it (none for a file clears its findings), off the snapshot. Stops
    /// as soon as a newer pass is scheduled: that pass analyses what is
    /// left (see [`Publisher::unanalysed`]).
    fn analyse(&self, reads: Vec<Read>, generation: u64, sender: &Sender) {
        for read in reads {
            if self.outdated(generation) {
                return;
            }
            let confirmed = std::panic::catch_unwind(AssertUnwindSafe(|| {
                read.pending.as_ref().map(|pending| pending.confirm(&self.engines)).unwrap_or_default()
            }));
            let mut by_path = match confirmed {
                Ok(confirmed) => analysis::to_lsp(&confirmed, &read.files),
                Err(payload) => {
                    log_panic_soon(&self.client, "analysing the ruleset".to_owned(), panic_message(payload.as_ref()));
                    HashMap::new()
                }
            };
            if self.outdated(generation) {
                return;
            }
            for (path, uri, _, version) in read.job.files {
                let diagnostics = by_path.remove(&path).unwrap_or_default();
                let text = read.files.get(&path).map_or(0, |file| text_hash(&file.text));
                if sender.send(Outcome { uri, version, text, diagnostics, kind: Kind::Findings }).is_err() {
                    return;
                }
            }
            let mut unanalysed = self.unanalysed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if unanalysed.get(&read.job.folder).is_some_and(|&asked| asked <= generation) {
                unanalysed.remove(&read.job.folder);
            }
        }
    }

    /// The rulesets to analyse in pass `generation`: the touched ones and
    /// every one a cancelled pass left, with their files.
    fn analysis_jobs(&self, workspace: &Workspace, touched: &Touched, generation: u64) -> Vec<AnalysisJob> {
        let table = &workspace.table;
        let mut unanalysed = self.unanalysed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for folder in &touched.folders {
            unanalysed.insert(folder.clone(), generation);
        }
        unanalysed.retain(|folder, _| table.rulesets.contains_key(folder));
        let mut folders: Vec<&String> = unanalysed.keys().collect();
        // The touched rulesets first, in their order, then the rest.
        folders
            .sort_by_key(|folder| (touched.folders.iter().position(|f| f == *folder).unwrap_or(usize::MAX), *folder));
        folders
            .into_iter()
            .filter_map(|folder| {
                let ruleset = *table.rulesets.get(folder)?;
                let files = table
                    .files_in(folder)
                    .map(|(key, file)| {
                        (key.clone(), file.uri.clone(), file.source, workspace.versions.get(key).copied())
                    })
                    .collect();
                Some(AnalysisJob { folder: folder.clone(), ruleset, files })
            })
            .collect()
    }
}

/// Schedules the diagnostics of the touched rulesets, `priority` (the
/// edited document's key) first, then their analysis. Called with the
/// workspace locked, right after the change, so the snapshot is exactly
/// the changed state.
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
    let analyses = publisher.analysis_jobs(workspace, &touched, generation);
    publisher.engines.retain(&table.rulesets.values().copied().collect());
    // The snapshot goes straight to the blocking pool: an async task could
    // sit unpolled behind the thread that is about to write to the
    // database, and that write waits for every snapshot to be dropped.
    let db = workspace.db.clone();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<Outcome>();
    let background = Arc::clone(publisher);
    runtime.spawn_blocking(move || {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            Database::cancellable(AssertUnwindSafe(|| check_files(&db, &table, jobs, &sender)))
        }));
        let reads = match outcome {
            Ok(Ok(())) => read_analyses(&db, analyses, &background.client).ok(),
            Ok(Err(Cancelled)) => None,
            Err(payload) => {
                log_panic_soon(&background.client, "computing diagnostics".to_owned(), panic_message(payload.as_ref()));
                None
            }
        };
        // The snapshot is dropped before the engine replays the findings,
        // so the next edit does not wait for that.
        drop(db);
        if let Some(reads) = reads {
            background.analyse(reads, generation, &sender);
        }
    });
    let publisher = Arc::clone(publisher);
    let removed = touched.removed;
    runtime.spawn(async move {
        for uri in removed {
            publisher.clear(&uri, generation).await;
        }
        while let Some(outcome) = receiver.recv().await {
            publisher.publish(outcome, generation).await;
        }
    });
}

impl Publisher {
    /// A publisher that has published nothing yet.
    pub(crate) fn new(client: Client) -> Publisher {
        Publisher {
            client,
            generation: AtomicU64::new(0),
            published: tokio::sync::Mutex::new(HashMap::new()),
            unanalysed: Mutex::new(HashMap::new()),
            engines: Arc::new(Engines::default()),
        }
    }

    /// Publishes a document's checker diagnostics or findings, with the
    /// other part as last received, unless a newer computation already
    /// did, or nothing changed: neither the diagnostics nor the document
    /// version (an edited document is always re-published, with its new
    /// version). Findings computed on another text than the checker's
    /// diagnostics are dropped until the analysis of that text arrives:
    /// their positions would be wrong.
    async fn publish(&self, outcome: Outcome, generation: u64) {
        let mut published = self.published.lock().await;
        let entry = published.entry(outcome.uri.as_ref().to_owned()).or_default();
        if entry.generation > generation {
            return;
        }
        entry.generation = generation;
        match outcome.kind {
            Kind::Checker => {
                entry.checker = outcome.diagnostics;
                if entry.findings_text != outcome.text {
                    entry.findings.clear();
                }
            }
            Kind::Findings => {
                entry.findings = outcome.diagnostics;
                entry.findings_text = outcome.text;
            }
        }
        let diagnostics: Vec<lsp::Diagnostic> = entry.checker.iter().chain(&entry.findings).cloned().collect();
        if entry.sent == diagnostics && entry.version == outcome.version {
            return;
        }
        entry.sent = diagnostics.clone();
        entry.version = outcome.version;
        // Sent while the map is locked, so two publications for a URI
        // cannot overtake each other.
        self.client.publish_diagnostics(outcome.uri, diagnostics, outcome.version).await;
    }

    /// Clears the diagnostics of a document that left the workspace, if it
    /// had any.
    async fn clear(&self, uri: &lsp::Uri, generation: u64) {
        let mut published = self.published.lock().await;
        let had = published.remove(uri.as_ref()).is_some_and(|entry| !entry.sent.is_empty());
        if had {
            published.insert(uri.as_ref().to_owned(), Published { generation, ..Published::default() });
            self.client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
        }
    }
}
