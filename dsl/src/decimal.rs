//! Osler's numbers: decimals of at most [`DIGITS`] significant digits.
//!
//! Every number the language handles (a literal, a record's value, the
//! result of arithmetic, an output) is a decimal `m × 10^e` with at most 15
//! significant digits. It is carried as the `f64` nearest to it: 15 digits
//! is what a double always gives back (two different decimals of 15 digits
//! are never the same double), so the carrier is exact, a comparison of two
//! numbers is a comparison of their doubles, and `{}` prints the decimal
//! itself. Arithmetic is done on the decimals, not on the doubles, so
//! `33.3 - 30.3` is `3` and `0.1 + 0.2` is `0.3`; a result that needs more
//! than 15 significant digits (a quotient such as `1 / 3`, a product of
//! long numbers) is rounded to 15, half to even. Readers round a record's
//! longer number to 15 digits the same way ([`canonical`]).

use std::cmp::Ordering;

/// Significant digits every number keeps.
pub const DIGITS: u32 = 15;

/// `10^DIGITS`: a mantissa is below it.
const LIMIT: i128 = 1_000_000_000_000_000;

/// `10^n` as exact doubles, for the fast conversions.
const F64_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// `10^n` in an `i128`, for `n` up to 38.
fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

/// A decimal `mantissa × 10^-scale` with `|mantissa| < 10^15` and no
/// trailing zero in the mantissa (zero is `0 × 10^0`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Decimal {
    mantissa: i64,
    scale: i32,
}

impl Decimal {
    /// The decimal a finite double carries: the 15-digit decimal nearest
    /// to it (for a double that came from such a decimal, that decimal).
    pub fn of(x: f64) -> Option<Decimal> {
        if !x.is_finite() {
            return None;
        }
        if x == 0.0 {
            return Some(Decimal { mantissa: 0, scale: 0 });
        }
        // The common case: a few fraction digits. `y / 10^k` divides two
        // exact doubles, so it is the double nearest `y × 10^-k`; when that
        // is `x`, the decimal `y × 10^-k` is the one `x` carries (no other
        // decimal of 15 digits has the same double).
        for (k, &power) in F64_POWERS.iter().enumerate().take(DIGITS as usize + 1) {
            let y = x * power;
            if y.abs() >= LIMIT as f64 {
                break;
            }
            if y.fract() == 0.0 && y / power == x {
                return Some(Decimal::normal(y as i128, k as i32));
            }
        }
        // Otherwise the correctly rounded 15 digits of the double.
        let text = format!("{:.*e}", DIGITS as usize - 1, x);
        Decimal::parse_rounded(&text)
    }

    /// A decimal from an exact mantissa and scale, trailing zeros removed;
    /// the mantissa must be below 10^15 in magnitude.
    fn normal(mut mantissa: i128, mut scale: i32) -> Decimal {
        debug_assert!(mantissa.abs() < LIMIT, "a mantissa of more than 15 digits");
        if mantissa == 0 {
            return Decimal { mantissa: 0, scale: 0 };
        }
        while mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        Decimal { mantissa: mantissa as i64, scale }
    }

