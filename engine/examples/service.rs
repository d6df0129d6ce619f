//! Embedding the engine in a service: one compiled ruleset shared by
//! worker threads, each with its own reusable evaluator, answering
//! requests (one JSON record per line on standard input) with the output
//! line of each, in request order.
//!
//! ```text
//! cargo run -p osler-engine --example service -- rulesets/leg_pain < records.jsonl
//! ```

use std::io::{BufRead, Write};
use std::sync::mpsc;

use osler_engine::batch::error_line;
use osler_engine::{ReadOptions, RenderOptions, Ruleset, UnknownFields};

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "rulesets/leg_pain".to_owned());
    let ruleset = match Ruleset::from_path(&path) {
        Ok(ruleset) => ruleset,
        Err(error) => {
            eprintln!("{}", error.render(RenderOptions::default()));
            std::process::exit(1);
        }
    };
    let workers = std::thread::available_parallelism().map_or(2, usize::from);

    // Requests go to workers round-robin; every answer carries its request
    // number so the writer can print them in order.
    let (answer_tx, answer_rx) = mpsc::channel::<(usize, String)>();
    std::thread::scope(|scope| {
        let mut request_txs = Vec::new();
        for _ in 0..workers {
            let (request_tx, request_rx) = mpsc::channel::<(usize, String)>();
            request_txs.push(request_tx);
            let answer_tx = answer_tx.clone();
            let ruleset = &ruleset; // shared, not copied: `Ruleset` is Sync
            scope.spawn(move || {
                let mut evaluator = ruleset.evaluator();
                let mut record = ruleset.record();
                let mut unknown = UnknownFields::default();
                let mut line = Vec::new();
                for (number, request) in request_rx {
                    line.clear();
                    // `evaluate` refuses a record another ruleset made; here
                    // the record is this ruleset's, so that cannot happen.
                    let read = ruleset.read_json_into(&request, &mut record, ReadOptions::default(), &mut unknown);
                    match read.and_then(|()| Ok(evaluator.evaluate(&record)?)) {
                        Ok(evaluated) => evaluated.write_json_line(&mut line),
                        Err(error) => {
                            line.extend_from_slice(
                                error_line(record.id(), number as u64 + 1, &error.to_string()).as_bytes(),
                            );
                            line.push(b'\n');
                        }
                    }
                    if answer_tx.send((number, String::from_utf8_lossy(&line).into_owned())).is_err() {
                        return;
                    }
                }
            });
        }
        drop(answer_tx);

        scope.spawn(move || {
            let stdin = std::io::stdin();
            for (number, request) in stdin.lock().lines().map_while(Result::ok).enumerate() {
                let worker = &request_txs[number % request_txs.len()];
                if worker.send((number, request)).is_err() {
                    return;
                }
            }
        });

        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for (number, answer) in answer_rx {
            pending.insert(number, answer);
            while let Some(answer) = pending.remove(&next) {
                let _ = out.write_all(answer.as_bytes());
                next += 1;
            }
        }
        let _ = out.flush();
    });
}
