//! `osler eval`: evaluate one record given inline and explain the result:
//! which rules fired and the facts that made them fire, which were
//! overridden and by whom, which are undetermined and what to examine next.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use osler_engine::batch::error_line;
use osler_engine::explain::{Explanation, RuleRef};
use osler_engine::{ReadOptions, UnknownFields};

use crate::exit;
use crate::format::Format;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The ruleset: a folder of `.osl` files or one file.
    pub ruleset: PathBuf,
    /// The record, as one JSON object: `'{"unilateral": true, "pedal_pulses": "absent"}'`.
    #[arg(long)]
    pub facts: String,
    /// `text` explains; `json` prints the output line `osler run` would.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Reject fields that are not facts of the ruleset.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: EvalArgs) -> u8 {
    let ruleset = match crate::load::load(&args.ruleset) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    let mut record = ruleset.record();
    let mut unknown = UnknownFields::default();
    if let Err(error) =
        ruleset.read_json_into(&args.facts, &mut record, ReadOptions::default().strict(args.strict), &mut unknown)
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

/// The explanation as text for people.
pub(crate) fn render(explanation: &Explanation) -> String {
    let outcome = &explanation.outcome;
    let mut out = String::new();
    let _ = writeln!(out, "record {}", outcome.id);
    let _ = writeln!(out, "\nactions");
    if outcome.actions.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for action in &outcome.actions {
        let args: Vec<String> = action
            .args
            .iter()
            .map(|arg| match arg {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect();
        let call = format!("{}({})", action.name, args.join(", "));
        let cited =
            if action.sources.is_empty() { String::new() } else { format!("  [{}]", action.sources.join(", ")) };
        let _ = writeln!(out, "  {call:<36} from {}{cited}", action.rules.join(", "));
    }
    if !explanation.fired.is_empty() {
        let _ = writeln!(out, "\nfired");
    }
    for fired in &explanation.fired {
        let _ = writeln!(out, "  {}", heading(&fired.rule));
        let because: Vec<String> = fired.because.iter().map(|fact| format!("{} = {}", fact.fact, fact.value)).collect();
        let because = if because.is_empty() { "its condition holds".to_owned() } else { because.join(", ") };
        let _ = writeln!(out, "      because {because}");
        if !fired.actions.is_empty() {
            let _ = writeln!(out, "      then    {}", fired.actions.join(", "));
        }
        sources(&mut out, &fired.rule);
        if !fired.unless.is_empty() {
            let _ = writeln!(
                out,
                "      note    overridden if {} fires (its condition is unknown)",
                fired.unless.join(" or ")
            );
        }
    }
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
    if !explanation.undetermined.is_empty() {
        let _ = writeln!(out, "\nundetermined (examine next)");
    }
    for undetermined in &explanation.undetermined {
        let _ = writeln!(out, "  {}", heading(&undetermined.rule));
        let _ = writeln!(out, "      examine {}", undetermined.missing.join(", "));
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
