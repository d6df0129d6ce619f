//! The registry of diagnostic codes: every code Osler reports, with the one
//! line that documents it. The code table in `dsl/LANGUAGE.md` is generated
//! from this list (a test keeps them equal), tools key on the codes'
//! names (`osler::bare_number`), and the language server keys its quick
//! fixes on the enum.

use std::fmt;

use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident => $name:literal,)+) => {
        /// A stable diagnostic code. Its name (`osler::` and a snake_case
        /// word) never changes meaning once released.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, in the order of the registry.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The code's name, such as `osler::bare_number`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!("osler::", $name),)+
                }
            }

            /// The code's one-line documentation.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),+).trim(),)+
                }
            }
        }
    };
}

codes! {
    /// A declaration does not follow the grammar.
    Syntax => "syntax",
    /// A declaration nests brackets, prefix operators or operator chains more than 64 levels deep.
    TooDeep => "too_deep",
    /// A file is larger than the parser accepts (2 GiB: spans are 32-bit offsets).
    FileTooLarge => "file_too_large",
    /// A name breaks the naming convention: `lower_snake_case`, or `UpperCamelCase` for types.
    NameCase => "name_case",
    /// The parser failed to build a tree for text the grammar accepted (a bug in Osler).
    Internal => "internal",
    /// A name is declared twice in one namespace, an enum lists a variant twice, or a ruleset has two `ruleset` or `priority` declarations.
    Duplicate => "duplicate",
    /// An enum declares no variants.
    EmptyEnum => "empty_enum",
    /// A name in an expression is no declared fact or let.
    UnknownFact => "unknown_fact",
    /// A rule, test, `exclusive` or `priority` names an action that is not declared.
    UnknownAction => "unknown_action",
    /// A `priority` lists the same action twice.
    PriorityRepeats => "priority_repeats",
    /// A `cite` names a source that is not declared.
    UnknownSource => "unknown_source",
    /// An `overrides` list or a test's `expect` names a rule that is not declared.
    UnknownRule => "unknown_rule",
    /// A type is neither built in nor a declared enum.
    UnknownType => "unknown_type",
    /// An enum has no variant of that name.
    UnknownVariant => "unknown_variant",
    /// A call names a function the language does not have.
    UnknownFunction => "unknown_function",
    /// A bare variant belongs to several enums and the context does not choose one.
    AmbiguousName => "ambiguous_name",
    /// A variant of one enum stands where another enum is expected.
    WrongEnum => "wrong_enum",
    /// A name that is not a value (an action, a rule, a source, a type) stands in an expression.
    NotAValue => "not_a_value",
    /// An expression has a type other than the one its place needs.
    TypeMismatch => "type_mismatch",
    /// Two quantities whose units do not convert (different dimensions) are compared or combined, or arithmetic on quantities gives no meaningful unit.
    UnitMismatch => "unit_mismatch",
    /// A number literal writes more than the 15 significant digits every number keeps.
    NumberPrecision => "number_precision",
    /// A quantity is compared or combined with a number that has no unit.
    BareNumber => "bare_number",
    /// A duration is compared or combined with a number or a quantity.
    DurationMismatch => "duration_mismatch",
    /// An action or function is called with the wrong number of arguments.
    Arity => "arity",
    /// An action argument has a type other than its parameter's.
    ArgumentType => "argument_type",
    /// A named argument names no parameter of the action (or is passed to `count` or `known`).
    UnknownParameter => "unknown_parameter",
    /// A call gives one parameter twice, by position and by name or by name twice.
    DuplicateArgument => "duplicate_argument",
    /// A positional argument follows a named one.
    PositionalAfterNamed => "positional_after_named",
    /// An argument of a test's `expect` or an action pattern, or a test value, reads a fact instead of being a constant.
    NotConstant => "not_constant",
    /// A rule's condition is not `bool`.
    ConditionNotBool => "condition_not_bool",
    /// A rule's condition does not depend on any fact (warning).
    ConstantCondition => "constant_condition",
    /// `in { }` lists no variants.
    EmptySet => "empty_set",
    /// An expression divides by a literal zero (`x / 0`, `x / (0.0)`): it would be unknown on every record.
    DivisionByZero => "division_by_zero",
    /// A test's `given` sets a let; tests give facts.
    GivenLet => "given_let",
    /// A `test` has no `expect`: it could never fail.
    EmptyTest => "empty_test",
    /// A test or baseline gives one fact twice, or includes one baseline twice.
    GivenTwice => "given_twice",
    /// A `given` includes a baseline that is not declared.
    UnknownBaseline => "unknown_baseline",
    /// Baselines include each other in a cycle.
    BaselineCycle => "baseline_cycle",
    /// `expect examine` names a let, an action or a rule: only facts are examined.
    ExamineNotFact => "examine_not_fact",
    /// Lets depend on themselves through a cycle.
    LetCycle => "let_cycle",
    /// A rule lists itself in `overrides`.
    SelfOverride => "self_override",
    /// Rules override each other in a cycle.
    OverrideCycle => "override_cycle",
    /// A rule cites no source (warning).
    MissingCite => "missing_cite",
    /// A fact is declared but no rule or let reads it (warning).
    UnusedFact => "unused_fact",
    /// A let is declared but nothing reads it (warning).
    UnusedLet => "unused_let",
    /// An action is declared but no rule takes it (warning).
    UnusedAction => "unused_action",
    /// A source is declared but no rule cites it (warning).
    UnusedSource => "unused_source",
    /// A baseline is declared but no test or baseline includes it (warning).
    UnusedBaseline => "unused_baseline",
    /// An action pattern (`self_care`, `suspect(limb_threat)`: "the output contains it") stands outside an `assert`.
    ActionPattern => "action_pattern",
    /// A rule's condition can never be true: no record fires it (warning, from the analysis).
    DeadRule => "dead_rule",
    /// A rule's condition can be true, but on every such record a rule that overrides it fires (warning).
    AlwaysOverridden => "always_overridden",
    /// An `overrides` edge never suppresses anything, or never changes any record's output (warning).
    IneffectiveOverride => "ineffective_override",
    /// A rule's condition can never be false (hint).
    AlwaysTrue => "always_true",
    /// Whenever a rule fires, other rules already emit every action it emits, and it overrides nothing (hint).
    RedundantRule => "redundant_rule",
    /// A default rule can fire while one of its exceptions is undetermined: its actions are provisional (hint).
    ProvisionalDefault => "provisional_default",
    /// An `assert` fails on some record: the example shows one (warning).
    AssertViolated => "assert_violated",
    /// Some record's output holds two different calls of an `exclusive` action (warning).
    ExclusiveViolated => "exclusive_violated",
    /// The analysis could neither prove nor refute a finding (arithmetic between facts): a warning that says so.
    Undecided => "undecided",
}

impl Code {
    /// The code whose name is `name`, with or without the `osler::` prefix.
    pub fn from_name(name: &str) -> Option<Code> {
        let word = name.strip_prefix("osler::").unwrap_or(name);
        Code::ALL.iter().copied().find(|code| code.word() == word)
    }

    /// The name without `osler::`, as written in `// osler: allow(..)`.
    pub fn word(self) -> &'static str {
        let name = self.as_str();
        name.strip_prefix("osler::").unwrap_or(name)
    }

    /// The Markdown table of every code, as `dsl/LANGUAGE.md` shows it.
    pub fn markdown_table() -> String {
        let mut table = String::from("| code | reported when |\n|---|---|\n");
        for code in Code::ALL {
            table.push_str(&format!("| `{}` | {} |\n", code.as_str(), code.doc()));
        }
        table
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len(), "two codes share a name");
        for &code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(code));
            assert_eq!(Code::from_name(code.word()), Some(code));
            assert!(code.word().chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert!(!code.doc().is_empty(), "{code} has no documentation");
        }
        assert_eq!(Code::from_name("osler::no_such_code"), None);
    }
}
