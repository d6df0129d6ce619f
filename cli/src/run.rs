//! `osler run`: evaluate every record of a JSON Lines or CSV file, one JSON
//! line per record in input order, with a progress bar on a terminal and a
//! summary on standard error.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal as _, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use osler_engine::batch::{self, OutputFormat, Progress, RunOptions, Summary};
use osler_engine::{Explain, Ruleset};

use crate::exit;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The ruleset: a folder of `.osl` files or one file.
    pub ruleset: PathBuf,
    /// The records: a `.csv` file, a JSON Lines file (any other extension),
    /// or `-` for standard input (JSON Lines, or CSV with `--format csv`).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Where to write the results (standard output by default).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// The input format, instead of guessing it from the extension (also
    /// applies to standard input).
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,
    /// Reject records that carry fields which are not facts of the ruleset.
    #[arg(long)]
    pub strict: bool,
    /// How much each output line explains: `none` (actions and
    /// disposition), `brief` (also fired, overridden and a ranked
    /// `examine`) or `full` (also every undetermined rule).
    #[arg(long, value_enum, default_value_t = ExplainLevel::Brief)]
    pub explain: ExplainLevel,
    /// The output: JSON Lines, or CSV with one row per record and a column
    /// per action, for spreadsheets.
    #[arg(long, value_enum, default_value_t = InputFormat::Jsonl)]
    pub output_format: InputFormat,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print no progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum InputFormat {
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ExplainLevel {
    None,
    Brief,
    Full,
}

pub fn run(args: RunArgs) -> u8 {
    let ruleset = match crate::load::load(&args.ruleset) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    let threads = args.threads.unwrap_or(0);
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool,
        Err(error) => {
            errln!("error: cannot start worker threads: {error}");
            return exit::USAGE;
        }
    };
    match pool.install(|| evaluate_file(&ruleset, &args)) {
        Ok(summary) => {
            if !args.quiet {
                err!("{}", describe(&summary));
            }
            if summary.rejected > 0 { exit::REJECTED } else { exit::OK }
        }
        // The reader of the output went away (`| head`): stop quietly.
        Err(RunError::Closed) => exit::OK,
        Err(RunError::Failed(message)) => {
            errln!("error: {message}");
            exit::USAGE
        }
    }
}

/// Why a run stopped early.
enum RunError {
    /// The output is a pipe whose reader has gone away.
    Closed,
    Failed(String),
}

/// The input format: `--format`, else by the file's extension (`.csv`);
/// standard input is JSON Lines unless `--format csv`.
fn input_format(args: &RunArgs) -> InputFormat {
    let from_stdin = args.input.as_os_str() == "-";
    args.format.unwrap_or(if !from_stdin && args.input.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("csv")) {
        InputFormat::Csv
    } else {
        InputFormat::Jsonl
    })
}

fn evaluate_file(ruleset: &Ruleset, args: &RunArgs) -> Result<Summary, RunError> {
    let from_stdin = args.input.as_os_str() == "-";
    let format = input_format(args);
    let output: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            File::create(path)
                .map_err(|error| RunError::Failed(format!("cannot create `{}`: {error}", path.display())))?,
        ),
        None => Box::new(io::stdout().lock()),
    };
    let output = BufWriter::with_capacity(1 << 20, output);
    let explain = match args.explain {
        ExplainLevel::None => Explain::None,
        ExplainLevel::Brief => Explain::Brief,
        ExplainLevel::Full => Explain::Full,
    };
    let output_format = match args.output_format {
        InputFormat::Jsonl => OutputFormat::JsonLines,
        InputFormat::Csv => OutputFormat::Csv,
    };
    let options = RunOptions::default().strict(args.strict).explain(explain).output_format(output_format);
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let (input, length): (Box<dyn io::Read>, Option<u64>) = if from_stdin {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = File::open(&args.input)
            .map_err(|error| RunError::Failed(format!("cannot read `{}`: {error}", args.input.display())))?;
        let length = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
        (Box::new(file), Some(length))
    };
    let bar = show_progress.then(|| length.map_or_else(spinner, bar));
    let mut report = reporter(bar.as_ref());
    let input = BufReader::with_capacity(1 << 20, input);
    let result = match format {
        InputFormat::Csv => batch::run_csv(ruleset, input, output, options, &mut report),
        InputFormat::Jsonl => batch::run_json_lines(ruleset, input, output, options, &mut report),
    };
    finish(bar.as_ref());
    result.map_err(|error| {
        if crate::out::is_closed_pipe(&error) {
            RunError::Closed
        } else {
            RunError::Failed(format!("while running `{}`: {error}", args.input.display()))
        }
    })
}

fn bar(length: u64) -> ProgressBar {
    let bar = ProgressBar::new(length);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} (eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} read, {msg}") {
        bar.set_style(style);
    }
    bar
}

fn reporter(bar: Option<&ProgressBar>) -> impl FnMut(Progress) + '_ {
    move |progress: Progress| {
        if let Some(bar) = bar {
            bar.set_position(progress.bytes);
            bar.set_message(format!("{} records", progress.records));
        }
    }
}

fn finish(bar: Option<&ProgressBar>) {
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// The summary printed on standard error.
fn describe(summary: &Summary) -> String {
    let seconds = summary.elapsed.as_secs_f64();
    let mut text = format!(
        "osler run: {} records, {} evaluated, {} rejected in {seconds:.2}s ({:.0} records/s)\n",
        summary.records,
        summary.evaluated(),
        summary.rejected,
        summary.throughput()
    );
    if !summary.action_counts.is_empty() {
        let counts: Vec<String> = summary.action_counts.iter().map(|(name, count)| format!("{name} {count}")).collect();
        text.push_str(&format!("  records per action: {}\n", counts.join(", ")));
    }
    if summary.unknown_fields.total() > 0 {
        let fields: Vec<String> =
            summary.unknown_fields.counts.iter().take(20).map(|(name, count)| format!("{name} ({count})")).collect();
        let more = summary.unknown_fields.counts.len().saturating_sub(20);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        text.push_str(&format!(
            "  ignored {} fields that are not facts ({} records carry a warning): {}{more}\n",
            summary.unknown_fields.total(),
            summary.warned,
            fields.join(", ")
        ));
    }
    text
}
