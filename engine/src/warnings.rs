//! Warnings about a record's input that do not stop it being evaluated:
//! field names that are not facts of the ruleset, each with the fact it
//! was probably meant to be. A misspelled red flag (`pedal_pulse` for
//! `pedal_pulses`) is otherwise dropped silently, so the warning goes on
//! the record's own output line.
// The output writers call `write_warnings_json`; until they do, the
// writing half of this module is unused outside its tests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write as _;

use crate::error::{RecordError, RecordErrorKind};
use crate::program::Program;
use crate::record::Record;

/// Warnings kept per thread before the cache starts over. A batch whose
/// records share a misspelling asks for the same warning again and again;
/// the bound keeps a stream of distinct names from growing memory.
const CACHE_LIMIT: usize = 1024;

/// Unknown fields warned about one by one on an output line; more are
/// counted in one last warning. A record with thousands of them was made
/// for another schema, and looking for a suggestion for each would cost a
/// comparison with every fact per name.
const MAX_WARNINGS: usize = 100;

/// Longer field names are not cached: a misspelling is short, and a long
/// name would hold memory for nothing.
const CACHED_NAME_LIMIT: usize = 128;

/// Finished warnings as JSON strings (quotes included), by field name, for
/// the program last asked about on this thread: finding the closest fact
/// compares the name with every fact, which is worth doing once, not once
/// per record.
#[derive(Default)]
struct Cache {
    program: u64,
    warnings: HashMap<String, String>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// The fact of `program` that `name` is probably a misspelling of, by the
/// closeness the checker uses for its "did you mean".
pub(crate) fn suggestion<'p>(program: &'p Program, name: &str) -> Option<&'p str> {
    osler_dsl::suggest::closest(name, program.facts.iter().map(|fact| fact.name.as_str()))
}

/// The strict reader's error for a field `name` that is not a fact, with
/// the fact it probably misspells.
pub(crate) fn unknown_field_error(program: &Program, name: &str) -> RecordError {
    let suggestion = suggestion(program, name).map(str::to_owned);
    RecordError::new(RecordErrorKind::UnknownField { name: name.to_owned(), suggestion })
}

/// The warning for a field `name` that is not a fact of `program`:
/// "unknown field `pedal_pulse` (did you mean `pedal_pulses`?)", the
/// suggestion only when a fact is close.
pub(crate) fn unknown_field_warning(program: &Program, name: &str) -> String {
    match suggestion(program, name) {
        Some(fact) => format!("unknown field `{name}` (did you mean `{fact}`?)"),
        None => format!("unknown field `{name}`"),
    }
}

/// The warnings of `record` as [`write_warnings_json`] writes them.
pub(crate) fn warnings_of(program: &Program, record: &Record) -> Vec<String> {
    let names = record.unknown_fields();
    let mut warnings: Vec<String> =
        names.iter().take(MAX_WARNINGS).map(|name| unknown_field_warning(program, name)).collect();
    if let Some(more) = names.len().checked_sub(MAX_WARNINGS).filter(|&more| more > 0) {
        warnings.push(format!("and {more} more unknown fields"));
    }
    warnings
}

/// Appends `,"warnings":[...]` (one JSON string per unknown field of
/// `record`, in input order) to an output line being written, or nothing
/// when the record has no unknown fields.
#[inline]
pub(crate) fn write_warnings_json(out: &mut Vec<u8>, program: &Program, record: &Record) {
    if !record.unknown_fields().is_empty() {
        write_some_warnings(out, program, record);
    }
}

