//! The static analysis replayed in the engine. The analysis
//! (`osler_dsl::analysis`) reasons over formulas; only the engine's real
//! evaluation decides what happens on a record. So every finding with an
//! example record is evaluated here before it is reported: a confirmed
//! finding becomes a diagnostic, an approximate one that the engine does
//! not show becomes `osler::undecided`, and an exact one that the engine
//! does not show is a broken invariant, reported loudly as an internal
//! error rather than passed over. The same replay confirms `osler diff`'s
//! decision changes, in both versions, and compares the two versions on a
//! corpus of real records.

use std::io::{self, BufRead};

use osler_dsl::Code;
use osler_dsl::analysis::{self as analysis, Claim, DiffError, Finding, Side, example_value};
use osler_dsl::diagnostic::{Diagnostic, Example, ExampleValue, FileDiagnostic, Related};
use osler_dsl::model::{ActionIndex, FactIndex, Model, RuleIndex, Value, format_duration, format_number};
use osler_dsl::span::Span;

use crate::csv_input::{Header, read_row};
use crate::error::RecordError;
use crate::logic::Truth;
use crate::program::{Program, RuleId};
use crate::property::PropertyReport;
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Record, RecordId};
use crate::ruleset::{Evaluator, Ruleset};

/// A finding the engine has confirmed (or could not), ready to report.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub struct Confirmed {
    /// The diagnostic: the finding's own, `osler::undecided`, or an
    /// internal error when an exact finding's example does not show it.
    pub diagnostic: FileDiagnostic,
    /// The example's facts as `(fact, Osler literal)`: `true`, `50 mmHg`,
    /// `73h`, a variant's name, a quoted string. Empty without an example.
    pub given: Vec<(String, String)>,
    /// The engine's output on the example, one call per entry as an
    /// `expect` line writes it: `emergency(6h)`, or `refer` for an action
    /// without parameters.
    pub expects: Vec<String>,
}

impl Confirmed {
    /// A `test` block that pins the engine's real outcome on the example:
    /// `given` the example's facts, one `expect` per action in the output,
    /// or `expect nothing` when the output is empty. Appended to the
    /// ruleset it checks clean, as long as no other test has the same
    /// title.
    ///
    /// ```
    /// let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(), r#"
    /// fact smoker: bool
    /// action refer()
    /// rule quit: smoker -> refer
    /// assert never_referred: smoker -> not refer
    /// "#.to_owned())])?;
    /// let findings = ruleset.analyze();
    /// let violated = findings
    ///     .iter()
    ///     .find(|f| f.diagnostic.diagnostic.code == osler_dsl::Code::AssertViolated)
    ///     .ok_or("no violation")?;
    /// assert_eq!(violated.test_block("smokers"), "test \"smokers\" {\n  given smoker = true\n  expect refer\n}\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn test_block(&self, title: &str) -> String {
        let mut out = format!("test \"{}\" {{\n", escape(title));
        if !self.given.is_empty() {
            let given: Vec<String> = self.given.iter().map(|(fact, value)| format!("{fact} = {value}")).collect();
            out.push_str(&format!("  given {}\n", given.join(", ")));
        }
        if self.expects.is_empty() {
            out.push_str("  expect nothing\n");
        }
        for call in &self.expects {
            out.push_str(&format!("  expect {call}\n"));
        }
        out.push_str("}\n");
        out
    }
}

impl Ruleset {
    /// Runs the static analysis on this ruleset and replays every finding
    /// in the engine ([`confirm`]); sorted by file, then position.
    pub fn analyze(&self) -> Vec<Confirmed> {
        let findings = analysis::analyze(&self.program().model);
        confirm(self, &findings)
    }
}

