//! The engine's errors: loading a ruleset ([`LoadError`]), compiling a
//! hand-built model ([`CompileError`]), putting values into a record
//! ([`RecordError`], with [`RecordErrorKind`] saying what went wrong and
//! for which fact or field), and a record given to the wrong ruleset
//! ([`ForeignRecord`]). A leaf module: every other module may report these.

use std::fmt;
use std::io;
use std::path::PathBuf;

use osler_dsl::FileDiagnostic;

/// Why a ruleset could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// A file or folder could not be read.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A folder could not be listed while looking for ruleset folders
    /// (`files::ruleset_folders`).
    List {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The folder holds no `.osl` files of its own (for
    /// `files::ruleset_folders`: none in the whole tree).
    NoSources {
        /// The folder.
        path: PathBuf,
    },
    /// The ruleset has errors; `sources` lets the caller render them.
    Invalid {
        /// Every diagnostic of the ruleset, errors and warnings.
        diagnostics: Vec<FileDiagnostic>,
        /// The `(path, text)` pairs that were checked.
        sources: Vec<(String, String)>,
    },
    /// The model is inconsistent (only for hand-built models).
    Compile(CompileError),
}

/// How [`LoadError::render`] renders diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Colour the output with terminal escape codes.
    pub color: bool,
}

impl RenderOptions {
    /// These options with colour on or off.
    #[must_use]
    pub fn color(mut self, color: bool) -> RenderOptions {
        self.color = color;
        self
    }
}

impl LoadError {
    /// The diagnostics rendered for a terminal (miette), or the message.
    pub fn render(&self, options: RenderOptions) -> String {
        match self {
            LoadError::Invalid { diagnostics, sources } => {
                let source_of = |path: &str| sources.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str());
                osler_dsl::diagnostic::render_terminal(diagnostics, &source_of, options.color)
            }
            other => other.to_string(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "cannot read `{}`: {source}", path.display()),
            LoadError::List { path, source } => write!(f, "cannot list `{}`: {source}", path.display()),
            LoadError::NoSources { path } => {
                write!(f, "`{}` holds no `.osl` files of its own, so it is not a ruleset folder", path.display())
            }
            LoadError::Invalid { diagnostics, .. } => {
                let errors = diagnostics.iter().filter(|d| d.diagnostic.severity == osler_dsl::Severity::Error);
                write!(f, "the ruleset has {} error(s)", errors.clone().count())?;
                for error in errors {
                    write!(f, "\n{}: {} [{}]", error.path, error.diagnostic.message, error.diagnostic.code)?;
                }
                Ok(())
            }
            LoadError::Compile(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } | LoadError::List { source, .. } => Some(source),
            LoadError::Compile(error) => Some(error),
            LoadError::NoSources { .. } | LoadError::Invalid { .. } => None,
        }
    }
}

/// Why a model could not be compiled. A model from the checker always
/// compiles; this guards hand-built models against inconsistencies.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CompileError {
    pub(crate) message: String,
}

impl CompileError {
    /// What is inconsistent, in one sentence.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inconsistent model: {}", self.message)
    }
}

impl std::error::Error for CompileError {}

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

/// Why a value could not be put into a record, or a record could not be
/// read. [`RecordError::kind`] says what went wrong and names the fact or
/// field; the message (`Display`) is one sentence for people.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecordError {
    kind: RecordErrorKind,
}