/// [`write_warnings_json`] for a record with unknown fields (rare: kept
/// out of the hot loop).
#[cold]
#[inline(never)]
fn write_some_warnings(out: &mut Vec<u8>, program: &Program, record: &Record) {
    let names = record.unknown_fields();
    out.extend_from_slice(b",\"warnings\":[");
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.program != program.id || cache.warnings.len() >= CACHE_LIMIT {
            cache.program = program.id;
            cache.warnings.clear();
        }
        for (position, name) in names.iter().take(MAX_WARNINGS).enumerate() {
            if position > 0 {
                out.push(b',');
            }
            if let Some(json) = cache.warnings.get(name.as_str()) {
                out.extend_from_slice(json.as_bytes());
                continue;
            }
            // serde_json's escaping, so the line equals the outcome's.
            let json = serde_json::to_string(&unknown_field_warning(program, name)).unwrap_or_default();
            out.extend_from_slice(json.as_bytes());
            if name.len() <= CACHED_NAME_LIMIT {
                cache.warnings.insert(name.clone(), json);
            }
        }
    });
    if let Some(more) = names.len().checked_sub(MAX_WARNINGS).filter(|&more| more > 0) {
        let _ = write!(out, ",\"and {more} more unknown fields\"");
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::{unknown_field_warning, write_warnings_json};
    use crate::ruleset::Ruleset;

    /// The record's warnings written into a line `{"id":null,..}`, parsed.
    fn warnings_line(program: &crate::program::Program, record: &crate::record::Record) -> serde_json::Value {
        let mut out = b"{\"id\":null".to_vec();
        write_warnings_json(&mut out, program, record);
        out.push(b'}');
        match serde_json::from_slice(&out) {
            Ok(line) => line,
            Err(error) => panic!("{error}: {}", String::from_utf8_lossy(&out)),
        }
    }

    const RULES: &str = "
enum Pulse { present, absent }
fact pedal_pulses: Pulse
fact unilateral: bool
action emergency()
rule r: pedal_pulses == absent and unilateral -> emergency()
";

    fn ruleset() -> Ruleset {
        match Ruleset::from_sources(&[("t.osl".to_owned(), RULES.to_owned())]) {
            Ok(ruleset) => ruleset,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn a_warning_suggests_a_close_fact_and_only_a_close_one() {
        let ruleset = ruleset();
        let program = ruleset.program();
        assert_eq!(
            unknown_field_warning(program, "pedal_pulse"),
            "unknown field `pedal_pulse` (did you mean `pedal_pulses`?)"
        );
        assert_eq!(
            unknown_field_warning(program, "unilaterla"),
            "unknown field `unilaterla` (did you mean `unilateral`?)"
        );
        assert_eq!(unknown_field_warning(program, "temperature"), "unknown field `temperature`");
    }

    #[test]
    fn warnings_are_json_strings_in_input_order_and_absent_without_unknown_fields() {
        let ruleset = ruleset();
        let program = ruleset.program();
        let record = match ruleset.read_json(r#"{"pedal_pulse": "absent", "we\"ird\\\n": 1, "pedal_pulse": null}"#) {
            Ok(record) => record,
            Err(error) => panic!("{error}"),
        };
        // Twice, so the second line comes from the cache and must agree.
        for _ in 0..2 {
            let line = warnings_line(program, &record);
            assert_eq!(
                line["warnings"],
                serde_json::json!([
                    "unknown field `pedal_pulse` (did you mean `pedal_pulses`?)",
                    "unknown field `we\"ird\\\n`"
                ])
            );
        }
        let many: Vec<String> = (0..250).map(|n| format!("\"extra_{}\":{n}", n % 200)).collect();
        let record = match ruleset.read_json(&format!("{{{}}}", many.join(","))) {
            Ok(record) => record,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(record.unknown_fields().len(), 200);
        let line = warnings_line(program, &record);
        let warnings = line["warnings"].as_array().cloned().unwrap_or_default();
        assert_eq!(warnings.len(), 101);
        assert_eq!(warnings[99], "unknown field `extra_99`");
        assert_eq!(warnings[100], "and 100 more unknown fields");
        let clean = match ruleset.read_json(r#"{"pedal_pulses": "absent"}"#) {
            Ok(record) => record,
            Err(error) => panic!("{error}"),
        };
        let mut out = Vec::new();
        write_warnings_json(&mut out, program, &clean);
        assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    }
}
