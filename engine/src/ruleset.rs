//! The embedding API: a compiled [`Ruleset`], records made and read for
//! it ([`RecordBuilder`]), and evaluation with reusable buffers
//! ([`Evaluator`], [`Evaluated`]).

use std::path::Path;
use std::sync::Arc;

use osler_dsl::diagnostic::{Example, ExampleValue};
use osler_dsl::model::{ActionIndex, FactIndex, Model, RuleIndex, Value};

use crate::circuit::{self, Circuit};
use crate::compile::compile;
use crate::detail::Explain;
use crate::error::{CompileError, ForeignRecord, LoadError, RecordError};
use crate::eval::{self, Scratch};
use crate::explain::{self, Explanation};
use crate::files::read_ruleset;
use crate::json;
use crate::logic::Truth;
use crate::output::{self, Outcome};
use crate::program::Program;
use crate::property::{self, PropertyReport};
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Input, Record, RecordId};
use crate::schema;
use crate::warnings;

/// A checked, compiled ruleset. Cheap to clone (the program is shared) and
/// `Send + Sync`, so one compiled program serves many threads.
#[derive(Clone, Debug)]
pub struct Ruleset {
    compiled: Arc<Compiled>,
}

/// The program's tables and the circuit built from them.
#[derive(Debug)]
struct Compiled {
    program: Program,
    circuit: Circuit,
}

