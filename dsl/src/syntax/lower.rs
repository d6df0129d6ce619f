//! Turns pest's pairs into the syntax tree. The grammar guarantees the
//! shapes read here; where a shape is not what was expected anyway, the
//! declaration is reported as an internal error instead of panicking.

// A syntax error is the cold path of a parse: returning the diagnostic by
// value keeps the code plain, and its size does not matter there.
#![expect(clippy::result_large_err, reason = "errors are rare and end the declaration's parse")]

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::errors::translate_error;
use super::{OslerParser, Rule};
use crate::diagnostic::Diagnostic;

type Lowered<T> = Result<T, Diagnostic>;

/// Parses one declaration's text. Returns the tree and naming warnings, or
/// the syntax error.
pub(crate) fn parse_declaration(source: &str) -> Result<(Decl, Vec<Diagnostic>), Diagnostic> {
    let mut pairs =
        OslerParser::parse(Rule::declaration_input, source).map_err(|error| translate_error(source, &error))?;
    let pair = pairs.next().ok_or_else(|| internal(Span::new(0, source.len())))?;
    let mut lowerer = Lowerer { naming: Vec::new() };
    let decl = lowerer.declaration(pair)?;
    Ok((decl, lowerer.naming))
}

fn internal(span: Span) -> Diagnostic {
    Diagnostic::error("osler::internal", span, "the parser could not build a tree for this declaration")
        .with_help("this is a bug in Osler; please report it with the declaration's text")
}

