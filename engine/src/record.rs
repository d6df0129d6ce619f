//! Records: one patient's facts in a dense array of typed slots, plus the
//! record's id. Readers (JSON Lines, CSV) and the typed builder all fill
//! records through the conversions here, so every input path accepts the
//! same value forms and reports the same errors.

use std::collections::HashSet;
use std::fmt;

use osler_dsl::decimal;
use osler_dsl::model::{self, Type, Value};
use osler_dsl::units::Unit;
use serde::{Deserialize, Serialize};

use crate::error::{RecordError, RecordErrorKind};
use crate::program::{Field, Kind, Program, SlotId};

/// The value of one fact in a record, as the readers and the tree
/// interpreter see it. A [`Record`] stores it split into a kind byte and a
/// value word (see [`Record::kinds`]), which the compiled tests read
/// without branching on the kind.
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub(crate) enum Slot {
    #[default]
    Unknown,
    Bool(bool),
    /// Numbers, quantities in the declared unit, durations in seconds.
    Num(f64),
    Enum(u32),
    /// Index into the record's string storage.
    Str(u32),
}

/// Unknown field names a record deduplicates by scanning the ones it has
/// (the common case: none, or a misspelling or two); past this many it
/// keeps a set.
const SCANNED_UNKNOWN: usize = 16;

/// The kind byte of an unknown slot, and of each [`Slot`] variant.
pub(crate) const KIND_UNKNOWN: u8 = 0;
pub(crate) const KIND_BOOL: u8 = 1;
pub(crate) const KIND_NUM: u8 = 2;
pub(crate) const KIND_ENUM: u8 = 3;
pub(crate) const KIND_STR: u8 = 4;

impl Slot {
    /// The slot as a kind byte and a value word: bools as 0 or 1, numbers
    /// as their `f64` bits, variants and string indices as integers.
    fn split(self) -> (u8, u64) {
        match self {
            Slot::Unknown => (KIND_UNKNOWN, 0),
            Slot::Bool(b) => (KIND_BOOL, u64::from(b)),
            Slot::Num(n) => (KIND_NUM, n.to_bits()),
            Slot::Enum(variant) => (KIND_ENUM, u64::from(variant)),
            Slot::Str(index) => (KIND_STR, u64::from(index)),
        }
    }

    fn join(kind: u8, value: u64) -> Slot {
        match kind {
            KIND_BOOL => Slot::Bool(value != 0),
            KIND_NUM => Slot::Num(f64::from_bits(value)),
            KIND_ENUM => Slot::Enum(value as u32),
            KIND_STR => Slot::Str(value as u32),
            _ => {
                debug_assert_eq!(kind, KIND_UNKNOWN, "a kind byte no slot writes");
                Slot::Unknown
            }
        }
    }
}

/// A record's `id`, echoed in its output line: a string, a number, or
/// `null` when the record has none.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum RecordId {
    /// A JSON number.
    Number(serde_json::Number),
    /// A string.
    Text(String),
    /// No id.
    #[default]
    Null,
}

impl From<&str> for RecordId {
    fn from(text: &str) -> Self {
        RecordId::Text(text.to_owned())
    }
}

impl From<String> for RecordId {
    fn from(text: String) -> Self {
        RecordId::Text(text)
    }
}

impl From<u64> for RecordId {
    fn from(number: u64) -> Self {
        RecordId::Number(number.into())
    }
}

impl From<i32> for RecordId {
    fn from(number: i32) -> Self {
        RecordId::Number(i64::from(number).into())
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordId::Number(number) => write!(f, "{number}"),
            RecordId::Text(text) => f.write_str(text),
            RecordId::Null => f.write_str("(no id)"),
        }
    }
}

/// A value for `Ruleset::set`, in the forms
/// a record file carries: a bool, a number (quantities in the declared
/// unit), or text (an enum variant, a duration such as `"3h"`, a quantity
/// such as `"45 mmHg"`, a string).
#[derive(Clone, Copy, PartialEq, Debug)]
#[non_exhaustive]
pub enum Input<'a> {
    /// A bool fact's value.
    Bool(bool),
    /// A number, or a quantity in its fact's declared unit.
    Number(f64),
    /// Text in the record forms: a variant, `"3h"`, `"45 mmHg"`, a string.
    Text(&'a str),
    /// A duration given as a [`std::time::Duration`].
    Duration(std::time::Duration),
    /// Explicitly unknown (the same as not setting the fact).
    Unknown,
}

