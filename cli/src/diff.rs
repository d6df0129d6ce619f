//! `osler diff OLD NEW`: the decision change between two versions of a
//! ruleset. Each call that one version emits on some record and the other
//! does not comes with an example record, replayed in both engines; with
//! `--corpus` both versions also run over real records and the records
//! whose decision changed are counted. Exit 0 without change, 1 with
//! changes (an undecided change counts: no change could be proved), 2 for
//! usage, I/O and incomparable versions.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use clap::Args;
use osler_dsl::analysis::Side;
use osler_dsl::diagnostic::{Example, ExampleJson};
use osler_engine::Ruleset;
use osler_engine::analysis::{ConfirmedChange, CorpusDiff, CorpusFormat};

use crate::exit;
use crate::format::Format;

/// How many changed records `--corpus` names.
const FIRST_CHANGED: usize = 5;

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old version: a folder of `.osl` files or one file.
    pub old: PathBuf,
    /// The new version.
    pub new: PathBuf,
    /// `text` for people, `json` for one JSON line per change.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Real records (a `.csv` file, or JSON Lines) to run both versions on.
    #[arg(long)]
    pub corpus: Option<PathBuf>,
}

pub fn run(args: DiffArgs) -> u8 {
    // A version that cannot be loaded is a usage error here: exit 1 means
    // "the versions differ".
    let Ok(old) = crate::load::load(&args.old) else { return exit::USAGE };
    let Ok(new) = crate::load::load(&args.new) else { return exit::USAGE };
    let changes = match osler_engine::analysis::diff(&old, &new) {
        Ok(changes) => changes,
        Err(error) => {
            errln!("error: cannot compare `{}` with `{}`: {error}", args.old.display(), args.new.display());
            return exit::USAGE;
        }
    };
    let corpus = match &args.corpus {
        Some(path) => match run_corpus(&old, &new, path) {
            Ok(corpus) => Some(corpus),
            Err(message) => {
                errln!("error: {message}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    match args.format {
        Format::Text => print_text(&changes, corpus.as_ref()),
        Format::Json => print_json(&changes, corpus.as_ref()),
    }
    let changed = !changes.is_empty() || corpus.as_ref().is_some_and(|corpus| corpus.changed > 0);
    if changed { exit::ERRORS } else { exit::OK }
}

fn run_corpus(old: &Ruleset, new: &Ruleset, path: &Path) -> Result<CorpusDiff, String> {
    let format = if path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("csv")) {
        CorpusFormat::Csv
    } else {
        CorpusFormat::JsonLines
    };
    let file = File::open(path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
    osler_engine::analysis::diff_corpus(old, new, BufReader::new(file), format, FIRST_CHANGED)
        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Old => "old",
        Side::New => "new",
    }
}

/// `{"fact": value, ..}` with a space after each `:` and `,`.
fn example_text(example: &Example) -> String {
    let entries: Vec<String> = example
        .iter()
        .map(|(fact, value)| {
            let key = serde_json::to_string(fact).unwrap_or_default();
            format!("{key}: {}", value.to_json())
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

fn calls_text(calls: &[String]) -> String {
    if calls.is_empty() { "(no actions)".to_owned() } else { calls.join(", ") }
}

fn print_text(changes: &[ConfirmedChange], corpus: Option<&CorpusDiff>) {
    if changes.is_empty() {
        outln!("no decision changes");
    }
    for change in changes {
        let side = if change.side == Side::Old { "OLD" } else { "NEW" };
        if change.undecided {
            outln!(
                "{}: undecided: only {side} may emit it ({}; the example does not show it)",
                change.call,
                osler_dsl::analysis::NOT_FOLLOWED
            );
        } else {
            outln!("{}: only {side} emits it", change.call);
        }
        outln!("  example: {}", example_text(&change.example));
        outln!("  old: {}", calls_text(&change.old_actions));
        outln!("  new: {}", calls_text(&change.new_actions));
    }
    if let Some(corpus) = corpus {
        let compared = corpus.records - corpus.rejected;
        outln!("{} of {compared} records changed decision", corpus.changed);
        if !corpus.first_changed.is_empty() {
            outln!("  first: {}", corpus.first_changed.join(", "));
        }
        if corpus.rejected > 0 {
            outln!(
                "{} rejected and not compared (old rejected {}, new rejected {})",
                if corpus.rejected == 1 { "1 record".to_owned() } else { format!("{} records", corpus.rejected) },
                corpus.rejected_by_old,
                corpus.rejected_by_new
            );
        }
    }
}

fn print_json(changes: &[ConfirmedChange], corpus: Option<&CorpusDiff>) {
    for change in changes {
        let line = serde_json::json!({
            "call": change.call,
            "side": side_name(change.side),
            "undecided": change.undecided,
            "example": serde_json::to_value(ExampleJson(&change.example)).unwrap_or_default(),
            "old": change.old_actions,
            "new": change.new_actions,
        });
        outln!("{line}");
    }
    if let Some(corpus) = corpus {
        let line = serde_json::json!({
            "corpus": {
                "records": corpus.records,
                "compared": corpus.records - corpus.rejected,
                "changed": corpus.changed,
                "first_changed": corpus.first_changed,
                "rejected": corpus.rejected,
                "rejected_by_old": corpus.rejected_by_old,
                "rejected_by_new": corpus.rejected_by_new,
            }
        });
        outln!("{line}");
    }
}
