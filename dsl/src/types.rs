//! Types as the checker sees them. Enums are named (not indexed) so a
//! type stays equal while declarations move around.

use std::fmt;

use crate::db::{SymbolKind, Symbols};
use crate::syntax::{TypeExpr, TypeExprKind, Unit};

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ty {
    Bool,
    Number,
    Quantity(Unit),
    Duration,
    String,
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
    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// Can a value of type `self` stand where `expected` is required?
    pub fn fits(&self, expected: &Ty) -> bool {
        self.is_error() || expected.is_error() || self == expected
    }
}

/// The type a type expression denotes; an unknown type name gives
/// [`Ty::Error`] (the fact's own check reports it).
pub fn resolve_type(ty: &TypeExpr, symbols: &Symbols<'_>, _db: &dyn salsa::Database) -> Ty {
    match &ty.kind {
        TypeExprKind::Bool => Ty::Bool,
        TypeExprKind::Number => Ty::Number,
        TypeExprKind::Quantity(unit) => Ty::Quantity(*unit),
        TypeExprKind::Duration => Ty::Duration,
        TypeExprKind::String => Ty::String,
        TypeExprKind::Named(name) => {
            if symbols.find(&name.text, |kind| kind == SymbolKind::Enum).is_some() {
                Ty::Enum(name.text.clone())
            } else {
                Ty::Error
            }
        }
    }
}
