//! `osler eval`: evaluate one record (given inline, in a file or on
//! standard input) and explain the result:
//! which rules fired and the facts that made them fire, which were
//! overridden and by whom, which are undetermined and what to examine next.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;

use clap::Args;
use osler_engine::Outcome;
use osler_engine::batch::error_line;
use osler_engine::explain::{Explanation, FactValue, RuleRef};
use osler_engine::{ReadOptions, UnknownFields};

use crate::exit;
use crate::format::Format;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The ruleset: a folder of `.osl` files or one file.
    pub ruleset: PathBuf,
    /// The record, as one JSON object: inline (`'{"unilateral": true, "pedal_pulses": "absent"}'`),
    /// `@FILE` to read it from a file, or `-` to read it from standard input.
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub facts: String,
    /// `text` explains; `json` prints the output line `osler run` would.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Reject fields that are not facts of the ruleset.
    #[arg(long)]
    pub strict: bool,
}

/// The record's text as `--facts` gives it: `@path` is the file's
/// contents, `-` all of standard input, anything else the JSON itself (a
/// JSON object never starts with `@` or is `-`). A file or stream that
/// cannot be read is an I/O error (exit 2) naming what was read.
fn read_facts(facts: &str) -> Result<Cow<'_, str>, u8> {
    if let Some(path) = facts.strip_prefix('@') {
        return match std::fs::read_to_string(path) {
            Ok(text) => Ok(Cow::Owned(text)),
            Err(error) => {
                errln!("error: cannot read the facts file `{path}`: {error}");
                Err(exit::USAGE)
            }
        };
    }
    if facts == "-" {
        let mut text = String::new();
        return match std::io::stdin().read_to_string(&mut text) {
            Ok(_) => Ok(Cow::Owned(text)),
            Err(error) => {
                errln!("error: cannot read the facts from standard input: {error}");
                Err(exit::USAGE)
            }
        };
    }
    Ok(Cow::Borrowed(facts))
}

pub fn run(args: EvalArgs) -> u8 {
    let ruleset = match crate::load::load(&args.ruleset) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    let facts = match read_facts(&args.facts) {
        Ok(facts) => facts,
        Err(code) => return code,
    };
    let mut record = ruleset.record();
    let mut unknown = UnknownFields::default();
    if let Err(error) =
        ruleset.read_json_into(&facts, &mut record, ReadOptions::default().strict(args.strict), &mut unknown)
    {
        match args.format {
            Format::Json => {
                outln!("{}", error_line(record.id(), 1, &error.to_string()));
            }
            Format::Text => errln!("error: the record was rejected: {error}"),
        }
        return exit::REJECTED;
    }
    let mut evaluator = ruleset.evaluator();
    let mut evaluated = match evaluator.evaluate(&record) {
        Ok(evaluated) => evaluated,
        Err(error) => {
            errln!("error: {error}");
            return exit::USAGE;
        }
    };
    match args.format {
        Format::Json => {
            let mut line = Vec::new();
            evaluated.write_json_line(&mut line);
            out!("{}", String::from_utf8_lossy(&line));
        }
        Format::Text => {
            if !unknown.counts.is_empty() {
                let names: Vec<&str> = unknown.counts.keys().map(String::as_str).collect();
                errln!("note: ignored fields that are not facts of the ruleset: {}", names.join(", "));
            }
            out!("{}", render(&evaluated.explain()));
        }
    }
    exit::OK
}

fn heading(rule: &RuleRef) -> String {
    match &rule.title {
        Some(title) => format!("{} \"{title}\" ({})", rule.id, rule.location),
        None => format!("{} ({})", rule.id, rule.location),
    }
}

fn sources(out: &mut String, rule: &RuleRef) {
    for source in &rule.sources {
        let year = source.year.map(|year| format!(" ({year})")).unwrap_or_default();
        let _ = writeln!(out, "      source  {}: {}{year}", source.name, source.title);
    }
}

