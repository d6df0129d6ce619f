//! `osler lsp` as a process: it ends on `exit` (status 0 after `shutdown`,
//! 1 without) or when its input closes, promptly, even while its own
//! request to the client (the file watcher registration) is unanswered.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken pipe")]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How soon the process must end.
const PROMPTLY: Duration = Duration::from_secs(1);
/// How long to wait for any message from the server.
const PATIENCE: Duration = Duration::from_secs(20);

struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
}

/// Reads framed messages from the server's output, on a thread.
fn read_messages(output: impl Read + Send + 'static) -> Receiver<Value> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(output);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line.strip_prefix("Content-Length: ") {
                    length = value.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; length.unwrap()];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    receiver
}

impl Session {
    /// Starts `osler lsp`, initializes it with a client that supports file
    /// watching, and waits for the registration request it then sends
    /// (which is never answered).
    fn with_registration_pending() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_osler"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let messages = read_messages(child.stdout.take().unwrap());
        let mut session = Session { child, stdin, messages };
        let capabilities = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
        session.send(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": { "processId": null, "rootUri": null, "capabilities": capabilities },
        }));
        let initialized = session.wait_for(|m| m["id"] == 1);
        assert!(initialized["result"]["capabilities"].is_object(), "{initialized}");
        session.send(&json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
        session.wait_for(|m| m["method"] == "client/registerCapability");
        session
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn wait_for(&self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.messages.recv_timeout(left).expect("a message from the server");
            if wanted(&message) {
                return message;
            }
        }
    }

    /// The exit status, if the process ends within `PROMPTLY`.
    fn ends_promptly(mut self) -> ExitStatus {
        let deadline = Instant::now() + PROMPTLY;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("`osler lsp` still runs {PROMPTLY:?} later");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn exit_without_shutdown_ends_the_process_with_status_1() {
    let mut session = Session::with_registration_pending();
    session.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    assert_eq!(session.ends_promptly().code(), Some(1));
}

#[test]
fn exit_after_shutdown_ends_the_process_with_status_0() {
    let mut session = Session::with_registration_pending();
    session.send(&json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown" }));
    let answer = session.wait_for(|m| m["id"] == 2);
    assert!(answer.get("error").is_none(), "{answer}");
    session.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
    assert_eq!(session.ends_promptly().code(), Some(0));
}

#[test]
fn closing_the_input_ends_the_process() {
    let mut session = Session::with_registration_pending();
    drop(session.stdin.take());
    assert_eq!(session.ends_promptly().code(), Some(1), "no `shutdown`: not a clean end");
}
