//! Batch evaluation of record files: JSON Lines or CSV in, one JSON line
//! per record out, in input order.
//!
//! The input is read in chunks of whole lines (or rows), and the work is a
//! pipeline: while the rayon pool evaluates chunk *k* (split into tasks,
//! each worker with its own record and buffers), the calling thread
//! writes the output of chunk *k - 1* and reads chunk *k + 1*, then helps
//! with the tasks. So reading, evaluating and writing overlap, the input
//! and output stay on the calling thread (they need not be `Send`), at most
//! two chunks are in memory whatever the file's size, and output bytes do
//! not depend on the number of threads.

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::circuit::Circuit;
use crate::csv_input::{Header, read_row};
use crate::csv_output;
use crate::detail::Explain;
use crate::error::RecordError;
use crate::eval::{Scratch, evaluate};
use crate::json::read_record;
use crate::output::{write_error, write_outcome};
use crate::program::Program;
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Record, RecordId};
use crate::ruleset::Ruleset;
use crate::scan::next_line_end;
use crate::warnings;

/// Options of a batch run.
///
/// ```
/// let options = osler_engine::batch::RunOptions::default().strict(true);
/// assert!(options.read.strict);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct RunOptions {
    /// How each record is read.
    pub read: ReadOptions,
    /// How much each output line explains (`--explain`; brief by default).
    pub explain: Explain,
    /// What the output is: JSON Lines (the default) or CSV.
    pub output_format: OutputFormat,
}

/// The form of a batch run's output (`osler run --output-format`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub enum OutputFormat {
    /// One JSON object per record, on its own line.
    #[default]
    JsonLines,
    /// A header, then one row per record: `id`, `disposition`, a column
    /// per action of the ruleset (its calls' arguments), `fired`,
    /// `warnings` and `error`.
    Csv,
}

impl RunOptions {
    /// These options with strict reading on or off: records with field
    /// names that are not facts are rejected.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> RunOptions {
        self.read = self.read.strict(strict);
        self
    }

    /// These options with output lines at explain level `detail`.
    #[must_use]
    pub fn explain(mut self, detail: Explain) -> RunOptions {
        self.explain = detail;
        self
    }

    /// These options with output in `format`.
    #[must_use]
    pub fn output_format(mut self, format: OutputFormat) -> RunOptions {
        self.output_format = format;
        self
    }
}

/// The line that stands in for a record that could not be read:
/// `{"id":..,"line":N,"error":".."}` (without a newline), as batch runs
/// write it.
///
/// ```
/// let line = osler_engine::batch::error_line(&"p1".into(), 3, "unknown fact `x`");
/// assert_eq!(line, r#"{"id":"p1","line":3,"error":"unknown fact `x`"}"#);
/// ```
pub fn error_line(id: &RecordId, line: u64, error: &str) -> String {
    let mut out = Vec::new();
    write_error(&mut out, id, line, error);
    out.pop();
    // serde_json writes UTF-8.
    String::from_utf8_lossy(&out).into_owned()
}

/// How far a run has got, reported after every chunk.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct Progress {
    /// Input bytes consumed so far.
    pub bytes: u64,
    /// Records read so far.
    pub records: u64,
}

/// What a run did.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Records read (each produced one output line).
    pub records: u64,
    /// Records that could not be read (each produced an error line).
    pub rejected: u64,
    /// For each action name, the number of records where it stands.
    pub action_counts: Vec<(String, u64)>,
    /// Field names that are not facts, with how often they occurred.
    pub unknown_fields: UnknownFields,
    /// Evaluated records whose line carries warnings (fields that are
    /// not facts).
    pub warned: u64,
    /// The run's wall-clock time.
    pub elapsed: Duration,
}

impl Summary {
    /// Records that were read and evaluated.
    pub fn evaluated(&self) -> u64 {
        self.records - self.rejected
    }

    /// Records per second over the whole run.
    pub fn throughput(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 { self.records as f64 / seconds } else { 0.0 }
    }
}

