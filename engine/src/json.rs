//! Reading one JSON record straight into a [`Record`]'s slots: a serde
//! `DeserializeSeed` keyed by the program's precomputed field-name → slot
//! map, so no `serde_json::Value` (and no allocation for ordinary values)
//! stands between the text and the engine. A value of the wrong type does
//! not stop the reading: the first problem is kept and the rest of the
//! object is still read, so the record's `id` is known for its error line.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{RecordError, RecordErrorKind};
use crate::flat_json;
use crate::program::{Field, Kind, Program, SlotId};
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Record, Slot, expected, number_slot, text_slot};
use crate::warnings;

/// The state of reading one record.
pub(crate) struct Reading<'a> {
    pub(crate) program: &'a Program,
    pub(crate) record: &'a mut Record,
    pub(crate) options: ReadOptions,
    pub(crate) unknown: &'a mut UnknownFields,
    pub(crate) error: Option<RecordError>,
}

impl Reading<'_> {
    fn fail(&mut self, problem: RecordError) {
        if self.error.is_none() {
            self.error = Some(problem);
        }
    }
}

/// Reads one JSON object into `record` (cleared first). Unknown field
/// names are counted in `unknown`, noted on the record (each once, in input
/// order) and rejected when reading strictly. The
/// common flat record takes the fast path in [`flat_json`]; whatever that
/// does not take whole is read here with serde, which defines the result.
pub(crate) fn read_record(
    program: &Program,
    text: &[u8],
    record: &mut Record,
    options: ReadOptions,
    unknown: &mut UnknownFields,
) -> Result<(), RecordError> {
    record.clear();
    if flat_json::read(program, text, record, options, unknown) {
        return Ok(());
    }
    record.clear();
    read_record_with_serde(program, text, record, options, unknown)
}

/// Reads one JSON object into `record` (cleared) with serde: any JSON, and
/// the reference for what a record means and for every error. (Kept out of
/// the batch loop's code: the fast path takes the common records.)
#[cold]
#[inline(never)]
pub(crate) fn read_record_with_serde(
    program: &Program,
    text: &[u8],
    record: &mut Record,
    options: ReadOptions,
    unknown: &mut UnknownFields,
) -> Result<(), RecordError> {
    let mut reading = Reading { program, record, options, unknown, error: None };
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let parsed = (&mut reading).deserialize(&mut deserializer).and_then(|()| deserializer.end());
    if let Err(problem) = parsed {
        return Err(syntax_error(&problem));
    }
    match reading.error {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// A serde_json error as one readable sentence with its column.
fn syntax_error(problem: &serde_json::Error) -> RecordError {
    let text = problem.to_string();
    let message = match text.rfind(" at line ") {
        Some(position) => text.get(..position).unwrap_or(&text),
        None => &text,
    };
    let detail = message.to_owned();
    if problem.is_data() {
        RecordError::new(RecordErrorKind::NotAnObject { detail })
    } else {
        RecordError::new(RecordErrorKind::MalformedJson { column: problem.column(), detail })
    }
}

impl<'de> DeserializeSeed<'de> for &mut Reading<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Reading<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key_seed(KeySeed { reading: &mut *self })? {
            map.next_value_seed(ValueSeed { reading: &mut *self, field })?;
        }
        Ok(())
    }
}

struct KeySeed<'r, 'a> {
    reading: &'r mut Reading<'a>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Field;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Field, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Field;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
        let field = self.reading.program.field(name);
        if field == Field::Unknown {
            self.reading.unknown.note(name);
            self.reading.record.note_unknown_field(name);
            // Only the first problem is kept, so the suggestion (a
            // comparison with every fact) is looked for only once.
            if self.reading.options.strict && self.reading.error.is_none() {
                self.reading.fail(warnings::unknown_field_error(self.reading.program, name));
            }
        }
        Ok(field)
    }
}

struct ValueSeed<'r, 'a> {
    reading: &'r mut Reading<'a>,
    field: Field,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.field {
            Field::Unknown => {
                IgnoredAny::deserialize(deserializer)?;
                Ok(())
            }
            Field::Id => deserializer.deserialize_any(IdVisitor { reading: self.reading }),
            Field::Fact(slot) => deserializer.deserialize_any(FactVisitor { reading: self.reading, slot }),
        }
    }
}

struct IdVisitor<'r, 'a> {
    reading: &'r mut Reading<'a>,
}

impl IdVisitor<'_, '_> {
    fn reject(self, got: &str) {
        self.reading.fail(RecordError::new(RecordErrorKind::InvalidId { got: got.to_owned() }));
    }
}

impl<'de> Visitor<'de> for IdVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.reading.record.set_id_text(text);
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.reading.record.set_id_number(n.into());
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.reading.record.set_id_number(n.into());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        match serde_json::Number::from_f64(n) {
            Some(number) => self.reading.record.set_id_number(number),
            None => self.reject("a number that is not finite"),
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.reject(&value.to_string());
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.reject("an array");
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.reject("an object");
        Ok(())
    }
}

struct FactVisitor<'r, 'a> {
    reading: &'r mut Reading<'a>,
    slot: SlotId,
}

impl FactVisitor<'_, '_> {
    fn set(self, value: Result<Slot, RecordError>) {
        match value {
            Ok(slot_value) => self.reading.record.set_slot(self.slot, slot_value),
            Err(problem) => self.reading.fail(problem),
        }
    }

    fn number(self, n: f64) {
        let value = number_slot(self.reading.program, self.slot, n);
        self.set(value);
    }

    fn reject(self, got: &str) {
        let problem = expected(self.reading.program, self.slot, got);
        self.reading.fail(problem);
    }
}

impl<'de> Visitor<'de> for FactVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a fact value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        if self.reading.program.fact(self.slot).kind == Kind::Bool {
            self.set(Ok(Slot::Bool(value)));
        } else {
            self.reject(if value { "true" } else { "false" });
        }
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.number(n as f64);
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.number(n as f64);
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        self.number(n);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        let program = self.reading.program;
        if program.fact(self.slot).kind == Kind::Str {
            self.reading.record.store_string(self.slot, text);
        } else {
            let value = text_slot(program, self.slot, text, false);
            self.set(value);
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.set(Ok(Slot::Unknown));
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.set(Ok(Slot::Unknown));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.reject("an array");
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.reject("an object");
        Ok(())
    }
}
