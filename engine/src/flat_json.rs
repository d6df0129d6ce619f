//! The fast path of the JSON reader: a record as JSON Lines carry it is
//! one flat object of scalars, and this reads such an object straight into
//! a [`Record`] with one pass over the bytes, no serde machinery and no
//! UTF-8 check of text that is not kept.
//!
//! It only *accepts* what it fully understands: field names and strings
//! without escapes or control characters, `true`, `false`, `null`, and
//! numbers without sign or exponent and with at most 15 digits, every value
//! valid for its fact, at most a few unknown field names, and nothing
//! after the object but whitespace. Anything else (nesting, escapes, a
//! value of the wrong form, malformed JSON) makes it give up, untouched
//! `unknown` counts and all, and the caller reads the text again with the
//! serde reader in `json.rs`, which is the reference for what
//! records mean and for every error message. So the fast path changes
//! speed only, never results.

use osler_dsl::model::Type;
use osler_dsl::units::{TimeUnit, Unit};

use crate::program::{Field, Kind, Program, SlotId};
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Record, Slot, decimal_slot, text_slot};
use crate::scan::string_length;

/// Numbers with at most this many digits have a significand below 2^53,
/// so the value below is exactly what serde_json computes for them.
const MAX_DIGITS: usize = 15;

/// `10^n` for the fraction digits of such a number; serde_json divides
/// the significand by the same exact powers.
const POWERS_OF_TEN: [f64; MAX_DIGITS + 1] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// Unknown field names noted per record before giving up.
const MAX_UNKNOWN: usize = 8;

/// A scalar JSON value.
enum Scalar<'t> {
    Null,
    Bool(bool),
    /// A number without sign or fraction, as serde_json's `u64`.
    Integer(u64),
    /// Any other number this path takes: with a fraction, or negative.
    Decimal(f64),
    /// A string without escapes (its bytes, not yet checked as UTF-8).
    Text(&'t [u8]),
}

/// A position in the text.
struct Cursor<'t> {
    text: &'t [u8],
    position: usize,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.position).copied()
    }

    /// Skips JSON whitespace, as serde_json does. Most calls find none,
    /// and every JSON whitespace byte is at most a space: one comparison.
    fn skip_whitespace(&mut self) {
        while let Some(&byte) = self.text.get(self.position) {
            if byte > b' ' || !matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
                break;
            }
            self.position += 1;
        }
    }

    /// Consumes `byte` after any whitespace.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek() == Some(byte)).then(|| self.position += 1)
    }

    /// A string at the cursor (after its opening quote), or `None` for
    /// one with an escape or a control character.
    fn string(&mut self) -> Option<&'t [u8]> {
        let rest = self.text.get(self.position..)?;
        let length = string_length(rest)?;
        if rest.get(length) != Some(&b'"') {
            return None;
        }
        self.position += length + 1;
        rest.get(..length)
    }

    /// A number at the cursor (its sign or first digit), in the forms
    /// this path takes, valued as serde_json values them: `-n` as the
    /// `i64` it is (so `-0` is `-0.0`, as serde_json makes it), a fraction
    /// as the significand over a power of ten, negated when negative.
    fn number(&mut self) -> Option<Scalar<'t>> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.position += 1;
        }
        let start = self.position;
        let mut significand: u64 = 0;
        let mut digits = 0;
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            significand = significand * 10 + u64::from(digit - b'0');
            digits += 1;
            self.position += 1;
            if digits > MAX_DIGITS {
                return None;
            }
        }
        // JSON allows one leading zero only.
        if digits == 0 || (digits > 1 && self.text.get(start) == Some(&b'0')) {
            return None;
        }
        let mut fraction = 0;
        if self.peek() == Some(b'.') {
            self.position += 1;
            while let Some(digit @ b'0'..=b'9') = self.peek() {
                significand = significand * 10 + u64::from(digit - b'0');
                digits += 1;
                fraction += 1;
                self.position += 1;
                if digits > MAX_DIGITS {
                    return None;
                }
            }
            if fraction == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            return None;
        }
        let magnitude =
            if fraction == 0 { significand as f64 } else { significand as f64 / POWERS_OF_TEN.get(fraction)? };
        Some(match (negative, fraction) {
            (false, 0) => Scalar::Integer(significand),
            (false, _) => Scalar::Decimal(magnitude),
            // A decimal has no negative zero: `-0` is 0, as the other readers make it.
            (true, _) => Scalar::Decimal(if magnitude == 0.0 { 0.0 } else { -magnitude }),
        })
    }

    /// A scalar value after any whitespace.
    fn scalar(&mut self) -> Option<Scalar<'t>> {
        self.skip_whitespace();
        let rest = self.text.get(self.position..)?;
        let (value, length) = match rest {
            [b'"', ..] => {
                self.position += 1;
                return self.string().map(Scalar::Text);
            }
            [b't', b'r', b'u', b'e', ..] => (Scalar::Bool(true), 4),
            [b'f', b'a', b'l', b's', b'e', ..] => (Scalar::Bool(false), 5),
            [b'n', b'u', b'l', b'l', ..] => (Scalar::Null, 4),
            [b'0'..=b'9' | b'-', ..] => return self.number(),
            _ => return None,
        };
        self.position += length;
        Some(value)
    }
}

