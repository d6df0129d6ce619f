//! The Osler engine: compiles a checked ruleset into a compact, owned
//! program and evaluates patient records with it.
//!
//! A [`Ruleset`] is built from `.osl` text (checked by `osler-dsl`) and is
//! `Send + Sync`: one compiled program serves any number of threads. A
//! record is a dense array of typed slots, filled by the typed builder, the
//! JSON reader or the CSV reader. Evaluation follows the language's meaning
//! (`shared/spec/language.md`):
//!
//! - **Kleene logic.** A fact that is absent or `null` is unknown;
//!   `false and unknown` is false, `true or unknown` is true, `not unknown`
//!   is unknown, a comparison or arithmetic with an unknown operand is
//!   unknown, and `known(x)` is never unknown.
//! - **`count`.** `count(e1, ..)` is the number of true arguments; with
//!   unknown arguments it is the interval from the number of true ones to
//!   that plus the number of unknown ones, and comparisons decide whenever
//!   the whole interval does: with two of three arguments true and one
//!   unknown, `count(..) >= 2` is true and `count(..) > 3` false. Arithmetic
//!   on such intervals is interval arithmetic.
//! - **Arithmetic.** Division by zero (or by an interval that contains it)
//!   and any result that is not a number are unknown.
//! - **Overrides.** A rule whose condition is true *fires*. Every rule that
//!   a firing rule lists in `overrides` and whose own condition is not
//!   false is *overridden*: its actions are dropped and the output names
//!   the rules that overrode it (`by`). A rule overridden only by rules
//!   whose condition is unknown still fires. Each rule appears in at most
//!   one of `fired`, `overridden`, `undetermined`.
//! - **Undetermined rules** (condition unknown) list the facts to examine
//!   next: the unknown facts inside the condition's unknown-valued
//!   subexpressions (through lets), in the order the condition reads them.
//!   Operands whose value is already known cannot change the result and
//!   are skipped (in `a and (b or c)` with `b` true, only `a` is missing);
//!   a fact only tested with `known(..)` never makes a condition unknown.
//! - **Actions** of firing rules merge: identical actions (same name and
//!   arguments) from several rules form one entry that lists all those
//!   rules (declaration order) and their sources (declaration order).
//!   Entries come in the order of their first firing rule.
//!
//! ```
//! use osler_engine::Ruleset;
//!
//! let ruleset = Ruleset::from_sources(&[(
//!     "ali.osl".to_owned(),
//!     r#"
//! source ali_2026 "Vascular Emergencies" year 2026
//! enum Pulse { present, diminished, absent }
//! fact unilateral: bool
//! fact pedal_pulses: Pulse
//! action emergency(within: duration)
//! rule ali_emergency "Absent pulse with unilateral symptoms":
//!   pedal_pulses == absent and unilateral -> emergency(6h)
//!   cite ali_2026
//! "#
//!     .to_owned(),
//! )])?;
//!
//! let record = ruleset.record_builder().id("p17").set("pedal_pulses", "absent")?.set("unilateral", true)?.build();
//! let outcome = ruleset.evaluate(&record)?;
//! assert_eq!(outcome.fired, ["ali_emergency"]);
//! assert_eq!(
//!     outcome.to_json_line(),
//!     r#"{"id":"p17","actions":[{"name":"emergency","args":["6h"],"rules":["ali_emergency"],"sources":["ali_2026"]}],"fired":["ali_emergency"],"overridden":[],"undetermined":[]}"#
//! );
//!
//! // The same ruleset reads JSON records straight into its slots.
//! let partial = ruleset.read_json(r#"{"id": 18, "pedal_pulses": "absent"}"#)?;
//! let outcome = ruleset.evaluate(&partial)?;
//! assert_eq!(outcome.undetermined[0].missing, ["unilateral"]);
//!
//! // A record belongs to the ruleset that made it; any other refuses it.
//! let other = Ruleset::from_sources(&[("b.osl".to_owned(), "fact unilateral: bool".to_owned())])?;
//! assert!(other.evaluate(&record).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod batch;
mod circuit;
mod csv_input;
mod eval;
pub mod explain;
mod flat_json;
mod json;
mod output;
mod program;
mod record;
pub mod testing;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use osler_dsl::FileDiagnostic;
use osler_dsl::model::Model;

pub use eval::Truth;
pub use json::UnknownFields;
pub use output::{ActionOutcome, Outcome, Overridden, Undetermined};
pub use program::CompileError;
pub use record::{Input, Record, RecordError, RecordId};

