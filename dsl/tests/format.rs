//! The formatter on every corpus file: idempotent, meaning kept (the checked
//! model before and after is equal), comments kept; the shipped rulesets
//! are already in the canonical layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use osler_dsl::format::{FormatError, format};
use osler_dsl::syntax::{TokenKind, lex};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn osl_files(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            osl_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "osl") {
            out.push(path);
        }
    }
}

/// Every `.osl` file of the repository's corpora.
fn corpus() -> Vec<(PathBuf, String)> {
    let root = workspace_root();
    let mut paths = Vec::new();
    for folder in ["rulesets", "tests/corpus", "examples", "dsl/tests"] {
        osl_files(&root.join(folder), &mut paths);
    }
    assert!(!paths.is_empty(), "no corpus found under {}", root.display());
    paths.into_iter().filter_map(|path| std::fs::read_to_string(&path).ok().map(|text| (path, text))).collect()
}

fn comments(text: &str) -> Vec<String> {
    lex(text).iter().filter(|t| t.kind == TokenKind::Comment).map(|t| t.text(text).trim_end().to_owned()).collect()
}

/// The model with declaration lines and spans erased (formatting moves
/// declarations).
fn model_without_lines(files: &[(String, String)]) -> Option<osler_dsl::model::Model> {
    let checked = osler_dsl::check_sources(files);
    let mut model = (*checked.model?).clone();
    // Formatting moves declarations, so where they are is left out.
    let locations = model
        .rules
        .iter_mut()
        .map(|rule| &mut rule.location)
        .chain(model.tests.iter_mut().map(|test| &mut test.location))
        .chain(model.asserts.iter_mut().map(|assert| &mut assert.location))
        .chain(model.exclusives.iter_mut().map(|exclusive| &mut exclusive.location));
    for location in locations {
        location.line = 0;
        location.span = osler_dsl::span::Span::default();
    }
    Some(model)
}

#[test]
fn every_corpus_file_formats_idempotently_and_keeps_its_comments() {
    let mut formatted_count = 0;
    for (path, text) in corpus() {
        match format(&text) {
            Ok(once) => {
                formatted_count += 1;
                let twice =
                    format(&once).unwrap_or_else(|e| panic!("{}: formatted text does not format: {e}", path.display()));
                assert_eq!(once, twice, "{}: formatting is not idempotent", path.display());
                assert_eq!(comments(&text), comments(&once), "{}: comments changed", path.display());
            }
            Err(FormatError::Syntax) => {}
            Err(error) => panic!("{}: {error}", path.display()),
        }
    }
    assert!(formatted_count > 10, "only {formatted_count} corpus files could be formatted");
}

#[test]
fn formatting_keeps_the_checked_model() {
    // Group files by folder: a folder is a ruleset.
    let mut rulesets: BTreeMap<PathBuf, Vec<(PathBuf, String)>> = BTreeMap::new();
    for (path, text) in corpus() {
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        rulesets.entry(folder).or_default().push((path, text));
    }
    let mut compared = 0;
    for (folder, files) in rulesets {
        // Corpus folders of single-file cases are rulesets of one file each.
        let groups: Vec<Vec<(PathBuf, String)>> = if folder.ends_with("rulesets/leg_pain")
            || files.len() > 1 && folder.parent().is_some_and(|p| p.ends_with("check"))
        {
            vec![files]
        } else {
            files.into_iter().map(|file| vec![file]).collect()
        };
        for group in groups {
            let before: Vec<(String, String)> =
                group.iter().map(|(p, t)| (p.display().to_string(), t.clone())).collect();
            let Some(before_model) = model_without_lines(&before) else { continue };
            let after: Vec<(String, String)> =
                before.iter().map(|(p, t)| (p.clone(), format(t).unwrap_or_else(|_| t.clone()))).collect();
            let after_model =
                model_without_lines(&after).unwrap_or_else(|| panic!("{}: errors after formatting", folder.display()));
            assert_eq!(before_model, after_model, "{}: the model changed", folder.display());
            compared += 1;
        }
    }
    assert!(compared > 0);
}

