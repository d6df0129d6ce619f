//! Turns pest's pairs into the syntax tree. The grammar guarantees the
//! shapes read here; where a shape is not what was expected anyway, the
//! declaration is reported as an internal error instead of panicking.

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::errors::{strip_trailing_comments, translate_error};
use super::grammar::{OslerParser, Rule};
use super::limits::MAX_NESTING;
use crate::code::Code;
use crate::diagnostic::Diagnostic;

/// Errors are boxed: a small `Result` keeps every frame of the recursive
/// lowering small.
type Lowered<T> = Result<T, Box<Diagnostic>>;

/// Parses one declaration's text. Returns the tree and naming warnings, or
/// the syntax error.
pub(crate) fn parse_declaration(source: &str) -> Lowered<(Decl, Vec<Diagnostic>)> {
    let mut pairs = OslerParser::parse(Rule::declaration_input, source)
        .map_err(|error| Box::new(translate_error(source, &error)))?;
    let pair = pairs.next().ok_or_else(|| internal(Span::new(0, source.len())))?;
    let mut lowerer = Lowerer { naming: Vec::new() };
    let decl = lowerer.declaration(pair)?;
    Ok((decl, lowerer.naming))
}

fn internal(span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(Code::Internal, span, "the parser could not build a tree for this declaration")
            .with_help("this is a bug in Osler; please report it with the declaration's text"),
    )
}

/// A pair's span without the blanks and comments pest leaves at its end.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let text = strip_trailing_comments(pair.as_str());
    Span::new(span.start(), span.start() + text.len())
}

/// The children of a pair, read in order.
struct Children<'i> {
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
    span: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Pair<'i, Rule>) -> Children<'i> {
        let span = span_of(&pair);
        Children { pairs: pair.into_inner().peekable(), span }
    }

    /// The next child, which must be a `rule`.
    fn expect(&mut self, rule: Rule) -> Lowered<Pair<'i, Rule>> {
        match self.pairs.next() {
            Some(pair) if pair.as_rule() == rule => Ok(pair),
            Some(pair) => Err(internal(span_of(&pair))),
            None => Err(internal(self.span)),
        }
    }

    /// The next child if it is a `rule`.
    fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.pairs.peek().is_some_and(|pair| pair.as_rule() == rule) { self.pairs.next() } else { None }
    }

    fn next(&mut self) -> Lowered<Pair<'i, Rule>> {
        self.pairs.next().ok_or_else(|| internal(self.span))
    }

    fn peek_rule(&mut self) -> Option<Rule> {
        self.pairs.peek().map(Pair::as_rule)
    }
}

/// What a name is used for decides its required spelling.
#[derive(Clone, Copy)]
enum NameRole {
    Lower(&'static str),
    Type,
    Variant,
    Any,
}

struct Lowerer {
    naming: Vec<Diagnostic>,
}

impl Lowerer {
    fn ident(&mut self, pair: Pair<'_, Rule>, role: NameRole) -> Ident {
        let ident = Ident { text: pair.as_str().to_owned(), span: span_of(&pair) };
        let text = ident.text.as_str();
        let lower_ok = text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        match role {
            NameRole::Lower(what) if !lower_ok => self.naming.push(
                Diagnostic::error(
                    Code::NameCase,
                    ident.span,
                    format!("{what} names are lower_snake_case, found `{text}`"),
                )
                .with_help(format!("rename it to `{}`", to_snake_case(text)))
                .with_fix(to_snake_case(text)),
            ),
            NameRole::Type if !text.starts_with(|c: char| c.is_ascii_uppercase()) || text.contains('_') => {
                self.naming.push(
                    Diagnostic::error(
                        Code::NameCase,
                        ident.span,
                        format!("type names are UpperCamelCase, found `{text}`"),
                    )
                    .with_help(format!("rename it to `{}`", to_camel_case(text)))
                    .with_fix(to_camel_case(text)),
                );
            }
            NameRole::Lower(_) | NameRole::Type | NameRole::Variant | NameRole::Any => {}
        }
        ident
    }

    fn ident_child(&mut self, children: &mut Children<'_>, role: NameRole) -> Lowered<Ident> {
        let pair = children.expect(Rule::ident)?;
        Ok(self.ident(pair, role))
    }