use crate::eval::Scratch;
use crate::program::Program;

/// A checked, compiled ruleset. Cheap to clone (the program is shared) and
/// `Send + Sync`, so one compiled program serves many threads.
#[derive(Clone, Debug)]
pub struct Ruleset {
    program: Arc<Program>,
}

/// Why a ruleset could not be loaded.
#[derive(Clone, Debug)]
pub enum LoadError {
    /// The files could not be read.
    Io(String),
    /// The ruleset has errors; `sources` lets the caller render them.
    Invalid { diagnostics: Vec<FileDiagnostic>, sources: Vec<(String, String)> },
    /// The model is inconsistent (only for hand-built models).
    Compile(CompileError),
}

impl LoadError {
    /// The diagnostics rendered for a terminal (miette), or the message.
    pub fn render(&self, color: bool) -> String {
        match self {
            LoadError::Io(message) => message.clone(),
            LoadError::Invalid { diagnostics, sources } => {
                let source_of = |path: &str| sources.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str());
                osler_dsl::diagnostic::render_terminal(diagnostics, &source_of, color)
            }
            LoadError::Compile(error) => error.to_string(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Invalid { diagnostics, .. } => {
                let errors = diagnostics.iter().filter(|d| d.diagnostic.severity == osler_dsl::Severity::Error);
                write!(f, "the ruleset has {} error(s)", errors.clone().count())?;
                for error in errors {
                    write!(f, "\n{}: {} [{}]", error.path, error.diagnostic.message, error.diagnostic.code)?;
                }
                Ok(())
            }
            other => f.write_str(&other.render(false)),
        }
    }
}

impl std::error::Error for LoadError {}

/// A record given to a ruleset other than the one that made it (its slots
/// are laid out for that other ruleset's facts), or a `Record::default()`
/// that no ruleset has filled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ForeignRecord;

impl fmt::Display for ForeignRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the record was not made by this ruleset; make records with its `record`, `record_builder` or `read_json`",
        )
    }
}

impl std::error::Error for ForeignRecord {}

impl From<ForeignRecord> for RecordError {
    fn from(error: ForeignRecord) -> RecordError {
        record::error(error.to_string())
    }
}

/// The line that stands in for a record that could not be read:
/// `{"id":..,"line":N,"error":".."}` (without a newline).
pub fn error_line(id: &RecordId, line: u64, error: &str) -> String {
    let mut out = Vec::new();
    output::write_error(&mut out, id, line, error);
    out.pop();
    // serde_json writes UTF-8.
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads a ruleset's sources: every `.osl` file of a folder (sorted by
/// path), or one file.
pub fn load_sources(path: &Path) -> Result<Vec<(String, String)>, LoadError> {
    let io = |error: std::io::Error, what: &Path| LoadError::Io(format!("cannot read `{}`: {error}", what.display()));
    let metadata = std::fs::metadata(path).map_err(|error| io(error, path))?;
    let mut paths = Vec::new();
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path).map_err(|error| io(error, path))? {
            let file = entry.map_err(|error| io(error, path))?.path();
            if file.extension().is_some_and(|ext| ext == "osl") && file.is_file() {
                paths.push(file);
            }
        }
        if paths.is_empty() {
            return Err(LoadError::Io(format!("`{}` contains no `.osl` files", path.display())));
        }
    } else {
        paths.push(path.to_path_buf());
    }
    paths.sort();
    paths
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|error| io(error, &file))?;
            Ok((file.display().to_string(), text))
        })
        .collect()
}

impl Ruleset {
    /// Loads, checks and compiles the ruleset in a folder (or one `.osl`
    /// file).
    ///
    /// ```no_run
    /// let ruleset = osler_engine::Ruleset::from_dir("rulesets/leg_pain")?;
    /// println!("{} rules", ruleset.model().rules.len());
    /// # Ok::<(), osler_engine::LoadError>(())
    /// ```
    pub fn from_dir(path: impl AsRef<Path>) -> Result<Ruleset, LoadError> {
        Ruleset::from_sources(&load_sources(path.as_ref())?)
    }