#[test]
fn shipped_rulesets_are_formatted() {
    let mut paths = Vec::new();
    osl_files(&workspace_root().join("rulesets"), &mut paths);
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let formatted = format(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if formatted != text {
            let first = text.lines().zip(formatted.lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "{} is not formatted (run `osler fmt rulesets`); first difference at line {}:\n  file:      {:?}\n  formatted: {:?}",
                path.display(),
                first + 1,
                text.lines().nth(first),
                formatted.lines().nth(first)
            );
        }
    }
}

fn check(input: &str, expected: &str) {
    let formatted = format(input).unwrap_or_else(|e| panic!("{e}:\n{input}"));
    assert_eq!(formatted, expected, "formatting\n{input}");
    assert_eq!(format(&formatted).as_deref(), Ok(expected), "not idempotent");
}

#[test]
fn language_reference_layout() {
    check(
        "ruleset   leg_pain \"Acute leg pain\"\nsource ali_2026 \"Emergencies\"   year 2026\n\n\n\nenum Pulse {present,diminished,absent,}\n/// Symptoms affect one leg only.\nfact unilateral:bool\nfact abi : number\nfact ankle_pressure: number   mmHg\n",
        "ruleset leg_pain \"Acute leg pain\"\n\nsource ali_2026 \"Emergencies\" year 2026\n\nenum Pulse { present, diminished, absent }\n\n/// Symptoms affect one leg only.\nfact unilateral: bool\nfact abi: number\nfact ankle_pressure: number mmHg\n",
    );
}

#[test]
fn rules_named_and_short() {
    check(
        "rule ali_emergency \"Absent pulse\": absent_pulse and unilateral -> emergency(6h), suspect(acute_limb_ischemia) cite ali_2026\n",
        "rule ali_emergency \"Absent pulse\":\n  absent_pulse and unilateral -> emergency(6h), suspect(acute_limb_ischemia)\n  cite ali_2026\n",
    );
    check(
        "rule b \"T\"\n    overrides a, c :\n   x and\n y\n     -> f(),\n g cite s, t\n",
        "rule b \"T\"\n  overrides a, c:\n  x\n  and y\n  -> f(),\n  g\n  cite s, t\n",
    );
    check(
        "absent_pulse   and unilateral->emergency( 6h )\nx -> y   cite s\n",
        "absent_pulse and unilateral -> emergency(6h)\nx -> y cite s\n",
    );
}

#[test]
fn asserts_are_laid_out_like_rules() {
    check(
        "assert  ali_anticoagulated \"ALI\" :  suspect( acute_limb_ischemia )and not contraindicated->treat(heparin) cite ali_management ,other\n",
        "assert ali_anticoagulated \"ALI\":\n  suspect(acute_limb_ischemia) and not contraindicated -> treat(heparin)\n  cite ali_management, other\n",
    );
    check(
        "assert no_home_care: self_care -> not(emergency or suspect(limb_threat))\n",
        "assert no_home_care:\n  self_care -> not (emergency or suspect(limb_threat))\n",
    );
    check(
        "assert   leg_pain->emergency  or self_care\nassert x\n  -> y // why\n",
        "assert leg_pain -> emergency or self_care\n\nassert x\n  -> y // why\n",
    );
    check(
        "exclusive   ali_category\nexclusive suspect\n\n\nfact a: bool\n",
        "exclusive ali_category\nexclusive suspect\n\nfact a: bool\n",
    );
}

#[test]
fn priority_on_one_line() {
    check(
        "priority   emergency>urgent\n  > follow_up\n\n\nfact a: bool\n",
        "priority emergency > urgent > follow_up\n\nfact a: bool\n",
    );
    check("priority emergency\n", "priority emergency\n");
    // A comment inside keeps its place; the break it forces stays.
    check(
        "/// Most urgent first.\npriority emergency // now\n    > self_care\n",
        "/// Most urgent first.\npriority emergency // now\n  > self_care\n",
    );
}