    /// `mantissa × 10^-scale` of any size rounded to 15 significant
    /// digits, half to even; `inexact` says that the exact value lies
    /// strictly above `|mantissa|` (a division's remainder), so a tie is
    /// no tie.
    fn rounded(mantissa: i128, scale: i32, inexact: bool) -> Decimal {
        let negative = mantissa < 0;
        let mut magnitude = mantissa.unsigned_abs();
        let mut scale = scale;
        let mut dropped = 0u32;
        let count = digits(magnitude);
        if count > DIGITS {
            dropped = count - DIGITS;
        }
        if dropped > 0 {
            let divisor = 10u128.pow(dropped);
            let (quotient, remainder) = (magnitude / divisor, magnitude % divisor);
            let half = divisor / 2;
            let up = match remainder.cmp(&half) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => inexact || quotient % 2 == 1,
            };
            magnitude = quotient + u128::from(up);
            scale -= dropped as i32;
            if digits(magnitude) > DIGITS {
                magnitude /= 10;
                scale -= 1;
            }
        }
        let signed = magnitude as i128;
        Decimal::normal(if negative { -signed } else { signed }, scale)
    }

    /// Decimal text (`-12.5`, `3e-7`, `1.25E+3`) rounded to 15 significant
    /// digits.
    pub fn parse_rounded(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (number, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i32>().ok()?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        // The digits past the first significant one, as one integer: keep
        // sixteen (one more than is kept, for the rounding) and note
        // whether any digit dropped after them is not zero.
        let significant = whole.bytes().chain(fraction.bytes()).skip_while(|&b| b == b'0');
        let mut mantissa: i128 = 0;
        let mut dropped: i64 = 0;
        let mut inexact = false;
        for (index, byte) in significant.enumerate() {
            let digit = i128::from(byte - b'0');
            if index <= DIGITS as usize {
                mantissa = mantissa * 10 + digit;
            } else {
                dropped += 1;
                inexact |= digit != 0;
            }
        }
        let scale = fraction.len() as i64 - i64::from(exponent) - dropped;
        let scale = i32::try_from(scale).ok()?;
        let decimal = Decimal::rounded(if negative { -mantissa } else { mantissa }, scale, inexact);
        decimal.to_f64().is_finite().then_some(decimal)
    }

    /// The nearest double.
    pub fn to_f64(self) -> f64 {
        let m = self.mantissa as f64;
        match self.scale {
            0 => m,
            s @ 1..=22 => m / F64_POWERS[s as usize],
            s @ -22..=-1 => m * F64_POWERS[(-s) as usize],
            s => format!("{}e{}", self.mantissa, -s).parse().unwrap_or(f64::NAN),
        }
    }

    /// The mantissa with exactly 15 digits, and its scale (zero stays 0).
    fn widened(self) -> (i128, i32) {
        if self.mantissa == 0 {
            return (0, 0);
        }
        let short = DIGITS - digits(u128::from(self.mantissa.unsigned_abs()));
        (i128::from(self.mantissa) * pow10(short), self.scale + short as i32)
    }
}

/// The number of decimal digits of `n` (1 for zero).
fn digits(n: u128) -> u32 {
    n.checked_ilog10().map_or(1, |log| log + 1)
}

/// `x` rounded to 15 significant digits: what a record's number becomes.
/// Not finite stays as it is (the readers refuse it).
pub fn canonical(x: f64) -> f64 {
    Decimal::of(x).map_or(x, Decimal::to_f64)
}

/// Decimal text as a number (rounded to 15 significant digits), if it is
/// one and is finite.
pub fn parse(text: &str) -> Option<f64> {
    Decimal::parse_rounded(text).map(Decimal::to_f64)
}

/// The number of significant digits decimal text writes (`0.050` has 2,
/// `1200` has 2), for the check that a literal keeps all of them.
pub fn significant_digits(text: &str) -> u32 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0').trim_end_matches('0');
    trimmed.len() as u32
}

/// `a + b`, exactly, then rounded to 15 digits.
pub fn add(a: f64, b: f64) -> f64 {
    match (Decimal::of(a), Decimal::of(b)) {
        (Some(x), Some(y)) => sum(x, y).to_f64(),
        _ => a + b,
    }
}

/// `a - b`, exactly, then rounded to 15 digits.
pub fn sub(a: f64, b: f64) -> f64 {
    add(a, -b)
}