/// A pair's span without the blanks and comments pest leaves at its end.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let text = super::errors::strip_trailing_comments(pair.as_str());
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
                    "osler::name_case",
                    ident.span,
                    format!("{what} names are lower_snake_case, found `{text}`"),
                )
                .with_help(format!("rename it to `{}`", to_snake_case(text)))
                .with_fix(to_snake_case(text)),
            ),
            NameRole::Type if !text.starts_with(|c: char| c.is_ascii_uppercase()) || text.contains('_') => {
                self.naming.push(
                    Diagnostic::error(
                        "osler::name_case",
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
                let value = self.expr(c.expect(Rule::expr)?)?;
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
            Rule::test_decl => {
                c.expect(Rule::kw_test)?;
                let title = string_lit(c.expect(Rule::string)?);
                let mut givens = Vec::new();
                let mut expects = Vec::new();
                while let Ok(pair) = c.next() {
                    match pair.as_rule() {
                        Rule::given_stmt => {
                            for assignment in pair.into_inner().filter(|p| p.as_rule() == Rule::assignment) {
                                let mut a = Children::of(assignment);
                                let fact = self.ident_child(&mut a, NameRole::Any)?;
                                a.expect(Rule::equals)?;
                                let value = self.expr(a.expect(Rule::expr)?)?;
                                givens.push(Given { fact, value });
                            }
                        }
                        Rule::expect_stmt => {
                            let span = span_of(&pair);
                            let mut e = Children::of(pair);
                            e.expect(Rule::kw_expect)?;
                            let negated = e.optional(Rule::not_op).is_some();
                            let action = self.action_call(e.expect(Rule::action_call)?)?;
                            expects.push(Expect { negated, action, span });
                        }
                        _ => {}
                    }
                }
                DeclKind::Test(TestDecl { title, givens, expects })
            }
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
        let condition = self.expr(c.expect(Rule::expr)?)?;
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

    /// The identifiers of an `overrides` or `cite` clause.
    fn name_list(&mut self, pair: Pair<'_, Rule>, role: NameRole) -> Vec<Ident> {
        pair.into_inner().filter(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p, role)).collect()
    }

    fn action_call(&mut self, pair: Pair<'_, Rule>) -> Lowered<ActionCall> {
        let span = span_of(&pair);
        let mut c = Children::of(pair);
        let name = self.ident_child(&mut c, NameRole::Any)?;
        let args = if c.optional(Rule::lparen).is_some() {
            let mut args = Vec::new();
            while let Ok(pair) = c.next() {
                if pair.as_rule() == Rule::expr {
                    args.push(self.expr(pair)?);
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

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::expr => {
                let mut c = Children::of(pair);
                self.expr(c.next()?)
            }
            Rule::or_expr | Rule::and_expr | Rule::sum | Rule::product => self.binary_chain(pair),
            Rule::cmp_expr => {
                let mut c = Children::of(pair);
                let lhs = self.expr(c.next()?)?;
                match c.peek_rule() {
                    Some(Rule::cmp_op) => {
                        let op_pair = c.next()?;
                        let op_span = span_of(&op_pair);
                        let op = match op_pair.as_str() {
                            "==" => BinaryOp::Eq,
                            "!=" => BinaryOp::Ne,
                            "<" => BinaryOp::Lt,
                            "<=" => BinaryOp::Le,
                            ">" => BinaryOp::Gt,
                            ">=" => BinaryOp::Ge,
                            _ => return Err(internal(op_span)),
                        };
                        let rhs = self.expr(c.next()?)?;
                        Ok(Expr {
                            kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) },
                            span,
                        })
                    }
                    Some(Rule::in_op) => {
                        c.next()?;
                        let set_pair = c.expect(Rule::set)?;
                        let set_span = span_of(&set_pair);
                        let mut set = Vec::new();
                        for item in set_pair.into_inner().filter(|p| p.as_rule() == Rule::set_item) {
                            let mut i = Children::of(item);
                            set.push(self.expr(i.next()?)?);
                        }
                        Ok(Expr { kind: ExprKind::In { operand: Box::new(lhs), set, set_span }, span })
                    }
                    _ => Ok(lhs),
                }
            }
            Rule::prefix => {
                let mut ops = Vec::new();
                let mut c = Children::of(pair);
                while let Some(rule @ (Rule::not_op | Rule::neg_op)) = c.peek_rule() {
                    let op_pair = c.next()?;
                    ops.push((if rule == Rule::not_op { UnaryOp::Not } else { UnaryOp::Neg }, span_of(&op_pair)));
                }
                let mut operand = self.expr(c.next()?)?;
                for (op, op_span) in ops.into_iter().rev() {
                    let span = op_span.cover(operand.span);
                    operand = Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, span };
                }
                Ok(operand)
            }
            Rule::paren => {
                let mut c = Children::of(pair);
                c.expect(Rule::lparen)?;
                let inner = self.expr(c.expect(Rule::expr)?)?;
                Ok(Expr { kind: ExprKind::Paren(Box::new(inner)), span })
            }
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
            Rule::call => {
                let mut c = Children::of(pair);
                let callee = self.ident_child(&mut c, NameRole::Any)?;
                let mut args = Vec::new();
                while let Ok(pair) = c.next() {
                    if pair.as_rule() == Rule::expr {
                        args.push(self.expr(pair)?);
                    }
                }
                Ok(Expr { kind: ExprKind::Call { callee, args }, span })
            }
            _ => Err(internal(span)),
        }
    }

    /// `a op b op c`, left-associative.
    fn binary_chain(&mut self, pair: Pair<'_, Rule>) -> Lowered<Expr> {
        let mut c = Children::of(pair);
        let mut lhs = self.expr(c.next()?)?;
        while let Ok(op_pair) = c.next() {
            let op_span = span_of(&op_pair);
            let op = match (op_pair.as_rule(), op_pair.as_str()) {
                (Rule::or_op, _) => BinaryOp::Or,
                (Rule::and_op, _) => BinaryOp::And,
                (Rule::add_op, "+") => BinaryOp::Add,
                (Rule::add_op, _) => BinaryOp::Sub,
                (Rule::mul_op, "*") => BinaryOp::Mul,
                (Rule::mul_op, _) => BinaryOp::Div,
                _ => return Err(internal(op_span)),
            };
            let rhs = self.expr(c.next()?)?;
            let span = lhs.span.cover(rhs.span);
            lhs = Expr { kind: ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        }
        Ok(lhs)
    }
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
