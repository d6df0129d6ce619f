//! Numbers and units as a rule author relies on them: decimal arithmetic
//! is exact (and, where it cannot be, rounded to 15 significant digits, as
//! exact rational arithmetic rounded says), quantities convert within a
//! dimension (in rules, in tests' givens, in records) and never across.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use osler_dsl::decimal;
use osler_engine::Ruleset;
use proptest::prelude::*;

mod common;

use common::{outcome, ruleset};

fn fires(ruleset: &Ruleset, json: &str, rule: &str) -> bool {
    outcome(ruleset, json).fired.iter().any(|fired| fired == rule)
}

#[test]
fn a_difference_of_decimals_meets_its_threshold() {
    let rules = ruleset(
        "fact calf_symptomatic: number cm
fact calf_other: number cm
fact a: number
fact b: number
action swollen()
rule calf: calf_symptomatic - calf_other >= 3 cm -> swollen
rule plain: a - b >= 3 -> swollen
",
    );
    assert!(fires(&rules, r#"{"calf_symptomatic": 33.3, "calf_other": 30.3}"#, "calf"));
    assert!(fires(&rules, r#"{"calf_symptomatic": "33.3 cm", "calf_other": "30.3 cm"}"#, "calf"));
    assert!(!fires(&rules, r#"{"calf_symptomatic": 33.2, "calf_other": 30.3}"#, "calf"));
    assert!(fires(&rules, r#"{"a": 5.1, "b": 2.1}"#, "plain"));
    assert!(!fires(&rules, r#"{"a": 5.09, "b": 2.1}"#, "plain"));
}

#[test]
fn computed_values_are_output_as_decimals() {
    let rules = ruleset(
        "fact a: number
fact b: number
action report(value: number)
rule sum: a > 0 -> report(value: a + b)
",
    );
    let line = outcome(&rules, r#"{"a": 0.1, "b": 0.2}"#).to_json_line();
    assert!(line.contains(r#""args":[0.3]"#), "{line}");
    // A record's number longer than 15 significant digits is rounded to 15.
    let line = outcome(&rules, r#"{"a": 0.30000000000000004, "b": 0}"#).to_json_line();
    assert!(line.contains(r#""args":[0.3]"#), "{line}");
}

#[test]
fn a_longer_literal_is_an_error() {
    let error = Ruleset::from_sources(&[(
        "t.osl".to_owned(),
        "fact a: number\naction act()\nrule r: a > 0.1000000000000001 -> act\n".to_owned(),
    )])
    .expect_err("16 significant digits");
    assert!(error.to_string().contains("number_precision"), "{error}");
}

const UREA: &str = "
fact urea: number mmol/L
fact calf: number cm
fact systolic: number mmHg
fact respiratory_rate: number /min
action flag()
rule high_urea: urea > 7 mmol/L -> flag
rule wide_calf: calf >= 30 mm -> flag
rule low_pressure: systolic < 90 mm[Hg] -> flag
rule fast_breathing: respiratory_rate >= 30 /min -> flag
test \"givens convert too\" {
  given urea = 7500 umol/L, calf = 31 mm, systolic = 89 mmHg, respiratory_rate = 30 /min
  expect flag
}
";

#[test]
fn records_carry_ucum_units_and_convert_within_a_dimension() {
    let rules = ruleset(UREA);
    assert!(fires(&rules, r#"{"urea": "7.5 mmol/L"}"#, "high_urea"));
    assert!(fires(&rules, r#"{"urea": "7500.1 umol/L"}"#, "high_urea"));
    assert!(!fires(&rules, r#"{"urea": "7000 umol/L"}"#, "high_urea"));
    assert!(fires(&rules, r#"{"urea": "7.1 mmol_L"}"#, "high_urea"));
    assert!(!fires(&rules, r#"{"urea": 7}"#, "high_urea"));
    assert!(fires(&rules, r#"{"calf": 3}"#, "wide_calf"));
    assert!(fires(&rules, r#"{"calf": "30 mm"}"#, "wide_calf"));
    assert!(!fires(&rules, r#"{"calf": 2.9}"#, "wide_calf"));
    assert!(fires(&rules, r#"{"systolic": "89 mm[Hg]"}"#, "low_pressure"));
    assert!(!fires(&rules, r#"{"systolic": 90}"#, "low_pressure"));
    assert!(fires(&rules, r#"{"respiratory_rate": "30 /min"}"#, "fast_breathing"));
    assert!(!fires(&rules, r#"{"respiratory_rate": 29}"#, "fast_breathing"));
    let report = osler_engine::testing::run_tests(&rules);
    assert_eq!(report.passed(), 1, "{report:?}");
}

#[test]
fn a_record_in_another_dimension_is_an_error_that_says_so() {
    let rules = ruleset(UREA);
    let error = rules.read_json(r#"{"urea": "40 mg/dL"}"#).expect_err("mg/dL is not mmol/L");
    let message = error.to_string();
    assert!(message.contains("mmol/L") && message.contains("does not convert"), "{message}");
}

#[test]
fn quantities_of_two_units_combine_after_conversion() {
    let rules = ruleset(
        "fact a: number cm
fact b: number mm
action act()
rule r: a - b >= 1 cm -> act
rule ratio: a / b == 10 -> act
",
    );
    assert!(fires(&rules, r#"{"a": 3, "b": 20}"#, "r"));
    assert!(!fires(&rules, r#"{"a": 3, "b": 21}"#, "r"));
    assert!(fires(&rules, r#"{"a": 3, "b": 3}"#, "ratio"));
}

/// Decimal text as an exact rational.
fn rational(text: &str) -> BigRational {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().unwrap_or_default()),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: BigInt = format!("{whole}{fraction}").parse().unwrap_or_default();
    let scale = exponent - fraction.len() as i32;
    let ten = BigRational::from_integer(BigInt::from(10));
    let power =
        if scale >= 0 { num_traits::pow(ten, scale as usize) } else { num_traits::pow(ten, (-scale) as usize).recip() };
    BigRational::from_integer(digits) * power
}

/// `value` rounded to 15 significant digits, half to even.
fn round15(value: &BigRational) -> BigRational {
    if value.is_zero() {
        return value.clone();
    }
    let ten = BigRational::from_integer(BigInt::from(10));
    let low = num_traits::pow(ten.clone(), 14);
    let high = num_traits::pow(ten.clone(), 15);
    let mut magnitude = value.abs();
    let mut shift: i32 = 0;
    while magnitude < low {
        magnitude *= ten.clone();
        shift += 1;
    }
    while magnitude >= high {
        magnitude /= ten.clone();
        shift -= 1;
    }
    let floor = magnitude.floor();
    let fraction = &magnitude - &floor;
    let half = BigRational::new(BigInt::from(1), BigInt::from(2));
    let odd = (floor.to_integer() % BigInt::from(2)) == BigInt::from(1);
    let rounded =
        if fraction > half || (fraction == half && odd) { floor + BigRational::from_integer(1.into()) } else { floor };
    let scale =
        if shift >= 0 { num_traits::pow(ten, shift as usize) } else { num_traits::pow(ten, (-shift) as usize).recip() };
    let result = rounded / scale;
    if value.is_negative() { -result } else { result }
}

/// A literal below 100 with at most two decimals, as text and value.
fn literal() -> impl Strategy<Value = (String, BigRational)> {
    (0u32..=2)
        .prop_flat_map(|scale| {
            let bound = 100 * 10i32.pow(scale) - 1;
            (-bound..=bound, Just(scale))
        })
        .prop_map(|(mantissa, scale)| {
            let magnitude = mantissa.unsigned_abs();
            let text = match scale {
                0 => magnitude.to_string(),
                _ => {
                    let power = 10u32.pow(scale);
                    format!("{}.{:0width$}", magnitude / power, magnitude % power, width = scale as usize)
                }
            };
            let text = if mantissa < 0 { format!("(-{text})") } else { text };
            let value = rational(text.trim_start_matches("(-").trim_end_matches(')'));
            (text.clone(), if mantissa < 0 { -value } else { value })
        })
}

/// A sum of up to four products of up to three literals: every partial
/// result has at most 15 significant digits, so decimal arithmetic must
/// give the rational's value exactly.
fn expression() -> impl Strategy<Value = (String, BigRational)> {
    let product = prop::collection::vec(literal(), 1..=3).prop_map(|factors| {
        let text = factors.iter().map(|(text, _)| text.as_str()).collect::<Vec<_>>().join(" * ");
        let value = factors.iter().fold(BigRational::from_integer(1.into()), |product, (_, value)| product * value);
        (text, value)
    });
    prop::collection::vec((product, any::<bool>()), 1..=4).prop_map(|terms| {
        let mut text = String::new();
        let mut value = BigRational::zero();
        for (index, ((term, term_value), plus)) in terms.into_iter().enumerate() {
            if index == 0 {
                text.push_str(&term);
                value = term_value;
            } else if plus {
                text.push_str(&format!(" + {term}"));
                value += term_value;
            } else {
                text.push_str(&format!(" - {term}"));
                value -= term_value;
            }
        }
        (text, value)
    })
}

/// The value the engine computes for `expression`, as its output writes
/// it (`None` when the rule is undetermined).
fn computed(expression: &str) -> Option<String> {
    let rules =
        ruleset(&format!("fact go: bool\naction report(value: number)\nrule r: go -> report(value: {expression})\n"));
    let outcome = outcome(&rules, r#"{"go": true}"#);
    let action = outcome.actions.first()?;
    Some(action.args.first()?.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arithmetic_is_exact_where_the_digits_fit((text, value) in expression()) {
        let got = computed(&text);
        prop_assert_eq!(got.as_deref().map(rational), Some(value), "{}", text);
    }

    #[test]
    fn a_quotient_is_the_rational_rounded_to_15_digits(
        (numerator, n) in expression(),
        (denominator, d) in expression(),
    ) {
        let text = format!("({numerator}) / ({denominator})");
        let got = computed(&text);
        if d.is_zero() {
            prop_assert_eq!(got, None, "division by zero is unknown: {}", text);
        } else {
            prop_assert_eq!(got.as_deref().map(rational), Some(round15(&(n / d))), "{}", text);
        }
    }

    /// The decimal operations alone, over the whole range of magnitudes:
    /// each is the exact result rounded once.
    #[test]
    fn each_operation_rounds_once(
        a in -999_999_999_999_999i64..=999_999_999_999_999,
        a_exponent in -30i32..=30,
        b in -999_999_999_999_999i64..=999_999_999_999_999,
        b_exponent in -30i32..=30,
    ) {
        let (a_text, b_text) = (format!("{a}e{a_exponent}"), format!("{b}e{b_exponent}"));
        let (x, y) = (decimal::parse(&a_text).unwrap_or_default(), decimal::parse(&b_text).unwrap_or_default());
        let (p, q) = (rational(&a_text), rational(&b_text));
        let exact = |v: f64| rational(&format!("{v:e}"));
        prop_assert_eq!(exact(decimal::add(x, y)), round15(&(&p + &q)), "{} + {}", a_text, b_text);
        prop_assert_eq!(exact(decimal::sub(x, y)), round15(&(&p - &q)), "{} - {}", a_text, b_text);
        prop_assert_eq!(exact(decimal::mul(x, y)), round15(&(&p * &q)), "{} * {}", a_text, b_text);
        if !q.is_zero() {
            prop_assert_eq!(decimal::div(x, y).map(exact), Some(round15(&(&p / &q))), "{} / {}", a_text, b_text);
        }
    }
}
