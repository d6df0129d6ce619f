//! The syntax tree: plain owned data, every node with a byte span.
//!
//! Spans inside a [`Decl`] are relative to the start of that declaration
//! (`ParsedDecl::offset` gives the absolute position). That keeps a
//! declaration's tree equal when text above it moves, which is what lets the
//! incremental checker skip declarations that did not change.

use std::fmt;

/// A half-open byte range.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: to_u32(start), end: to_u32(end) }
    }

    /// This span moved right by `offset` bytes.
    pub fn shift(self, offset: u32) -> Span {
        Span { start: self.start.saturating_add(offset), end: self.end.saturating_add(offset) }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}

/// Files larger than 4 GiB are refused before parsing, so offsets fit in `u32`.
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A name as written, with where it was written.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// One top-level declaration.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Decl {
    pub kind: DeclKind,
    /// The declaration's own text, without its doc comment.
    pub span: Span,
    /// Warning codes silenced for this declaration by a comment inside it,
    /// `// osler: allow(unused_fact)` (codes without the `osler::` prefix).
    pub allow: Vec<String>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum DeclKind {
    Ruleset(RulesetDecl),
    Source(SourceDecl),
    Enum(EnumDecl),
    Fact(FactDecl),
    Let(LetDecl),
    Action(ActionDecl),
    Rule(RuleDecl),
    Test(TestDecl),
}

