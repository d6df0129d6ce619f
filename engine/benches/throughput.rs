//! Batch throughput on 1,000,000 generated JSON Lines records (written to a
//! temporary file once), beside two baselines measured the same way:
//! parsing every line with serde into a typed struct, and into
//! `serde_json::Value`. `run` reads records straight into the engine's
//! slots, evaluates them and writes every output line (to a sink).

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use osler_engine::Ruleset;
use osler_engine::batch::{RunOptions, run_json_lines};
use serde::Deserialize;

const RECORDS: u64 = 1_000_000;

fn input_file() -> PathBuf {
    let path = std::env::temp_dir().join(format!("osler-bench-{RECORDS}.jsonl"));
    let complete = std::fs::metadata(&path).is_ok_and(|m| m.len() > RECORDS * 100);
    if !complete {
        let mut rng = common::Rng(0x2545_f491_4f6c_dd1d);
        let mut out = std::io::BufWriter::new(File::create(&path).unwrap_or_else(|e| panic!("{e}")));
        let mut line = String::new();
        for id in 0..RECORDS {
            line.clear();
            common::record(&mut rng, id, &mut line);
            line.push('\n');
            out.write_all(line.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        }
        out.flush().unwrap_or_else(|e| panic!("{e}"));
    }
    path
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Pulse {
    Present,
    Diminished,
    Absent,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Sensory {
    None,
    Minimal,
    Extensive,
    Profound,
}

/// What a hand-written integration would parse each line into.
#[derive(Deserialize)]
#[expect(dead_code, reason = "the fields are parsed, not read: this is the parsing baseline")]
struct TypedRecord<'a> {
    id: Option<u64>,
    age: Option<f64>,
    unilateral: Option<bool>,
    sudden_onset: Option<bool>,
    numbness: Option<bool>,
    rest_pain: Option<bool>,
    claudication: Option<bool>,
    calf_swelling: Option<bool>,
    smoker: Option<bool>,
    diabetes: Option<bool>,
    pedal_pulses: Option<Pulse>,
    sensory_loss: Option<Sensory>,
    abi: Option<f64>,
    #[serde(borrow)]
    ankle_pressure: Option<&'a str>,
    #[serde(borrow)]
    symptom_duration: Option<&'a str>,
}

fn for_each_line(path: &PathBuf, mut each: impl FnMut(&[u8])) {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path).unwrap_or_else(|e| panic!("{e}")));
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
        each(&line);
        line.clear();
    }
}

fn throughput(c: &mut Criterion) {
    let path = input_file();
    let ruleset = Ruleset::from_sources(&[("generated.osl".to_owned(), common::RULES.to_owned())])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("batch_1m");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(RECORDS));

    group.bench_function("baseline_serde_typed_struct", |b| {
        b.iter(|| {
            let mut parsed = 0u64;
            for_each_line(&path, |line| parsed += u64::from(serde_json::from_slice::<TypedRecord<'_>>(line).is_ok()));
            parsed
        })
    });
    group.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| {
            let mut parsed = 0u64;
            for_each_line(&path, |line| parsed += u64::from(serde_json::from_slice::<serde_json::Value>(line).is_ok()));
            parsed
        })
    });
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap_or_else(|e| panic!("{e}"));
    let run = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            let input = BufReader::with_capacity(1 << 20, File::open(&path).unwrap_or_else(|e| panic!("{e}")));
            run_json_lines(&ruleset, input, std::io::sink(), RunOptions::default(), &mut |_| {})
                .unwrap_or_else(|e| panic!("{e}"))
                .records
        })
    };
    group.bench_function("run_1_thread", |b| b.iter(|| run(&single)));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let all = rayon::ThreadPoolBuilder::new().num_threads(cores).build().unwrap_or_else(|e| panic!("{e}"));
    group.bench_function(format!("run_{cores}_threads"), |b| b.iter(|| run(&all)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_millis(100)).measurement_time(Duration::from_secs(5));
    targets = throughput
}
criterion_main!(benches);
