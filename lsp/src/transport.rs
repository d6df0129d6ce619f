//! The byte streams between the editor and the protocol library.
//!
//! `tower-lsp-server` reads its input through a framed decoder that stops
//! for good at the first malformed message (bad headers, a body that is not
//! JSON or not a JSON-RPC message). The server must survive those, so the
//! input goes through [`filter_input`] first: it frames messages itself,
//! forwards the valid ones, and answers the others with a JSON-RPC error.
//! Those answers reach the editor through [`merge_output`], which writes
//! whole frames only, so they never cut into a response.

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Messages larger than this are refused (the header is dropped and the
/// stream resynchronises on the next `Content-Length`).
const MAX_MESSAGE: usize = 256 << 20;
/// Header bytes without an end are garbage past this size.
const MAX_HEADER: usize = 16 << 10;

/// One thing read from the input.
#[derive(Debug, PartialEq)]
enum Frame {
    Message(Vec<u8>),
    /// Headers without a usable `Content-Length`: dropped.
    BadHeader,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn content_length(header: &[u8]) -> Option<usize> {
    let header = std::str::from_utf8(header).ok()?;
    header.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") { value.trim().parse().ok() } else { None }
    })
}

/// Takes the next complete frame off the front of `buffer`, if there is one.
fn next_frame(buffer: &mut Vec<u8>) -> Option<Frame> {
    let Some(end) = find(buffer, b"\r\n\r\n") else {
        if buffer.len() > MAX_HEADER {
            // No header end in sight: drop up to the next plausible header.
            let skip = find(&buffer[1..], b"Content-Length").map_or(buffer.len(), |i| i + 1);
            buffer.drain(..skip);
            return Some(Frame::BadHeader);
        }
        return None;
    };
    match content_length(&buffer[..end]) {
        Some(length) if length <= MAX_MESSAGE => {
            let total = end + 4 + length;
            if buffer.len() < total {
                return None;
            }
            let body = buffer[end + 4..total].to_vec();
            buffer.drain(..total);
            Some(Frame::Message(body))
        }
        _ => {
            // No usable length. If another `Content-Length` starts inside
            // the block, the block swallowed the next message's header (a
            // body sent without a length, lines ended by `\n` alone, stray
            // bytes): drop only what comes before it, so that message
            // survives. Otherwise drop the block.
            let next = buffer
                .get(1..end)
                .and_then(|block| find_ignoring_case(block, b"content-length"))
                .map_or(end + 4, |at| at + 1);
            buffer.drain(..next);
            Some(Frame::BadHeader)
        }
    }
}

fn find_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window.eq_ignore_ascii_case(needle))
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let response = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    frame(response.to_string().as_bytes())
}

/// The error answer for a body the protocol library would choke on, or
/// `None` when the body is a well-formed JSON-RPC message.
fn reject(body: &[u8]) -> Option<Vec<u8>> {
    if serde_json::from_slice::<Request>(body).is_ok() || serde_json::from_slice::<Response>(body).is_ok() {
        return None;
    }
    Some(match serde_json::from_slice::<Value>(body) {
        Err(_) => error_frame(Value::Null, -32700, "Parse error: the message is not JSON"),
        Ok(value) => {
            let id = value.get("id").filter(|id| id.is_number() || id.is_string()).cloned().unwrap_or(Value::Null);
            error_frame(id, -32600, "Invalid request: not a JSON-RPC 2.0 message")
        }
    })
}

/// Copies well-formed messages from `input` to `server`; answers the rest
/// through `errors`. Ends at the end of the input.
pub async fn filter_input<R, W>(mut input: R, mut server: W, errors: UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        while let Some(next) = next_frame(&mut buffer) {
            match next {
                Frame::Message(body) => match reject(&body) {
                    None => {
                        if server.write_all(&frame(&body)).await.is_err() {
                            return;
                        }
                    }
                    Some(answer) => {
                        let _ = errors.send(answer);
                    }
                },
                Frame::BadHeader => {
                    let _ = errors.send(error_frame(
                        Value::Null,
                        -32700,
                        "Parse error: a message without a valid Content-Length",
                    ));
                }
            }
        }
        let _ = server.flush().await;
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
    let _ = server.shutdown().await;
}