impl From<bool> for Input<'_> {
    fn from(value: bool) -> Self {
        Input::Bool(value)
    }
}

impl From<f64> for Input<'_> {
    fn from(value: f64) -> Self {
        Input::Number(value)
    }
}

impl From<i32> for Input<'_> {
    fn from(value: i32) -> Self {
        Input::Number(f64::from(value))
    }
}

impl<'a> From<&'a str> for Input<'a> {
    fn from(value: &'a str) -> Self {
        Input::Text(value)
    }
}

impl From<std::time::Duration> for Input<'_> {
    fn from(value: std::time::Duration) -> Self {
        Input::Duration(value)
    }
}

impl<'a, T: Into<Input<'a>>> From<Option<T>> for Input<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Input::Unknown, Into::into)
    }
}

/// One record of facts for a particular
/// `Ruleset`. Build it with its `record`,
/// `record_builder` or `read_json`; a record can be cleared and refilled,
/// which reuses its storage. A record belongs to the ruleset that made it:
/// another ruleset refuses it
/// (`ForeignRecord`). A
/// `Record::default()` belongs to none until a ruleset first fills it.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// The [`Program::id`] of the ruleset the slots are laid out for (0:
    /// none yet).
    pub(crate) ruleset: u64,
    /// Per fact slot, the kind of value it holds ([`KIND_UNKNOWN`] when
    /// unknown). Dense bytes, so clearing a record is one small fill and a
    /// compiled test reads "known" without decoding an enum.
    pub(crate) kinds: Vec<u8>,
    /// Per fact slot, the value word (meaningful only where the kind says
    /// so; a cleared slot keeps stale bits that its kind masks).
    pub(crate) values: Vec<u64>,
    /// Bit sets over slots, a word per 64 slots: the slots that hold
    /// `true`, and those that hold `false`. Compiled conditions read bool
    /// facts from these whole words at once.
    pub(crate) bools: Vec<[u64; 2]>,
    /// Bit set over slots: the slots that hold a value (for `known(..)`).
    pub(crate) known: Vec<u64>,
    strings: Vec<String>,
    strings_used: usize,
    /// The record's field names that are not facts, in input order, each
    /// once: the first `unknown_used` entries (the rest is storage kept
    /// from earlier records, so refilling allocates nothing).
    unknown_names: Vec<String>,
    unknown_used: usize,
    /// The same names as a set, built only when a record has more than
    /// [`SCANNED_UNKNOWN`] of them, so a hostile record with a hundred
    /// thousand distinct unknown fields is not deduplicated in quadratic
    /// time (an empty set allocates nothing).
    unknown_index: HashSet<String>,
    id: RecordId,
    spare_id: String,
}

impl Record {
    /// An empty record (every fact unknown) laid out for `program`.
    pub(crate) fn for_program(program: &Program) -> Record {
        let mut record = Record { ruleset: program.id, ..Record::default() };
        record.resize_slots(program.facts.len());
        record
    }

    pub(crate) fn slot_count(&self) -> usize {
        self.kinds.len()
    }

    /// Makes room for `count` slots (new ones unknown).
    pub(crate) fn resize_slots(&mut self, count: usize) {
        self.kinds.resize(count, KIND_UNKNOWN);
        self.values.resize(count, 0);
        self.bools.resize(count.div_ceil(64), [0, 0]);
        self.known.resize(count.div_ceil(64), 0);
        // Slots dropped by shrinking must not stay set in the last word.
        if let (Some(bools), Some(known)) = (self.bools.last_mut(), self.known.last_mut())
            && !count.is_multiple_of(64)
        {
            let kept = (1u64 << (count % 64)) - 1;
            bools[0] &= kept;
            bools[1] &= kept;
            *known &= kept;
        }
    }

    /// Forgets every value, the id and the unknown field names, keeping
    /// the storage.
    pub fn clear(&mut self) {
        self.kinds.fill(KIND_UNKNOWN);
        self.bools.fill([0, 0]);
        self.known.fill(0);
        self.strings_used = 0;
        self.unknown_used = 0;
        if !self.unknown_index.is_empty() {
            self.unknown_index.clear();
        }
        if let RecordId::Text(text) = std::mem::take(&mut self.id) {
            self.spare_id = text;
        }
    }