    fn declaration(&mut self, pair: Pair<'_, Rule>) -> Lowered<Decl> {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        let mut c = Children::of(pair);
        let kind = match rule {
            Rule::ruleset_decl => {
                c.expect(Rule::kw_ruleset)?;
                let name = self.ident_child(&mut c, NameRole::Lower("ruleset"))?;
                let title = c.optional(Rule::string).map(string_lit);
                DeclKind::Ruleset(RulesetDecl { name, title })
            }
            Rule::source_decl => {
                c.expect(Rule::kw_source)?;
                let name = self.ident_child(&mut c, NameRole::Lower("source"))?;
                let title = string_lit(c.expect(Rule::string)?);
                let mut year = None;
                let mut url = None;
                while let Ok(field) = c.next() {
                    let field_rule = field.as_rule();
                    let mut f = Children::of(field);
                    f.next()?;
                    let value = f.next()?;
                    match field_rule {
                        Rule::source_year => {
                            year = Some((value.as_str().parse().unwrap_or(u32::MAX), span_of(&value)));
                        }
                        _ => url = Some(string_lit(value)),
                    }
                }
                DeclKind::Source(SourceDecl { name, title, year, url })
            }
            Rule::enum_decl => {
                c.expect(Rule::kw_enum)?;
                let name = self.ident_child(&mut c, NameRole::Type)?;
                let mut variants = Vec::new();
                while let Ok(pair) = c.next() {
                    if pair.as_rule() == Rule::ident {
                        variants.push(self.ident(pair, NameRole::Variant));
                    }
                }
                DeclKind::Enum(EnumDecl { name, variants })
            }
            Rule::fact_decl => {
                c.expect(Rule::kw_fact)?;
                let name = self.ident_child(&mut c, NameRole::Lower("fact"))?;
                c.expect(Rule::colon)?;
                let ty = self.type_expr(c.expect(Rule::type_expr)?)?;
                DeclKind::Fact(FactDecl { name, ty })
            }
            Rule::let_decl => {
                c.expect(Rule::kw_let)?;
                let name = self.ident_child(&mut c, NameRole::Lower("let"))?;
                c.expect(Rule::equals)?;
                let value = self.expr(c.expect(Rule::expr)?, 1)?;
                DeclKind::Let(LetDecl { name, value })
            }
            Rule::action_decl => {
                c.expect(Rule::kw_action)?;
                let name = self.ident_child(&mut c, NameRole::Lower("action"))?;
                let mut params = Vec::new();
                while let Ok(pair) = c.next() {
                    if pair.as_rule() == Rule::param {
                        let mut p = Children::of(pair);
                        let name = self.ident_child(&mut p, NameRole::Lower("parameter"))?;
                        p.expect(Rule::colon)?;
                        let ty = self.type_expr(p.expect(Rule::type_expr)?)?;
                        params.push(Param { name, ty });
                    }
                }
                DeclKind::Action(ActionDecl { name, params })
            }
            Rule::rule_decl => {
                c.expect(Rule::kw_rule)?;
                let name = Some(self.ident_child(&mut c, NameRole::Lower("rule"))?);
                let title = c.optional(Rule::string).map(string_lit);
                let overrides = self.name_list(c.expect(Rule::overrides)?, NameRole::Any);
                c.expect(Rule::colon)?;
                self.rule_body(name, title, overrides, &mut c)?
            }
            Rule::short_rule => self.rule_body(None, None, Vec::new(), &mut c)?,
            Rule::assert_decl => self.assert_decl(&mut c)?,
            Rule::exclusive_decl => {
                c.expect(Rule::kw_exclusive)?;
                DeclKind::Exclusive(ExclusiveDecl { action: self.ident_child(&mut c, NameRole::Any)? })
            }
            Rule::priority_decl => self.priority_decl(&mut c)?,
            Rule::test_decl => self.test_decl(&mut c)?,
            Rule::baseline_decl => self.baseline_decl(&mut c)?,
            _ => return Err(internal(span)),
        };
        Ok(Decl { kind, span, allow: Vec::new() })
    }

    fn rule_body(
        &mut self,
        name: Option<Ident>,
        title: Option<StringLit>,
        overrides: Vec<Ident>,
        c: &mut Children<'_>,
    ) -> Lowered<DeclKind> {
        let condition = self.expr(c.expect(Rule::expr)?, 1)?;
        let arrow = span_of(&c.expect(Rule::arrow)?);
        let mut actions = Vec::new();
        for pair in c.expect(Rule::actions)?.into_inner() {
            if pair.as_rule() == Rule::action_call {
                actions.push(self.action_call(pair)?);
            }
        }
        let cites = self.name_list(c.expect(Rule::cites)?, NameRole::Any);
        Ok(DeclKind::Rule(RuleDecl { name, title, overrides, condition, arrow, actions, cites }))
    }

