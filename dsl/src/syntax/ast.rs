//! The syntax tree: plain owned data, every node with a byte span.
//!
//! Spans inside a [`Decl`] are relative to the start of that declaration
//! (`ParsedDecl::offset` gives the absolute position). That keeps a
//! declaration's tree equal when text above it moves, which is what lets the
//! incremental checker skip declarations that did not change.

pub use crate::span::Span;
pub use crate::units::{TimeUnit, Unit};

/// A name as written, with where it was written.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Ident {
    /// The name's text.
    pub text: String,
    /// Where the name is written.
    pub span: Span,
}

/// One top-level declaration.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Decl {
    /// What the declaration declares.
    pub kind: DeclKind,
    /// The declaration's own text, without its doc comment.
    pub span: Span,
    /// Warning codes silenced for this declaration by a comment inside it,
    /// `// osler: allow(unused_fact)` (codes without the `osler::` prefix).
    pub allow: Vec<String>,
}

/// The kinds of declaration, one per keyword.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum DeclKind {
    /// `ruleset name "Title"`.
    Ruleset(RulesetDecl),
    /// `source name "Title" year .. url ..`.
    Source(SourceDecl),
    /// `enum Name { a, b }`.
    Enum(EnumDecl),
    /// `fact name: Type`.
    Fact(FactDecl),
    /// `let name = expression`.
    Let(LetDecl),
    /// `action name(param: Type, ..)`.
    Action(ActionDecl),
    /// A named rule, or the short form `condition -> actions`.
    Rule(RuleDecl),
    /// `test "title" { given .. expect .. }`.
    Test(TestDecl),
    /// `baseline name { given .. }`: givens tests include by name.
    Baseline(BaselineDecl),
    /// `assert [name ["Title"]:] when -> then [cite ..]`.
    Assert(AssertDecl),
    /// `exclusive action`.
    Exclusive(ExclusiveDecl),
    /// `priority a > b > ..`.
    Priority(PriorityDecl),
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
            DeclKind::Baseline(_) => "baseline",
            DeclKind::Assert(_) => "assert",
            DeclKind::Exclusive(_) => "exclusive",
            DeclKind::Priority(_) => "priority",
        }
    }

    /// The declared name, if the declaration has one (unnamed rules,
    /// unnamed asserts and tests do not; tests are known by their title).
    /// An `exclusive` is known by the action it is about; a `priority`
    /// (one per ruleset) by its keyword alone.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            DeclKind::Ruleset(d) => Some(&d.name),
            DeclKind::Source(d) => Some(&d.name),
            DeclKind::Enum(d) => Some(&d.name),
            DeclKind::Fact(d) => Some(&d.name),
            DeclKind::Let(d) => Some(&d.name),
            DeclKind::Action(d) => Some(&d.name),
            DeclKind::Baseline(d) => Some(&d.name),
            DeclKind::Rule(d) => d.name.as_ref(),
            DeclKind::Assert(d) => d.name.as_ref(),
            DeclKind::Exclusive(d) => Some(&d.action),
            DeclKind::Test(_) | DeclKind::Priority(_) => None,
        }
    }
}

/// A string literal.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct StringLit {
    /// The string's value, escapes resolved.
    pub value: String,
    /// Where the string is written, quotes included.
    pub span: Span,
}

/// `ruleset name "Title"`: names the ruleset, once.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RulesetDecl {
    /// The ruleset's name.
    pub name: Ident,
    /// Its title, if written.
    pub title: Option<StringLit>,
}

/// `source name "Title" year 2026 url ".."`: a guideline rules cite.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct SourceDecl {
    /// The name rules cite it by.
    pub name: Ident,
    /// The source's title.
    pub title: StringLit,
    /// Its publication year and where the year is written.
    pub year: Option<(u32, Span)>,
    /// Where to read it, if given.
    pub url: Option<StringLit>,
}

/// `enum Name { a, b }`: a closed set of values.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EnumDecl {
    /// The enum's name.
    pub name: Ident,
    /// Its variants, in order.
    pub variants: Vec<Ident>,
}

/// `fact name: Type`: an input of every record.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FactDecl {
    /// The fact's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// `let name = expression`: a named expression, usable wherever a fact is.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct LetDecl {
    /// The let's name.
    pub name: Ident,
    /// The expression it names.
    pub value: Expr,
}

/// `action name(param: Type, ..)`: what a rule can recommend.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ActionDecl {
    /// The action's name.
    pub name: Ident,
    /// Its parameters (none when written without parentheses).
    pub params: Vec<Param>,
}