    /// The field names of the record's input that are not facts of its
    /// ruleset (a misspelled `pedal_pulse`, an extra column), in input
    /// order, each name once. Reading a record fills them; clearing it
    /// forgets them. They are ignored when evaluating, so a caller that
    /// wants to know whether a red flag was dropped looks here.
    ///
    /// ```
    /// let source = "fact pedal_pulses: bool\naction check()\nrule r: pedal_pulses -> check()\n";
    /// let ruleset = osler_engine::Ruleset::from_sources(&[("r.osl".to_owned(), source.to_owned())])?;
    /// let record = ruleset.read_json(r#"{"pedal_pulse": true, "note": 1, "pedal_pulse": false}"#)?;
    /// assert_eq!(record.unknown_fields(), ["pedal_pulse", "note"]);
    /// let record = ruleset.read_json(r#"{"pedal_pulses": true}"#)?;
    /// assert!(record.unknown_fields().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unknown_fields(&self) -> &[String] {
        self.unknown_names.get(..self.unknown_used).unwrap_or_default()
    }

    /// Remembers `name` as a field of the record's input that is not a
    /// fact (once however often it occurs), reusing storage from earlier
    /// records.
    pub(crate) fn note_unknown_field(&mut self, name: &str) {
        if self.unknown_used < SCANNED_UNKNOWN {
            if self.unknown_fields().iter().any(|known| known == name) {
                return;
            }
        } else {
            if self.unknown_index.is_empty() {
                let noted = self.unknown_names.get(..self.unknown_used).unwrap_or_default();
                self.unknown_index.extend(noted.iter().cloned());
            }
            if !self.unknown_index.insert(name.to_owned()) {
                return;
            }
        }
        match self.unknown_names.get_mut(self.unknown_used) {
            Some(buffer) => {
                buffer.clear();
                buffer.push_str(name);
            }
            None => self.unknown_names.push(name.to_owned()),
        }
        self.unknown_used += 1;
    }

    /// The record's id.
    pub fn id(&self) -> &RecordId {
        &self.id
    }

    /// Sets the record's id.
    pub fn set_id(&mut self, id: RecordId) -> &mut Record {
        self.id = id;
        self
    }

    pub(crate) fn set_id_text(&mut self, text: &str) {
        let mut buffer = std::mem::take(&mut self.spare_id);
        if let RecordId::Text(old) = std::mem::take(&mut self.id) {
            buffer = old;
        }
        buffer.clear();
        buffer.push_str(text);
        self.id = RecordId::Text(buffer);
    }

    pub(crate) fn set_id_number(&mut self, number: serde_json::Number) {
        if let RecordId::Text(old) = std::mem::take(&mut self.id) {
            self.spare_id = old;
        }
        self.id = RecordId::Number(number);
    }

    /// Sets fact `slot`. Slots come from the program the record was made
    /// for (checked by the ruleset's entry points), so an index out of
    /// range is a broken invariant and panics.
    pub(crate) fn set_slot(&mut self, slot: SlotId, value: Slot) {
        let (kind, bits) = value.split();
        let index = slot.index();
        self.kinds[index] = kind;
        self.values[index] = bits;
        // The bit sets, without branching on the value.
        let word = index / 64;
        let shift = slot.0 % 64;
        let is_bool = u64::from(kind == KIND_BOOL);
        let [trues, falses] = &mut self.bools[word];
        let known = &mut self.known[word];
        let bit = 1u64 << shift;
        *trues = (*trues & !bit) | ((is_bool & bits) << shift);
        *falses = (*falses & !bit) | ((is_bool & !bits & 1) << shift);
        *known = (*known & !bit) | (u64::from(kind != KIND_UNKNOWN) << shift);
    }

    /// The value of fact `slot` (a slot of the record's own program; out of
    /// range panics).
    pub(crate) fn slot(&self, slot: u32) -> Slot {
        Slot::join(self.kinds[slot as usize], self.values[slot as usize])
    }

    /// Whether fact `slot` is unknown (absent or `null`; out of range
    /// panics).
    pub(crate) fn is_unknown(&self, slot: u32) -> bool {
        self.kinds[slot as usize] == KIND_UNKNOWN
    }

    /// Stores a string value, reusing storage from earlier records.
    pub(crate) fn store_string(&mut self, slot: SlotId, text: &str) {
        let index = self.strings_used;
        match self.strings.get_mut(index) {
            Some(buffer) => {
                buffer.clear();
                buffer.push_str(text);
            }
            None => self.strings.push(text.to_owned()),
        }
        self.strings_used += 1;
        self.set_slot(slot, Slot::Str(index as u32));
    }

    /// The text of a string slot's value (stored for this record's
    /// current values).
    pub(crate) fn string(&self, index: u32) -> &str {
        debug_assert!((index as usize) < self.strings_used, "a string slot from before the record was cleared");
        &self.strings[index as usize]
    }

    pub(crate) fn set_input(&mut self, program: &Program, name: &str, value: Input<'_>) -> Result<(), RecordError> {
        let slot = match program.field(name) {
            Field::Fact(slot) => slot,
            Field::Id => {
                match value {
                    Input::Text(text) => self.set_id_text(text),
                    Input::Number(n) => match serde_json::Number::from_f64(n) {
                        Some(number) => self.set_id_number(number),
                        None => return Err(RecordError::new(RecordErrorKind::IdNotFinite { got: n.to_string() })),
                    },
                    Input::Unknown => self.id = RecordId::Null,
                    Input::Bool(_) | Input::Duration(_) => return Err(RecordError::new(RecordErrorKind::IdNotText)),
                }
                return Ok(());
            }
            Field::Unknown => return Err(RecordError::new(RecordErrorKind::UnknownFact { name: name.to_owned() })),
        };
        let fact = program.fact(slot);
        let converted = match value {
            Input::Unknown => Slot::Unknown,
            Input::Bool(b) => match fact.kind {
                Kind::Bool => Slot::Bool(b),
                _ => return Err(expected(program, slot, &b.to_string())),
            },
            Input::Number(n) => number_slot(program, slot, n)?,
            Input::Duration(duration) => match fact.ty {
                Type::Duration => Slot::Num(decimal::canonical(duration.as_secs_f64())),
                _ => return Err(expected(program, slot, "a duration")),
            },
            Input::Text(text) => {
                if fact.kind == Kind::Str {
                    self.store_string(slot, text);
                    return Ok(());
                }
                text_slot(program, slot, text, false)?
            }
        };
        self.set_slot(slot, converted);
        Ok(())
    }

    /// Sets fact `slot` from a model constant (test `given` values).
    pub(crate) fn set_value(&mut self, slot: SlotId, value: &Value) {
        let converted = match value {
            Value::Bool(b) => Slot::Bool(*b),
            Value::Number(n) | Value::Quantity(n, _) | Value::Duration(n) => Slot::Num(*n),
            Value::Variant(_, variant) => Slot::Enum(*variant),
            Value::String(text) => {
                self.store_string(slot, text);
                return;
            }
        };
        self.set_slot(slot, converted);
    }

    /// Sets fact `index` from a model constant given by a caller (an
    /// analysis's example record), checking what [`Record::set_value`]
    /// trusts: the fact exists and the value has its type (a variant of its
    /// enum, a quantity in its unit or a bare number, finite numbers).
    pub(crate) fn set_checked_value(
        &mut self,
        program: &Program,
        index: u32,
        value: &Value,
    ) -> Result<(), RecordError> {
        if index as usize >= program.facts.len() {
            return Err(RecordError::new(RecordErrorKind::UnknownFact { name: format!("#{index}") }));
        }
        let slot = SlotId(index);
        let fits = match (program.fact(slot).ty, value) {
            (Type::Bool, Value::Bool(_)) | (Type::String, Value::String(_)) => true,
            (Type::Number | Type::Quantity(_), Value::Number(n)) | (Type::Duration, Value::Duration(n)) => {
                n.is_finite()
            }
            (Type::Quantity(unit), Value::Quantity(n, given)) => unit == *given && n.is_finite(),
            (Type::Enum(enum_index), Value::Variant(given, variant)) => {
                enum_index == *given
                    && program
                        .model
                        .enums
                        .get(enum_index as usize)
                        .is_some_and(|e| (*variant as usize) < e.variants.len())
            }
            _ => false,
        };
        if !fits {
            return Err(expected(program, slot, &program.model.render_value(value)));
        }
        self.set_value(slot, value);
        Ok(())
    }
}

