//! What the checker found each written name to denote, recorded while it
//! checks a declaration, so the editor queries (hover, definition,
//! references, highlighting, inlay hints, quick fixes) read the checker's
//! own answers instead of resolving names a second time.

use crate::syntax::Span;
use crate::types::Ty;

/// What a name denotes.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Target {
    /// The ruleset's own name.
    Ruleset(String),
    /// A `source` (a guideline rules cite).
    Source(String),
    /// An enum type.
    Enum(String),
    /// A variant of an enum.
    Variant {
        /// The enum declaring it.
        enum_name: String,
        /// The variant's own name.
        variant: String,
    },
    /// A fact.
    Fact(String),
    /// A let.
    Let(String),
    /// An action.
    Action(String),
    /// A parameter of an action declaration.
    Param {
        /// The action declaring it.
        action: String,
        /// The parameter's name.
        param: String,
    },
    /// A rule, by name or id.
    Rule(String),
    /// A `baseline` of test givens.
    Baseline(String),
}

impl Target {
    /// The name as written at a use (a variant's own name).
    pub fn name(&self) -> &str {
        match self {
            Target::Ruleset(name)
            | Target::Source(name)
            | Target::Enum(name)
            | Target::Fact(name)
            | Target::Let(name)
            | Target::Action(name)
            | Target::Rule(name)
            | Target::Baseline(name) => name,
            Target::Variant { variant, .. } => variant,
            Target::Param { param, .. } => param,
        }
    }

    /// The kind of declaration, as messages name it (`fact`, `variant`).
    pub fn describe(&self) -> &'static str {
        match self {
            Target::Ruleset(_) => "ruleset",
            Target::Source(_) => "source",
            Target::Enum(_) => "enum",
            Target::Variant { .. } => "variant",
            Target::Fact(_) => "fact",
            Target::Let(_) => "let",
            Target::Action(_) => "action",
            Target::Param { .. } => "parameter",
            Target::Rule(_) => "rule",
            Target::Baseline(_) => "baseline",
        }
    }
}

/// One written name as the checker resolved it. Spans are relative to the
/// declaration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NameUse {
    /// Where the name is written.
    pub span: Span,
    /// What it denotes; `None` for a name the checker could not resolve
    /// (unknown, ambiguous, or not a value where a value was wanted).
    pub target: Option<Target>,
    /// The name is being declared here (not used).
    pub declaration: bool,
    /// The type the checker gave this use (a fact's or let's type, a
    /// variant's enum; for a let's declared name, the let's type).
    pub ty: Option<Ty>,
    /// For a name that is an operand of a comparison or arithmetic, the
    /// type of the other operand; for the operand of `in`, the type of the
    /// set's first element. What a quick fix declaring the name uses.
    pub peer: Option<Ty>,
}