/// One parameter of an action.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Param {
    /// The parameter's name.
    pub name: Ident,
    /// Its type.
    pub ty: TypeExpr,
}

/// A rule: a condition, the actions it fires and the sources it cites.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RuleDecl {
    /// `None` for the short form `condition -> actions`.
    pub name: Option<Ident>,
    /// Its title, if written.
    pub title: Option<StringLit>,
    /// The rules it overrides (`overrides a, b`).
    pub overrides: Vec<Ident>,
    /// The condition.
    pub condition: Expr,
    /// The span of `->`.
    pub arrow: Span,
    /// The actions it fires, in order.
    pub actions: Vec<ActionCall>,
    /// The sources it cites (`cite a, b`).
    pub cites: Vec<Ident>,
}

/// `assert [name ["Title"]:] when -> then [cite ..]`: on every record
/// where `when` is true, `then` is true. Both sides may hold action
/// patterns (`self_care`, `suspect(limb_threat)`): names and calls of
/// actions, true when the record's output holds such a call.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AssertDecl {
    /// `None` for the unnamed form `assert when -> then`.
    pub name: Option<Ident>,
    /// Its title, if written (only with a name).
    pub title: Option<StringLit>,
    /// The condition under which `then` must hold.
    pub when: Expr,
    /// The span of `->`.
    pub arrow: Span,
    /// What must hold.
    pub then: Expr,
    /// The sources it encodes (`cite a, b`).
    pub cites: Vec<Ident>,
}

/// `exclusive action`: no record's output holds two different calls of
/// the action.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ExclusiveDecl {
    /// The action.
    pub action: Ident,
}

/// `priority a > b > ..`: the actions that decide a record's disposition,
/// most urgent first.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PriorityDecl {
    /// Where the `priority` keyword is written.
    pub keyword: Span,
    /// The actions, most urgent first (at least one).
    pub actions: Vec<Ident>,
}

/// A call of an action: in a rule's actions or a test's `expect`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ActionCall {
    /// The action's name.
    pub name: Ident,
    /// `None` when written without parentheses (`self_care`). Positional
    /// arguments, then named ones ([`ExprKind::Named`]), as written.
    pub args: Option<Vec<Expr>>,
    /// The whole call.
    pub span: Span,
}

/// `test "title" { .. }`: an example record and what it must fire.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TestDecl {
    /// The test's title, which names it.
    pub title: StringLit,
    /// The `given` assignments, in order.
    pub givens: Vec<Given>,
    /// The baselines its `given` statements include, in order: their
    /// givens come first, the test's own assignments replace them.
    pub baselines: Vec<Ident>,
    /// The `expect` statements, in order.
    pub expects: Vec<Expect>,
}

/// `baseline name { given .. }`: givens that tests (and other baselines)
/// include with `given name`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct BaselineDecl {
    /// The baseline's name.
    pub name: Ident,
    /// Its own `given` assignments, in order.
    pub givens: Vec<Given>,
    /// The baselines it includes, in order (its own assignments replace
    /// their values).
    pub baselines: Vec<Ident>,
}

/// One assignment of a `given` statement: `fact = value`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Given {
    /// The fact given a value.
    pub fact: Ident,
    /// The value.
    pub value: Expr,
}

/// One `expect` statement.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expect {
    /// Whether it is `expect not ..` (never for `expect nothing`).
    pub negated: bool,
    /// What it expects.
    pub kind: ExpectKind,
    /// The whole statement.
    pub span: Span,
}

/// What an `expect` statement is about.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExpectKind {
    /// `expect action(args)` or `expect action`: such a call stands.
    Action(ActionCall),
    /// `expect action(args) from rule`: the call stands and the rule is
    /// one of those that produced it.
    From {
        /// The call.
        action: ActionCall,
        /// The rule.
        rule: Ident,
    },
    /// `expect rule fires`: its condition is true and it is not overridden.
    Fires(Ident),
    /// `expect undetermined rule`: its outcome is unknown on the record.
    Undetermined(Ident),
    /// `expect examine fact`: the fact is among those to examine next.
    Examine(Ident),
    /// `expect nothing`: no action stands.
    Nothing,
}

impl Expect {
    /// The action call the statement names, if it names one.
    pub fn action(&self) -> Option<&ActionCall> {
        match &self.kind {
            ExpectKind::Action(call) | ExpectKind::From { action: call, .. } => Some(call),
            _ => None,
        }
    }
}