/// Replays each finding of the analysis of `ruleset`'s model (indices are
/// that model's) in the engine, and turns it into what to report:
///
/// - no example: the finding is a proof that something never happens and
///   is reported as it is (a silent check without example reports nothing);
/// - the engine shows the claim on the example: the finding, with the
///   example and, as related locations, its own related rules and every
///   rule that fired on the example (a silent check reports nothing); an
///   approximate finding's further `candidates` are tried in order when
///   the first example does not show it;
/// - it does not, and the finding is approximate: `osler::undecided`;
/// - it does not, and the finding is exact: an `osler::internal` error,
///   since the analysis and the engine disagree.
///
/// A finding with an example but no claim has nothing to replay and counts
/// as shown. An example the engine cannot even build a record from (a
/// value not of its fact's type) does not show anything.
///
/// Sorted by file, then position.
pub fn confirm(ruleset: &Ruleset, findings: &[Finding]) -> Vec<Confirmed> {
    let model = &*ruleset.program().model;
    let mut evaluator = ruleset.evaluator();
    let mut out: Vec<Confirmed> =
        findings.iter().filter_map(|finding| confirm_one(ruleset, model, &mut evaluator, finding)).collect();
    out.sort_by(|a, b| {
        let (a, b) = (&a.diagnostic, &b.diagnostic);
        (&a.path, a.diagnostic.span.start, a.diagnostic.span.end).cmp(&(
            &b.path,
            b.diagnostic.span.start,
            b.diagnostic.span.end,
        ))
    });
    out
}

/// What the engine did on one record, as the claims read it.
struct Replay {
    conditions: Vec<Truth>,
    fired: Vec<RuleIndex>,
    overridden: Vec<RuleIndex>,
    actions: Vec<(ActionIndex, Vec<Value>)>,
    properties: PropertyReport,
}

fn replay(evaluator: &mut Evaluator<'_>, record: &Record) -> Option<Replay> {
    let mut evaluated = evaluator.evaluate(record).ok()?;
    Some(Replay {
        conditions: evaluated.conditions().to_vec(),
        fired: evaluated.fired_rules().collect(),
        overridden: evaluated.overridden_rules().map(|(rule, _)| rule).collect(),
        actions: evaluated.actions().map(|(action, args)| (action, args.to_vec())).collect(),
        properties: evaluated.properties(),
    })
}

/// Whether the engine's outcome shows `claim`.
fn shows(program: &Program, claim: Claim, replay: &Replay) -> bool {
    let model = &*program.model;
    let truth = |rule: RuleIndex| replay.conditions.get(rule as usize).copied();
    let fired = |rule: RuleIndex| replay.fired.contains(&rule);
    match claim {
        Claim::ConditionTrue(rule) => truth(rule) == Some(Truth::True),
        Claim::Overridden(rule) => replay.overridden.contains(&rule),
        Claim::BothTrue(a, b) => truth(a) == Some(Truth::True) && truth(b) == Some(Truth::True),
        Claim::Provisional(rule) => {
            fired(rule) && program.rule(RuleId(rule)).overridden_by.iter().any(|&by| truth(by) == Some(Truth::Unknown))
        }
        Claim::Covered(rule) => {
            let Some(info) = model.rules.get(rule as usize) else { return false };
            fired(rule)
                && info.actions.iter().all(|call| {
                    let in_output = replay.actions.iter().any(|(a, args)| {
                        *a == call.action && call.constant_args().is_some_and(|wanted| *args == wanted)
                    });
                    let by_other = replay.fired.iter().any(|&other| {
                        other != rule
                            && model.rules.get(other as usize).is_some_and(|o| o.actions.iter().any(|c| c == call))
                    });
                    in_output && by_other
                })
        }
        Claim::AssertViolated(index) => {
            replay.properties.asserts.get(index as usize).is_some_and(|check| check.violated())
        }
        Claim::ExclusiveViolated(index) => {
            replay.properties.exclusives.get(index as usize).is_some_and(|check| check.violated())
        }
    }
}