/// The length of the complete frame at the front of `buffer`, if any.
fn complete_frame(buffer: &[u8]) -> Option<usize> {
    let end = find(buffer, b"\r\n\r\n")?;
    let length = content_length(&buffer[..end])?;
    let total = end + 4 + length;
    (buffer.len() >= total).then_some(total)
}

/// Writes the server's frames and the error answers to `output`, whole
/// frames only. Ends when the server's output ends.
pub async fn merge_output<R, W>(mut server: R, mut errors: UnboundedReceiver<Vec<u8>>, mut output: W)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let mut errors_open = true;
    loop {
        tokio::select! {
            read = server.read(&mut chunk) => match read {
                Ok(0) | Err(_) => break,
                Ok(read) => {
                    buffer.extend_from_slice(&chunk[..read]);
                    while let Some(length) = complete_frame(&buffer) {
                        if output.write_all(&buffer[..length]).await.is_err() {
                            return;
                        }
                        buffer.drain(..length);
                    }
                    let _ = output.flush().await;
                }
            },
            answer = errors.recv(), if errors_open => match answer {
                Some(answer) => {
                    if output.write_all(&answer).await.is_err() {
                        return;
                    }
                    let _ = output.flush().await;
                }
                None => errors_open = false,
            },
        }
    }
    while let Ok(answer) = errors.try_recv() {
        let _ = output.write_all(&answer).await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_resynchronises() {
        let mut buffer = b"Content-Length: 2\r\n\r\n{}garbage\r\n\r\ncontent-length:3\r\n\r\n[1]Content-Len".to_vec();
        assert_eq!(next_frame(&mut buffer), Some(Frame::Message(b"{}".to_vec())));
        assert_eq!(next_frame(&mut buffer), Some(Frame::BadHeader));
        assert_eq!(next_frame(&mut buffer), Some(Frame::Message(b"[1]".to_vec())));
        assert_eq!(next_frame(&mut buffer), None);
        assert_eq!(buffer, b"Content-Len");
    }

    #[test]
    fn a_block_without_a_length_does_not_swallow_the_next_header() {
        let message = b"Content-Length: 3\r\n\r\n[1]";
        for bad in [
            &b"Content-Type: application/json\r\n\r\n{\"id\":1}"[..],
            b"Content-Length: 9\n\n{\"a\":\"b\"}",
            b"Content-Length: many\r\n\r\n",
            b"garbage",
            b"Content-Type: a\r\ncontent-length: x\r\n\r\n",
            // Found by the `lsp_stream` fuzz target: an empty header block
            // (fuzz/regressions/lsp_stream/header-block-at-start.bin).
            b"\r\n\r\n",
        ] {
            let mut buffer = [bad, &message[..]].concat();
            let mut frames = Vec::new();
            while let Some(frame) = next_frame(&mut buffer) {
                frames.push(frame);
            }
            let shown = String::from_utf8_lossy(bad);
            assert_eq!(frames.last(), Some(&Frame::Message(b"[1]".to_vec())), "after {shown:?}");
            assert!(frames[..frames.len() - 1].iter().all(|f| *f == Frame::BadHeader) && frames.len() > 1, "{shown:?}");
            assert!(buffer.is_empty(), "{shown:?}");
        }
    }

    #[test]
    fn rejects_what_the_library_cannot_read() {
        assert!(reject(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_none());
        assert!(reject(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_none());
        let answer = reject(b"{oops").unwrap_or_default();
        assert!(String::from_utf8_lossy(&answer).contains("-32700"));
        let answer = reject(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap_or_default();
        assert!(String::from_utf8_lossy(&answer).contains(r#""id":7"#));
        assert!(reject(&[0xff, 0xfe]).is_some());
    }
}