/// Records per chunk and bytes per chunk (a chunk ends at the first line
/// end past either): large enough that a chunk's tasks keep every core
/// busy, small enough that two chunks and their output (a line per
/// record, a few kilobytes for a large ruleset) stay small.
const CHUNK_RECORDS: usize = 8192;
const CHUNK_BYTES: usize = 4 << 20;
/// Records per parallel task.
const TASK_RECORDS: usize = 512;

/// The program and circuit of the ruleset a run evaluates with.
#[derive(Clone, Copy, Debug)]
struct Compiled<'r> {
    program: &'r Program,
    circuit: &'r Circuit,
}

/// One task's output and counts.
#[derive(Debug, Default)]
struct TaskOutput {
    bytes: Vec<u8>,
    records: u64,
    rejected: u64,
    warned: u64,
    action_counts: Vec<u64>,
    unknown: UnknownFields,
}

impl TaskOutput {
    fn reset(&mut self, actions: usize) {
        self.bytes.clear();
        self.records = 0;
        self.rejected = 0;
        self.warned = 0;
        self.action_counts.clear();
        self.action_counts.resize(actions, 0);
    }
}

/// The outputs of one chunk's tasks, in order, reused from chunk to chunk.
#[derive(Debug, Default)]
struct ChunkOutput {
    tasks: Vec<TaskOutput>,
    /// How many of `tasks` the chunk used.
    used: usize,
    /// Input bytes consumed up to the end of the chunk, for progress.
    position: u64,
}

/// A worker's reusable state.
struct Worker {
    record: Record,
    scratch: Scratch,
    seen_actions: Vec<u64>,
    serial: u64,
}

impl Worker {
    fn new(program: &Program, circuit: &Circuit) -> Worker {
        Worker {
            record: Record::for_program(program),
            scratch: Scratch::new(program, circuit),
            seen_actions: vec![0; program.model.actions.len()],
            serial: 0,
        }
    }