fn confirm_one(
    ruleset: &Ruleset,
    model: &Model,
    evaluator: &mut Evaluator<'_>,
    finding: &Finding,
) -> Option<Confirmed> {
    let (path, span) = match finding.subject.location(model) {
        Some(location) => (location.path.clone(), location.span),
        None => (String::new(), Span::default()),
    };
    let Some(values) = &finding.example else {
        if finding.silent {
            return None;
        }
        let diagnostic = base_diagnostic(model, finding, &path, span);
        return Some(Confirmed {
            diagnostic: FileDiagnostic { path, diagnostic },
            given: Vec::new(),
            expects: Vec::new(),
        });
    };
    // The first example the engine shows the claim on; an approximate
    // finding offers further candidates to try when the first fails.
    let tries = std::iter::once(values).chain(finding.candidates.iter().filter(|_| finding.approximate));
    let mut first = None;
    let mut chosen = None;
    for values in tries {
        let replayed = ruleset.record_from_values(values).ok().and_then(|record| replay(evaluator, &record));
        let shown =
            replayed.as_ref().is_some_and(|r| finding.claim.is_none_or(|claim| shows(ruleset.program(), claim, r)));
        if shown {
            chosen = Some((values, replayed));
            break;
        }
        first.get_or_insert((values, replayed));
    }
    let shown = chosen.is_some();
    let (values, replayed) = chosen.or(first)?;
    let example: Example = values.iter().filter_map(|(fact, value)| example_entry(model, *fact, value)).collect();
    let given = given(model, values);
    let expects = replayed.as_ref().map(|r| expects(model, &r.actions)).unwrap_or_default();
    let diagnostic = if shown {
        if finding.silent {
            return None;
        }
        let mut diagnostic = base_diagnostic(model, finding, &path, span).with_example(example);
        for &rule in replayed.as_ref().map(|r| r.fired.as_slice()).unwrap_or_default() {
            let Some(info) = model.rules.get(rule as usize) else { continue };
            if info.location.path == path && info.location.span == span {
                // The subject itself: its own label already points here.
                continue;
            }
            let other = (info.location.path != path).then(|| info.location.path.clone());
            // A related rule that also fired gets one label saying both.
            match diagnostic.related.iter_mut().find(|r| r.path == other && r.span == info.location.span) {
                Some(related) => related.message.push_str("; fired on the example"),
                None => diagnostic.related.push(Related {
                    path: other,
                    span: info.location.span,
                    message: "fired on the example".to_owned(),
                }),
            }
        }
        diagnostic
    } else if finding.approximate {
        undecided(finding, span, &example)
    } else {
        internal(finding, span, &example)
    };
    Some(Confirmed { diagnostic: FileDiagnostic { path, diagnostic }, given, expects })
}

/// The finding as a diagnostic at its subject, with its related rules.
fn base_diagnostic(model: &Model, finding: &Finding, path: &str, span: Span) -> Diagnostic {
    let mut diagnostic =
        Diagnostic::error(finding.code, span, finding.message.clone()).with_label(finding.label.clone());
    diagnostic.severity = finding.severity;
    diagnostic.help = finding.help.clone();
    for (rule, message) in &finding.related {
        let Some(info) = model.rules.get(*rule as usize) else { continue };
        let other = (info.location.path != path).then(|| info.location.path.clone());
        diagnostic.related.push(Related { path: other, span: info.location.span, message: message.clone() });
    }
    diagnostic
}

/// `osler::undecided` for an approximate finding the engine did not show.
fn undecided(finding: &Finding, span: Span, example: &Example) -> Diagnostic {
    let message = if finding.silent {
        finding.message.clone()
    } else {
        // The claim without its explanation: "rule `x` is redundant".
        let claim = finding.message.split(": ").next().unwrap_or(&finding.message);
        format!("could not prove or refute that {claim}: {}", osler_dsl::analysis::NOT_FOLLOWED)
    };
    let mut diagnostic = Diagnostic::error(Code::Undecided, span, message)
        .with_label("undecided")
        .with_help(format!(
            "the analysis over-approximates {}, and the engine does not show it on the record it found, {}; a test with the records you care about settles it",
            osler_dsl::analysis::NOT_FOLLOWED,
            shown_record(example)
        ));
    diagnostic.severity = finding.severity;
    diagnostic
}

