//! The checked ruleset as plain owned data: every name resolved to an
//! index, every literal normalised, every expression typed. This is what the
//! engine compiles and what `osler schema` and `osler test` read. It holds
//! no salsa handles and no syntax tree.

use serde::Serialize;

pub use crate::units::Unit;

/// An index into [`Model::enums`].
pub type EnumIndex = u32;
/// An index into [`Model::facts`].
pub type FactIndex = u32;
/// An index into [`Model::lets`].
pub type LetIndex = u32;
/// An index into [`Model::actions`].
pub type ActionIndex = u32;
/// An index into [`Model::sources`].
pub type SourceIndex = u32;
/// An index into [`Model::rules`].
pub type RuleIndex = u32;

/// A type of the language.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum Type {
    /// `bool`.
    Bool,
    /// A bare `number`.
    Number,
    /// A number with a unit (`number mmHg`).
    Quantity(Unit),
    /// `duration` (values in seconds).
    Duration,
    /// `string`.
    String,
    /// An enum of the model.
    Enum(EnumIndex),
}

/// A constant value. Durations are in seconds.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub enum Value {
    /// A truth value.
    Bool(bool),
    /// A bare number.
    Number(f64),
    /// A number with its unit.
    Quantity(f64, Unit),
    /// A duration in seconds.
    Duration(f64),
    /// A string.
    String(String),
    /// A variant: its enum and its position in the enum.
    Variant(EnumIndex, u32),
}

/// A checked ruleset.
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
pub struct Model {
    /// `ruleset NAME "TITLE"`, when declared.
    pub name: Option<String>,
    /// The ruleset's title, when declared.
    pub title: Option<String>,
    /// The sources, in declaration order (files sorted by path).
    pub sources: Vec<SourceInfo>,
    /// The enums, in declaration order.
    pub enums: Vec<EnumInfo>,
    /// The facts, in declaration order: what a record gives.
    pub facts: Vec<FactInfo>,
    /// In dependency order: a let only refers to lets before it.
    pub lets: Vec<LetInfo>,
    /// The actions, in declaration order.
    pub actions: Vec<ActionInfo>,
    /// In declaration order (files sorted by path).
    pub rules: Vec<RuleInfo>,
    /// The ruleset's tests, in declaration order.
    pub tests: Vec<TestInfo>,
    /// The `assert` properties, in declaration order (files sorted by path).
    pub asserts: Vec<AssertInfo>,
    /// The `exclusive` properties, in declaration order.
    pub exclusives: Vec<ExclusiveInfo>,
    /// `priority A > B > ..`: the actions that decide a record's
    /// disposition, most urgent first (empty when the ruleset declares no
    /// priority).
    pub priority: Vec<ActionIndex>,
}

/// Where a declaration is, for explanations and coverage reports.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Location {
    /// The file's path, as the ruleset names it.
    pub path: String,
    /// 1-based line of the declaration's first line.
    pub line: u32,
    /// The byte span (in the file) a diagnostic about the declaration
    /// points at: its name, or for an unnamed rule or assert its condition.
    #[serde(skip)]
    pub span: crate::span::Span,
    /// The warnings the declaration silences with `// osler: allow(..)`
    /// (codes without `osler::`); the analysis leaves out its findings of
    /// these codes about the declaration.
    #[serde(skip)]
    pub allow: Vec<String>,
}

/// A `source`: a guideline rules cite.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct SourceInfo {
    /// The name rules cite it by.
    pub name: String,
    /// The guideline's title.
    pub title: String,
    /// The year of publication, when given.
    pub year: Option<u32>,
    /// Where to read it, when given.
    pub url: Option<String>,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
}

/// An `enum`.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct EnumInfo {
    /// The enum's name.
    pub name: String,
    /// Its variants, in declaration order (a [`Value::Variant`] indexes them).
    pub variants: Vec<String>,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
}

/// A `fact`: a value each record gives.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct FactInfo {
    /// The fact's name (a record's field).
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
}

/// A `let`: a derived value.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct LetInfo {
    /// The let's name.
    pub name: String,
    /// The type of its value.
    pub ty: Type,
    /// Its value.
    pub value: Expr,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
}

/// An `action`: something a rule recommends.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct ActionInfo {
    /// The action's name.
    pub name: String,
    /// Its parameters, names and types, in order.
    pub params: Vec<(String, Type)>,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
}