impl Ruleset {
    /// Loads, checks and compiles the ruleset in a folder (its `.osl`
    /// files) or in one `.osl` file.
    ///
    /// ```no_run
    /// let ruleset = osler_engine::Ruleset::from_path("rulesets/leg_pain")?;
    /// println!("{}", ruleset.data_dictionary());
    /// # Ok::<(), osler_engine::LoadError>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Ruleset, LoadError> {
        Ruleset::from_sources(&read_ruleset(path.as_ref())?)
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
            Some(model) if !checked.has_errors() => Ruleset::compile(model).map_err(LoadError::Compile),
            _ => Err(LoadError::Invalid { diagnostics: checked.diagnostics, sources: files.to_vec() }),
        }
    }

    /// Compiles the model of a ruleset already checked (by
    /// [`osler_dsl::check_sources`] or a database), so a tool that prints
    /// the diagnostics and then runs the engine checks once. A check with
    /// errors (no model) is [`LoadError::Invalid`] with its diagnostics and
    /// no sources (the caller has them).
    ///
    /// ```
    /// let files = [("a.osl".to_owned(), "fact smoker: bool\naction refer()\nrule quit: smoker -> refer".to_owned())];
    /// let checked = osler_dsl::check_sources(&files);
    /// let ruleset = osler_engine::Ruleset::from_checked(&checked)?;
    /// assert_eq!(ruleset.evaluate(&ruleset.read_json(r#"{"smoker": true}"#)?)?.fired, ["quit"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_checked(checked: &osler_dsl::Checked) -> Result<Ruleset, LoadError> {
        match &checked.model {
            Some(model) if !checked.has_errors() => Ruleset::compile(Arc::clone(model)).map_err(LoadError::Compile),
            _ => Err(LoadError::Invalid { diagnostics: checked.diagnostics.clone(), sources: Vec::new() }),
        }
    }

    /// Compiles an already checked model. Unstable, for tests that build
    /// models directly: only with the `model` feature.
    #[cfg(feature = "model")]
    pub fn from_model(model: Arc<Model>) -> Result<Ruleset, CompileError> {
        Ruleset::compile(model)
    }

    /// The checked model this ruleset was compiled from. Unstable, for
    /// tests: only with the `model` feature.
    #[cfg(feature = "model")]
    pub fn model(&self) -> &Model {
        &self.compiled.program.model
    }

    fn compile(model: Arc<Model>) -> Result<Ruleset, CompileError> {
        let program = compile(model)?;
        let circuit = circuit::build::build(&program);
        Ok(Ruleset { compiled: Arc::new(Compiled { program, circuit }) })
    }

    /// The JSON Schema (draft 2020-12) of one record of this ruleset:
    /// every fact with its type, enum values, unit and doc comment, plus
    /// `id`. Every fact may be `null` (unknown) or absent.
    ///
    /// ```
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(), "fact smoker: bool".to_owned())])?;
    /// let schema = ruleset.record_schema();
    /// assert_eq!(schema["properties"]["smoker"]["type"], serde_json::json!(["boolean", "null"]));
    /// # Ok::<(), osler_engine::LoadError>(())
    /// ```
    pub fn record_schema(&self) -> serde_json::Value {
        schema::record_schema(&self.compiled.program.model)
    }

    /// The data dictionary as Markdown tables: facts (type, values or
    /// unit, meaning) and actions (parameters, meaning), in declaration
    /// order.
    pub fn data_dictionary(&self) -> String {
        schema::markdown_dictionary(&self.compiled.program.model)
    }

    /// An empty record (every fact unknown) for this ruleset.
    pub fn record(&self) -> Record {
        Record::for_program(&self.compiled.program)
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
    /// let wrong = ruleset.record_builder().set("age", "old").unwrap_err();
    /// assert_eq!(wrong.field(), Some("age"));
    /// assert!(wrong.to_string().contains("`age`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_builder(&self) -> RecordBuilder<'_> {
        RecordBuilder { ruleset: self, record: self.record() }
    }

    /// Sets fact `name` of `record` (or its id, for `id`). A record made
    /// by another ruleset is refused.
    pub fn set<'a>(&self, record: &mut Record, name: &str, value: impl Into<Input<'a>>) -> Result<(), RecordError> {
        self.adopt(record)?;
        record.set_input(&self.compiled.program, name, value.into())
    }

    /// Checks that `record` is this ruleset's; a `Record::default()`
    /// becomes this ruleset's.
    fn adopt(&self, record: &mut Record) -> Result<(), ForeignRecord> {
        if record.ruleset == 0 {
            record.ruleset = self.compiled.program.id;
            record.resize_slots(self.compiled.program.facts.len());
        }
        self.owns(record)
    }

    fn owns(&self, record: &Record) -> Result<(), ForeignRecord> {
        if record.ruleset == self.compiled.program.id {
            debug_assert_eq!(record.slot_count(), self.compiled.program.facts.len());
            Ok(())
        } else {
            Err(ForeignRecord)
        }
    }

    /// A record from model constants `(fact, value)` (facts by index in
    /// `Model::facts`; the others stay unknown), as an analysis gives its
    /// example records. A later value of the same fact wins. A fact index
    /// out of range or a value not of the fact's type (a variant of another
    /// enum, a quantity in another unit, a number that is not finite) is an
    /// error that names the fact.
    ///
    /// ```
    /// use osler_dsl::model::Value;
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
    /// #     "fact smoker: bool\nfact onset: duration\naction refer()\nsmoker and onset < 2d -> refer".to_owned())])?;
    /// let record = ruleset.record_from_values(&[(0, Value::Bool(true)), (1, Value::Duration(3600.0))])?;
    /// assert_eq!(ruleset.evaluate(&record)?.actions.len(), 1);
    /// assert!(ruleset.record_from_values(&[(1, Value::Bool(true))]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_from_values(&self, values: &[(FactIndex, Value)]) -> Result<Record, RecordError> {
        let mut record = self.record();
        for (fact, value) in values {
            record.set_checked_value(&self.compiled.program, *fact, value)?;
        }
        Ok(record)
    }

    /// A record from a diagnostic's example (`Diagnostic::example`): each
    /// fact by name, in its JSON form, exactly as a record file would give
    /// it (numbers as written, durations and variants as text).
    ///
    /// ```
    /// use osler_dsl::diagnostic::ExampleValue;
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
    /// #     "fact smoker: bool\nfact onset: duration\naction refer()\nsmoker and onset < 2d -> refer".to_owned())])?;
    /// let example = vec![
    ///     ("smoker".to_owned(), ExampleValue::Bool(true)),
    ///     ("onset".to_owned(), ExampleValue::Text("1h".to_owned())),
    /// ];
    /// let record = ruleset.record_from_example(&example)?;
    /// assert_eq!(ruleset.evaluate(&record)?.actions.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_from_example(&self, example: &Example) -> Result<Record, RecordError> {
        let program = &self.compiled.program;
        let mut record = self.record();
        for (name, value) in example {
            let input = match value {
                ExampleValue::Bool(b) => Input::Bool(*b),
                ExampleValue::Number(text) => match text.parse::<f64>() {
                    Ok(n) => Input::Number(n),
                    Err(_) => Input::Text(text),
                },
                ExampleValue::Text(text) => Input::Text(text),
            };
            record.set_input(program, name, input)?;
        }
        Ok(record)
    }

    /// Checks every `assert` and `exclusive` of the ruleset on `record`
    /// (a record made by another ruleset is refused). Evaluation as
    /// [`Ruleset::evaluate`], then the properties on its output; for many
    /// records, [`Evaluated::properties`] reuses an evaluator's buffers.
    ///
    /// ```
    /// use osler_engine::Truth;
    /// let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(), r#"
    /// fact smoker: bool
    /// action refer()
    /// rule quit: smoker -> refer
    /// assert smokers_referred: smoker -> refer
    /// "#.to_owned())])?;
    /// let record = ruleset.read_json(r#"{"smoker": true}"#)?;
    /// let report = ruleset.check_properties(&record)?;
    /// assert_eq!((report.asserts[0].when, report.asserts[0].then), (Truth::True, Truth::True));
    /// assert!(report.holds());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_properties(&self, record: &Record) -> Result<PropertyReport, ForeignRecord> {
        Ok(self.evaluator().evaluate(record)?.properties())
    }

    /// Reads one JSON object (a record in the dictionary's value forms).
    /// Unknown field names are ignored.
    pub fn read_json(&self, text: &str) -> Result<Record, RecordError> {
        let mut record = self.record();
        self.read_json_into(text, &mut record, ReadOptions::default(), &mut UnknownFields::default())?;
        Ok(record)
    }

    /// Reads one JSON object into `record`, reusing its storage. Unknown
    /// field names are counted in `unknown`, and rejected when `options`
    /// say strict. On error the record still carries the id, when the text
    /// had one. A record made by another ruleset is refused.
    pub fn read_json_into(
        &self,
        text: &str,
        record: &mut Record,
        options: ReadOptions,
        unknown: &mut UnknownFields,
    ) -> Result<(), RecordError> {
        self.adopt(record)?;
        json::read_record(&self.compiled.program, text.as_bytes(), record, options, unknown)
    }

    /// Evaluates one record; a record made by another ruleset is refused.
    /// For many records, an [`Evaluator`] reuses its buffers and
    /// allocates nothing per record.
    pub fn evaluate(&self, record: &Record) -> Result<Outcome, ForeignRecord> {
        Ok(self.evaluator().evaluate(record)?.to_outcome())
    }

    /// A reusable evaluator (one per thread).
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator { ruleset: self, scratch: Scratch::new(&self.compiled.program, &self.compiled.circuit) }
    }

    pub(crate) fn program(&self) -> &Program {
        &self.compiled.program
    }

    pub(crate) fn circuit(&self) -> &Circuit {
        &self.compiled.circuit
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
    #[must_use]
    pub fn id(mut self, id: impl Into<RecordId>) -> Self {
        self.record.set_id(id.into());
        self
    }

    /// The record built.
    pub fn build(self) -> Record {
        self.record
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
///         r#"{"id":1,"actions":[{"name":"refer","args":[],"rules":["quit"],"sources":[]}],"fired":["quit"],"overridden":[],"undetermined":[],"examine":[]}"#, "\n",
///         r#"{"id":2,"actions":[],"fired":[],"overridden":[],"undetermined":[{"rule":"quit","missing":["smoker"]}],"examine":[{"fact":"smoker","could":["refer"]}]}"#, "\n",
///     )
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Evaluator<'r> {
    ruleset: &'r Ruleset,
    scratch: Scratch,
}

impl Evaluator<'_> {
    /// Evaluates `record` (refused when another ruleset made it); the view
    /// borrows this evaluator's buffers.
    pub fn evaluate<'e>(&'e mut self, record: &'e Record) -> Result<Evaluated<'e>, ForeignRecord> {
        self.ruleset.owns(record)?;
        let Compiled { program, circuit } = &*self.ruleset.compiled;
        eval::evaluate(program, circuit, record, &mut self.scratch, Explain::Full);
        eval::fill_truths(&mut self.scratch);
        Ok(Evaluated { program, record, scratch: &mut self.scratch })
    }

    /// Evaluates `record` only as far as a line at explain level `detail`
    /// shows it and appends that line (newline included) to `out`: what
    /// `osler run` does per record, and faster than [`Evaluator::evaluate`]
    /// then [`Evaluated::write_json_line_at`] below `Full` (no missing
    /// facts are collected at `None`, and at `Brief` only those that could
    /// still change the output). The bytes are the same.
    ///
    /// ```
    /// use osler_engine::Explain;
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
    /// #     "fact smoker: bool\naction refer()\nrule quit: smoker -> refer".to_owned())])?;
    /// let mut evaluator = ruleset.evaluator();
    /// let mut line = Vec::new();
    /// evaluator.write_json_line_at(&ruleset.read_json(r#"{"id":2}"#)?, Explain::Brief, &mut line)?;
    /// assert_eq!(
    ///     String::from_utf8(line)?,
    ///     concat!(r#"{"id":2,"actions":[],"fired":[],"overridden":[],"examine":[{"fact":"smoker","could":["refer"]}]}"#, "\n")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_json_line_at(
        &mut self,
        record: &Record,
        detail: Explain,
        out: &mut Vec<u8>,
    ) -> Result<(), ForeignRecord> {
        self.ruleset.owns(record)?;
        let Compiled { program, circuit } = &*self.ruleset.compiled;
        eval::evaluate(program, circuit, record, &mut self.scratch, detail);
        output::write_outcome(out, program, record.id(), &self.scratch.result, detail, |line| {
            warnings::write_warnings_json(line, program, record);
        });
        Ok(())
    }
}