    /// Evaluates the record just read (or writes its error line).
    fn finish(
        &mut self,
        compiled: Compiled<'_>,
        options: RunOptions,
        read: Result<(), RecordError>,
        line: u64,
        out: &mut TaskOutput,
    ) {
        let Compiled { program, circuit } = compiled;
        out.records += 1;
        match read {
            Ok(()) => {
                out.warned += u64::from(!self.record.unknown_fields().is_empty());
                let csv = options.output_format == OutputFormat::Csv;
                // CSV rows show no `examine`: evaluate as little as `none`.
                let detail = if csv { Explain::None } else { options.explain };
                evaluate(program, circuit, &self.record, &mut self.scratch, detail);
                if csv {
                    csv_output::write_row(&mut out.bytes, program, &self.record, &self.scratch.result);
                } else {
                    let record = &self.record;
                    write_outcome(&mut out.bytes, program, record.id(), &self.scratch.result, detail, |line| {
                        warnings::write_warnings_json(line, program, record);
                    });
                }
                self.serial += 1;
                for entry in &self.scratch.result.actions {
                    let action = self.scratch.result.instance(program, entry.instance).action as usize;
                    let seen = &mut self.seen_actions[action];
                    if *seen != self.serial {
                        *seen = self.serial;
                        out.action_counts[action] += 1;
                    }
                }
            }
            Err(problem) => {
                out.rejected += 1;
                if options.output_format == OutputFormat::Csv {
                    csv_output::write_error_row(&mut out.bytes, program, self.record.id(), line, &problem.to_string());
                } else {
                    write_error(&mut out.bytes, self.record.id(), line, &problem.to_string());
                }
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

impl<'a, W: Write> Collector<'a, W> {
    /// A collector writing to `output`, which starts with the CSV header
    /// when the output is CSV.
    fn new(
        mut output: W,
        program: &Program,
        options: RunOptions,
        progress: &'a mut dyn FnMut(Progress),
    ) -> io::Result<Self> {
        if options.output_format == OutputFormat::Csv {
            let mut header = Vec::new();
            csv_output::write_header(&mut header, program);
            output.write_all(&header)?;
        }
        Ok(Collector {
            output,
            summary: Summary::default(),
            action_totals: vec![0; program.model.actions.len()],
            progress,
        })
    }

    fn collect(&mut self, chunk: &mut ChunkOutput) -> io::Result<()> {
        for task in &mut chunk.tasks[..chunk.used] {
            self.output.write_all(&task.bytes)?;
            self.summary.records += task.records;
            self.summary.rejected += task.rejected;
            self.summary.warned += task.warned;
            for (total, count) in self.action_totals.iter_mut().zip(&task.action_counts) {
                *total += count;
            }
            self.summary.unknown_fields.merge(&mut task.unknown);
        }
        (self.progress)(Progress { bytes: chunk.position, records: self.summary.records });
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

/// Runs `work` over `items` in parallel tasks of [`TASK_RECORDS`], each
/// writing one [`TaskOutput`] of `output` (reused across chunks).
fn run_tasks<T: Sync>(
    compiled: Compiled<'_>,
    items: &[T],
    output: &mut ChunkOutput,
    work: impl Fn(&mut Worker, &T, &mut TaskOutput) + Sync,
) {
    let tasks = items.len().div_ceil(TASK_RECORDS);
    if output.tasks.len() < tasks {
        output.tasks.resize_with(tasks, TaskOutput::default);
    }
    output.used = tasks;
    let actions = compiled.program.model.actions.len();
    let slots = &mut output.tasks[..tasks];
    slots.par_iter_mut().zip(items.par_chunks(TASK_RECORDS)).for_each_init(
        || Worker::new(compiled.program, compiled.circuit),
        |worker, (out, task)| {
            out.reset(actions);
            for item in task {
                work(worker, item, out);
            }
        },
    );
}

/// Runs the pipeline: `fill` reads the next chunk on the calling thread
/// (returning the input position after it, or `None` at the end of the
/// input), `process` evaluates a chunk on the pool, and the collector
/// writes each chunk's output, in order, on the calling thread.
fn pipeline<C, W>(
    collector: &mut Collector<'_, W>,
    mut fill: impl FnMut(&mut C) -> io::Result<Option<u64>>,
    process: impl Fn(&C, &mut ChunkOutput) + Sync,
) -> io::Result<()>
where
    C: Default + Sync,
    W: Write,
{
    let (mut current, mut next) = (C::default(), C::default());
    let (mut evaluating, mut writing) = (ChunkOutput::default(), ChunkOutput::default());
    let mut position = fill(&mut current)?;
    let mut pending_write = false;
    while let Some(consumed) = position {
        let mut written = Ok(());
        let mut read = Ok(None);
        rayon::in_place_scope(|scope| {
            let (chunk, output, process) = (&current, &mut evaluating, &process);
            scope.spawn(move |_| process(chunk, output));
            if pending_write {
                written = collector.collect(&mut writing);
            }
            read = fill(&mut next);
        });
        written?;
        evaluating.position = consumed;
        std::mem::swap(&mut evaluating, &mut writing);
        std::mem::swap(&mut current, &mut next);
        pending_write = true;
        position = read?;
    }
    if pending_write {
        collector.collect(&mut writing)?;
    }
    Ok(())
}

/// A line of a JSON Lines chunk: its byte range (without the line end)
/// and 1-based line number.
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
    number: u64,
}

/// Whole lines of JSON Lines input and where its records are.
#[derive(Debug, Default)]
struct LineChunk {
    bytes: Vec<u8>,
    /// The lines that are records (blank lines are not).
    lines: Vec<Line>,
}

/// Cuts JSON Lines input into chunks of whole lines, taking the input's
/// buffer a window at a time: each byte is copied once and scanned once
/// for line ends.
struct LineReader<R> {
    input: R,
    line_number: u64,
    consumed: u64,
    /// The line ends found in the current window (reused).
    ends: Vec<usize>,
}

impl<R: BufRead> LineReader<R> {
    /// Fills `chunk` with the next lines, up to [`CHUNK_RECORDS`] lines
    /// or the first line end past [`CHUNK_BYTES`]; what follows stays in
    /// the input. Returns the input position after the chunk, or `None`
    /// at the end of the input.
    fn fill(&mut self, chunk: &mut LineChunk) -> io::Result<Option<u64>> {
        chunk.bytes.clear();
        chunk.lines.clear();
        let mut line_start = 0;
        let mut lines = 0;
        let mut ends = std::mem::take(&mut self.ends);
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                // The end of the input: a last line without a line end.
                if line_start < chunk.bytes.len() {
                    self.finish_line(chunk, line_start, chunk.bytes.len());
                }
                break;
            }
            // Find the line ends first, so that only what the chunk takes
            // is copied.
            let base = chunk.bytes.len();
            let mut take = available.len();
            let mut full = false;
            let mut from = 0;
            ends.clear();
            while let Some(line_end) = next_line_end(available, from) {
                ends.push(base + line_end);
                from = line_end + 1;
                lines += 1;
                if lines >= CHUNK_RECORDS || base + from >= CHUNK_BYTES {
                    take = from;
                    full = true;
                    break;
                }
            }
            chunk.bytes.extend_from_slice(&available[..take]);
            self.input.consume(take);
            self.consumed += take as u64;
            for &line_end in &ends {
                self.finish_line(chunk, line_start, line_end);
                line_start = line_end + 1;
            }
            if full {
                break;
            }
        }
        self.ends = ends;
        Ok((!chunk.bytes.is_empty()).then_some(self.consumed))
    }

    /// Notes the line `chunk.bytes[start..end]` (line end excluded): a
    /// record unless it is blank.
    fn finish_line(&mut self, chunk: &mut LineChunk, start: usize, end: usize) {
        self.line_number += 1;
        let text = &chunk.bytes[start..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !text.iter().all(u8::is_ascii_whitespace) {
            chunk.lines.push(Line { start, end: start + text.len(), number: self.line_number });
        }
    }
}

/// Evaluates every record of a JSON Lines input. Blank lines are not
/// records and produce no output; a missing final newline is fine.
pub fn run_json_lines<R: BufRead, W: Write>(
    ruleset: &Ruleset,
    input: R,
    output: W,
    options: RunOptions,
    progress: &mut dyn FnMut(Progress),
) -> io::Result<Summary> {
    let started = Instant::now();
    let compiled = Compiled { program: ruleset.program(), circuit: ruleset.circuit() };
    let program = compiled.program;
    let mut collector = Collector::new(output, program, options, progress)?;
    let mut reader = LineReader { input, line_number: 0, consumed: 0, ends: Vec::new() };
    pipeline(
        &mut collector,
        |chunk: &mut LineChunk| reader.fill(chunk),
        |chunk, output| {
            run_tasks(compiled, &chunk.lines, output, |worker, line, out| {
                let text = &chunk.bytes[line.start..line.end];
                let read = read_record(program, text, &mut worker.record, options.read, &mut out.unknown);
                worker.finish(compiled, options, read, line.number, out);
            });
        },
    )?;
    collector.finish(program, started)
}

/// Rows of CSV input, reused from chunk to chunk.
#[derive(Debug, Default)]
struct RowChunk {
    rows: Vec<csv::ByteRecord>,
    /// How many of `rows` the chunk holds.
    filled: usize,
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
    let compiled = Compiled { program: ruleset.program(), circuit: ruleset.circuit() };
    let program = compiled.program;
    let mut collector = Collector::new(output, program, options, progress)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
    let header = Header::new(program, reader.byte_headers().map_err(csv_error)?);
    let mut at_end = false;
    pipeline(
        &mut collector,
        |chunk: &mut RowChunk| {
            chunk.filled = 0;
            while !at_end && chunk.filled < CHUNK_RECORDS {
                if chunk.rows.len() <= chunk.filled {
                    chunk.rows.push(csv::ByteRecord::new());
                }
                let Some(row) = chunk.rows.get_mut(chunk.filled) else { break };
                if reader.read_byte_record(row).map_err(csv_error)? {
                    chunk.filled += 1;
                } else {
                    at_end = true;
                }
            }
            Ok((chunk.filled > 0).then(|| reader.position().byte()))
        },
        |chunk, output| {
            let rows = &chunk.rows[..chunk.filled];
            run_tasks(compiled, rows, output, |worker, row, out| {
                let line = row.position().map_or(0, csv::Position::line);
                let read = read_row(program, &header, row, &mut worker.record, options.read, &mut out.unknown);
                worker.finish(compiled, options, read, line, out);
            });
        },
    )?;
    collector.finish(program, started)
}

fn csv_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}