impl DeclKind {
    /// The word a rule author knows this declaration by.
    pub fn keyword(&self) -> &'static str {
        match self {
            DeclKind::Ruleset(_) => "ruleset",
            DeclKind::Source(_) => "source",
            DeclKind::Enum(_) => "enum",
            DeclKind::Fact(_) => "fact",
            DeclKind::Let(_) => "let",
            DeclKind::Action(_) => "action",
            DeclKind::Rule(_) => "rule",
            DeclKind::Test(_) => "test",
        }
    }

    /// The declared name, if the declaration has one (unnamed rules and
    /// tests do not; tests are known by their title).
    pub fn name(&self) -> Option<&Ident> {
        match self {
            DeclKind::Ruleset(d) => Some(&d.name),
            DeclKind::Source(d) => Some(&d.name),
            DeclKind::Enum(d) => Some(&d.name),
            DeclKind::Fact(d) => Some(&d.name),
            DeclKind::Let(d) => Some(&d.name),
            DeclKind::Action(d) => Some(&d.name),
            DeclKind::Rule(d) => d.name.as_ref(),
            DeclKind::Test(_) => None,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct StringLit {
    /// The string's value, escapes resolved.
    pub value: String,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RulesetDecl {
    pub name: Ident,
    pub title: Option<StringLit>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SourceDecl {
    pub name: Ident,
    pub title: StringLit,
    pub year: Option<(u32, Span)>,
    pub url: Option<StringLit>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Ident>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FactDecl {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ActionDecl {
    pub name: Ident,
    pub params: Vec<Param>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RuleDecl {
    /// `None` for the short form `condition -> actions`.
    pub name: Option<Ident>,
    pub title: Option<StringLit>,
    pub overrides: Vec<Ident>,
    pub condition: Expr,
    /// The span of `->`.
    pub arrow: Span,
    pub actions: Vec<ActionCall>,
    pub cites: Vec<Ident>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ActionCall {
    pub name: Ident,
    /// `None` when written without parentheses (`self_care`).
    pub args: Option<Vec<Expr>>,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TestDecl {
    pub title: StringLit,
    pub givens: Vec<Given>,
    pub expects: Vec<Expect>,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Given {
    pub fact: Ident,
    pub value: Expr,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expect {
    pub negated: bool,
    pub action: ActionCall,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TypeExprKind {
    Bool,
    Number,
    Quantity(Unit),
    Duration,
    String,
    Named(Ident),
}

/// A unit of measure for quantities. Serialises as written (`mmHg`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Unit {
    MmHg,
    Percent,
    Kg,
    G,
    Mg,
    Mcg,
    Cm,
    Mm,
    Years,
    Bpm,
    Ml,
    L,
    MmolPerL,
    MgPerDl,
    PgPerMl,
    NgPerMl,
}

impl Unit {
    pub const ALL: [Unit; 16] = [
        Unit::MmHg,
        Unit::Percent,
        Unit::Kg,
        Unit::G,
        Unit::Mg,
        Unit::Mcg,
        Unit::Cm,
        Unit::Mm,
        Unit::Years,
        Unit::Bpm,
        Unit::Ml,
        Unit::L,
        Unit::MmolPerL,
        Unit::MgPerDl,
        Unit::PgPerMl,
        Unit::NgPerMl,
    ];

    /// The unit as written in source and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::MmHg => "mmHg",
            Unit::Percent => "%",
            Unit::Kg => "kg",
            Unit::G => "g",
            Unit::Mg => "mg",
            Unit::Mcg => "mcg",
            Unit::Cm => "cm",
            Unit::Mm => "mm",
            Unit::Years => "years",
            Unit::Bpm => "bpm",
            Unit::Ml => "mL",
            Unit::L => "L",
            Unit::MmolPerL => "mmol_L",
            Unit::MgPerDl => "mg_dL",
            Unit::PgPerMl => "pg_mL",
            Unit::NgPerMl => "ng_mL",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unit of time in a duration literal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TimeUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
    /// A calendar month, counted as 30 days.
    Months,
}

impl TimeUnit {
    pub fn seconds(self) -> u64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3_600,
            TimeUnit::Days => 86_400,
            TimeUnit::Weeks => 604_800,
            TimeUnit::Months => 2_592_000,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "s",
            TimeUnit::Minutes => "min",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
            TimeUnit::Weeks => "w",
            TimeUnit::Months => "mo",
        }
    }

    pub fn parse(text: &str) -> Option<TimeUnit> {
        [TimeUnit::Seconds, TimeUnit::Minutes, TimeUnit::Hours, TimeUnit::Days, TimeUnit::Weeks, TimeUnit::Months]
            .into_iter()
            .find(|unit| unit.as_str() == text)
    }
}

/// A decimal number exactly as written; kept as text so the tree is `Eq`
/// and `Hash`, and converted to `f64` by [`NumberLit::value`].
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NumberLit(pub String);

impl NumberLit {
    pub fn value(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExprKind {
    Bool(bool),
    Number(NumberLit),
    Quantity(NumberLit, Unit),
    Duration(NumberLit, TimeUnit),
    String(String),
    /// A bare name: a fact, a let, or an enum variant resolved by the
    /// expected type.
    Name(Ident),
    /// `Type.variant`.
    Qualified {
        ty: Ident,
        variant: Ident,
    },
    /// `name(args)`: `count`, `known`, or a misuse the checker reports.
    Call {
        callee: Ident,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// A chain of `and` (or of `or`) as one n-ary node: `a and b and c` is
    /// one `Logic` with three operands, however long the chain, so a long
    /// condition never builds a deep tree. `a and b or c` is an `or` of an
    /// `and`; parentheses keep their own node.
    Logic {
        op: LogicOp,
        /// At least two.
        operands: Vec<Expr>,
        /// The span of each operator, one fewer than the operands.
        op_spans: Vec<Span>,
    },
    /// Comparison or arithmetic. Arithmetic chains fold to the left
    /// (`a - b - c` is `(a - b) - c`).
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        operand: Box<Expr>,
        set: Vec<Expr>,
        set_span: Span,
    },
    Paren(Box<Expr>),
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LogicOp {
    And,
    Or,
}

impl LogicOp {
    pub fn as_str(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinaryOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }

    pub fn is_arithmetic(self) -> bool {
        matches!(self, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div)
    }
}

impl Expr {
    /// Calls `visit` on this expression and every expression inside it,
    /// parents before children. (A tree is at most
    /// [`MAX_NESTING`](super::MAX_NESTING) levels deep, so recursing is safe.)
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Call { args, .. } => args.iter().for_each(|arg| arg.walk(visit)),
            ExprKind::Logic { operands, .. } => operands.iter().for_each(|operand| operand.walk(visit)),
            ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => operand.walk(visit),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(visit);
                rhs.walk(visit);
            }
            ExprKind::In { operand, set, .. } => {
                operand.walk(visit);
                set.iter().for_each(|item| item.walk(visit));
            }
            ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::Quantity(..)
            | ExprKind::Duration(..)
            | ExprKind::String(_)
            | ExprKind::Name(_)
            | ExprKind::Qualified { .. } => {}
        }
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
