//! The state shared by the server, the ordering layer and background
//! tasks: the client, the workspace behind its lock, the diagnostics
//! publisher and the session's flags.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::Client;

use crate::analysis::Engines;
use crate::diagnostics::{self, Publisher};
use crate::panics::{log_panic_soon, panic_message};
use crate::workspace::{Touched, Workspace};

/// State shared by the server, the ordering layer and background tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The connection to the editor.
    pub(crate) client: Client,
    workspace: Mutex<Workspace>,
    /// Publishes the diagnostics of every change.
    publisher: Arc<Publisher>,
    /// `shutdown` arrived, so `exit` ends the session cleanly.
    pub(crate) shutdown_requested: AtomicBool,
    /// Signalled when `exit` arrives: the session ends then, whatever is
    /// still pending (see the `session` module).
    pub(crate) exit: tokio::sync::Notify,
    /// The client can register a file watcher.
    pub(crate) watch_files: AtomicBool,
}

impl Shared {
    /// The state of a session that has not been initialized yet.
    pub(crate) fn new(client: Client) -> Shared {
        Shared {
            publisher: Arc::new(Publisher::new(client.clone())),
            client,
            workspace: Mutex::new(Workspace::default()),
            shutdown_requested: AtomicBool::new(false),
            exit: tokio::sync::Notify::new(),
            watch_files: AtomicBool::new(false),
        }
    }

    /// The workspace, locked. A panic while it was held does not make it
    /// unusable: the database stays consistent.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Workspace> {
        self.workspace.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The compiled engine programs the analysis keeps.
    pub(crate) fn engines(&self) -> Arc<Engines> {
        Arc::clone(&self.publisher.engines)
    }

    /// Applies a change to the workspace and schedules diagnostics, in the
    /// order the notifications arrived.
    /// A panic while applying it is logged; the workspace stays usable.
    pub(crate) fn change(&self, method: &str, priority: Option<String>, apply: impl FnOnce(&mut Workspace) -> Touched) {
        let mut workspace = self.lock();
        match std::panic::catch_unwind(AssertUnwindSafe(|| apply(&mut workspace))) {
            Ok(touched) => diagnostics::schedule(&self.publisher, &workspace, touched, priority.as_deref()),
            Err(payload) => log_panic_soon(&self.client, format!("`{method}`"), panic_message(payload.as_ref())),
        }
    }
}
