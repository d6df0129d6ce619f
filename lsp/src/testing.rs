//! Test support: a small in-process LSP client for the protocol tests, the
//! benchmarks and the fuzz targets. It runs the server (`osler_lsp::serve`)
//! over a tokio duplex pipe and speaks JSON-RPC with `Content-Length`
//! framing, like an editor would. Compiled only with the `testing` feature
//! (and in this crate's own unit tests).
//!
//! Not part of the server: it fails loudly (panics) when the server breaks
//! the protocol or does not answer in time, which is what a test wants.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};
use tokio::task::JoinHandle;

/// How long a test waits for any one answer before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug)]
/// An in-process client talking to a server of its own.
pub struct TestClient {
    writer: WriteHalf<DuplexStream>,
    reader: ReadHalf<DuplexStream>,
    buffer: Vec<u8>,
    /// Notifications received while waiting for something else.
    pub notifications: VecDeque<Value>,
    next_id: i64,
    /// Whether the server's own requests (capability registration) are
    /// answered (with `null`) as they arrive; when not, they are returned
    /// like any other message.
    pub answer_requests: bool,
    /// How long to wait for any one message ([`TIMEOUT`] unless changed).
    pub timeout: Duration,
    /// The server's task; it ends with whether `shutdown` came first.
    pub server: JoinHandle<bool>,
}

/// A `file://` URI for a path.
pub fn uri(path: &Path) -> String {
    crate::convert::path_to_uri(path).as_ref().to_owned()
}

/// A fresh folder with the given files, under the system's temp folder.
pub fn workspace(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("osler-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the test workspace");
        }
        std::fs::write(&path, text).expect("write a test file");
    }
    std::fs::create_dir_all(&root).expect("create the test workspace");
    root
}

impl TestClient {
    /// Starts a server without initializing it.
    pub fn spawn() -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let server = tokio::spawn(crate::session::serve(server_read, server_write));
        let (reader, writer) = tokio::io::split(client_end);
        TestClient {
            writer,
            reader,
            buffer: Vec::new(),
            notifications: VecDeque::new(),
            next_id: 1,
            answer_requests: true,
            timeout: TIMEOUT,
            server,
        }
    }

    /// Starts a server and initializes it with `root` as the workspace.
    pub async fn start(root: Option<&Path>) -> TestClient {
        let mut client = TestClient::spawn();
        let root_uri = root.map_or(Value::Null, |root| Value::String(uri(root)));
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root_uri,
                    "capabilities": {},
                }),
            )
            .await;
        assert!(result.get("capabilities").is_some(), "initialize failed: {result}");
        client.notify("initialized", json!({})).await;
        client
    }

    /// Writes bytes to the server as they are, framed or not.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write to the server");
        self.writer.flush().await.expect("flush");
    }

    /// Sends one message, framed.
    pub async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.send_raw(frame.as_bytes()).await;
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params })).await;
    }

    /// Sends a request and returns its whole response object.
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
        loop {
            let message = self.next_message().await;
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push_back(message);
        }
    }

    /// Sends a request and returns its result (or its error object).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        response.get("result").cloned().unwrap_or_else(|| response.get("error").cloned().unwrap_or(Value::Null))
    }

    /// Closes the server's input, as an editor that goes away does.
    pub async fn close_input(&mut self) {
        self.writer.shutdown().await.expect("close the server's input");
    }

    /// Reads one message; answers the server's own requests (capability
    /// registration) with `null` on the way, unless told not to.
    pub async fn next_message(&mut self) -> Value {
        loop {
            let Ok(message) = tokio::time::timeout(self.timeout, self.read_frame()).await else {
                panic!(
                    "no answer from the server in {:?}; notifications so far: {:#?}",
                    self.timeout, self.notifications
                );
            };
            if self.answer_requests && message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null })).await;
                continue;
            }
            return message;
        }
    }

    async fn read_frame(&mut self) -> Value {
        loop {
            if let Some(end) = find(&self.buffer, b"\r\n\r\n") {
                let header = String::from_utf8_lossy(&self.buffer[..end]).to_string();
                let length: usize = header
                    .lines()
                    .find_map(|line| line.strip_prefix("Content-Length: "))
                    .and_then(|n| n.trim().parse().ok())
                    .expect("a Content-Length header");
                if self.buffer.len() >= end + 4 + length {
                    let body: Vec<u8> = self.buffer.drain(..end + 4 + length).skip(end + 4).collect();
                    return serde_json::from_slice(&body).expect("JSON from the server");
                }
            }
            let mut chunk = vec![0u8; 65536];
            let read = self.reader.read(&mut chunk).await.expect("read from the server");
            assert!(read > 0, "the server closed the connection");
            self.buffer.extend_from_slice(&chunk[..read]);
        }
    }

    /// Waits for a notification matching `filter` (buffered ones first).
    pub async fn wait_for(&mut self, filter: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.notifications.iter().position(&filter) {
            return self.notifications.remove(index).unwrap_or_default();
        }
        loop {
            let message = self.next_message().await;
            if filter(&message) {
                return message;
            }
            self.notifications.push_back(message);
        }
    }

    /// Waits for the diagnostics of `uri` published with `version`.
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let message = self
            .wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && (version.is_none() || m["params"]["version"] == json!(version))
            })
            .await;
        message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Reads every message that arrives within `quiet` of the previous one.
    pub async fn drain(&mut self, quiet: Duration) {
        while let Ok(message) = tokio::time::timeout(quiet, self.read_frame()).await {
            if self.answer_requests && message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null })).await;
            } else {
                self.notifications.push_back(message);
            }
        }
    }

    /// Opens a document (`textDocument/didOpen`).
    pub async fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "osler", "version": version, "text": text } }),
        )
        .await;
    }

    /// Replaces `range` (line, character pairs) with `text`.
    pub async fn edit(&mut self, uri: &str, version: i64, range: ((u32, u32), (u32, u32)), text: &str) {
        let ((sl, sc), (el, ec)) = range;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{
                    "range": { "start": { "line": sl, "character": sc }, "end": { "line": el, "character": ec } },
                    "text": text,
                }],
            }),
        )
        .await;
    }

    /// `shutdown` then `exit`; returns what the server loop returned.
    pub async fn shutdown(mut self) -> bool {
        let result = self.request_raw("shutdown", Value::Null).await;
        assert!(result.get("error").is_none(), "shutdown failed: {result}");
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(self.timeout, self.server).await.expect("the server exits").unwrap_or(false)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The position (line, UTF-16 character) of the first occurrence of
/// `needle` in `text`, plus `delta` characters.
pub fn position_of(text: &str, needle: &str, delta: usize) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the text")) + delta;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column: usize = before.rsplit('\n').next().unwrap_or("").chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": column })
}