/// `emergency(6h)` from an outcome's rendered arguments (`self_care`
/// without any).
fn call_text(name: &str, args: &[serde_json::Value]) -> String {
    if args.is_empty() {
        return name.to_owned();
    }
    let args: Vec<String> = args
        .iter()
        .map(|arg| match arg {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect();
    format!("{name}({})", args.join(", "))
}

fn fact_list(facts: &[FactValue]) -> String {
    facts.iter().map(|fact| format!("{} = {}", fact.fact, fact.value)).collect::<Vec<_>>().join(", ")
}

/// The decision: the disposition, then every action with its rules.
fn render_decision(out: &mut String, outcome: &Outcome) {
    if let Some(disposition) = &outcome.disposition {
        let pending = if disposition.pending.is_empty() {
            String::new()
        } else {
            format!("  (pending: unless {})", disposition.pending.join(" or "))
        };
        let _ = writeln!(
            out,
            "\ndisposition  {}  from {}{pending}",
            call_text(&disposition.name, &disposition.args),
            disposition.rules.join(", ")
        );
    }
    let _ = writeln!(out, "\nactions");
    if outcome.actions.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for action in &outcome.actions {
        let call = call_text(&action.name, &action.args);
        let cited =
            if action.sources.is_empty() { String::new() } else { format!("  [{}]", action.sources.join(", ")) };
        let _ = writeln!(out, "  {call:<36} from {}{cited}", action.rules.join(", "));
        if !action.pending.is_empty() {
            let _ = writeln!(out, "  {:<36} pending: dropped if {} fires", "", action.pending.join(" or "));
        }
    }
}

fn render_fired(out: &mut String, explanation: &Explanation) {
    if !explanation.fired.is_empty() {
        let _ = writeln!(out, "\nfired");
    }
    for fired in &explanation.fired {
        let status = if fired.provisional { "  [provisional]" } else { "" };
        let _ = writeln!(out, "  {}{status}", heading(&fired.rule));
        let mut because: Vec<String> = fired
            .lets
            .iter()
            .map(|value| {
                if value.from.is_empty() {
                    format!("{} = {}", value.name, value.value)
                } else {
                    format!("{} = {} ({})", value.name, value.value, fact_list(&value.from))
                }
            })
            .collect();
        if !fired.because.is_empty() {
            because.push(fact_list(&fired.because));
        }
        let because = if because.is_empty() { "its condition holds".to_owned() } else { because.join(", ") };
        let _ = writeln!(out, "      because {because}");
        if !fired.actions.is_empty() {
            let _ = writeln!(out, "      then    {}", fired.actions.join(", "));
        }
        sources(out, &fired.rule);
        for exception in &fired.exceptions {
            let examine = if exception.undefined_arithmetic {
                UNDEFINED_ARITHMETIC.to_owned()
            } else {
                format!("examine {}", exception.missing.join(", "))
            };
            let _ = writeln!(out, "      unless  {} fires (its condition is unknown: {examine})", exception.rule);
        }
    }
}

/// Why a rule with no missing fact is unknown.
const UNDEFINED_ARITHMETIC: &str = "an arithmetic result has no value, a division by zero; no fact is missing";

/// The explanation as text for people.
pub(crate) fn render(explanation: &Explanation) -> String {
    let outcome = &explanation.outcome;
    let mut out = String::new();
    let _ = writeln!(out, "record {}", outcome.id);
    render_decision(&mut out, outcome);
    render_fired(&mut out, explanation);
    if !explanation.overridden.is_empty() {
        let _ = writeln!(out, "\noverridden");
    }
    for overridden in &explanation.overridden {
        let _ = writeln!(out, "  {}", heading(&overridden.rule));
        let state =
            if overridden.condition_true { "its condition holds, but" } else { "its condition is unknown, and" };
        let _ = writeln!(out, "      {state} it is overridden by {}", overridden.by.join(", "));
        sources(&mut out, &overridden.rule);
    }
    if !outcome.examine.is_empty() {
        let _ = writeln!(out, "\nexamine next (most consequential first)");
    }
    for examine in &outcome.examine {
        let mut could = Vec::new();
        if !examine.could.is_empty() {
            could.push(format!("could bring {}", examine.could.join(", ")));
        }
        if !examine.could_cancel.is_empty() {
            could.push(format!("could cancel {}", examine.could_cancel.join(", ")));
        }
        let _ = writeln!(out, "  {:<28} {}", examine.fact, could.join("; "));
    }
    if !explanation.undetermined.is_empty() {
        let _ = writeln!(out, "\nundetermined");
    }
    for undetermined in &explanation.undetermined {
        let _ = writeln!(out, "  {}", heading(&undetermined.rule));
        if undetermined.undefined_arithmetic {
            let _ = writeln!(out, "      note    undetermined: {UNDEFINED_ARITHMETIC}");
        } else {
            let _ = writeln!(out, "      examine {}", undetermined.missing.join(", "));
        }
        if !undetermined.actions.is_empty() {
            let _ = writeln!(out, "      would   {}", undetermined.actions.join(", "));
        }
        sources(&mut out, &undetermined.rule);
        if !undetermined.unless.is_empty() {
            let _ = writeln!(out, "      note    unless {} fires", undetermined.unless.join(" or "));
        }
    }
    out
}
