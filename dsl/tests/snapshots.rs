//! Snapshot tests of what people read: diagnostics as the terminal renders
//! them (miette, without colour) and the formatter's canonical layout of
//! messy inputs. The snapshots live in `dsl/tests/snapshots/`; after a
//! deliberate change, `INSTA_UPDATE=always cargo test -p osler-dsl --test
//! snapshots` rewrites them, and each changed `.snap` is reviewed.

use osler_dsl::format::format;

/// Checks `files` as one ruleset and renders every diagnostic.
fn rendered(files: &[(&str, &str)]) -> String {
    let files: Vec<(String, String)> = files.iter().map(|(path, text)| (path.to_string(), text.to_string())).collect();
    let checked = osler_dsl::check_sources(&files);
    assert!(!checked.diagnostics.is_empty(), "expected diagnostics for {files:?}");
    let source_of = |path: &str| files.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str());
    osler_dsl::diagnostic::render_terminal(&checked.diagnostics, &source_of, false)
}

const PRELUDE: &str = "source guide \"A guideline\" year 2026\n\naction emergency(within: duration)\n";

#[test]
fn syntax_error() {
    let rules = format!(
        "{PRELUDE}\nfact hba1c: number mmol\n\nrule high \"High HbA1c\":\n  hba1c > 9 -> emergency(6h)\n  cite guide\n"
    );
    insta::assert_snapshot!(rendered(&[("rules.osl", &rules)]));
}

#[test]
fn type_error_with_help() {
    let rules = format!(
        "{PRELUDE}\n/// Ankle pressure.\nfact ankle_pressure: number mmHg\n\nrule low \"Low ankle pressure\":\n  ankle_pressure < 50 -> emergency(6h)\n  cite guide\n"
    );
    insta::assert_snapshot!(rendered(&[("rules.osl", &rules)]));
}

#[test]
fn related_location_in_another_file() {
    let facts = "/// Symptoms affect one leg only.\nfact unilateral: bool\n";
    let rules = format!(
        "{PRELUDE}\n/// Declared again here.\nfact unilateral: bool\n\nrule one_leg \"One leg\":\n  unilateral -> emergency(6h)\n  cite guide\n"
    );
    insta::assert_snapshot!(rendered(&[("facts.osl", facts), ("rules.osl", &rules)]));
}

#[test]
fn long_line_is_cut_around_the_label() {
    let condition = (0..60).map(|n| format!("flag_{n:02}")).collect::<Vec<_>>().join(" or ");
    let mut rules = format!("{PRELUDE}\n");
    for n in 0..60 {
        rules.push_str(&format!("/// Flag {n}.\nfact flag_{n:02}: bool\n"));
    }
    rules
        .push_str(&format!("\nrule any_flag \"Any flag\":\n  {condition} or flag_xx -> emergency(6h)\n  cite guide\n"));
    insta::assert_snapshot!(rendered(&[("rules.osl", &rules)]));
}

/// The canonical layout of `input`, which must be formattable.
fn formatted(input: &str) -> String {
    format(input).unwrap_or_else(|error| panic!("cannot format {input:?}: {error}"))
}

#[test]
fn format_named_rule_spacing_and_breaks() {
    insta::assert_snapshot!(formatted(
        "rule  ali \"Absent pulse\"  overrides other:absent_pulse and\n unilateral->emergency( 6h ),suspect(ali)   cite  guide\n"
    ));
}

#[test]
fn format_facts_enums_and_comments() {
    insta::assert_snapshot!(formatted(
        "// Facts.\nfact a:bool\n\n\n\nfact b :  number   mmHg // pressure\nenum Pulse{present,absent,}\nenum Grade {\n  low,\n  high\n}\n"
    ));
}

#[test]
fn format_test_block() {
    insta::assert_snapshot!(formatted(
        "test \"t\" { given a = true, b = 50mmHg expect emergency(6h) expect not urgent }\n"
    ));
}

#[test]
fn format_let_and_short_rule() {
    insta::assert_snapshot!(formatted("let   low=\n     b<40 mmHg or  -x > 3\nlow  ->  emergency(2d)   cite guide\n"));
}

#[test]
fn format_sets_calls_and_trailing_commas() {
    insta::assert_snapshot!(formatted(
        "rule r:count( a,b , c, )>=2 and p in { Pulse.absent , diminished, } and known( x ) -> f\n  cite s\n"
    ));
}
