//! Reading CSV rows into records: the header names the facts (and `id`),
//! every cell is text, and an empty cell is unknown. Cells are converted by
//! the same rules as JSON strings, plus `true`/`false` and plain numbers.

use crate::error::{RecordError, RecordErrorKind};
use crate::program::{Field, Kind, Program};
use crate::reading::{ReadOptions, UnknownFields};
use crate::record::{Record, text_slot};

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

/// Reads one row into `record` (cleared first).
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
                if options.strict {
                    first_error
                        .get_or_insert_with(|| RecordError::new(RecordErrorKind::UnknownField { name: name.clone() }));
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