/// What went wrong with a record.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// A fact set by name that the ruleset does not declare.
    UnknownFact {
        /// The name given.
        name: String,
    },
    /// A field that is not a fact, in a strict read.
    UnknownField {
        /// The field's name.
        name: String,
        /// The fact it is probably a misspelling of, when one is close.
        suggestion: Option<String>,
    },
    /// A value of the wrong form for its fact.
    WrongValue {
        /// The fact.
        fact: String,
        /// What the fact accepts (`true or false`, `one of a, b`).
        expected: String,
        /// What was given, shortened to 40 characters.
        got: String,
    },
    /// A quantity given in a unit that does not convert to its fact's
    /// (another dimension: `mg/dL` for a `mmol/L` fact).
    WrongUnit {
        /// The fact.
        fact: String,
        /// The fact's unit.
        unit: String,
        /// The unit given.
        given: String,
        /// The text given.
        text: String,
    },
    /// An id given through the typed API that is a number but not finite.
    IdNotFinite {
        /// The number, as written.
        got: String,
    },
    /// An id given through the typed API that is neither a string nor a
    /// number.
    IdNotText,
    /// An id in a record file that is neither a string nor a number.
    InvalidId {
        /// What was given (`true`, `an array`).
        got: String,
    },
    /// A CSV row whose number of fields differs from the header's.
    RowLength {
        /// The fields in the row.
        fields: usize,
        /// The fields in the header.
        header: usize,
    },
    /// A CSV cell that is not valid UTF-8.
    InvalidUtf8 {
        /// The cell's column name.
        column: String,
    },
    /// JSON that is well-formed but not an object.
    NotAnObject {
        /// The JSON reader's message.
        detail: String,
    },
    /// Text that is not JSON.
    MalformedJson {
        /// The column (1-based) where reading stopped.
        column: usize,
        /// The JSON reader's message.
        detail: String,
    },
    /// A record made by another ruleset ([`ForeignRecord`]).
    ForeignRecord,
}

impl RecordError {
    pub(crate) fn new(kind: RecordErrorKind) -> RecordError {
        RecordError { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &RecordErrorKind {
        &self.kind
    }

    /// The fact or field the error is about, when it is about one.
    pub fn field(&self) -> Option<&str> {
        match &self.kind {
            RecordErrorKind::UnknownFact { name } | RecordErrorKind::UnknownField { name, .. } => Some(name),
            RecordErrorKind::WrongValue { fact, .. } | RecordErrorKind::WrongUnit { fact, .. } => Some(fact),
            RecordErrorKind::InvalidUtf8 { column } => Some(column),
            RecordErrorKind::IdNotFinite { .. } | RecordErrorKind::IdNotText | RecordErrorKind::InvalidId { .. } => {
                Some("id")
            }
            RecordErrorKind::RowLength { .. }
            | RecordErrorKind::NotAnObject { .. }
            | RecordErrorKind::MalformedJson { .. }
            | RecordErrorKind::ForeignRecord => None,
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RecordErrorKind::UnknownFact { name } => write!(f, "unknown fact `{name}`"),
            RecordErrorKind::UnknownField { name, suggestion } => {
                write!(f, "unknown field `{name}`: not a fact of this ruleset (--strict)")?;
                match suggestion {
                    Some(fact) => write!(f, "; did you mean `{fact}`?"),
                    None => Ok(()),
                }
            }
            RecordErrorKind::WrongValue { fact, expected, got } => {
                write!(f, "fact `{fact}` expects {expected}, got {got}")
            }
            RecordErrorKind::WrongUnit { fact, unit, given, text } => {
                write!(
                    f,
                    "fact `{fact}` is measured in {unit}, got \"{text}\" in {given}, which does not convert to {unit}"
                )
            }
            RecordErrorKind::IdNotFinite { got } => write!(f, "the id must be a finite number, got {got}"),
            RecordErrorKind::IdNotText => f.write_str("the id must be a string or a number"),
            RecordErrorKind::InvalidId { got } => write!(f, "`id` must be a string or a number, got {got}"),
            RecordErrorKind::RowLength { fields, header } => {
                write!(f, "the row has {fields} fields but the header has {header}")
            }
            RecordErrorKind::InvalidUtf8 { column } => write!(f, "the `{column}` cell is not valid UTF-8"),
            RecordErrorKind::NotAnObject { detail } => write!(f, "a record must be a JSON object: {detail}"),
            RecordErrorKind::MalformedJson { column, detail } => {
                write!(f, "malformed JSON at column {column}: {detail}")
            }
            RecordErrorKind::ForeignRecord => ForeignRecord.fmt(f),
        }
    }
}

impl std::error::Error for RecordError {}

impl From<ForeignRecord> for RecordError {
    fn from(_: ForeignRecord) -> RecordError {
        RecordError::new(RecordErrorKind::ForeignRecord)
    }
}
