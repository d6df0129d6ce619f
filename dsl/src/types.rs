//! Types as the checker sees them. Enums are named (not indexed) so a
//! type stays equal while declarations move around. A leaf: how a type
//! expression resolves against the symbol table is a name lookup, in the
//! checker's `names` module.

use std::fmt;

use crate::units::Unit;

/// A type of the language, as the checker computes it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// A bare `number`.
    Number,
    /// A number with a unit (`number mmHg`).
    Quantity(Unit),
    /// `duration`.
    Duration,
    /// `string`.
    String,
    /// An enum, by name.
    Enum(String),
    /// The type of something already reported as wrong; it matches
    /// everything so one mistake gives one diagnostic.
    Error,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Number => f.write_str("number"),
            Ty::Quantity(unit) => write!(f, "number {unit}"),
            Ty::Duration => f.write_str("duration"),
            Ty::String => f.write_str("string"),
            Ty::Enum(name) => f.write_str(name),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

impl Ty {
    /// Whether this is [`Ty::Error`].
    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// Can a value of type `self` stand where `expected` is required?
    pub fn fits(&self, expected: &Ty) -> bool {
        self.is_error() || expected.is_error() || self == expected
    }
}