fn sum(x: Decimal, y: Decimal) -> Decimal {
    if x.mantissa == 0 {
        return y;
    }
    if y.mantissa == 0 {
        return x;
    }
    let (xm, xs) = x.widened();
    let (ym, ys) = y.widened();
    // Both mantissas have 15 digits, so the scales say the magnitudes. An
    // operand more than 20 decimal places below the other moves the exact
    // sum by less than a hundred-thousandth of the larger one's last digit:
    // rounding gives the larger one.
    let x_larger = xs <= ys;
    let (big, small, big_scale, small_scale) = if x_larger { (xm, ym, xs, ys) } else { (ym, xm, ys, xs) };
    let gap = (small_scale - big_scale) as u32;
    if gap > 20 {
        return if x_larger { x } else { y };
    }
    Decimal::rounded(big * pow10(gap) + small, small_scale, false)
}

/// `a × b`, exactly, then rounded to 15 digits.
pub fn mul(a: f64, b: f64) -> f64 {
    match (Decimal::of(a), Decimal::of(b)) {
        (Some(x), Some(y)) => {
            let mantissa = i128::from(x.mantissa) * i128::from(y.mantissa);
            Decimal::rounded(mantissa, x.scale + y.scale, false).to_f64()
        }
        _ => a * b,
    }
}

/// `a / b` rounded to 15 significant digits, half to even; `None` when
/// `b` is zero.
pub fn div(a: f64, b: f64) -> Option<f64> {
    let (x, y) = (Decimal::of(a)?, Decimal::of(b)?);
    if y.mantissa == 0 {
        return None;
    }
    if x.mantissa == 0 {
        return Some(0.0);
    }
    let (xm, xs) = x.widened();
    let (ym, ys) = y.widened();
    // 10^17 × a 15-digit mantissa over another: a quotient of 17 or 18
    // digits, enough to round to 15 with the remainder as the sticky bit.
    let numerator = xm * pow10(17);
    let (quotient, remainder) = (numerator / ym, numerator % ym);
    Some(Decimal::rounded(quotient, xs - ys + 17, remainder != 0).to_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_exact() {
        assert_eq!(sub(33.3, 30.3), 3.0);
        assert_eq!(sub(5.1, 2.1), 3.0);
        assert_eq!(add(0.1, 0.2), 0.3);
        assert_eq!(mul(1.1, 1.1), 1.21);
        assert_eq!(mul(3.0, 0.1), 0.3);
        assert_eq!(div(1.0, 3.0), Some(0.333333333333333));
        assert_eq!(div(2.0, 3.0), Some(0.666666666666667));
        assert_eq!(div(10.0, 4.0), Some(2.5));
        assert_eq!(div(1.0, 0.0), None);
    }

    #[test]
    fn rounding_is_half_to_even_at_fifteen_digits() {
        assert_eq!(parse("1.000000000000005"), Some(1.0));
        assert_eq!(parse("1.000000000000015"), Some(1.00000000000002));
        assert_eq!(parse("1.0000000000000051"), Some(1.00000000000001));
        assert_eq!(parse("0.30000000000000004"), Some(0.3));
        assert_eq!(canonical(0.1 + 0.2), 0.3);
        assert_eq!(parse("999999999999999.5"), Some(1e15));
        assert_eq!(parse("123456789012345678"), Some(123456789012346000.0));
    }

    #[test]
    fn text_forms() {
        assert_eq!(parse("-12.5"), Some(-12.5));
        assert_eq!(parse("3e-7"), Some(3e-7));
        assert_eq!(parse("1.25E+3"), Some(1250.0));
        assert_eq!(parse("0.000"), Some(0.0));
        assert_eq!(parse("abc"), None);
        assert_eq!(parse("1e400"), None);
        assert_eq!(significant_digits("0.050"), 1);
        assert_eq!(significant_digits("1200"), 2);
        assert_eq!(significant_digits("33.3"), 3);
    }

    #[test]
    fn far_apart_operands_round_to_the_larger() {
        assert_eq!(add(1e20, 1e-20), 1e20);
        assert_eq!(sub(1e20, 1e-20), 1e20);
        assert_eq!(add(1e-20, 1e20), 1e20);
        assert_eq!(add(1e15, 1.0), 1e15);
        assert_eq!(add(1e14, 1.0), 100000000000001.0);
    }
}