/// Reads `text` into `record` (cleared by the caller) and returns true
/// when `text` is a flat object this path takes whole, with its unknown
/// field names counted in `unknown` and noted on the record, as the serde
/// reader notes them; returns false otherwise, leaving `unknown` as it was
/// and the record to be cleared and read again by the serde reader.
pub(crate) fn read(
    program: &Program,
    text: &[u8],
    record: &mut Record,
    options: ReadOptions,
    unknown: &mut UnknownFields,
) -> bool {
    let mut cursor = Cursor { text, position: 0 };
    let mut unknown_names: [&[u8]; MAX_UNKNOWN] = [&[]; MAX_UNKNOWN];
    let mut unknown_count = 0;
    if cursor.expect(b'{').is_none() {
        return false;
    }
    cursor.skip_whitespace();
    if cursor.peek() == Some(b'}') {
        cursor.position += 1;
    } else {
        loop {
            let Some(name) = cursor.expect(b'"').and_then(|()| cursor.string()) else { return false };
            let Some(value) = cursor.expect(b':').and_then(|()| cursor.scalar()) else { return false };
            let stored = match program.fields.get(name) {
                Field::Id => set_id(record, value),
                Field::Fact(slot) => set_fact(program, record, slot, value),
                Field::Unknown => match unknown_names.get_mut(unknown_count) {
                    Some(entry) => {
                        *entry = name;
                        unknown_count += 1;
                        true
                    }
                    None => false,
                },
            };
            if !stored {
                return false;
            }
            cursor.skip_whitespace();
            match cursor.peek() {
                Some(b',') => cursor.position += 1,
                Some(b'}') => {
                    cursor.position += 1;
                    break;
                }
                _ => return false,
            }
        }
    }
    cursor.skip_whitespace();
    if cursor.position != text.len() || (options.strict && unknown_count > 0) {
        return false;
    }
    let names = unknown_names.get(..unknown_count).unwrap_or_default();
    if names.iter().any(|name| std::str::from_utf8(name).is_err()) {
        return false;
    }
    for name in names {
        if let Ok(name) = std::str::from_utf8(name) {
            unknown.note(name);
            record.note_unknown_field(name);
        }
    }
    true
}

/// Sets the record's id from a value, when the value is one the serde
/// reader takes without complaint.
fn set_id(record: &mut Record, value: Scalar<'_>) -> bool {
    match value {
        Scalar::Null => true,
        Scalar::Integer(number) => {
            record.set_id_number(number.into());
            true
        }
        Scalar::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => {
                record.set_id_text(text);
                true
            }
            Err(_) => false,
        },
        Scalar::Bool(_) | Scalar::Decimal(_) => false,
    }
}

