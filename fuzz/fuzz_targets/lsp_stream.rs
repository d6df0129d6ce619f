//! Arbitrary bytes as the language server's input stream (framing, then
//! JSON-RPC dispatch): the server never panics, and once its input ends it
//! stops within a few seconds (a hang is a failure). Everything it writes
//! is read and must be well-framed JSON.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long the server may take to stop after its input closes.
const STOP_WITHIN: Duration = Duration::from_secs(5);

/// Checks that `output` is a sequence of `Content-Length` frames of JSON.
fn check_frames(mut output: &[u8]) {
    while !output.is_empty() {
        let end = output.windows(4).position(|w| w == b"\r\n\r\n").expect("a frame header ends with CRLF CRLF");
        let header = std::str::from_utf8(&output[..end]).expect("a UTF-8 frame header");
        let length: usize = header
            .split("\r\n")
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a Content-Length header");
        let body = output.get(end + 4..end + 4 + length).expect("a whole frame body");
        let _: serde_json::Value = serde_json::from_slice(body).expect("a JSON frame body");
        output = &output[end + 4 + length..];
    }
}

fuzz_target!(|data: &[u8]| {
    let output = osler_fuzz::runtime().block_on(async {
        let (client, server_end) = tokio::io::duplex(1 << 16);
        let (server_read, server_write) = tokio::io::split(server_end);
        let server = tokio::spawn(osler_lsp::serve(server_read, server_write));
        let (mut client_read, mut client_write) = tokio::io::split(client);
        let reader = tokio::spawn(async move {
            let mut output = Vec::new();
            let _ = client_read.read_to_end(&mut output).await;
            output
        });
        // A server that stops reading without stopping would block this
        // write forever: that is a hang too.
        let write = async {
            let _ = client_write.write_all(data).await;
            let _ = client_write.shutdown().await;
        };
        if tokio::time::timeout(STOP_WITHIN, write).await.is_err() {
            panic!("the server stopped reading its input without stopping");
        }
        drop(client_write);
        match tokio::time::timeout(STOP_WITHIN, server).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => panic!("the server task failed: {error}"),
            Err(_) => panic!("the server did not stop within {STOP_WITHIN:?} of its input closing"),
        }
        match tokio::time::timeout(STOP_WITHIN, reader).await {
            Ok(Ok(output)) => output,
            _ => panic!("the server's output did not end within {STOP_WITHIN:?} of the server stopping"),
        }
    });
    check_frames(&output);
});
