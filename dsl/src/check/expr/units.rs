//! Quantities in two units of one dimension, brought to one unit.

use super::{ExprChecker, RExpr, RValue, constant_value, is_constant};
use crate::model::ArithOp;
use crate::types::Ty;
use crate::units::Unit;

/// `resolved`, a quantity in `from`, as a quantity in `to` (the same
/// dimension): a constant is converted now, anything else is multiplied
/// and divided by the exact ratio when the record is evaluated.
fn converted(resolved: RExpr, from: Unit, to: Unit) -> RExpr {
    if let Some(RValue::Quantity(n, _)) = constant_value(&resolved)
        && let Some(x) = from.convert(n, to)
    {
        return RExpr::Const(RValue::Quantity(x, to));
    }
    let Some((p, q)) = from.ratio_to(to) else { return resolved };
    let scale =
        |op, inner, by: u64| RExpr::Arith(op, Box::new(inner), Box::new(RExpr::Const(RValue::Number(by as f64))));
    let multiplied = if p == 1 { resolved } else { scale(ArithOp::Mul, resolved, p) };
    if q == 1 { multiplied } else { scale(ArithOp::Div, multiplied, q) }
}

impl ExprChecker<'_> {
    /// Two operands, quantities of one dimension in two units, in one
    /// unit: a constant takes the other side's unit (so a fact is compared
    /// as it was read), else the right side takes the left's.
    pub(super) fn in_one_unit(&self, left: (Ty, RExpr), right: (Ty, RExpr)) -> ((Ty, RExpr), (Ty, RExpr)) {
        match (&left.0, &right.0) {
            (Ty::Quantity(a), Ty::Quantity(b)) if a != b && a.converts_to(*b) => {
                let (a, b) = (*a, *b);
                if is_constant(&left.1) && !is_constant(&right.1) {
                    ((right.0.clone(), converted(left.1, a, b)), right)
                } else {
                    let ty = left.0.clone();
                    (left, (ty, converted(right.1, b, a)))
                }
            }
            _ => (left, right),
        }
    }

    /// A value where one of type `expected` stands: a quantity in another
    /// unit of the same dimension, converted to the expected unit.
    pub(super) fn in_unit_of(&self, (ty, resolved): (Ty, RExpr), expected: &Ty) -> (Ty, RExpr) {
        match (&ty, expected) {
            (Ty::Quantity(from), Ty::Quantity(to)) if from != to && from.converts_to(*to) => {
                (expected.clone(), converted(resolved, *from, *to))
            }
            _ => (ty, resolved),
        }
    }
}
