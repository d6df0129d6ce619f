//! Reading CSV rows into records: the header names the facts (and `id`),
//! every cell is text, and an empty cell is unknown. Cells are converted by
//! the same rules as JSON strings, plus `true`/`false` and plain numbers.

use crate::error::{RecordError, RecordErrorKind};
use crate::program::{Field, Kind, Program};
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Record, text_slot};
use crate::warnings;

/// The header of a CSV file, resolved against a program once.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    columns: Vec<Field>,
    names: Vec<String>,
}

impl Header {
    pub(crate) fn new(program: &Program, names: &csv::ByteRecord) -> Header {
        let names: Vec<String> = names.iter().map(|name| String::from_utf8_lossy(name).trim().to_owned()).collect();
        let columns = names.iter().map(|name| program.field(name)).collect();
        Header { columns, names }
    }
}

/// Reads one row into `record` (cleared first). The header's columns that
/// are not facts are counted in `unknown` and noted on the record (each
/// name once; copied into storage the record keeps, so a batch of rows
/// allocates for them once), and rejected when reading strictly.
pub(crate) fn read_row(
    program: &Program,
    header: &Header,
    row: &csv::ByteRecord,
    record: &mut Record,
    options: ReadOptions,
    unknown: &mut UnknownFields,
) -> Result<(), RecordError> {
    record.clear();
    let mut first_error: Option<RecordError> = None;
    if row.len() != header.columns.len() {
        first_error =
            Some(RecordError::new(RecordErrorKind::RowLength { fields: row.len(), header: header.columns.len() }));
    }
    for ((cell, field), name) in row.iter().zip(&header.columns).zip(&header.names) {
        let Ok(text) = std::str::from_utf8(cell) else {
            first_error.get_or_insert_with(|| RecordError::new(RecordErrorKind::InvalidUtf8 { column: name.clone() }));
            continue;
        };
        let text = text.trim();
        match *field {
            Field::Id => {
                if !text.is_empty() {
                    record.set_id_text(text);
                }
            }
            Field::Unknown => {
                unknown.note(name);
                record.note_unknown_field(name);
                if options.strict {
                    first_error.get_or_insert_with(|| warnings::unknown_field_error(program, name));
                }
            }
            Field::Fact(slot) => {
                if text.is_empty() {
                    continue;
                }
                if program.fact(slot).kind == Kind::Str {
                    record.store_string(slot, text);
                    continue;
                }
                match text_slot(program, slot, text, true) {
                    Ok(value) => record.set_slot(slot, value),
                    Err(problem) => {
                        first_error.get_or_insert(problem);
                    }
                }
            }
        }
    }
    match first_error {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Header, read_row};
    use crate::reading::{ReadOptions, UnknownFields};
    use crate::ruleset::Ruleset;

    const RULES: &str = "
enum Pulse { present, absent }
fact pedal_pulses: Pulse
fact unilateral: bool
action emergency()
rule r: pedal_pulses == absent and unilateral -> emergency()
";

    #[test]
    fn every_row_carries_the_headers_unknown_columns_once_each_in_order() {
        let ruleset = match Ruleset::from_sources(&[("t.osl".to_owned(), RULES.to_owned())]) {
            Ok(ruleset) => ruleset,
            Err(error) => panic!("{error}"),
        };
        let program = ruleset.program();
        let names = csv::ByteRecord::from(vec!["id", "pedal_pulse", "unilateral", "temperature", "pedal_pulse"]);
        let header = Header::new(program, &names);
        let mut record = ruleset.record();
        let mut unknown = UnknownFields::default();
        for row in [vec!["a", "absent", "true", "38", ""], vec!["b", "", "", "", ""]] {
            let row = csv::ByteRecord::from(row);
            let read = read_row(program, &header, &row, &mut record, ReadOptions::default(), &mut unknown);
            assert!(read.is_ok(), "{read:?}");
            assert_eq!(record.unknown_fields(), ["pedal_pulse", "temperature"]);
        }
        assert_eq!(unknown.counts.get("pedal_pulse"), Some(&4));
        // A strict read rejects the row, naming the first unknown column and
        // the fact it probably misspells.
        let row = csv::ByteRecord::from(vec!["c", "absent", "true", "38", ""]);
        let strict = ReadOptions::default().strict(true);
        let error = read_row(program, &header, &row, &mut record, strict, &mut unknown).err();
        assert_eq!(
            error.map(|error| error.to_string()),
            Some(
                "unknown field `pedal_pulse`: not a fact of this ruleset (--strict); did you mean `pedal_pulses`?"
                    .to_owned()
            )
        );
        // A header without unknown columns leaves a reused record with none.
        let known = Header::new(program, &csv::ByteRecord::from(vec!["id", "pedal_pulses"]));
        let row = csv::ByteRecord::from(vec!["d", "absent"]);
        assert!(read_row(program, &known, &row, &mut record, ReadOptions::default(), &mut unknown).is_ok());
        assert!(record.unknown_fields().is_empty());
    }
}
