//! Arbitrary bytes as a CSV file (header, then rows) through
//! `batch::run_csv` against `ALL_TYPES` and `leg_pain`: never a panic, and
//! every row is one output line (a bad row is that row's error line, the
//! run goes on), as many rows as the csv crate itself reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osler_engine::batch::{RunOptions, run_csv};

/// The rows after the header, counted the way the engine reads them
/// (`flexible`, with a header); `None` when the csv crate fails.
fn rows(data: &[u8]) -> Option<u64> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(data);
    reader.byte_headers().ok()?;
    let mut row = csv::ByteRecord::new();
    let mut count = 0;
    while reader.read_byte_record(&mut row).ok()? {
        count += 1;
    }
    Some(count)
}

fuzz_target!(|data: &[u8]| {
    let expected = rows(data);
    for ruleset in osler_fuzz::record_rulesets() {
        for strict in [false, true] {
            let mut output = Vec::new();
            match run_csv(ruleset, data, &mut output, RunOptions::default().strict(strict), &mut |_| {}) {
                Ok(summary) => {
                    let lines = output.iter().filter(|&&b| b == b'\n').count() as u64;
                    assert_eq!(lines, summary.records, "one output line per row");
                    assert_eq!(Some(summary.records), expected, "rows read differ from the csv crate's");
                    assert!(summary.rejected <= summary.records);
                }
                Err(error) => assert_eq!(expected, None, "run_csv failed ({error}) where the csv crate did not"),
            }
        }
    }
});