/// The result of one evaluation, borrowed from an [`Evaluator`].
#[derive(Debug)]
pub struct Evaluated<'e> {
    program: &'e Program,
    record: &'e Record,
    pub(crate) scratch: &'e mut Scratch,
}

impl Evaluated<'_> {
    /// The owned, serialisable outcome.
    pub fn to_outcome(&self) -> Outcome {
        output::build_outcome(
            self.program,
            self.record.id(),
            &self.scratch.result,
            warnings::warnings_of(self.program, self.record),
        )
    }

    /// Appends the outcome's JSON line (newline included) to `out`; the
    /// bytes equal `serde_json::to_string(&self.to_outcome())` plus `\n`.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        self.write_json_line_at(out, Explain::Full);
    }

    /// Appends the outcome's JSON line at an explain level (newline
    /// included) to `out`; the bytes equal
    /// [`Outcome::to_json_line_at`] plus `\n`.
    pub fn write_json_line_at(&self, out: &mut Vec<u8>, detail: Explain) {
        output::write_outcome(out, self.program, self.record.id(), &self.scratch.result, detail, |line| {
            warnings::write_warnings_json(line, self.program, self.record);
        });
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

    /// The fired rules (condition true, not overridden) by index into
    /// `Model::rules`, ascending.
    pub fn fired_rules(&self) -> impl ExactSizeIterator<Item = RuleIndex> + '_ {
        self.scratch.result.fired.iter().map(|rule| rule.0)
    }

    /// The overridden rules by index, ascending, each with the rules that
    /// overrode it (condition true and listing it in `overrides`), ascending.
    pub fn overridden_rules(
        &self,
    ) -> impl ExactSizeIterator<Item = (RuleIndex, impl ExactSizeIterator<Item = RuleIndex> + '_)> + '_ {
        let result = &self.scratch.result;
        result.overridden.iter().map(move |&(rule, start, end)| {
            (rule.0, result.by.get(start as usize..end as usize).unwrap_or_default().iter().map(|by| by.0))
        })
    }

    /// The undetermined rules (condition unknown, not overridden) by
    /// index, ascending.
    pub fn undetermined_rules(&self) -> impl ExactSizeIterator<Item = RuleIndex> + '_ {
        self.scratch.result.undetermined.iter().map(|&(rule, _, _)| rule.0)
    }

    /// The actions that stand, as `(action, args)`: the action's index into
    /// `Model::actions` and its arguments as the rules give them, in output
    /// order (identical calls merged, as in [`Outcome::actions`]).
    pub fn actions(&self) -> impl ExactSizeIterator<Item = (ActionIndex, &[Value])> + '_ {
        self.scratch.result.actions.iter().map(|entry| {
            let instance = self.scratch.result.instance(self.program, entry.instance);
            (instance.action, instance.args.as_slice())
        })
    }

    /// Checks the ruleset's properties on this evaluation's record and
    /// output; see [`Ruleset::check_properties`].
    ///
    /// ```
    /// # let ruleset = osler_engine::Ruleset::from_sources(&[("a.osl".to_owned(),
    /// #     "fact smoker: bool\naction refer()\nrule quit: smoker -> refer".to_owned())])?;
    /// let mut evaluator = ruleset.evaluator();
    /// let record = ruleset.read_json(r#"{"smoker": true}"#)?;
    /// let mut evaluated = evaluator.evaluate(&record)?;
    /// assert_eq!(evaluated.fired_rules().collect::<Vec<_>>(), [0]);
    /// // This ruleset declares no properties, so nothing can be violated.
    /// assert!(evaluated.properties().holds());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn properties(&mut self) -> PropertyReport {
        property::check(self.program, self.record, self.scratch)
    }

    /// Explains the result: why each rule fired, what overrode what, and
    /// which facts to examine next.
    pub fn explain(&mut self) -> Explanation {
        explain::explain(self.program, self.record, self.scratch)
    }
}
