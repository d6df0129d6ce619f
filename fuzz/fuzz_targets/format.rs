//! The formatter: whatever it accepts it formats idempotently, its output
//! has no syntax errors, and a file that checks keeps its diagnostics
//! (by code) and its model (up to declaration lines).
#![no_main]

use libfuzzer_sys::fuzz_target;
use osler_dsl::format::{FormatError, format};

fn codes(checked: &osler_dsl::Checked) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = checked.diagnostics.iter().map(|d| d.diagnostic.code.as_str()).collect();
    codes.sort_unstable();
    codes
}

fuzz_target!(|text: &str| {
    let formatted = match format(text) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax) => return,
        // The formatter's own safety net caught a change of meaning: a bug.
        Err(FormatError::Internal(why)) => panic!("the formatter could not keep the meaning: {why}"),
    };
    match format(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting is not idempotent"),
        Err(error) => panic!("the formatter's own output does not format: {error}"),
    }
    let before = osler_dsl::check_sources(&[("fuzz.osl".to_owned(), text.to_owned())]);
    let after = osler_dsl::check_sources(&[("fuzz.osl".to_owned(), formatted.clone())]);
    assert_eq!(codes(&before), codes(&after), "formatting changed the diagnostics\n--- formatted:\n{formatted}");
    match (&before.model, &after.model) {
        (Some(before), Some(after)) => assert_eq!(
            osler_fuzz::model_without_locations(before),
            osler_fuzz::model_without_locations(after),
            "formatting changed the model\n--- formatted:\n{formatted}"
        ),
        (None, None) => {}
        _ => panic!("formatting changed whether the file has errors\n--- formatted:\n{formatted}"),
    }
});