    /// `test "title" { given .. expect .. }`.
    fn test_decl(&mut self, c: &mut Children<'_>) -> Lowered<DeclKind> {
        c.expect(Rule::kw_test)?;
        let title = string_lit(c.expect(Rule::string)?);
        let (mut givens, mut baselines, mut expects) = (Vec::new(), Vec::new(), Vec::new());
        while let Ok(pair) = c.next() {
            match pair.as_rule() {
                Rule::given_stmt => self.given_stmt(pair, &mut givens, &mut baselines)?,
                Rule::expect_stmt => expects.push(self.expect_stmt(pair)?),
                _ => {}
            }
        }
        Ok(DeclKind::Test(TestDecl { title, givens, baselines, expects }))
    }

    /// `baseline name { given .. }`.
    fn baseline_decl(&mut self, c: &mut Children<'_>) -> Lowered<DeclKind> {
        c.expect(Rule::kw_baseline)?;
        let name = self.ident_child(c, NameRole::Lower("baseline"))?;
        let (mut givens, mut baselines) = (Vec::new(), Vec::new());
        while let Ok(pair) = c.next() {
            if pair.as_rule() == Rule::given_stmt {
                self.given_stmt(pair, &mut givens, &mut baselines)?;
            }
        }
        Ok(DeclKind::Baseline(BaselineDecl { name, givens, baselines }))
    }

