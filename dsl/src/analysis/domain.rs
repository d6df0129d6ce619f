//! The finite domain of one fact within one query. A fact that a query's
//! formulas compare only with constants takes finitely many distinguishable
//! values: its line is cut at every constant it is compared with, giving
//! points and open intervals between them (regions), and every value in
//! one region compares alike with every constant. Bools and enums are
//! finite already; a string is one of its constants or "another string".
//! Every fact may also be unknown. Each region has one representative
//! value, chosen to read well in an example record (`73h` above `72h`,
//! `0` below `0.9`), in a fixed order so examples are canonical.

use crate::diagnostic::ExampleValue;
use crate::model::{Model, Type, Value, format_duration, format_number};

/// What a fact can be, region by region (unknown is not a region).
#[derive(Clone, PartialEq, Debug)]
pub(crate) enum Domain {
    /// `true`, then `false`.
    Bool,
    /// The variants, in declaration order.
    Enum {
        /// The enum.
        index: u32,
        /// How many variants it has.
        variants: u32,
    },
    /// A number, quantity or duration: the sorted distinct constants it is
    /// compared with. Regions: below the first, the first, between the
    /// first and the second, .., above the last (`2n + 1`).
    Numeric {
        /// The fact's type (its unit, or duration).
        ty: Type,
        /// Sorted, distinct, finite.
        cuts: Vec<f64>,
    },
    /// A string: each constant it is compared with (in first-seen order),
    /// then one more region for every other string.
    Text {
        /// The constants.
        constants: Vec<String>,
    },
}

impl Domain {
    /// The domain of a fact of type `ty` with no constants yet.
    pub(crate) fn of_type(ty: Type, model: &Model) -> Domain {
        match ty {
            Type::Bool => Domain::Bool,
            Type::Enum(index) => Domain::Enum {
                index,
                variants: model.enums.get(index as usize).map_or(0, |info| info.variants.len() as u32),
            },
            Type::Number | Type::Quantity(_) | Type::Duration => Domain::Numeric { ty, cuts: Vec::new() },
            Type::String => Domain::Text { constants: Vec::new() },
        }
    }

    /// Records that the fact is compared with `value` (ignored when the
    /// value does not belong to the domain).
    pub(crate) fn add_constant(&mut self, value: &Value) {
        match (self, value) {
            (Domain::Numeric { cuts, .. }, Value::Number(n) | Value::Quantity(n, _) | Value::Duration(n))
                if n.is_finite() =>
            {
                if let Err(at) = cuts.binary_search_by(|cut| cut.total_cmp(n)) {
                    cuts.insert(at, *n);
                }
            }
            (Domain::Text { constants }, Value::String(s)) if !constants.contains(s) => constants.push(s.clone()),
            _ => {}
        }
    }

    /// How many regions the domain has.
    pub(crate) fn regions(&self) -> usize {
        match self {
            Domain::Bool => 2,
            Domain::Enum { variants, .. } => *variants as usize,
            Domain::Numeric { cuts, .. } => 2 * cuts.len() + 1,
            Domain::Text { constants } => constants.len() + 1,
        }
    }

    /// Whether a record can give region `region` at all: a duration is
    /// never negative (records cannot say `-1h`).
    pub(crate) fn possible(&self, region: usize) -> bool {
        match self {
            Domain::Numeric { ty: Type::Duration, .. } => self.number(region).is_some_and(|n| n >= 0.0),
            _ => true,
        }
    }

    /// The representative number of a numeric region.
    pub(crate) fn number(&self, region: usize) -> Option<f64> {
        let Domain::Numeric { ty, cuts } = self else { return None };
        let duration = *ty == Type::Duration;
        if cuts.is_empty() {
            return Some(0.0);
        }
        let point = region / 2;
        if region % 2 == 1 {
            return cuts.get(point).copied();
        }
        let below = point.checked_sub(1).and_then(|i| cuts.get(i)).copied();
        let above = cuts.get(point).copied();
        Some(match (below, above) {
            (None, Some(high)) => {
                if high > 0.0 {
                    0.0
                } else {
                    step_down(high, duration)
                }
            }
            (Some(low), None) => step_up(low, f64::INFINITY, duration),
            (Some(low), Some(high)) => step_up(low, high, duration),
            (None, None) => 0.0,
        })
    }

    /// The model value of a region (what the engine is given on replay).
    pub(crate) fn value(&self, region: usize) -> Option<Value> {
        Some(match self {
            Domain::Bool => Value::Bool(region == 0),
            Domain::Enum { index, variants } => {
                if region as u32 >= *variants {
                    return None;
                }
                Value::Variant(*index, region as u32)
            }
            Domain::Numeric { ty, .. } => {
                let n = self.number(region)?;
                match ty {
                    Type::Quantity(unit) => Value::Quantity(n, *unit),
                    Type::Duration => Value::Duration(n),
                    _ => Value::Number(n),
                }
            }
            Domain::Text { constants } => match constants.get(region) {
                Some(constant) => Value::String(constant.clone()),
                None => Value::String(other_string(constants)),
            },
        })
    }