#[test]
fn expressions_spacing() {
    check(
        "let a = -x+ y*2 >= - 3 and b in { p ,q } or not(c) or d!=Pulse.absent\n",
        "let a = -x + y * 2 >= -3 and b in {p, q} or not (c) or d != Pulse.absent\n",
    );
    check(
        "let q = count( a,b ,c)>=2 and w>50mmHg and p < 7%\n",
        "let q = count(a, b, c) >= 2 and w > 50 mmHg and p < 7 %\n",
    );
    check("let l =\n    a or b\n", "let l =\n  a or b\n");
}

#[test]
fn multiline_enums_get_one_variant_per_line() {
    check("enum Test {\n  a, b,\n      c\n}\n", "enum Test {\n  a,\n  b,\n  c,\n}\n");
    check("enum T { a, // first\n b }\n", "enum T {\n  a, // first\n  b,\n}\n");
}

#[test]
fn tests_one_statement_per_line() {
    check(
        "test \"t\" { given a = true, b = absent expect f(6h)\n   expect not g\n\n\n   // why\n   expect h }\n",
        "test \"t\" {\n  given a = true, b = absent\n  expect f(6h)\n  expect not g\n\n  // why\n  expect h\n}\n",
    );
    check("test \"t\" {\n  given a = true,\n  b = false\n}\n", "test \"t\" {\n  given a = true,\n    b = false\n}\n");
}

#[test]
fn baselines_and_every_expect_form_print_back_unchanged() {
    let canonical = "/// The negative side.\nbaseline normal_exam {\n  given unilateral = false, numbness = false\n}\n\n\
        baseline one_leg {\n  given normal_exam, unilateral = true\n  given age = 70 years\n}\n\n\
        test \"t\" {\n  given one_leg, pedal_pulses = absent\n  expect emergency(6h)\n  expect not emergency(1h)\n\
        \x20 expect emergency(6h) from ali\n  expect not emergency from numb\n  expect ali fires\n  expect not numb fires\n\
        \x20 expect undetermined numb\n  expect not undetermined ali\n  expect examine age\n  expect not examine numbness\n\
        \x20 expect nothing\n}\n";
    check(canonical, canonical);
    // The same, laid out by hand.
    check(
        "baseline   one_leg{given normal_exam,unilateral=true}\ntest \"t\" { given one_leg expect  emergency( 6h )  from  ali\n expect not  numb   fires expect examine age\n  expect nothing }\n",
        "baseline one_leg {\n  given normal_exam, unilateral = true\n}\n\ntest \"t\" {\n  given one_leg\n  expect emergency(6h) from ali\n  expect not numb fires\n  expect examine age\n  expect nothing\n}\n",
    );
    // The words of the forms stay names elsewhere: a call of an action
    // named `examine`, a fact named `from` before a minus.
    check("rule r:\n  from - 1 > 0 -> examine(6h)\n", "rule r:\n  from - 1 > 0 -> examine(6h)\n");
    check(
        "test \"t\" {\n  expect examine()\n  expect nothing()\n}\n",
        "test \"t\" {\n  expect examine()\n  expect nothing()\n}\n",
    );
}

#[test]
fn comments_are_kept_in_place() {
    check(
        "// header\n\n\n// section\nfact a: bool   // trailing\n// about b\nfact b: bool\nrule r:\n  // why\n  a -> f // trailing\n  cite s\n// end\n",
        "// header\n\n// section\nfact a: bool // trailing\n// about b\nfact b: bool\n\nrule r:\n  // why\n  a -> f // trailing\n  cite s\n\n// end\n",
    );
}

#[test]
fn blank_lines_between_declarations() {
    check(
        "fact a: bool\nfact b: bool\n\n\nfact c: bool\naction f()\nrule r: a -> f\nrule s: b -> f\n",
        "fact a: bool\nfact b: bool\n\nfact c: bool\n\naction f()\n\nrule r:\n  a -> f\n\nrule s:\n  b -> f\n",
    );
}