    /// `given fact = value, baseline, ..`: assignments to `givens`,
    /// included baselines to `baselines`.
    fn given_stmt(&mut self, pair: Pair<'_, Rule>, givens: &mut Vec<Given>, baselines: &mut Vec<Ident>) -> Lowered<()> {
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::assignment => {
                    let mut a = Children::of(item);
                    let fact = self.ident_child(&mut a, NameRole::Any)?;
                    a.expect(Rule::equals)?;
                    let value = self.expr(a.expect(Rule::expr)?, 1)?;
                    givens.push(Given { fact, value });
                }
                Rule::baseline_use => {
                    let mut b = Children::of(item);
                    baselines.push(self.ident_child(&mut b, NameRole::Any)?);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// One `expect` statement, in any of its forms.
    fn expect_stmt(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expect> {
        let span = span_of(&pair);
        let mut e = Children::of(pair);
        e.expect(Rule::kw_expect)?;
        let not = e.optional(Rule::not_op).map(|pair| span_of(&pair));
        let form = e.next()?;
        let rule = form.as_rule();
        let mut f = Children::of(form);
        let kind = match rule {
            Rule::expect_action => ExpectKind::Action(self.action_call(f.expect(Rule::action_call)?)?),
            Rule::expect_from => {
                let action = self.action_call(f.expect(Rule::action_call)?)?;
                f.expect(Rule::kw_from)?;
                ExpectKind::From { action, rule: self.ident_child(&mut f, NameRole::Any)? }
            }
            Rule::expect_fires => {
                let rule = self.ident_child(&mut f, NameRole::Any)?;
                f.expect(Rule::kw_fires)?;
                ExpectKind::Fires(rule)
            }
            Rule::expect_examine => {
                f.expect(Rule::kw_examine)?;
                ExpectKind::Examine(self.ident_child(&mut f, NameRole::Any)?)
            }
            Rule::expect_undetermined => {
                f.expect(Rule::kw_undetermined)?;
                ExpectKind::Undetermined(self.ident_child(&mut f, NameRole::Any)?)
            }
            Rule::expect_nothing => {
                if let Some(not) = not {
                    return Err(Box::new(
                        Diagnostic::error(Code::Syntax, not, "`expect nothing` cannot be negated")
                            .with_label("`not` before `nothing`")
                            .with_help("to require that some action stands, expect it by name: `expect ACTION`"),
                    ));
                }
                ExpectKind::Nothing
            }
            _ => return Err(internal(span)),
        };
        Ok(Expect { negated: not.is_some(), kind, span })
    }

    /// `assert [name ["Title"]:] when -> then [cite ..]`.
    fn assert_decl(&mut self, c: &mut Children<'_>) -> Lowered<DeclKind> {
        c.expect(Rule::kw_assert)?;
        let (name, title) = match c.optional(Rule::assert_header) {
            Some(header) => {
                let mut h = Children::of(header);
                let name = self.ident_child(&mut h, NameRole::Lower("assert"))?;
                let title = h.optional(Rule::string).map(string_lit);
                h.expect(Rule::colon)?;
                (Some(name), title)
            }
            None => (None, None),
        };
        let when = self.expr(c.expect(Rule::expr)?, 1)?;
        let arrow = span_of(&c.expect(Rule::arrow)?);
        let then = self.expr(c.expect(Rule::expr)?, 1)?;
        let cites = self.name_list(c.expect(Rule::cites)?, NameRole::Any);
        Ok(DeclKind::Assert(AssertDecl { name, title, when, arrow, then, cites }))
    }

    /// The identifiers of an `overrides` or `cite` clause.
    fn name_list(&mut self, pair: Pair<'_, Rule>, role: NameRole) -> Vec<Ident> {
        pair.into_inner().filter(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p, role)).collect()
    }

    /// `priority A > B > ..`: the keyword, then the actions between the
    /// `>` separators.
    fn priority_decl(&mut self, c: &mut Children<'_>) -> Lowered<DeclKind> {
        let keyword = span_of(&c.expect(Rule::kw_priority)?);
        let mut actions = Vec::new();
        while let Ok(pair) = c.next() {
            if pair.as_rule() == Rule::ident {
                actions.push(self.ident(pair, NameRole::Any));
            }
        }
        Ok(DeclKind::Priority(PriorityDecl { keyword, actions }))
    }

    fn action_call(&mut self, pair: Pair<'_, Rule>) -> Lowered<ActionCall> {
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let name = self.ident_child(&mut c, NameRole::Any)?;
        let args = if c.optional(Rule::lparen).is_some() {
            let mut args = Vec::new();
            while let Ok(pair) = c.next() {
                if matches!(pair.as_rule(), Rule::expr | Rule::named_arg) {
                    args.push(self.argument(pair, 1)?);
                }
            }
            Some(args)
        } else {
            None
        };
        Ok(ActionCall { name, args, span })
    }

    fn type_expr(&mut self, pair: Pair<'_, Rule>) -> Lowered<TypeExpr> {
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let inner = c.next()?;
        let kind = match inner.as_rule() {
            Rule::bool_type => TypeExprKind::Bool,
            Rule::duration_type => TypeExprKind::Duration,
            Rule::string_type => TypeExprKind::String,
            Rule::number_type => {
                let mut n = Children::of(inner);
                n.expect(Rule::kw_number)?;
                match n.optional(Rule::unit) {
                    Some(unit) => TypeExprKind::Quantity(Unit::parse(unit.as_str()).ok_or_else(|| internal(span))?),
                    None => TypeExprKind::Number,
                }
            }
            Rule::named_type => {
                let mut n = Children::of(inner);
                TypeExprKind::Named(self.ident_child(&mut n, NameRole::Type)?)
            }
            _ => return Err(internal(span)),
        };
        Ok(TypeExpr { kind, span })
    }

    /// Lowers an expression whose node stands `depth` levels deep (1 for a
    /// whole condition; see [`MAX_NESTING`]). Wrapper rules with a single
    /// child (an `or_expr` holding one `and_expr`, ...) are skipped in a
    /// loop, so the recursion is one call per level of the tree, and each
    /// construct is lowered by its own small function: the stack stays
    /// small even in a debug build.
    fn expr(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        let pair = skip_wrappers(pair);
        match pair.as_rule() {
            Rule::or_expr => self.logic(pair, LogicOp::Or, depth),
            Rule::and_expr => self.logic(pair, LogicOp::And, depth),
            Rule::sum | Rule::product => self.arithmetic(pair, depth),
            Rule::cmp_expr => self.comparison(pair, depth),
            Rule::prefix => self.prefix(pair, depth),
            Rule::paren => self.paren(pair, depth),
            Rule::call => self.call(pair, depth),
            _ => self.leaf(pair),
        }
    }

    /// `a and b and c` (or `or`): one node, its operands one level down.
    fn logic(&mut self, pair: Pair<'_, Rule>, op: LogicOp, depth: u32) -> Lowered<Expr> {
        let whole = span_of(&pair);
        if depth > MAX_NESTING {
            let first_op = pair.into_inner().nth(1);
            return Err(too_deep(first_op.as_ref().map_or(whole, span_of)));
        }
        let mut operands = Vec::new();
        let mut op_spans = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::or_op | Rule::and_op => op_spans.push(span_of(&child)),
                _ => operands.push(self.expr(child, depth + 1)?),
            }
        }
        if operands.len() < 2 || op_spans.len() + 1 != operands.len() {
            return Err(internal(whole));
        }
        let span = operands[0].span.cover(operands[operands.len() - 1].span);
        Ok(Expr { kind: ExprKind::Logic { op, operands, op_spans }, span })
    }