/// A `rule`.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct RuleInfo {
    /// The rule's name, or `<file stem>_<n>` for an unnamed rule.
    pub id: String,
    /// The rule's title, when given.
    pub title: Option<String>,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
    /// When the rule fires.
    pub condition: Expr,
    /// What it recommends when it fires.
    pub actions: Vec<ActionCall>,
    /// The sources it encodes.
    pub cites: Vec<SourceIndex>,
    /// The rules this rule suppresses when it fires.
    pub overrides: Vec<RuleIndex>,
    /// Where the rule is declared.
    pub location: Location,
}

/// `assert [NAME ["TITLE"]:] WHEN -> THEN [cite ..]`: on every record
/// where `when` is true, `then` is true. Both may hold action patterns
/// ([`Expr::Output`]).
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct AssertInfo {
    /// The assert's name, or `<file stem>_assert_<n>` for an unnamed one.
    pub id: String,
    /// Its title, when given.
    pub title: Option<String>,
    /// The `///` comment above the declaration.
    pub doc: Option<String>,
    /// The condition under which `then` must hold.
    pub when: Expr,
    /// What must hold.
    pub then: Expr,
    /// The sources it encodes.
    pub cites: Vec<SourceIndex>,
    /// Where the assert is declared.
    pub location: Location,
}

/// `exclusive ACTION`: no record's output holds two different calls of it.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct ExclusiveInfo {
    /// The action.
    pub action: ActionIndex,
    /// Where the property is declared.
    pub location: Location,
}

/// An action with its arguments: constants (`emergency(6h)`) or, in a
/// rule's actions, any expression of the parameter's type
/// (`wells(score: wells_score)`). A rule whose condition is true but one
/// of whose arguments is unknown is undetermined: it outputs none of its
/// actions.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct ActionCall {
    /// The action called.
    pub action: ActionIndex,
    /// Its arguments, one per parameter, in the parameters' order (named
    /// arguments are put in place); a constant is [`Expr::Const`].
    pub args: Vec<Expr>,
}

impl ActionCall {
    /// A call whose every argument is a constant.
    pub fn constant(action: ActionIndex, args: Vec<Value>) -> ActionCall {
        ActionCall { action, args: args.into_iter().map(Expr::Const).collect() }
    }

    /// The arguments' values when every argument is a constant (`None`
    /// when one is computed from the record).
    pub fn constant_args(&self) -> Option<Vec<Value>> {
        self.args
            .iter()
            .map(|arg| match arg {
                Expr::Const(value) => Some(value.clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether some argument is computed from the record (not a constant).
    pub fn is_computed(&self) -> bool {
        self.args.iter().any(|arg| !matches!(arg, Expr::Const(_)))
    }

    /// The facts the arguments read, directly or through lets, appended
    /// to `out` in first use order without repeats.
    pub fn facts_read(&self, model: &Model, out: &mut Vec<FactIndex>) {
        for arg in &self.args {
            arg.facts_read(model, out);
        }
    }
}

/// A `test` of the ruleset.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct TestInfo {
    /// The test's title.
    pub title: String,
    /// The record it evaluates: facts and their values (others unknown),
    /// its baselines' givens replaced by its own, one value per fact.
    pub given: Vec<(FactIndex, Value)>,
    /// What it expects the rules to recommend, or not.
    pub expects: Vec<Expectation>,
    /// Where the test is declared.
    pub location: Location,
}

/// One `expect` of a test.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct Expectation {
    /// `expect not ...` (never with [`Expected::Nothing`]).
    pub negated: bool,
    /// What it expects.
    pub what: Expected,
}

/// What an `expect` is about.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub enum Expected {
    /// `expect ACTION[(args)]`: such a call stands.
    Action {
        /// The action.
        action: ActionIndex,
        /// `None` for `expect ACTION` (any arguments).
        args: Option<Vec<Value>>,
    },
    /// `expect ACTION[(args)] from RULE`: such a call stands and `rule`
    /// is one of the rules that produced it.
    From {
        /// The action.
        action: ActionIndex,
        /// `None` for any arguments.
        args: Option<Vec<Value>>,
        /// The rule.
        rule: RuleIndex,
    },
    /// `expect RULE fires`: its condition is true and it is not
    /// overridden.
    Fires(RuleIndex),
    /// `expect undetermined RULE`: its outcome is unknown.
    Undetermined(RuleIndex),
    /// `expect examine FACT`: the fact is among the record's `examine`.
    Examine(FactIndex),
    /// `expect nothing`: no action stands.
    Nothing,
}

/// A typed, resolved expression.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// A fact's value in the record.
    Fact(FactIndex),
    /// A let's value.
    Let(LetIndex),
    /// Kleene negation.
    Not(Box<Expr>),
    /// Numeric negation.
    Neg(Box<Expr>),
    /// Kleene `and` of two or more operands: a chain `a and b and c` is
    /// one node. (Parenthesised chains keep their own node.)
    And(Vec<Expr>),
    /// Kleene `or` of two or more operands.
    Or(Vec<Expr>),
    /// Comparison of two operands of the same type. Quantities compare by
    /// value (both sides share a unit), durations in seconds, enums by
    /// variant (only `==` and `!=`), bools and strings by equality.
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// Arithmetic on numbers or like quantities (or durations for `+ -`).
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `operand in {variants}` (variant indices of the operand's enum).
    In(Box<Expr>, Vec<u32>),
    /// Number of true arguments.
    Count(Vec<Expr>),
    /// True when the operand is known.
    Known(Box<Expr>),
    /// An action pattern, only inside an `assert`: true when the record's
    /// output holds a call of the action (with exactly these arguments,
    /// when given), false otherwise; never unknown.
    Output(ActionIndex, Option<Vec<Value>>),
}

/// A comparison operator.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// An arithmetic operator.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (division by zero is unknown)
    Div,
}

