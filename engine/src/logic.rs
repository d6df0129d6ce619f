//! Values of the interpreter and Kleene's three-valued logic: [`Truth`],
//! the interval numbers `count` needs, and the comparisons and arithmetic
//! on them. Shared by the interpreter, the circuit and the orchestrator, so
//! it imports none of them.

use osler_dsl::decimal;
use osler_dsl::model::{ArithOp, CompareOp};

/// A truth value of Kleene's three-valued logic.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub enum Truth {
    /// Known false.
    False,
    /// Known true.
    True,
    /// Not known: a fact it depends on is unknown.
    #[default]
    Unknown,
}

impl Truth {
    pub(crate) fn from_bool(value: bool) -> Truth {
        if value { Truth::True } else { Truth::False }
    }

    pub(crate) fn not(self) -> Truth {
        match self {
            Truth::False => Truth::True,
            Truth::True => Truth::False,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// A string value: a program constant or a record's own text.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Text {
    Constant(u32),
    Record(u32),
}

/// A computed value. Numbers are closed intervals so that `count` over
/// unknown arguments keeps what is certain: `count(true, true, unknown)` is
/// between 2 and 3, so `count(..) >= 2` is true. Every other number is a
/// point (`low == high`).
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub(crate) enum Val {
    #[default]
    Unknown,
    Bool(bool),
    Num(f64, f64),
    Enum(u32),
    Text(Text),
}

pub(crate) fn truth_val(truth: Truth) -> Val {
    match truth {
        Truth::False => Val::Bool(false),
        Truth::True => Val::Bool(true),
        Truth::Unknown => Val::Unknown,
    }
}

pub(crate) fn compare_points(op: CompareOp, a: f64, b: f64) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    }
}

/// Compares two intervals: true when the comparison holds for every pair of
/// values in them, false when it holds for none, unknown otherwise.
pub(crate) fn compare_intervals(op: CompareOp, (a_low, a_high): (f64, f64), (b_low, b_high): (f64, f64)) -> Truth {
    let decided = |always: bool, never: bool| {
        if always {
            Truth::True
        } else if never {
            Truth::False
        } else {
            Truth::Unknown
        }
    };
    match op {
        CompareOp::Lt => decided(a_high < b_low, a_low >= b_high),
        CompareOp::Le => decided(a_high <= b_low, a_low > b_high),
        CompareOp::Gt => decided(a_low > b_high, a_high <= b_low),
        CompareOp::Ge => decided(a_low >= b_high, a_high < b_low),
        CompareOp::Eq => {
            decided(a_low == a_high && b_low == b_high && a_low == b_low, a_high < b_low || b_high < a_low)
        }
        CompareOp::Ne => {
            decided(a_high < b_low || b_high < a_low, a_low == a_high && b_low == b_high && a_low == b_low)
        }
    }
}

/// Interval arithmetic on decimals (`osler_dsl::decimal`: exact, then
/// rounded to 15 significant digits). Division by an interval that
/// contains zero, and a result beyond the doubles, is unknown.
pub(crate) fn arith(op: ArithOp, (a_low, a_high): (f64, f64), (b_low, b_high): (f64, f64)) -> Val {
    let (low, high) = match op {
        ArithOp::Add => (decimal::add(a_low, b_low), decimal::add(a_high, b_high)),
        ArithOp::Sub => (decimal::sub(a_low, b_high), decimal::sub(a_high, b_low)),
        ArithOp::Mul => min_max([
            decimal::mul(a_low, b_low),
            decimal::mul(a_low, b_high),
            decimal::mul(a_high, b_low),
            decimal::mul(a_high, b_high),
        ]),
        ArithOp::Div => {
            if b_low <= 0.0 && b_high >= 0.0 {
                return Val::Unknown;
            }
            let quotient = |a, b| decimal::div(a, b).unwrap_or(f64::NAN);
            min_max([
                quotient(a_low, b_low),
                quotient(a_low, b_high),
                quotient(a_high, b_low),
                quotient(a_high, b_high),
            ])
        }
    };
    if low.is_finite() && high.is_finite() { Val::Num(low, high) } else { Val::Unknown }
}

fn min_max(values: [f64; 4]) -> (f64, f64) {
    if values.iter().any(|v| v.is_nan()) {
        return (f64::NAN, f64::NAN);
    }
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), &v| (low.min(v), high.max(v)))
}