    /// `a + b - c` (or `*`, `/`), folded to the left: with `m` operators
    /// the first one stands `m - 1` levels below the chain's root.
    fn arithmetic(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        let whole = span_of(&pair);
        let children: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
        let operators = (children.len().saturating_sub(1) / 2) as u32;
        // The deepest node (the first operator's) stands at
        // `depth + operators - 1`.
        let allowed = (MAX_NESTING + 1).saturating_sub(depth);
        if operators > allowed {
            let at = children.get(2 * allowed as usize + 1).map_or(whole, span_of);
            return Err(too_deep(at));
        }
        let mut children = children.into_iter();
        let first = children.next().ok_or_else(|| internal(whole))?;
        let mut lhs = self.expr(first, depth + operators)?;
        let mut index = 1;
        while let Some(op_pair) = children.next() {
            let op_span = span_of(&op_pair);
            let op = match (op_pair.as_rule(), op_pair.as_str()) {
                (Rule::add_op, "+") => BinaryOp::Add,
                (Rule::add_op, _) => BinaryOp::Sub,
                (Rule::mul_op, "*") => BinaryOp::Mul,
                (Rule::mul_op, _) => BinaryOp::Div,
                _ => return Err(internal(op_span)),
            };
            let rhs_pair = children.next().ok_or_else(|| internal(op_span))?;
            // The right operand of operator `index` (from 1).
            let rhs = self.expr(rhs_pair, depth + operators - index + 1)?;
            let span = lhs.span.cover(rhs.span);
            lhs = Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
            index += 1;
        }
        Ok(lhs)
    }

    /// `a == b` and its kin, or `a in {x, y}`.
    fn comparison(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let lhs_pair = c.next()?;
        let op_pair = c.next()?;
        let op_span = span_of(&op_pair);
        if depth > MAX_NESTING {
            return Err(too_deep(op_span));
        }
        let lhs = self.expr(lhs_pair, depth + 1)?;
        match op_pair.as_rule() {
            Rule::cmp_op => {
                let op = match op_pair.as_str() {
                    "==" => BinaryOp::Eq,
                    "!=" => BinaryOp::Ne,
                    "<" => BinaryOp::Lt,
                    "<=" => BinaryOp::Le,
                    ">" => BinaryOp::Gt,
                    ">=" => BinaryOp::Ge,
                    _ => return Err(internal(op_span)),
                };
                let rhs = self.expr(c.next()?, depth + 1)?;
                Ok(Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span })
            }
            Rule::in_op => {
                let set_pair = c.expect(Rule::set)?;
                let set_span = span_of(&set_pair);
                let mut set = Vec::new();
                for item in set_pair.into_inner().filter(|p| p.as_rule() == Rule::set_item) {
                    let mut i = Children::of(item);
                    set.push(self.leaf(i.next()?)?);
                }
                Ok(Expr { kind: ExprKind::In { operand: Box::new(lhs), set, set_span }, span })
            }
            _ => Err(internal(op_span)),
        }
    }