impl Expr {
    /// The facts this expression reads, directly or through lets, in first
    /// use order without repeats. Iterative, and each let is entered once,
    /// so a long chain of lets is no deeper than a short one.
    pub fn facts_read(&self, model: &Model, out: &mut Vec<FactIndex>) {
        let mut lets_seen = vec![false; model.lets.len()];
        let mut stack: Vec<&Expr> = vec![self];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Const(_) | Expr::Output(..) => {}
                Expr::Fact(fact) => {
                    if !out.contains(fact) {
                        out.push(*fact);
                    }
                }
                Expr::Let(index) => {
                    if let (Some(info), Some(seen)) =
                        (model.lets.get(*index as usize), lets_seen.get_mut(*index as usize))
                        && !*seen
                    {
                        *seen = true;
                        stack.push(&info.value);
                    }
                }
                Expr::Not(inner) | Expr::Neg(inner) | Expr::Known(inner) | Expr::In(inner, _) => stack.push(inner),
                Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                // Pushed in reverse: popped left to right.
                Expr::And(items) | Expr::Or(items) | Expr::Count(items) => stack.extend(items.iter().rev()),
            }
        }
    }
}

impl Model {
    /// The index of the action named `name`.
    pub fn action_index(&self, name: &str) -> Option<ActionIndex> {
        self.actions.iter().position(|action| action.name == name).map(|index| index as ActionIndex)
    }

    /// The index of the rule with id `id`.
    pub fn rule_index(&self, id: &str) -> Option<RuleIndex> {
        self.rules.iter().position(|rule| rule.id == id).map(|index| index as RuleIndex)
    }

    /// The display form of a value: durations and quantities as canonical
    /// strings (`6h`, `50 mmHg`), variants by name.
    pub fn render_value(&self, value: &Value) -> String {
        match value {
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format_number(*n),
            Value::Quantity(n, unit) => format!("{} {unit}", format_number(*n)),
            Value::Duration(seconds) => format_duration(*seconds),
            Value::String(s) => s.clone(),
            Value::Variant(enum_index, variant) => self
                .enums
                .get(*enum_index as usize)
                .and_then(|info| info.variants.get(*variant as usize))
                .cloned()
                .unwrap_or_default(),
        }
    }
}

/// A number as JSON and people write it: `50`, `0.9`, `-1.5`.
pub fn format_number(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// The canonical form of a duration: the largest unit that divides it
/// exactly (`6h`, `2d`, `90min`), `0min` for zero.
pub fn format_duration(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0min".to_owned();
    }
    const UNITS: [(f64, &str); 5] = [(604_800.0, "w"), (86_400.0, "d"), (3_600.0, "h"), (60.0, "min"), (1.0, "s")];
    for (size, unit) in UNITS {
        let count = seconds / size;
        if count.fract() == 0.0 {
            return format!("{}{unit}", format_number(count));
        }
    }
    format!("{}s", format_number(seconds))
}

/// Parses a duration string such as `3h`, `2d`, `6w`, `90min`, `1.5h`
/// (what records carry) into seconds.
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number = crate::decimal::parse(number)?;
    let unit = crate::units::TimeUnit::parse(unit.trim())?;
    Some(crate::decimal::mul(number, unit.seconds() as f64))
}