/// `bytes` without leading and trailing spaces.
fn trim_spaces(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&byte| byte != b' ').unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&byte| byte != b' ').map_or(start, |last| last + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// `digits` or `digits.digits` (at most [`MAX_DIGITS`] digits) as
/// `str::parse` reads it: both round correctly, and the significand and
/// the power of ten are exact, so the one division gives the same float.
fn decimal(text: &[u8]) -> Option<f64> {
    let (whole, fraction) = match text.iter().position(|&byte| byte == b'.') {
        Some(dot) => (text.get(..dot)?, text.get(dot + 1..)?),
        None => (text, &[][..]),
    };
    let digits = whole.len() + fraction.len();
    if whole.is_empty() || (text.len() > whole.len() && fraction.is_empty()) || digits > MAX_DIGITS {
        return None;
    }
    let mut significand: u64 = 0;
    for &byte in whole.iter().chain(fraction) {
        if !byte.is_ascii_digit() {
            return None;
        }
        significand = significand * 10 + u64::from(byte - b'0');
    }
    Some(significand as f64 / POWERS_OF_TEN.get(fraction.len())?)
}

/// The number and the rest of a value such as `45 mmHg` or `3h`: the
/// leading digits and dots, as `parse_duration` and `parse_quantity` split.
fn split_number(bytes: &[u8]) -> (&[u8], &[u8]) {
    let text = trim_spaces(bytes);
    let split = text.iter().position(|&byte| !(byte.is_ascii_digit() || byte == b'.')).unwrap_or(text.len());
    text.split_at(split)
}

/// A duration in seconds, computed as `model::parse_duration` does (the
/// number times the unit's seconds).
fn duration(bytes: &[u8]) -> Option<f64> {
    let (number, unit) = split_number(bytes);
    let unit = trim_spaces(unit);
    let unit = TimeUnit::ALL.iter().find(|candidate| candidate.as_str().as_bytes() == unit)?;
    Some(osler_dsl::decimal::mul(decimal(number)?, unit.seconds() as f64))
}

/// A quantity written with the fact's own unit, spelled as the fact
/// declares it (another unit goes to `text_slot`, which converts).
fn quantity(unit: Unit, bytes: &[u8]) -> Option<f64> {
    let (number, given) = split_number(bytes);
    (trim_spaces(given) == unit.as_str().as_bytes()).then_some(())?;
    decimal(number)
}

/// The index of the variant of enum type `ty` named `name`.
fn variant(program: &Program, ty: Type, name: &[u8]) -> Option<u32> {
    let Type::Enum(index) = ty else { return None };
    let variants = &program.model.enums.get(index as usize)?.variants;
    variants.iter().position(|variant| variant.as_bytes() == name).map(|position| position as u32)
}

/// The common text values without `text_slot`: an enum variant matched as
/// bytes (the string has no control characters, so spaces are all that
/// trimming can remove), a duration or a quantity in its plain form (`3h`,
/// `1.5 d`, `45 mmHg`). `None` sends the value to `text_slot`, which
/// decides (other forms, and every error).
fn text_value(program: &Program, ty: Type, bytes: &[u8]) -> Option<Slot> {
    match ty {
        Type::Enum(_) if bytes.is_ascii() => variant(program, ty, trim_spaces(bytes)).map(Slot::Enum),
        Type::Duration => duration(bytes).map(Slot::Num),
        Type::Quantity(unit) => quantity(unit, bytes).map(Slot::Num),
        _ => None,
    }
}

/// Sets fact `slot` from a value, when the value is valid for the fact.
fn set_fact(program: &Program, record: &mut Record, slot: SlotId, value: Scalar<'_>) -> bool {
    let fact = program.fact(slot);
    let converted = match value {
        Scalar::Null => Ok(Slot::Unknown),
        Scalar::Bool(b) if fact.kind == Kind::Bool => Ok(Slot::Bool(b)),
        Scalar::Bool(_) => return false,
        Scalar::Integer(number) => decimal_slot(program, slot, number as f64),
        Scalar::Decimal(number) => decimal_slot(program, slot, number),
        Scalar::Text(bytes) => match text_value(program, fact.ty, bytes) {
            Some(value) => Ok(value),
            None => {
                let Ok(text) = std::str::from_utf8(bytes) else { return false };
                if fact.kind == Kind::Str {
                    record.store_string(slot, text);
                    return true;
                }
                text_slot(program, slot, text, false)
            }
        },
    };
    match converted {
        Ok(converted) => {
            record.set_slot(slot, converted);
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::read;
    use crate::json::{read_record, read_record_with_serde};
    use crate::reading::{ReadOptions, UnknownFields};
    use crate::record::Record;
    use crate::ruleset::Ruleset;

    const RULES: &str = "
enum Pulse { present, diminished, absent }
fact flag: bool
fact count: number
fact pressure: number mmHg
fact onset: duration
fact pulse: Pulse
fact note: string
action act()
flag -> act
";

    const NAMES: [&str; 12] =
        ["id", "flag", "count", "pressure", "onset", "pulse", "note", "other", "más", "fl\\u0061g", "", "id"];
    const VALUES: [&str; 40] = [
        "true",
        "false",
        "null",
        "0",
        "7",
        "42",
        "0.5",
        "0.85",
        "0.90",
        "12.25",
        "1.",
        ".5",
        "01",
        "-1",
        "-0",
        "-0.5",
        "1e3",
        "2E-2",
        "123456789012345",
        "1234567890123456",
        "0.123456789012345",
        "0.1234567890123456",
        "9007199254740993",
        "\"present\"",
        "\"absent\"",
        "\" absent \"",
        "\"3h\"",
        "\"90min\"",
        "\"2 d\"",
        "\"45 mmHg\"",
        "\"45mmHg\"",
        "\"7 %\"",
        "\"bad\"",
        "\"a\\\"b\"",
        "\"é\"",
        "\"\"",
        "[1]",
        "{}",
        "tru",
        "nul",
    ];
    const SEPARATORS: [&str; 5] = [",", ", ", " , ", ",\t", ",\n"];

    /// Values valid for each of `NAMES`, so that many texts are records
    /// the fast path takes.
    fn valid_values(name: usize) -> &'static [&'static str] {
        match NAMES[name] {
            "id" => &["7", "123456789012345", "\"p1\"", "\"\"", "-4", "-0", "null"],
            "flag" => &["true", "false", "null"],
            "count" => {
                &["0", "7", "0.5", "12.25", "0.123456789012345", "-3", "-0", "-0.0", "-2.5", "-", "-01", "-.5", "null"]
            }
            "pressure" => &[
                "45",
                "0.85",
                "\"45 mmHg\"",
                "\"45mmHg\"",
                "\" 0045.50  mmHg \"",
                "\"+45 mmHg\"",
                "\"45 MMHG\"",
                "\"45 mm Hg\"",
                "\"45\"",
                "\"4.5.1 mmHg\"",
                "\".5 mmHg\"",
                "\"45 %\"",
                "null",
            ],
            "onset" => &[
                "\"3h\"",
                "\"90min\"",
                "\"2 d\"",
                "\"1.5h\"",
                "\".5h\"",
                "\"5.h\"",
                "\"3 hours\"",
                "\"3mo\"",
                "\"1.2.3h\"",
                "\" 3h \"",
                "\"3\"",
                "\"h\"",
                "\"0.123456789012345w\"",
                "\"1234567890123456s\"",
                "null",
            ],
            "pulse" => &["\"present\"", "\"absent\"", "\" absent \"", "null"],
            "note" => &["\"x\"", "\"é\"", "\"\"", "null"],
            _ => &["1", "\"x\"", "true", "null"],
        }
    }

    /// A record's contents, for comparing two reads.
    fn contents(record: &Record, slots: u32) -> String {
        let values: Vec<String> = (0..slots)
            .map(|slot| match record.slot(slot) {
                crate::record::Slot::Str(index) => format!("{:?}", record.string(index)),
                other => format!("{other:?}"),
            })
            .collect();
        format!("{:?} {}", record.id(), values.join(" "))
    }

    proptest! {
        // 2000 cases by default; `PROPTEST_CASES` asks for more (or fewer).
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|text| text.parse().ok()).unwrap_or(2000),
            ..ProptestConfig::default()
        })]

        #[test]
        fn the_fast_path_reads_what_serde_reads(
            fields in proptest::collection::vec((0..NAMES.len(), 0..VALUES.len(), 0..4u8, 0..SEPARATORS.len()), 0..9),
            shape in 0..8usize,
            strict in any::<bool>(),
        ) {
            let ruleset = match Ruleset::from_sources(&[("t.osl".to_owned(), RULES.to_owned())]) {
                Ok(ruleset) => ruleset,
                Err(error) => panic!("{error}"),
            };
            let program = ruleset.program();
            let mut text = String::from("{");
            for (position, &(name, value, valid, separator)) in fields.iter().enumerate() {
                if position > 0 {
                    text.push_str(SEPARATORS[separator]);
                }
                let good = valid_values(name);
                let value = if valid < 3 { good[value % good.len()] } else { VALUES[value] };
                text.push_str(&format!("\"{}\":{}", NAMES[name], value));
            }
            text.push('}');
            let text = match shape {
                0 => format!(" {text} "),
                1 => format!("{text},"),
                2 => text.trim_end_matches('}').to_owned(),
                3 => format!("{text} x"),
                4 => format!("[{text}]"),
                _ => text,
            };
            let slots = program.facts.len() as u32;
            let (mut fast, mut slow) = (ruleset.record(), ruleset.record());
            let (mut fast_unknown, mut slow_unknown) = (UnknownFields::default(), UnknownFields::default());
            fast_unknown.note("before");
            slow_unknown.note("before");
            let options = ReadOptions::default().strict(strict);
            let taken = read(program, text.as_bytes(), &mut fast, options, &mut fast_unknown);
            let result = read_record_with_serde(program, text.as_bytes(), &mut slow, options, &mut slow_unknown);
            if taken {
                prop_assert!(result.is_ok(), "fast path took {text} but serde says {result:?}");
                prop_assert_eq!(contents(&fast, slots), contents(&slow, slots), "{}", text);
                prop_assert_eq!(fast_unknown, slow_unknown, "{}", text);
                prop_assert_eq!(fast.unknown_fields(), slow.unknown_fields(), "{}", text);
            } else {
                let mut untouched = UnknownFields::default();
                untouched.note("before");
                prop_assert_eq!(fast_unknown, untouched, "{}", text);
            }
            // Through the whole reader, on a record that carries another
            // record's unknown field: the names are the serde reader's,
            // whichever path read them, and nothing of the earlier record.
            let mut reused = ruleset.record();
            let mut ignored = UnknownFields::default();
            let stale = read_record(program, br#"{"stale": 1}"#, &mut reused, ReadOptions::default(), &mut ignored);
            prop_assert!(stale.is_ok() && reused.unknown_fields() == ["stale"], "{stale:?}");
            let again = read_record(program, text.as_bytes(), &mut reused, options, &mut ignored);
            prop_assert_eq!(again.is_ok(), result.is_ok(), "{}", text);
            prop_assert_eq!(reused.unknown_fields(), slow.unknown_fields(), "{}", text);
        }
    }
}