/// What a fact accepts, for error messages.
pub(crate) fn describe_expected(program: &Program, slot: SlotId) -> String {
    match program.fact(slot).ty {
        Type::Bool => "true or false".to_owned(),
        Type::Number => "a number".to_owned(),
        Type::Quantity(unit) => format!("a number in {unit} or a string such as \"45 {unit}\""),
        Type::Duration => "a duration string such as \"3h\", \"2d\", \"6w\" or \"90min\"".to_owned(),
        Type::String => "a string".to_owned(),
        Type::Enum(index) => format!("one of {}", program.model.enums[index as usize].variants.join(", ")),
    }
}

/// The error for a value of the wrong form: names the fact, what it
/// expects, and (shortened) what it got.
pub(crate) fn expected(program: &Program, slot: SlotId, got: &str) -> RecordError {
    let name = &program.fact(slot).name;
    let mut shown: String = got.chars().take(40).collect();
    if got.chars().count() > 40 {
        shown.push('…');
    }
    RecordError::new(RecordErrorKind::WrongValue {
        fact: name.clone(),
        expected: describe_expected(program, slot),
        got: shown,
    })
}

/// A number for fact `slot`: accepted by numbers and quantities (in the
/// declared unit), rounded to the 15 significant digits every number keeps
/// (`osler_dsl::decimal`).
pub(crate) fn number_slot(program: &Program, slot: SlotId, n: f64) -> Result<Slot, RecordError> {
    decimal_slot(program, slot, decimal::canonical(n))
}

