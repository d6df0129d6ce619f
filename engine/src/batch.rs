//! Batch evaluation of record files: JSON Lines or CSV in, one JSON line
//! per record out, in input order. The input is read in chunks; each chunk
//! is split into tasks that rayon evaluates in parallel (each worker with
//! its own record and buffers), and the tasks' output is written in order
//! before the next chunk is read, so memory stays bounded whatever the
//! file's size. Output bytes do not depend on the number of threads.

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::Ruleset;
use crate::csv_input::{Header, read_row};
use crate::eval::{Scratch, evaluate};
use crate::json::{UnknownFields, read_record};
use crate::output::{write_error, write_outcome};
use crate::program::Program;
use crate::record::{Record, RecordError};

/// Options of a batch run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Reject records with field names that are not facts.
    pub strict: bool,
}

/// How far a run has got, reported after every chunk.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Input bytes consumed so far.
    pub bytes: u64,
    pub records: u64,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Records read (each produced one output line).
    pub records: u64,
    /// Records that could not be read (each produced an error line).
    pub rejected: u64,
    /// For each action name, the number of records where it stands.
    pub action_counts: Vec<(String, u64)>,
    /// Field names that are not facts, with how often they occurred.
    pub unknown_fields: UnknownFields,
    pub elapsed: Duration,
}

impl Summary {
    pub fn evaluated(&self) -> u64 {
        self.records - self.rejected
    }

    /// Records per second over the whole run.
    pub fn throughput(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 { self.records as f64 / seconds } else { 0.0 }
    }
}

/// Lines (or rows) per chunk: enough work to keep every core busy, small
/// enough that memory stays flat.
const CHUNK_RECORDS: usize = 32_768;
const CHUNK_BYTES: usize = 16 << 20;
/// Records per parallel task.
const TASK_RECORDS: usize = 512;

/// One task's output and counts.
#[derive(Debug, Default)]
struct TaskOutput {
    bytes: Vec<u8>,
    records: u64,
    rejected: u64,
    action_counts: Vec<u64>,
    unknown: UnknownFields,
}

impl TaskOutput {
    fn reset(&mut self, actions: usize) {
        self.bytes.clear();
        self.records = 0;
        self.rejected = 0;
        self.action_counts.clear();
        self.action_counts.resize(actions, 0);
    }
}

/// A worker's reusable state.
struct Worker {
    record: Record,
    scratch: Scratch,
    seen_actions: Vec<u64>,
    serial: u64,
}

impl Worker {
    fn new(program: &Program) -> Worker {
        Worker {
            record: Record::with_slots(program.facts.len()),
            scratch: Scratch::new(program),
            seen_actions: vec![0; program.model.actions.len()],
            serial: 0,
        }
    }

    /// Evaluates the record just read (or writes its error line).
    fn finish(&mut self, program: &Program, read: Result<(), RecordError>, line: u64, out: &mut TaskOutput) {
        out.records += 1;
        match read {
            Ok(()) => {
                evaluate(program, &self.record, &mut self.scratch);
                write_outcome(&mut out.bytes, program, self.record.id(), &self.scratch.result);
                self.serial += 1;
                for entry in &self.scratch.result.actions {
                    let Some(instance) = program.instances.get(entry.instance as usize) else { continue };
                    let action = instance.action as usize;
                    if let (Some(seen), Some(count)) =
                        (self.seen_actions.get_mut(action), out.action_counts.get_mut(action))
                        && *seen != self.serial
                    {
                        *seen = self.serial;
                        *count += 1;
                    }
                }
            }
            Err(problem) => {
                out.rejected += 1;
                write_error(&mut out.bytes, self.record.id(), line, &problem.message);
            }
        }
    }
}

/// Accumulates task results into the summary and writes them in order.
struct Collector<'a, W: Write> {
    output: W,
    summary: Summary,
    action_totals: Vec<u64>,
    progress: &'a mut dyn FnMut(Progress),
}

impl<W: Write> Collector<'_, W> {
    fn collect(&mut self, tasks: &mut [TaskOutput], bytes: u64) -> io::Result<()> {
        for task in tasks {
            self.output.write_all(&task.bytes)?;
            self.summary.records += task.records;
            self.summary.rejected += task.rejected;
            for (total, count) in self.action_totals.iter_mut().zip(&task.action_counts) {
                *total += count;
            }
            self.summary.unknown_fields.merge(&mut task.unknown);
        }
        (self.progress)(Progress { bytes, records: self.summary.records });
        Ok(())
    }

    fn finish(mut self, program: &Program, started: Instant) -> io::Result<Summary> {
        self.output.flush()?;
        self.summary.action_counts = program
            .model
            .actions
            .iter()
            .zip(&self.action_totals)
            .filter(|(_, count)| **count > 0)
            .map(|(action, count)| (action.name.clone(), *count))
            .collect();
        self.summary.elapsed = started.elapsed();
        Ok(self.summary)
    }
}