/// An example record as a help text shows it: its JSON in backticks, and
/// the empty record said in words, since a bare `{}` reads as a gap.
fn shown_record(example: &Example) -> String {
    let json = osler_dsl::diagnostic::example_json(example);
    if example.is_empty() { format!("`{json}` (every fact unknown)") } else { format!("`{json}`") }
}

/// The loud error for an exact finding whose example the engine does not
/// show: the analysis and the engine disagree, which must never pass.
fn internal(finding: &Finding, span: Span, example: &Example) -> Diagnostic {
    Diagnostic::error(
        Code::Internal,
        span,
        format!("internal error: the analysis's example for `{}` does not show it in the engine", finding.code),
    )
    .with_label(finding.label.clone())
    .with_help(format!(
        "please report this with the ruleset: the finding was `{}`, its example {}",
        finding.message,
        shown_record(example)
    ))
}

fn example_entry(model: &Model, fact: FactIndex, value: &Value) -> Option<(String, ExampleValue)> {
    model.facts.get(fact as usize).map(|info| (info.name.clone(), example_value(value, model)))
}

/// The example's facts as Osler literals, for a `given` line.
fn given(model: &Model, values: &[(FactIndex, Value)]) -> Vec<(String, String)> {
    values
        .iter()
        .filter_map(|(fact, value)| {
            model.facts.get(*fact as usize).map(|info| (info.name.clone(), literal(model, value)))
        })
        .collect()
}

/// A value as an Osler literal: `true`, `50 mmHg`, `73h`, `absent`, `"text"`.
fn literal(model: &Model, value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::Quantity(n, unit) => format!("{} {unit}", format_number(*n)),
        Value::Duration(seconds) => format_duration(*seconds),
        Value::String(text) => format!("\"{}\"", escape(text)),
        Value::Variant(..) => model.render_value(value),
    }
}

/// Text inside an Osler string literal: `"` and `\` escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A call as an `expect` line and `osler diff` write it: `name(args)`, or
/// `name` without arguments.
fn call_text(model: &Model, action: ActionIndex, args: &[Value]) -> String {
    let name = model.actions.get(action as usize).map_or("", |info| info.name.as_str());
    if args.is_empty() {
        name.to_owned()
    } else {
        let args: Vec<String> = args.iter().map(|arg| model.render_value(arg)).collect();
        format!("{name}({})", args.join(", "))
    }
}

fn expects(model: &Model, actions: &[(ActionIndex, Vec<Value>)]) -> Vec<String> {
    actions.iter().map(|(action, args)| call_text(model, *action, args)).collect()
}

/// One decision change between two versions, replayed in both engines.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub struct ConfirmedChange {
    /// The call, `emergency(6h)` (`name` alone without arguments).
    pub call: String,
    /// The version whose output holds the call on the example.
    pub side: Side,
    /// The record that shows it, facts by name in their JSON form (the old
    /// version's fact order, then the new version's new facts).
    pub example: Example,
    /// The old version's output on the example, one call per entry.
    pub old_actions: Vec<String>,
    /// The new version's output on the example.
    pub new_actions: Vec<String>,
    /// The change came from an over-approximating formula (arithmetic
    /// between facts) and the engines do not show it on the example: the
    /// versions may or may not differ there.
    pub undecided: bool,
}