    /// Checks and compiles a ruleset given as `(path, text)` pairs.
    /// Warnings are dropped; errors come back as [`LoadError::Invalid`].
    ///
    /// ```
    /// let broken = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(), "fact x: bool\nx and y -> z".to_owned())]);
    /// assert!(matches!(broken, Err(osler_engine::LoadError::Invalid { .. })));
    /// ```
    pub fn from_sources(files: &[(String, String)]) -> Result<Ruleset, LoadError> {
        let checked = osler_dsl::check_sources(files);
        match checked.model {
            Some(model) if !checked.has_errors() => Ruleset::from_model(model).map_err(LoadError::Compile),
            _ => Err(LoadError::Invalid { diagnostics: checked.diagnostics, sources: files.to_vec() }),
        }
    }

    /// Compiles an already checked model.
    pub fn from_model(model: Arc<Model>) -> Result<Ruleset, CompileError> {
        Ok(Ruleset { program: Arc::new(Program::compile(model)?) })
    }

    /// The checked model this ruleset was compiled from.
    pub fn model(&self) -> &Model {
        &self.program.model
    }

    /// An empty record (every fact unknown) for this ruleset.
    pub fn record(&self) -> Record {
        Record::for_program(&self.program)
    }

    /// A builder for a record with typed values, no JSON involved.
    ///
    /// ```
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
    /// #     "fact age: number years\nfact onset: duration\nfact smoker: bool\naction refer()\nage > 50 years and onset < 2d and smoker -> refer".to_owned())])?;
    /// let record = ruleset
    ///     .record_builder()
    ///     .id(7)
    ///     .set("age", 62)?                                  // in the declared unit
    ///     .set("onset", std::time::Duration::from_secs(3600))?
    ///     .set("smoker", Some(true))?
    ///     .build();
    /// assert_eq!(ruleset.evaluate(&record)?.fired.len(), 1);
    /// // Values of the wrong type are errors that name the fact.
    /// let wrong = ruleset.record_builder().set("age", "old");
    /// assert!(wrong.unwrap_err().message.contains("`age`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_builder(&self) -> RecordBuilder<'_> {
        RecordBuilder { ruleset: self, record: self.record() }
    }

    /// Sets fact `name` of `record` (or its id, for `id`). A record made
    /// by another ruleset is refused.
    pub fn set<'a>(&self, record: &mut Record, name: &str, value: impl Into<Input<'a>>) -> Result<(), RecordError> {
        self.adopt(record)?;
        record.set_input(&self.program, name, value.into())
    }

    /// Checks that `record` is this ruleset's; a `Record::default()`
    /// becomes this ruleset's.
    fn adopt(&self, record: &mut Record) -> Result<(), ForeignRecord> {
        if record.ruleset == 0 {
            record.ruleset = self.program.id;
            record.resize_slots(self.program.facts.len());
        }
        self.owns(record)
    }

    fn owns(&self, record: &Record) -> Result<(), ForeignRecord> {
        if record.ruleset == self.program.id {
            debug_assert_eq!(record.slot_count(), self.program.facts.len());
            Ok(())
        } else {
            Err(ForeignRecord)
        }
    }

    /// Reads one JSON object (a record in the dictionary's value forms).
    /// Unknown field names are ignored.
    pub fn read_json(&self, text: &str) -> Result<Record, RecordError> {
        let mut record = self.record();
        self.read_json_into(text, &mut record, false, &mut UnknownFields::default())?;
        Ok(record)
    }

    /// Reads one JSON object into `record`, reusing its storage. Unknown
    /// field names are counted in `unknown`, and rejected when `strict`.
    /// On error the record still carries the id, when the text had one.
    /// A record made by another ruleset is refused.
    pub fn read_json_into(
        &self,
        text: &str,
        record: &mut Record,
        strict: bool,
        unknown: &mut UnknownFields,
    ) -> Result<(), RecordError> {
        self.adopt(record)?;
        json::read_record(&self.program, text.as_bytes(), record, strict, unknown)
    }

    /// Evaluates one record; a record made by another ruleset is refused.
    /// For many records, an [`Evaluator`] reuses its buffers and
    /// allocates nothing per record.
    pub fn evaluate(&self, record: &Record) -> Result<Outcome, ForeignRecord> {
        Ok(self.evaluator().evaluate(record)?.to_outcome())
    }

    /// A reusable evaluator (one per thread).
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator { ruleset: self, scratch: Scratch::new(&self.program) }
    }

    pub(crate) fn program(&self) -> &Program {
        &self.program
    }
}