/// Runs `work` over `items` in parallel tasks, each writing one
/// [`TaskOutput`] (reused across chunks).
fn run_tasks<T: Sync>(
    program: &Program,
    items: &[T],
    outputs: &mut Vec<TaskOutput>,
    work: impl Fn(&mut Worker, &T, &mut TaskOutput) + Sync,
) -> usize {
    let tasks = items.len().div_ceil(TASK_RECORDS);
    if outputs.len() < tasks {
        outputs.resize_with(tasks, TaskOutput::default);
    }
    let actions = program.model.actions.len();
    let slots = outputs.get_mut(..tasks).unwrap_or_default();
    slots.par_iter_mut().zip(items.par_chunks(TASK_RECORDS)).for_each_init(
        || Worker::new(program),
        |worker, (out, task)| {
            out.reset(actions);
            for item in task {
                work(worker, item, out);
            }
        },
    );
    tasks
}

/// A line of a JSON Lines chunk: its byte range and 1-based line number.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
    number: u64,
}

/// Evaluates every record of a JSON Lines input. Blank lines are not
/// records and produce no output; a missing final newline is fine.
pub fn run_json_lines<R: BufRead, W: Write>(
    ruleset: &Ruleset,
    mut input: R,
    output: W,
    options: RunOptions,
    progress: &mut dyn FnMut(Progress),
) -> io::Result<Summary> {
    let started = Instant::now();
    let program = ruleset.program();
    let mut collector = Collector {
        output,
        summary: Summary::default(),
        action_totals: vec![0; program.model.actions.len()],
        progress,
    };
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + 4096);
    let mut lines: Vec<Line> = Vec::with_capacity(CHUNK_RECORDS);
    let mut outputs: Vec<TaskOutput> = Vec::new();
    let mut line_number = 0u64;
    let mut consumed = 0u64;
    let mut at_end = false;
    while !at_end {
        buffer.clear();
        lines.clear();
        while lines.len() < CHUNK_RECORDS && buffer.len() < CHUNK_BYTES {
            let start = buffer.len();
            let read = input.read_until(b'\n', &mut buffer)?;
            if read == 0 {
                at_end = true;
                break;
            }
            consumed += read as u64;
            line_number += 1;
            let text = buffer.get(start..).unwrap_or_default();
            let trimmed = text.strip_suffix(b"\n").unwrap_or(text);
            let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
            if trimmed.iter().all(u8::is_ascii_whitespace) {
                buffer.truncate(start);
                continue;
            }
            lines.push(Line { start, end: start + trimmed.len(), number: line_number });
        }
        let chunk = &buffer;
        let tasks = run_tasks(program, &lines, &mut outputs, |worker, line, out| {
            let text = chunk.get(line.start..line.end).unwrap_or_default();
            let read = read_record(program, text, &mut worker.record, options.strict, &mut out.unknown);
            worker.finish(program, read, line.number, out);
        });
        collector.collect(outputs.get_mut(..tasks).unwrap_or_default(), consumed)?;
    }
    collector.finish(program, started)
}

/// Evaluates every row of a CSV input whose header names the facts (and
/// `id`). Empty cells are unknown.
pub fn run_csv<R: Read, W: Write>(
    ruleset: &Ruleset,
    input: R,
    output: W,
    options: RunOptions,
    progress: &mut dyn FnMut(Progress),
) -> io::Result<Summary> {
    let started = Instant::now();
    let program = ruleset.program();
    let mut collector = Collector {
        output,
        summary: Summary::default(),
        action_totals: vec![0; program.model.actions.len()],
        progress,
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
    let header = Header::new(program, reader.byte_headers().map_err(csv_error)?);
    let mut rows: Vec<csv::ByteRecord> = Vec::new();
    let mut outputs: Vec<TaskOutput> = Vec::new();
    let mut at_end = false;
    while !at_end {
        let mut filled = 0;
        while filled < CHUNK_RECORDS {
            if rows.len() <= filled {
                rows.push(csv::ByteRecord::new());
            }
            let Some(row) = rows.get_mut(filled) else { break };
            if !reader.read_byte_record(row).map_err(csv_error)? {
                at_end = true;
                break;
            }
            filled += 1;
        }
        let chunk = rows.get(..filled).unwrap_or_default();
        let tasks = run_tasks(program, chunk, &mut outputs, |worker, row, out| {
            let line = row.position().map_or(0, csv::Position::line);
            let read = read_row(program, &header, row, &mut worker.record, options.strict, &mut out.unknown);
            worker.finish(program, read, line, out);
        });
        collector.collect(outputs.get_mut(..tasks).unwrap_or_default(), reader.position().byte())?;
    }
    collector.finish(program, started)
}

fn csv_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}
