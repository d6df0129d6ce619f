//! The `osler` command line: check, diff, run, eval, test, fmt, lsp, schema.
//! Each subcommand lives in its own module; this file only parses
//! arguments and maps results to exit codes (see `shared/spec/cli.md`).

#[macro_use]
mod out;

mod check;
mod diff;
mod eval;
mod exit;
mod fmt;
mod format;
mod load;
mod run;
mod schema;
mod test_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::format::Format;

#[derive(Parser, Debug)]
#[command(name = "osler", version, about = "Clinical decision rules as data: check, run, explain, test")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and type-check a ruleset (a folder or one .osl file), prove
    /// its properties and run the built-in analyses.
    Check {
        ruleset: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// `warnings`: exit 1 when there is any warning (hints never count).
        #[arg(long, value_enum)]
        deny: Option<check::Deny>,
    },
    /// The decision change between two versions of a ruleset.
    Diff(diff::DiffArgs),
    /// Evaluate every record of a JSON Lines or CSV file.
    Run(run::RunArgs),
    /// Evaluate one record given inline and explain the result.
    Eval(eval::EvalArgs),
    /// Rewrite `.osl` files in the canonical layout (`--check`: only report).
    Fmt(fmt::FmtArgs),
    /// The language server on standard input/output.
    Lsp,
    /// Run the ruleset's `test` blocks and report rule coverage.
    Test(test_cmd::TestArgs),
    /// Print the ruleset's facts as a JSON Schema (draft 2020-12), or as a
    /// Markdown data dictionary.
    Schema {
        ruleset: PathBuf,
        #[arg(long, value_enum, default_value_t = schema::SchemaFormat::Json)]
        format: schema::SchemaFormat,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let code = match cli.command {
        Command::Check { ruleset, format, deny } => check::run(&ruleset, format, deny),
        Command::Diff(args) => diff::run(args),
        Command::Run(args) => run::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Test(args) => test_cmd::run(args),
        Command::Fmt(args) => fmt::run_fmt(args),
        Command::Lsp => osler_lsp::run_stdio(),
        Command::Schema { ruleset, format } => schema::run(&ruleset, format),
    };
    // Output cut short by a closed pipe is fine; any other failure to write
    // standard output is an I/O error.
    let code = match out::finish() {
        Some(message) => {
            errln!("error: cannot write to standard output: {message}");
            exit::USAGE
        }
        None => code,
    };
    ExitCode::from(code)
}