/// A type as written.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct TypeExpr {
    /// Which type.
    pub kind: TypeExprKind,
    /// Where it is written.
    pub span: Span,
}

/// The types a fact or parameter can have.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TypeExprKind {
    /// `bool`.
    Bool,
    /// `number` without a unit.
    Number,
    /// `number UNIT`.
    Quantity(Unit),
    /// `duration`.
    Duration,
    /// `string`.
    String,
    /// An enum, by name.
    Named(Ident),
}

/// A decimal number exactly as written; kept as text so the tree is `Eq`
/// and `Hash`, and converted to `f64` by [`NumberLit::value`].
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NumberLit(pub String);

impl NumberLit {
    /// The number's value, a decimal of at most 15 significant digits
    /// (`crate::decimal`; `NaN` if the text is not a number, which the
    /// grammar rules out).
    pub fn value(&self) -> f64 {
        crate::decimal::parse(&self.0).unwrap_or(f64::NAN)
    }
}

/// An expression.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ExprKind {
    /// `true` or `false`.
    Bool(bool),
    /// A bare number, `50`.
    Number(NumberLit),
    /// A number with a unit, `50 mmHg`.
    Quantity(NumberLit, Unit),
    /// A duration, `6h`.
    Duration(NumberLit, TimeUnit),
    /// A string's value, escapes resolved.
    String(String),
    /// A bare name: a fact, a let, or an enum variant resolved by the
    /// expected type.
    Name(Ident),
    /// `Type.variant`.
    Qualified {
        /// The enum's name.
        ty: Ident,
        /// The variant's name.
        variant: Ident,
    },
    /// `name(args)`: `count`, `known`, or a misuse the checker reports.
    Call {
        /// The name called.
        callee: Ident,
        /// The arguments, in order (named ones are [`ExprKind::Named`]).
        args: Vec<Expr>,
    },
    /// `not x` or `-x`.
    Unary {
        /// Which operator.
        op: UnaryOp,
        /// What it applies to.
        operand: Box<Expr>,
    },
    /// A chain of `and` (or of `or`) as one n-ary node: `a and b and c` is
    /// one `Logic` with three operands, however long the chain, so a long
    /// condition never builds a deep tree. `a and b or c` is an `or` of an
    /// `and`; parentheses keep their own node.
    Logic {
        /// `and` or `or`.
        op: LogicOp,
        /// At least two.
        operands: Vec<Expr>,
        /// The span of each operator, one fewer than the operands.
        op_spans: Vec<Span>,
    },
    /// Comparison or arithmetic. Arithmetic chains fold to the left
    /// (`a - b - c` is `(a - b) - c`).
    Binary {
        /// Which operator.
        op: BinaryOp,
        /// Where the operator is written.
        op_span: Span,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
    /// `x in {a, b}`.
    In {
        /// The value tested.
        operand: Box<Expr>,
        /// The set's members, in order.
        set: Vec<Expr>,
        /// Where the set is written, braces included.
        set_span: Span,
    },
    /// An expression in parentheses.
    Paren(Box<Expr>),
    /// A named argument, `score: wells_score`: only ever an argument of an
    /// action call or a call (the grammar allows it nowhere else); the
    /// checker puts it in its parameter's place.
    Named {
        /// The parameter's name.
        name: Ident,
        /// The argument.
        value: Box<Expr>,
    },
}

/// A prefix operator.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// The operator of an `and`/`or` chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LogicOp {
    /// `and`.
    And,
    /// `or`.
    Or,
}

impl LogicOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            LogicOp::And => "and",
            LogicOp::Or => "or",
        }
    }
}

/// A comparison or arithmetic operator.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum BinaryOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// The operator as written.
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

    /// Whether it compares (`==` .. `>=`).
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }

    /// Whether it computes (`+ - * /`).
    pub fn is_arithmetic(self) -> bool {
        matches!(self, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div)
    }
}

impl Expr {
    /// Calls `visit` on this expression and every expression inside it,
    /// parents before children. (A tree is at most
    /// `syntax::MAX_NESTING` levels deep, so recursing is safe.)
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Call { args, .. } => args.iter().for_each(|arg| arg.walk(visit)),
            ExprKind::Logic { operands, .. } => operands.iter().for_each(|operand| operand.walk(visit)),
            ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) | ExprKind::Named { value: operand, .. } => {
                operand.walk(visit)
            }
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
