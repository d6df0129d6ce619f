//! One session of the protocol: the layers between the editor's byte
//! streams and the server (framing filter, ordering layer, protocol
//! library), and how the session ends.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

use crate::ordered::Ordered;
use crate::server::Backend;
use crate::shared::Shared;
use crate::transport::{filter_input, merge_output};

/// How long the session may take to finish what is in flight once `exit`
/// arrived or the input ended, before it is dropped.
const GRACE: Duration = Duration::from_millis(100);

/// Serves the protocol over any byte streams until the client sends
/// `exit` or closes its end. Returns whether `shutdown` came first.
///
/// The protocol library's own loop ends only when every handler has
/// finished, and a handler waiting for an answer from the client (a
/// capability registration the client ignores) never does. So the session
/// ends on `exit` or at the end of the input, whatever is still pending:
/// in-flight work gets `GRACE` (100 ms) to finish, then it is dropped.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let builder = LspService::build(|client| Backend { shared: Arc::new(Shared::new(client)) });
    #[cfg(test)]
    let builder = crate::server::test_methods(builder);
    let (service, socket) = builder.finish();
    let shared = Arc::clone(&service.inner().shared);
    let ordered = Ordered::new(service, Arc::clone(&shared));
    // Editor <-> filter <-> protocol library (see `transport`).
    let (library_input, filtered_input) = tokio::io::duplex(1 << 16);
    let (library_output, merged_output) = tokio::io::duplex(1 << 16);
    let (errors, error_answers) = tokio::sync::mpsc::unbounded_channel();
    let mut reader = tokio::spawn(filter_input(input, filtered_input, errors));
    let writer = tokio::spawn(merge_output(merged_output, error_answers, output));
    let mut session = Box::pin(Server::new(library_input, library_output, socket).serve(ordered));
    let finished = tokio::select! {
        () = &mut session => true,
        () = shared.exit.notified() => false,
        _ = &mut reader => false,
    };
    if !finished {
        let _ = tokio::time::timeout(GRACE, &mut session).await;
    }
    // Dropping the session closes the library's output, which ends the
    // writer once it has written what was already answered.
    drop(session);
    reader.abort();
    let _ = tokio::time::timeout(GRACE, writer).await;
    shared.shutdown_requested.load(Ordering::SeqCst)
}

/// Runs the language server on standard input and output; returns the exit
/// status when the client exits (0 after `shutdown`, 1 without it, as the
/// protocol asks).
pub fn run_stdio() -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("osler lsp: cannot start the async runtime: {error}");
            return 2;
        }
    };
    let clean = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Background work (a diagnostics pass, the blocking stdin reader) must
    // not keep the process alive after `exit`.
    runtime.shutdown_timeout(Duration::from_millis(200));
    if clean { 0 } else { 1 }
}