/// [`number_slot`] for a number already of at most 15 significant digits
/// (the fast reader's, which reads no longer one).
pub(crate) fn decimal_slot(program: &Program, slot: SlotId, n: f64) -> Result<Slot, RecordError> {
    match program.fact(slot).ty {
        Type::Number | Type::Quantity(_) if n.is_finite() => Ok(Slot::Num(n)),
        // The message is only formatted on this error path.
        _ => Err(expected(program, slot, &model::format_number(n))),
    }
}

/// Text for fact `slot`: an enum variant, a duration, a quantity with its
/// unit. With `lenient` (CSV, where every cell is text) bools and plain
/// numbers are read from text too.
pub(crate) fn text_slot(program: &Program, slot: SlotId, text: &str, lenient: bool) -> Result<Slot, RecordError> {
    let fact = program.fact(slot);
    let quoted = || format!("\"{text}\"");
    match fact.ty {
        Type::Enum(index) => {
            let variants = &program.model.enums[index as usize].variants;
            let wanted = text.trim();
            match variants.iter().position(|variant| variant == wanted) {
                Some(position) => Ok(Slot::Enum(position as u32)),
                None => Err(expected(program, slot, &quoted())),
            }
        }
        Type::Duration => match parse_duration(text) {
            Some(seconds) => Ok(Slot::Num(seconds)),
            None => Err(expected(program, slot, &quoted())),
        },
        Type::Quantity(unit) => match parse_quantity(text) {
            Some((n, Some(given))) if given == unit => Ok(Slot::Num(n)),
            Some((n, Some(given))) if given.converts_to(unit) => match given.convert(n, unit) {
                Some(converted) if converted.is_finite() => Ok(Slot::Num(converted)),
                _ => Err(expected(program, slot, &quoted())),
            },
            Some((_, Some(given))) => Err(RecordError::new(RecordErrorKind::WrongUnit {
                fact: fact.name.clone(),
                unit: unit.to_string(),
                given: given.to_string(),
                text: text.to_owned(),
            })),
            Some((n, None)) if lenient => Ok(Slot::Num(n)),
            _ => Err(expected(program, slot, &quoted())),
        },
        Type::Number if lenient => match parse_finite(text.trim()) {
            Some(n) => Ok(Slot::Num(n)),
            None => Err(expected(program, slot, &quoted())),
        },
        Type::Bool if lenient => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(Slot::Bool(true)),
            t if t.eq_ignore_ascii_case("false") => Ok(Slot::Bool(false)),
            _ => Err(expected(program, slot, &quoted())),
        },
        Type::Number | Type::Bool | Type::String => Err(expected(program, slot, &quoted())),
    }
}

/// A number's text, rounded to 15 significant digits.
fn parse_finite(text: &str) -> Option<f64> {
    decimal::parse(text)
}

/// A duration string in seconds: a non-negative number and a unit
/// (`3h`, `2d`, `90min`, `1.5h`, `6w`, `3mo`).
pub(crate) fn parse_duration(text: &str) -> Option<f64> {
    model::parse_duration(text).filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
}

/// `"45 mmHg"`, `"45mmHg"`, `"7.5 mmol/L"` or `"45"`: the number and the
/// unit (any spelling of the unit table), if any.
pub(crate) fn parse_quantity(text: &str) -> Option<(f64, Option<Unit>)> {
    let text = text.trim();
    let split = text
        .char_indices()
        .find(|(index, c)| !(c.is_ascii_digit() || *c == '.' || (*index == 0 && (*c == '-' || *c == '+'))))
        .map_or(text.len(), |(index, _)| index);
    let (number, unit) = text.split_at(split);
    let number = parse_finite(number)?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Some((number, None));
    }
    Some((number, Some(Unit::parse(unit)?)))
}
