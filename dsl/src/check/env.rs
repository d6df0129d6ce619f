//! What the expression checker asks about names, as a trait, so that the
//! same checker runs over salsa queries (declarations) and over a symbol
//! table with partial let types (let typing, which must not cycle).

use crate::types::Ty;

/// What a name means in a ruleset, in every namespace at once.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct NameInfo {
    /// The fact's type, if the name is a fact.
    pub fact: Option<Ty>,
    /// The let's type, if the name is a let.
    pub let_type: Option<Ty>,
    /// Enums that declare a variant with this name.
    pub variant_of: Vec<String>,
    /// The action's parameters, if the name is an action.
    pub action: Option<Vec<(String, Ty)>>,
    /// The enum's variants, if the name is an enum.
    pub enum_variants: Option<Vec<String>>,
    /// Whether a `source` has this name.
    pub is_source: bool,
    /// Whether a rule has this name (or id).
    pub is_rule: bool,
    /// Whether a `baseline` has this name.
    pub is_baseline: bool,
    /// A declaration of this name failed to parse.
    pub broken: bool,
}

impl NameInfo {
    /// The type of the name used as a value (fact or let).
    pub fn value_type(&self) -> Option<&Ty> {
        self.fact.as_ref().or(self.let_type.as_ref())
    }
}

/// Which names a suggestion may come from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Namespace {
    Value,
    Action,
    Source,
    Rule,
    Type,
    Fact,
    Baseline,
}

/// What the checker needs to know about names.
pub(crate) trait Env {
    /// Everything `name` means.
    fn info(&self, name: &str) -> NameInfo;
    /// Every name of a namespace, for "did you mean".
    fn names(&self, namespace: Namespace) -> Vec<String>;
}
