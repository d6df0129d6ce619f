//! Expressions written back as text, for suggestions in help texts.

use crate::syntax::{BinaryOp, Expr, ExprKind, UnaryOp};

/// The terms of the `+` chain `lhs + rhs` (folded to the left), as written
/// (one pair of parentheses around a term dropped), or `None` when one
/// cannot be shown or the chain is too long to read as a suggestion.
pub(super) fn sum_terms(lhs: &Expr, rhs: &Expr) -> Option<Vec<String>> {
    let mut terms = vec![rhs];
    let mut left = lhs;
    while let ExprKind::Binary { op: BinaryOp::Add, lhs, rhs, .. } = &left.kind {
        terms.push(rhs);
        left = lhs;
    }
    terms.push(left);
    terms.reverse();
    let texts: Vec<String> = terms.into_iter().map(|term| render(unparenthesized(term))).collect::<Option<_>>()?;
    (texts.iter().map(String::len).sum::<usize>() <= 120).then_some(texts)
}

/// `expr` without one pair of parentheses around it.
pub(super) fn unparenthesized(expr: &Expr) -> &Expr {
    match &expr.kind {
        ExprKind::Paren(inner) => inner,
        _ => expr,
    }
}

/// An expression as written (canonical spacing), for a suggestion in a
/// help text; `None` for a string, whose escapes are not worth redoing
/// here.
pub(super) fn render(expr: &Expr) -> Option<String> {
    Some(match &expr.kind {
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.0.clone(),
        ExprKind::Quantity(n, unit) => format!("{} {unit}", n.0),
        ExprKind::Duration(n, unit) => format!("{}{unit}", n.0),
        ExprKind::String(_) => return None,
        ExprKind::Name(ident) => ident.text.clone(),
        ExprKind::Qualified { ty, variant } => format!("{}.{}", ty.text, variant.text),
        ExprKind::Call { callee, args } => {
            format!("{}({})", callee.text, args.iter().map(render).collect::<Option<Vec<_>>>()?.join(", "))
        }
        ExprKind::Unary { op: UnaryOp::Not, operand } => format!("not {}", render(operand)?),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => format!("-{}", render(operand)?),
        ExprKind::Logic { op, operands, .. } => {
            operands.iter().map(render).collect::<Option<Vec<_>>>()?.join(&format!(" {} ", op.as_str()))
        }
        ExprKind::Binary { op, lhs, rhs, .. } => format!("{} {} {}", render(lhs)?, op.as_str(), render(rhs)?),
        ExprKind::In { operand, set, .. } => {
            format!("{} in {{{}}}", render(operand)?, set.iter().map(render).collect::<Option<Vec<_>>>()?.join(", "))
        }
        ExprKind::Paren(inner) => format!("({})", render(inner)?),
        ExprKind::Named { name, value } => format!("{}: {}", name.text, render(value)?),
    })
}