#[test]
fn files_with_syntax_errors_are_refused() {
    assert_eq!(format("fact a number\nfact b: bool\n"), Err(FormatError::Syntax));
    assert_eq!(format(""), Ok(String::new()));
    assert_eq!(format("\n\n// only a comment   \n\n"), Ok("// only a comment\n".to_owned()));
    assert_eq!(format("fact a: bool\r\nfact b: bool\r\n"), Ok("fact a: bool\nfact b: bool\n".to_owned()));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Declarations whose strings hold no spaces, so every space is a place
    /// where the generator may put other blanks, a line break or a comment
    /// (`~` is a space that must stay one: inside a quantity).
    const DECLARATIONS: [&str; 16] = [
        "priority act > other > third",
        "assert safe \"Safe\" : low and not act ( 6h , absent ) -> act or pressure > 3~mmHg cite guide , other",
        "assert low -> not ( act ) cite guide",
        "exclusive act",
        "ruleset demo \"Demo\"",
        "source guide \"Guide\" year 2026 url \"https://x.org\"",
        "enum Pulse { present , diminished , absent }",
        "fact pulses : Pulse",
        "fact pressure : number~mmHg",
        "let low = pressure < 50~mmHg and not ( pulses == Pulse.absent )",
        "action act ( within : duration , kind : Pulse )",
        "rule r \"R\" overrides s , t : low or pulses in { present , absent } -> act ( 6h , absent ) , act ( 2d , present ) cite guide , other",
        "rule s : count ( low , pulses != present ) >= 2 -> act ( 1h , absent )",
        "low and - pressure < -3~mmHg -> act ( 30min , present ) cite guide",
        "test \"t\" { given pulses = absent , pressure = 40~mmHg expect act ( 6h , absent ) expect not act }",
        "/// Documented.\nfact documented : bool",
    ];

    fn blanks() -> impl Strategy<Value = &'static str> {
        prop_oneof![Just(" "), Just("  "), Just("\n  "), Just("\n    "), Just(" // note\n  "), Just("\t")]
    }

    fn declaration() -> impl Strategy<Value = String> {
        (0..DECLARATIONS.len(), proptest::collection::vec(blanks(), 64)).prop_map(|(index, gaps)| {
            let mut out = String::new();
            for (position, word) in DECLARATIONS[index].split(' ').enumerate() {
                if position > 0 {
                    out.push_str(gaps[position % gaps.len()]);
                }
                out.push_str(&word.replace('~', " "));
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn formatting_is_idempotent(
            declarations in proptest::collection::vec(declaration(), 1..6),
            separators in proptest::collection::vec(prop_oneof![Just("\n"), Just("\n\n"), Just("\n\n\n// between\n"), Just("\n  // indented\n")], 6),
        ) {
            let mut text = String::new();
            for (index, declaration) in declarations.iter().enumerate() {
                text.push_str(declaration);
                text.push_str(separators[index % separators.len()]);
            }
            match format(&text) {
                Ok(once) => {
                    prop_assert_eq!(format(&once), Ok(once.clone()), "not idempotent for\n{}", text);
                    prop_assert_eq!(comments(&text), comments(&once));
                }
                Err(FormatError::Syntax) => {}
                Err(error) => prop_assert!(false, "{} for\n{}", error, text),
            }
        }
    }
}

/// A form feed (or another blank the grammar does not know) at the start of
/// a line is a syntax error in its declaration, not a character that falls
/// between declarations, which the formatter could not place (found by the
/// `format` fuzz target: fuzz/regressions/format/).
#[test]
fn a_form_feed_at_a_line_start_is_a_syntax_error_not_an_internal_one() {
    for blank in ["\x0c", "\u{a0}", "\u{2003}"] {
        let text = format!("fact y: bool\n{blank}fact x: bool\n");
        assert!(matches!(format(&text), Err(FormatError::Syntax)), "{blank:?}");
        let parsed = osler_dsl::syntax::parse(&text);
        assert_eq!(parsed.errors.len(), 1, "{blank:?}: {:?}", parsed.errors);
        assert!(parsed.errors[0].span.start >= 13, "{blank:?}: the error is on line 2");
    }
}