    /// A run of prefix `not` and `-`: each operator is one level.
    fn prefix(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        let mut ops = Vec::new();
        let mut c = Children::of(pair);
        while let Some(rule @ (Rule::not_op | Rule::neg_op)) = c.peek_rule() {
            let op_pair = c.next()?;
            ops.push((if rule == Rule::not_op { UnaryOp::Not } else { UnaryOp::Neg }, span_of(&op_pair)));
        }
        // Operator `j` (from 0) stands at `depth + j`.
        let allowed = (MAX_NESTING + 1).saturating_sub(depth) as usize;
        if ops.len() > allowed {
            return Err(too_deep(ops[allowed].1));
        }
        let mut operand = self.expr(c.next()?, depth + ops.len() as u32)?;
        for (op, op_span) in ops.into_iter().rev() {
            let span = op_span.cover(operand.span);
            operand = Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span };
        }
        Ok(operand)
    }

    fn paren(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let open = span_of(&c.expect(Rule::lparen)?);
        if depth > MAX_NESTING {
            return Err(too_deep(open));
        }
        let inner = self.expr(c.expect(Rule::expr)?, depth + 1)?;
        Ok(Expr { kind: ExprKind::Paren(Box::new(inner)), span })
    }

    fn call(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let callee = self.ident_child(&mut c, NameRole::Any)?;
        let open = span_of(&c.expect(Rule::lparen)?);
        if depth > MAX_NESTING {
            return Err(too_deep(open));
        }
        let mut args = Vec::new();
        while let Ok(pair) = c.next() {
            if matches!(pair.as_rule(), Rule::expr | Rule::named_arg) {
                args.push(self.argument(pair, depth + 1)?);
            }
        }
        Ok(Expr { kind: ExprKind::Call { callee, args }, span })
    }

    /// An argument of a call: an expression, or `name: expression`.
    fn argument(&mut self, pair: Pair<'_, Rule>, depth: u32) -> Lowered<Expr> {
        if pair.as_rule() != Rule::named_arg {
            return self.expr(pair, depth);
        }
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let name = self.ident_child(&mut c, NameRole::Any)?;
        c.expect(Rule::colon)?;
        let value = self.expr(c.expect(Rule::expr)?, depth)?;
        Ok(Expr { kind: ExprKind::Named { name, value: Box::new(value) }, span })
    }

    /// Literals and names: no nesting.
    fn leaf(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::boolean => Ok(Expr { kind: ExprKind::Bool(pair.as_str() == "true"), span }),
            Rule::number => Ok(Expr { kind: ExprKind::Number(NumberLit(pair.as_str().to_owned())), span }),
            Rule::string => Ok(Expr { kind: ExprKind::String(string_lit(pair).value), span }),
            Rule::quantity => {
                let mut c = Children::of(pair);
                let number = NumberLit(c.expect(Rule::number)?.as_str().to_owned());
                let unit = Unit::parse(c.expect(Rule::unit)?.as_str()).ok_or_else(|| internal(span))?;
                Ok(Expr { kind: ExprKind::Quantity(number, unit), span })
            }
            Rule::duration => {
                let mut c = Children::of(pair);
                let number = NumberLit(c.expect(Rule::number)?.as_str().to_owned());
                let unit = TimeUnit::parse(c.expect(Rule::duration_unit)?.as_str()).ok_or_else(|| internal(span))?;
                Ok(Expr { kind: ExprKind::Duration(number, unit), span })
            }
            Rule::name_ref => {
                let mut c = Children::of(pair);
                Ok(Expr { kind: ExprKind::Name(self.ident_child(&mut c, NameRole::Any)?), span })
            }
            Rule::qualified => {
                let mut c = Children::of(pair);
                let ty = self.ident_child(&mut c, NameRole::Type)?;
                c.expect(Rule::dot)?;
                let variant = self.ident_child(&mut c, NameRole::Variant)?;
                Ok(Expr { kind: ExprKind::Qualified { ty, variant }, span })
            }
            _ => Err(internal(span)),
        }
    }
}

/// The innermost of a stack of wrapper rules that each hold one child.
fn skip_wrappers(mut pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    loop {
        let wrapper = matches!(
            pair.as_rule(),
            Rule::expr | Rule::or_expr | Rule::and_expr | Rule::cmp_expr | Rule::sum | Rule::product | Rule::prefix
        );
        if !wrapper {
            return pair;
        }
        let mut inner = pair.clone().into_inner();
        match (inner.next(), inner.next()) {
            (Some(only), None) => pair = only,
            _ => return pair,
        }
    }
}

/// `osler::too_deep`, at the construct that opens level `MAX_NESTING + 1`.
pub(crate) fn too_deep(span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(Code::TooDeep, span, format!("this expression nests more than {MAX_NESTING} levels deep"))
            .with_label(format!("level {} starts here", MAX_NESTING + 1))
            .with_help("name part of the condition with a `let` and use that name here"),
    )
}

fn string_lit(pair: Pair<'_, Rule>) -> StringLit {
    let span = span_of(&pair);
    let raw = pair.as_str();
    let inner = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(raw);
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(character) = chars.next() {
        if character == '\\' {
            if let Some(escaped) = chars.next() {
                value.push(escaped);
            }
        } else {
            value.push(character);
        }
    }
    StringLit { value, span }
}

pub(crate) fn to_snake_case(text: &str) -> String {
    let mut out = String::new();
    for (index, character) in text.chars().enumerate() {
        if character.is_ascii_uppercase() {
            if index > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(character.to_ascii_lowercase());
        } else {
            out.push(character);
        }
    }
    out
}

fn to_camel_case(text: &str) -> String {
    text.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}