    /// How the value in region `region` of a finite domain (bool, enum,
    /// string) compares with `constant`: `Equal` or not (`Less`). Numeric
    /// regions are compared through the `at_least` ladder instead.
    pub(crate) fn compare_region(&self, region: usize, constant: &Value) -> Option<std::cmp::Ordering> {
        match (self, constant) {
            (Domain::Text { constants }, Value::String(s)) => {
                let equal = constants.get(region).is_some_and(|constant| constant == s);
                Some(if equal { std::cmp::Ordering::Equal } else { std::cmp::Ordering::Less })
            }
            (Domain::Enum { .. }, Value::Variant(_, variant)) => {
                Some(if region as u32 == *variant { std::cmp::Ordering::Equal } else { std::cmp::Ordering::Less })
            }
            (Domain::Bool, Value::Bool(b)) => {
                Some(if (region == 0) == *b { std::cmp::Ordering::Equal } else { std::cmp::Ordering::Less })
            }
            _ => None,
        }
    }
}

/// A model value as a record gives it (JSON): durations as strings such as
/// `"73h"`, quantities as their number, variants by name.
pub fn example_value(value: &Value, model: &Model) -> ExampleValue {
    match value {
        Value::Bool(b) => ExampleValue::Bool(*b),
        Value::Number(n) | Value::Quantity(n, _) => ExampleValue::Number(format_number(*n)),
        Value::Duration(seconds) => ExampleValue::Text(format_duration(*seconds)),
        Value::String(s) => ExampleValue::Text(s.clone()),
        Value::Variant(..) => ExampleValue::Text(model.render_value(value)),
    }
}

/// A string that is none of `constants`: `other`, `other_2`, ..
fn other_string(constants: &[String]) -> String {
    let mut candidate = "other".to_owned();
    let mut n = 2;
    while constants.contains(&candidate) {
        candidate = format!("other_{n}");
        n += 1;
    }
    candidate
}

/// The readable value just above `low` and below `high`: `low` rounded
/// down to a step, plus one step, for the coarsest step that lands inside.
/// A number steps by powers of ten from 1 down (`0.9` gives `1`, `1`
/// below `1.05` gives `1.01`); a duration by the unit it is written in,
/// at most a day (`6h` gives `7h`, `72h` = `3d` gives `4d`, `6w` gives
/// `43d`), then finer units. The midpoint when no step fits.
fn step_up(low: f64, high: f64, duration: bool) -> f64 {
    let steps: Vec<f64> = if duration {
        let coarsest = if low == 0.0 { 86_400.0 } else { largest_unit(low).min(86_400.0) };
        [86_400.0, 3_600.0, 60.0, 1.0].into_iter().filter(|&step| step <= coarsest).collect()
    } else {
        (0..8).map(|k| 10f64.powi(-k)).collect()
    };
    for step in steps {
        let candidate = tidy((low / step).floor() * step + step);
        if candidate > low && candidate < high {
            return candidate;
        }
    }
    if high.is_finite() { low + (high - low) / 2.0 } else { low + 1.0 }
}

/// The readable value just below `high` (which is at most zero).
fn step_down(high: f64, duration: bool) -> f64 {
    let step = if duration { largest_unit(high.abs().max(1.0)) } else { 1.0 };
    tidy((high / step).ceil() * step - step)
}

/// The largest duration unit that divides `seconds` exactly.
fn largest_unit(seconds: f64) -> f64 {
    [604_800.0, 86_400.0, 3_600.0, 60.0].into_iter().find(|unit| (seconds / unit).fract() == 0.0).unwrap_or(1.0)
}

/// Rounds away binary noise (`0.30000000000000004` to `0.3`).
fn tidy(value: f64) -> f64 {
    let rounded = (value * 1e9).round() / 1e9;
    if rounded.is_finite() { rounded } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(ty: Type, cuts: &[f64]) -> Domain {
        let mut domain = Domain::Numeric { ty, cuts: Vec::new() };
        for &cut in cuts {
            domain.add_constant(&Value::Number(cut));
        }
        domain
    }

    #[test]
    fn representatives_lie_in_their_regions_and_read_well() {
        let abi = numeric(Type::Number, &[0.9, 1.4]);
        let values: Vec<f64> = (0..abi.regions()).filter_map(|r| abi.number(r)).collect();
        assert_eq!(values, [0.0, 0.9, 1.0, 1.4, 2.0]);
        let duration = numeric(Type::Duration, &[72.0 * 3600.0, 604_800.0]);
        let values: Vec<f64> = (0..duration.regions()).filter_map(|r| duration.number(r)).collect();
        assert_eq!(values, [0.0, 259_200.0, 345_600.0, 604_800.0, 691_200.0]);
        let hours = numeric(Type::Duration, &[6.0 * 3600.0]);
        assert_eq!(hours.number(2), Some(7.0 * 3600.0));
        let tight = numeric(Type::Number, &[1.0, 1.05]);
        assert_eq!(tight.number(2), Some(1.01));
        let negative = numeric(Type::Number, &[-3.0]);
        assert_eq!(negative.number(0), Some(-4.0));
        assert!(!numeric(Type::Duration, &[0.0]).possible(0));
    }

    #[test]
    fn every_region_compares_alike_with_every_cut() {
        let domain = numeric(Type::Number, &[0.0, 0.5, 0.51, 3.0, 100.0]);
        let Domain::Numeric { cuts, .. } = &domain else { unreachable!() };
        for region in 0..domain.regions() {
            let n = domain.number(region).unwrap();
            for (i, &cut) in cuts.iter().enumerate() {
                let expected = if region == 2 * i + 1 {
                    std::cmp::Ordering::Equal
                } else if region <= 2 * i {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                };
                assert_eq!(n.partial_cmp(&cut), Some(expected), "region {region} value {n} cut {cut}");
            }
        }
    }
}