/// Every decision change between `old` and `new` ([`osler_dsl::analysis::diff`]),
/// each replayed in both engines: a change is kept when the call is in the
/// output of its side and not in the other's. An approximate change that
/// the engines do not show is kept with `undecided` set. An exact change
/// they do not show means the analysis and the engine disagree: that is an
/// `Err` whose message starts with `internal error:`, never a quiet drop.
/// A [`DiffError`] also says why two versions cannot be compared (a fact
/// whose type changed).
pub fn diff(old: &Ruleset, new: &Ruleset) -> Result<Vec<ConfirmedChange>, DiffError> {
    let (old_model, new_model) = (&*old.program().model, &*new.program().model);
    let changes = analysis::diff(old_model, new_model)?;
    let mut old_evaluator = old.evaluator();
    let mut new_evaluator = new.evaluator();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let example: Example = change
            .example
            .iter()
            .map(|(fact, value)| (fact.clone(), merged_example_value(old_model, new_model, value)))
            .collect();
        let old_actions = outcome_on(old, &mut old_evaluator, &example);
        let new_actions = outcome_on(new, &mut new_evaluator, &example);
        let (with, without) = match change.side {
            Side::Old => (&old_actions, &new_actions),
            Side::New => (&new_actions, &old_actions),
        };
        let shown = with.as_ref().is_ok_and(|calls| calls.contains(&change.call))
            && without.as_ref().is_ok_and(|calls| !calls.contains(&change.call));
        if !shown && !change.approximate {
            let side = match change.side {
                Side::Old => "old",
                Side::New => "new",
            };
            return Err(DiffError(format!(
                "internal error: the analysis's example for `{}` (only the {side} version emits it) does not show it in the engines: {}",
                change.call,
                osler_dsl::diagnostic::example_json(&example)
            )));
        }
        out.push(ConfirmedChange {
            call: change.call,
            side: change.side,
            example,
            old_actions: old_actions.unwrap_or_default(),
            new_actions: new_actions.unwrap_or_default(),
            undecided: !shown,
        });
    }
    Ok(out)
}

/// A value of the merged model of `osler_dsl::analysis::diff` in its JSON
/// form. The merged model holds the old version's enums with their
/// indices, then the new version's enums that the old one lacks, in the
/// new version's order; a variant is named from the enum it comes from.
fn merged_example_value(old: &Model, new: &Model, value: &Value) -> ExampleValue {
    let Value::Variant(index, variant) = value else { return example_value(value, old) };
    let index = *index as usize;
    let name = if index < old.enums.len() {
        old.enums.get(index).and_then(|info| info.variants.get(*variant as usize))
    } else {
        new.enums
            .iter()
            .filter(|info| !old.enums.iter().any(|e| e.name == info.name))
            .nth(index - old.enums.len())
            .and_then(|info| info.variants.get(*variant as usize))
    };
    ExampleValue::Text(name.cloned().unwrap_or_default())
}

/// The output of `ruleset` on `example` (facts it does not declare left
/// out), as call texts.
fn outcome_on(ruleset: &Ruleset, evaluator: &mut Evaluator<'_>, example: &Example) -> Result<Vec<String>, RecordError> {
    let model = &*ruleset.program().model;
    let own: Example =
        example.iter().filter(|(fact, _)| model.facts.iter().any(|f| &f.name == fact)).cloned().collect();
    let record = ruleset.record_from_example(&own)?;
    Ok(decision(model, evaluator, &record))
}

/// The calls in the output of one evaluation, in output order; an empty
/// list for a record of another ruleset (never the case here).
fn decision(model: &Model, evaluator: &mut Evaluator<'_>, record: &Record) -> Vec<String> {
    match evaluator.evaluate(record) {
        Ok(evaluated) => evaluated.actions().map(|(action, args)| call_text(model, action, args)).collect(),
        Err(_) => Vec::new(),
    }
}

/// How a corpus file is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum CorpusFormat {
    /// One JSON object per line.
    JsonLines,
    /// CSV with a header naming the facts (and `id`).
    Csv,
}

/// Two versions compared on a corpus of real records.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct CorpusDiff {
    /// Records read (blank lines are not records).
    pub records: u64,
    /// Records both versions read whose decision (the set of calls in the
    /// output) differs.
    pub changed: u64,
    /// The first changed records: the id, or `line N` without one.
    pub first_changed: Vec<String>,
    /// Records that the old version rejected (a value its facts refuse).
    pub rejected_by_old: u64,
    /// Records that the new version rejected.
    pub rejected_by_new: u64,
    /// Records that either version rejected; they are not compared.
    pub rejected: u64,
}