/// Builds a [`Record`] from typed values; see [`Ruleset::record_builder`].
#[derive(Debug)]
pub struct RecordBuilder<'r> {
    ruleset: &'r Ruleset,
    record: Record,
}

impl RecordBuilder<'_> {
    /// Sets a fact: a bool, a number (quantities in the declared unit), a
    /// [`std::time::Duration`], text in the record forms (`"absent"`,
    /// `"3h"`, `"45 mmHg"`), or `None` for unknown.
    pub fn set<'a>(mut self, name: &str, value: impl Into<Input<'a>>) -> Result<Self, RecordError> {
        self.ruleset.set(&mut self.record, name, value)?;
        Ok(self)
    }

    /// Sets the record's id.
    pub fn id(mut self, id: impl Into<RecordId>) -> Self {
        self.record.set_id(id.into());
        self
    }

    pub fn build(self) -> Record {
        self.record
    }
}

impl From<&str> for RecordId {
    fn from(text: &str) -> Self {
        RecordId::Text(text.to_owned())
    }
}

impl From<String> for RecordId {
    fn from(text: String) -> Self {
        RecordId::Text(text)
    }
}

impl From<u64> for RecordId {
    fn from(number: u64) -> Self {
        RecordId::Number(number.into())
    }
}

impl From<i32> for RecordId {
    fn from(number: i32) -> Self {
        RecordId::Number(i64::from(number).into())
    }
}

/// Evaluates records with reusable buffers: after the first few records it
/// allocates nothing beyond what the caller asks for.
///
/// ```
/// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
/// #     "fact smoker: bool\naction refer()\nrule quit: smoker -> refer".to_owned())])?;
/// let mut evaluator = ruleset.evaluator();
/// let mut line = Vec::new();
/// for text in [r#"{"id":1,"smoker":true}"#, r#"{"id":2}"#] {
///     let record = ruleset.read_json(text)?;
///     evaluator.evaluate(&record)?.write_json_line(&mut line);
/// }
/// assert_eq!(
///     String::from_utf8(line)?,
///     concat!(
///         r#"{"id":1,"actions":[{"name":"refer","args":[],"rules":["quit"],"sources":[]}],"fired":["quit"],"overridden":[],"undetermined":[]}"#, "\n",
///         r#"{"id":2,"actions":[],"fired":[],"overridden":[],"undetermined":[{"rule":"quit","missing":["smoker"]}]}"#, "\n",
///     )
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Evaluator<'r> {
    ruleset: &'r Ruleset,
    scratch: Scratch,
}

impl<'r> Evaluator<'r> {
    /// Evaluates `record` (refused when another ruleset made it); the view
    /// borrows this evaluator's buffers.
    pub fn evaluate<'e>(&'e mut self, record: &'e Record) -> Result<Evaluated<'e>, ForeignRecord> {
        self.ruleset.owns(record)?;
        let program = &*self.ruleset.program;
        eval::evaluate(program, record, &mut self.scratch);
        eval::fill_truths(&mut self.scratch);
        Ok(Evaluated { program, record, scratch: &mut self.scratch })
    }
}

/// The result of one evaluation, borrowed from an [`Evaluator`].
#[derive(Debug)]
pub struct Evaluated<'e> {
    program: &'e Program,
    record: &'e Record,
    scratch: &'e mut Scratch,
}

impl Evaluated<'_> {
    /// The owned, serialisable outcome.
    pub fn to_outcome(&self) -> Outcome {
        output::build_outcome(self.program, self.record.id(), &self.scratch.result)
    }

    /// Appends the outcome's JSON line (newline included) to `out`; the
    /// bytes equal `serde_json::to_string(&self.to_outcome())` plus `\n`.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        output::write_outcome(out, self.program, self.record.id(), &self.scratch.result);
    }

    /// The truth of each rule's condition, in declaration order.
    pub fn conditions(&self) -> &[Truth] {
        &self.scratch.truth
    }

    /// The ids of the fired rules, in declaration order.
    pub fn fired(&self) -> impl Iterator<Item = &str> + '_ {
        self.scratch.result.fired.iter().map(|&rule| self.program.rule_name(rule))
    }

    /// The number of actions that stand.
    pub fn action_count(&self) -> usize {
        self.scratch.result.actions.len()
    }

    /// Explains the result: why each rule fired, what overrode what, and
    /// which facts to examine next.
    pub fn explain(&mut self) -> explain::Explanation {
        explain::explain(self.program, self.record, self.scratch)
    }
}