/// Reads every record of `input` with each version (lenient reading:
/// fields a version does not declare are ignored), evaluates it in both and
/// counts the records whose decision changed, keeping the first `keep`
/// of them. A record either version cannot read is counted as rejected and
/// skipped; only failing to read `input` itself is an error.
pub fn diff_corpus<R: BufRead>(
    old: &Ruleset,
    new: &Ruleset,
    input: R,
    format: CorpusFormat,
    keep: usize,
) -> io::Result<CorpusDiff> {
    let mut comparer = Comparer { versions: [Version::new(old), Version::new(new)], diff: CorpusDiff::default(), keep };
    match format {
        CorpusFormat::JsonLines => comparer.json_lines(input)?,
        CorpusFormat::Csv => comparer.csv(input)?,
    }
    Ok(comparer.diff)
}

/// One version's ruleset, evaluator and record, reused record to record.
struct Version<'r> {
    ruleset: &'r Ruleset,
    evaluator: Evaluator<'r>,
    record: Record,
}

impl<'r> Version<'r> {
    fn new(ruleset: &'r Ruleset) -> Version<'r> {
        Version { ruleset, evaluator: ruleset.evaluator(), record: ruleset.record() }
    }
}

struct Comparer<'r> {
    versions: [Version<'r>; 2],
    diff: CorpusDiff,
    keep: usize,
}

impl Comparer<'_> {
    fn json_lines<R: BufRead>(&mut self, mut input: R) -> io::Result<()> {
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            number += 1;
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            let reads = self.versions.each_mut().map(|version| {
                let ruleset = version.ruleset;
                ruleset.read_json_into(text, &mut version.record, ReadOptions::default(), &mut UnknownFields::default())
            });
            self.compare(reads, number);
        }
    }

    fn csv<R: BufRead>(&mut self, input: R) -> io::Result<()> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
        let names = reader.byte_headers().map_err(csv_error)?.clone();
        let headers = self.versions.each_ref().map(|version| Header::new(version.ruleset.program(), &names));
        let mut row = csv::ByteRecord::new();
        while reader.read_byte_record(&mut row).map_err(csv_error)? {
            let line = row.position().map_or(0, csv::Position::line);
            let [old, new] = &mut self.versions;
            let [old_header, new_header] = &headers;
            let read = |version: &mut Version<'_>, header: &Header| {
                let program = version.ruleset.program();
                read_row(
                    program,
                    header,
                    &row,
                    &mut version.record,
                    ReadOptions::default(),
                    &mut UnknownFields::default(),
                )
            };
            let reads = [read(old, old_header), read(new, new_header)];
            self.compare(reads, line);
        }
        Ok(())
    }

    /// Compares the two versions' decisions on the record just read.
    fn compare(&mut self, reads: [Result<(), RecordError>; 2], line: u64) {
        self.diff.records += 1;
        let [old_read, new_read] = &reads;
        if old_read.is_err() || new_read.is_err() {
            self.diff.rejected_by_old += u64::from(old_read.is_err());
            self.diff.rejected_by_new += u64::from(new_read.is_err());
            self.diff.rejected += 1;
            return;
        }
        let decisions = self.versions.each_mut().map(|version| {
            let model = &*version.ruleset.program().model;
            let mut calls = decision(model, &mut version.evaluator, &version.record);
            calls.sort();
            calls.dedup();
            calls
        });
        if decisions[0] != decisions[1] {
            self.diff.changed += 1;
            if self.diff.first_changed.len() < self.keep {
                let label = match self.versions[0].record.id() {
                    RecordId::Null => format!("line {line}"),
                    id => id.to_string(),
                };
                self.diff.first_changed.push(label);
            }
        }
    }
}

fn csv_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::new(io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}
