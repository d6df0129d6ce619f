//! Hostile input: no input overflows the stack. Each case runs every layer
//! (split, parse, check, model build, engine compile, evaluation,
//! explanation, formatter, the editor queries behind `osler lsp`) on a
//! thread with a 2 MiB stack, the size of the language server's blocking
//! threads, in the normal debug build. A stack overflow aborts the whole
//! test binary, so each of these fails loudly.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken fixture")]

use std::time::Instant;

use osler_dsl::db::Database;
use osler_dsl::syntax::MAX_NESTING;
use osler_dsl::{Checked, FileDiagnostic, Severity, check_sources, format, ide, load_ruleset};
use osler_engine::Ruleset;

const STACK: usize = 2 << 20;

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack<T: Send + 'static>(name: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let started = Instant::now();
    let result = std::thread::Builder::new().name(name.to_owned()).stack_size(STACK).spawn(f).unwrap().join();
    eprintln!("{name}: {:.2?}", started.elapsed());
    result.unwrap()
}

const HEADER: &str = "source g \"Guideline\" year 2026\naction act()\n";

fn files(text: &str) -> Vec<(String, String)> {
    vec![("hostile.osl".to_owned(), text.to_owned())]
}

fn with_code<'c>(checked: &'c Checked, code: &str) -> Vec<&'c FileDiagnostic> {
    checked.diagnostics.iter().filter(|d| d.diagnostic.code == code).collect()
}

fn errors(checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == Severity::Error)
        .map(|d| format!("{} {:?} {}", d.diagnostic.code, d.diagnostic.span, d.diagnostic.message))
        .collect()
}

/// Every query the language server runs on a file, at `offsets`, plus the
/// formatter: none may overflow; what they answer is not checked here.
fn editor_queries(text: &str, offsets: &[usize]) {
    let db = Database::default();
    let ruleset = load_ruleset(&db, &files(text));
    editor_queries_in(&db, ruleset, text, offsets);
}

/// Checks `text` in a database kept for [`editor_queries_in`] (debug-build
/// parsing of a megabyte costs seconds: each case parses as few times as
/// it can).
fn check_in(text: &str) -> (Database, osler_dsl::db::Ruleset, Checked) {
    let db = Database::default();
    let ruleset = load_ruleset(&db, &files(text));
    let checked = osler_dsl::check_ruleset(&db, ruleset);
    (db, ruleset, checked)
}

fn editor_queries_in(db: &Database, ruleset: osler_dsl::db::Ruleset, text: &str, offsets: &[usize]) {
    let file = ruleset.files(db)[0];
    let _ = osler_dsl::check::file_diagnostics(db, ruleset, file);
    let _ = ide::outline(db, file);
    let _ = ide::folding_ranges(db, file);
    let _ = ide::semantic_tokens(db, ruleset, file);
    let _ = ide::inlay_hints(db, ruleset, file);
    let _ = ide::file_names(db, ruleset, file);
    for &offset in offsets {
        let offset = offset as u32;
        let _ = ide::hover(db, ruleset, file, offset);
        let _ = ide::completions(db, ruleset, file, offset);
        let _ = ide::signature_help(db, ruleset, file, offset);
        if let Some(name) = ide::name_at(db, ruleset, file, offset) {
            let _ = ide::references(db, ruleset, &name.target, true);
        }
    }
    let _ = format::format(text);
}

/// The offset of the `n`th (from 1) occurrence of `needle` after `from`.
/// The codes of the ruleset's analysis findings, after the engine replayed
/// them; none may be an internal error (a claim the engine does not show).
fn analysed(ruleset: &Ruleset) -> Vec<&'static str> {
    let confirmed = ruleset.analyze();
    let codes: Vec<&'static str> = confirmed.iter().map(|c| c.diagnostic.diagnostic.code.as_str()).collect();
    assert!(!codes.contains(&"osler::internal"), "{:?}", confirmed.iter().map(|c| &c.diagnostic).collect::<Vec<_>>());
    codes
}

fn nth(text: &str, from: usize, needle: &str, n: usize) -> usize {
    text[from..].match_indices(needle).nth(n - 1).map(|(at, _)| from + at).unwrap()
}

#[test]
fn a_hundred_thousand_nested_parentheses_are_too_deep_where_the_limit_is_passed() {
    on_small_stack("parentheses", || {
        let depth = 100_000;
        let text = format!(
            "{HEADER}fact a: bool\nlet x = {}a{}\nrule r \"R\": x and b -> act cite g\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let checked = check_sources(&files(&text));
        let deep = with_code(&checked, "osler::too_deep");
        assert_eq!(deep.len(), 1, "{:?}", errors(&checked));
        let value = text.find("let x = ").unwrap() + "let x = ".len();
        assert_eq!(deep[0].diagnostic.span.start as usize, value + MAX_NESTING as usize);
        assert!(deep[0].diagnostic.help.as_deref().unwrap_or("").contains("`let`"));
        // The rest of the file is still checked: `b` is unknown, but `x`,
        // whose declaration is too deep, is known by name.
        let unknown = with_code(&checked, "osler::unknown_fact");
        assert_eq!(unknown.len(), 1, "{:?}", errors(&checked));
        assert!(unknown[0].diagnostic.message.contains("`b`"));
        editor_queries(&text, &[value, value + 50_000, text.len() - 10]);
    });
}

#[test]
fn a_hundred_thousand_chained_nots_are_too_deep_at_the_first_one_past_the_limit() {
    on_small_stack("nots", || {
        let text =
            format!("{HEADER}fact a: bool\nlet x = {}a\nrule r \"R\": x -> act cite g\n", "not ".repeat(100_000));
        let checked = check_sources(&files(&text));
        let deep = with_code(&checked, "osler::too_deep");
        assert_eq!(deep.len(), 1, "{:?}", errors(&checked));
        let value = text.find("let x = ").unwrap() + "let x = ".len();
        assert_eq!(deep[0].diagnostic.span.start as usize, value + 4 * MAX_NESTING as usize);
        assert_eq!(errors(&checked).len(), 1, "{:?}", errors(&checked));
        editor_queries(&text, &[value, value + 200_000]);
    });
}

#[test]
fn a_hundred_thousand_term_sum_is_too_deep_and_one_within_the_limit_checks() {
    on_small_stack("sum", || {
        let text =
            format!("{HEADER}fact n: number\nlet s = n{}\nrule r \"R\": s > 1 -> act cite g\n", " + n".repeat(100_000));
        let checked = check_sources(&files(&text));
        let deep = with_code(&checked, "osler::too_deep");
        assert_eq!(deep.len(), 1, "{:?}", errors(&checked));
        let value = text.find("let s = ").unwrap();
        assert_eq!(deep[0].diagnostic.span.start as usize, nth(&text, value, "+", MAX_NESTING as usize + 1));
        let fits =
            format!("{HEADER}fact n: number\nlet s = n{}\nrule r \"R\": s > 1 -> act cite g\n", " + n".repeat(60));
        let checked = check_sources(&files(&fits));
        assert!(!checked.has_errors(), "{:?}", errors(&checked));
        let ruleset = Ruleset::from_sources(&files(&fits)).unwrap();
        let record = ruleset.record_builder().set("n", 1.0).unwrap().build();
        assert_eq!(ruleset.evaluate(&record).unwrap().fired, ["r"]);
        editor_queries(&text, &[value + 10, value + 300_000]);
    });
}

/// A condition of `terms` facts (`f0 .. f999`, repeating) joined by `op`,
/// on one line.
fn chain(terms: usize, op: &str) -> String {
    (0..terms).map(|i| format!("flag{}", i % 1000)).collect::<Vec<_>>().join(op)
}

fn facts() -> String {
    (0..1000).map(|i| format!("fact flag{i}: bool\n")).collect()
}

#[test]
fn a_hundred_thousand_term_and_chain_on_a_one_megabyte_line_checks_runs_and_explains() {
    on_small_stack("and chain", || {
        let condition = chain(100_000, " and ");
        // An `or` of 100 `and`s of 100 terms each.
        let mixed: String = (0..10_000)
            .map(|i| {
                let separator = if i == 9_999 {
                    ""
                } else if i % 100 == 99 {
                    " or "
                } else {
                    " and "
                };
                format!("flag{}{separator}", i % 1000)
            })
            .collect();
        let text = format!(
            "{HEADER}{}rule r \"R\": {condition} -> act cite g\nrule s \"S\":\n  {mixed}\n  -> act cite g\n",
            facts()
        );
        assert!(condition.len() >= 1_000_000, "{}", condition.len());
        let (db, loaded, checked) = check_in(&text);
        assert!(checked.diagnostics.is_empty(), "{:?}", &checked.diagnostics[..checked.diagnostics.len().min(3)]);
        let model = checked.model.unwrap();
        let osler_dsl::model::Expr::And(operands) = &model.rules[0].condition else { panic!("not an `and`") };
        assert_eq!(operands.len(), 100_000);
        let osler_dsl::model::Expr::Or(operands) = &model.rules[1].condition else { panic!("not an `or`") };
        assert_eq!(operands.len(), 100);

        let ruleset = Ruleset::from_model(model).unwrap();
        let all = |value: bool| {
            let mut builder = ruleset.record_builder();
            for i in 0..1000 {
                builder = builder.set(&format!("flag{i}"), value).unwrap();
            }
            builder
        };
        let record = all(true).build();
        let outcome = ruleset.evaluate(&record).unwrap();
        assert_eq!(outcome.fired, ["r", "s"]);
        let mut evaluator = ruleset.evaluator();
        let explanation = evaluator.evaluate(&record).unwrap().explain();
        assert_eq!(explanation.fired[0].because.len(), 1000);
        // One false fact makes the `and` false; the `or` of `and`s stays
        // true through its other terms.
        let outcome = ruleset.evaluate(&all(true).set("flag500", false).unwrap().build()).unwrap();
        assert_eq!(outcome.fired, ["s"]);
        // One unknown fact leaves the `and` undetermined, naming that fact.
        let mut builder = ruleset.record_builder();
        for i in (0..1000).filter(|&i| i != 7) {
            builder = builder.set(&format!("flag{i}"), true).unwrap();
        }
        let outcome = ruleset.evaluate(&builder.build()).unwrap();
        assert_eq!(outcome.fired, ["s"]);
        assert_eq!(outcome.undetermined.len(), 1);
        assert_eq!(outcome.undetermined[0].missing, ["flag7"]);
        // Everything false: nothing fires, nothing is undetermined.
        let outcome = ruleset.evaluate(&all(false).build()).unwrap();
        assert!(outcome.fired.is_empty() && outcome.undetermined.is_empty());
        // The analysis encodes the 100,000-term `and` as one gate: both
        // rules can fire, and every finding replays.
        let findings = analysed(&ruleset);
        assert!(!findings.contains(&"osler::dead_rule"), "{findings:?}");

        // The formatter (its parse is the one measured above; a megabyte
        // costs seconds to parse in a debug build, so it gets the 10,000
        // terms of `s`): one line per `or` the author broke, stable.
        let short =
            format!("{HEADER}{}rule s \"S\":\n  {}\n  -> act cite g\n", facts(), mixed.replace(" or ", "\n  or "));
        let formatted = format::format(&short).unwrap();
        assert_eq!(formatted.lines().filter(|line| line.starts_with("  or ")).count(), 99);
        assert_eq!(format::format(&formatted).unwrap(), formatted);
        let start = text.find("rule r").unwrap();
        editor_queries_in(&db, loaded, &text, &[start + 20, start + 500_000, text.len() - 20]);
    });
}

#[test]
fn a_one_megabyte_line_with_an_error_at_its_end_reports_it_there() {
    on_small_stack("error at the end", || {
        let condition = chain(100_000, " and ");
        let text = format!("{HEADER}{}rule r \"R\": {condition} and -> act cite g\nfact z bool\n", facts());
        let (db, loaded, checked) = check_in(&text);
        let syntax = with_code(&checked, "osler::syntax");
        assert_eq!(syntax.len(), 2, "{:?}", errors(&checked));
        let arrow = text.find(" -> act").unwrap() + 1;
        assert_eq!(syntax[0].diagnostic.span.start as usize, arrow, "{}", syntax[0].diagnostic.message);
        assert!(syntax[0].diagnostic.message.contains("expression"), "{}", syntax[0].diagnostic.message);
        // The JSON form `osler check --format json` prints.
        let line_start = text[..arrow].rfind('\n').unwrap() + 1;
        let json = serde_json::to_value(syntax[0].to_json(&text)).unwrap();
        assert_eq!(json["code"], "osler::syntax");
        assert_eq!(json["line"], text[..arrow].matches('\n').count() + 1);
        assert_eq!(json["column"], arrow - line_start + 1);
        editor_queries_in(&db, loaded, &text, &[arrow, arrow - 500_000]);
        assert_eq!(format::format(&text), Err(format::FormatError::Syntax));
    });
}

/// `let a0 = x`, `let a1 = a0 and not y`, `let a2 = a1 and x`, ... and a
/// rule on the last: checked, compiled, run and explained, and the editor
/// queries answered, on a 2 MiB stack.
fn let_chain(lets: usize) {
    on_small_stack("let chain", move || {
        let mut text = format!("{HEADER}fact x: bool\nfact y: bool\nlet a0 = x\n");
        for i in 1..lets {
            let term = if i % 2 == 0 { "x" } else { "not y" };
            text.push_str(&format!("let a{i} = a{} and {term}\n", i - 1));
        }
        text.push_str(&format!("rule r \"R\": a{} -> act cite g\n", lets - 1));
        let db = Database::default();
        let loaded = load_ruleset(&db, &files(&text));
        let checked = osler_dsl::check_ruleset(&db, loaded);
        assert!(checked.diagnostics.is_empty(), "{:?}", &checked.diagnostics[..checked.diagnostics.len().min(3)]);
        assert_eq!(checked.model.as_ref().unwrap().lets.len(), lets);
        let ruleset = Ruleset::from_model(checked.model.unwrap()).unwrap();
        let record = |x: Option<bool>, y: Option<bool>| {
            let mut builder = ruleset.record_builder();
            if let Some(x) = x {
                builder = builder.set("x", x).unwrap();
            }
            if let Some(y) = y {
                builder = builder.set("y", y).unwrap();
            }
            builder.build()
        };
        let fires = record(Some(true), Some(false));
        assert_eq!(ruleset.evaluate(&fires).unwrap().fired, ["r"]);
        let mut evaluator = ruleset.evaluator();
        let explanation = evaluator.evaluate(&fires).unwrap().explain();
        assert_eq!(explanation.fired[0].because.iter().map(|f| f.fact.as_str()).collect::<Vec<_>>(), ["x", "y"]);
        assert!(ruleset.evaluate(&record(Some(false), Some(false))).unwrap().fired.is_empty());
        let unknown = ruleset.evaluate(&record(None, Some(false))).unwrap();
        assert_eq!(unknown.undetermined[0].missing, ["x"]);
        let mut evaluator = ruleset.evaluator();
        assert_eq!(evaluator.evaluate(&record(None, None)).unwrap().explain().undetermined[0].missing, ["x", "y"]);
        // The analysis encodes the lets first, in order, never recursing
        // through the chain: the rule can fire.
        let findings = analysed(&ruleset);
        assert!(!findings.contains(&"osler::dead_rule"), "{findings:?}");
        editor_queries_in(&db, loaded, &text, &[text.len() - 10, text.len() / 2]);
    });
}

#[test]
fn a_long_let_chain_checks_runs_and_explains() {
    let_chain(20_000);
}

#[test]
fn parsing_on_a_tiny_stack_reports_too_deep_instead_of_overflowing() {
    // pest stops when its thread's stack runs low; that is reported as
    // `too_deep` too (here on a stack too small for the nesting limit).
    let text = format!("let x = {}a{}\n", "(".repeat(64), ")".repeat(64));
    let parsed = std::thread::Builder::new()
        .stack_size(200 << 10)
        .spawn(move || osler_dsl::syntax::parse(&text))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].code, "osler::too_deep", "{:?}", parsed.errors);
    assert_eq!(parsed.broken_names, ["x"]);
}

#[test]
fn long_let_and_override_cycles_are_reported_without_recursion() {
    on_small_stack("cycles", || {
        let n = 10_000;
        let mut text = format!("{HEADER}fact x: bool\n");
        for i in 0..n {
            text.push_str(&format!("let a{i} = a{} and x\n", (i + 1) % n));
        }
        for i in 0..n {
            text.push_str(&format!("rule r{i} \"R\" overrides r{}: a0 -> act cite g\n", (i + 1) % n));
        }
        let checked = check_sources(&files(&text));
        let lets = with_code(&checked, "osler::let_cycle");
        assert_eq!(lets.len(), 1);
        assert_eq!(lets[0].diagnostic.related.len(), n - 1);
        let rules = with_code(&checked, "osler::override_cycle");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].diagnostic.related.len(), n - 1);
    });
}

#[test]
fn a_ten_thousand_rule_override_chain_checks_and_runs() {
    on_small_stack("override chain", || {
        let n = 10_000;
        let mut text = format!("{HEADER}fact x: number\n");
        text.push_str("rule r0 \"R\": x > 0 -> act cite g\n");
        for i in 1..n {
            text.push_str(&format!("rule r{i} \"R\" overrides r{}: x > {i} -> act cite g\n", i - 1));
        }
        let (db, loaded, checked) = check_in(&text);
        assert!(checked.diagnostics.is_empty(), "{:?}", &checked.diagnostics[..checked.diagnostics.len().min(3)]);
        let ruleset = Ruleset::from_model(checked.model.unwrap()).unwrap();
        // With x = 5000, rules r0..r4999 are true: r4999 fires and every
        // other true rule is overridden by the next one.
        let outcome = ruleset.evaluate(&ruleset.record_builder().set("x", 5000.0).unwrap().build()).unwrap();
        assert_eq!(outcome.fired, ["r4999"]);
        assert_eq!(outcome.overridden.len(), 4999);
        // Each rule overrides the one before with the same action, so no
        // override ever changes an output. The analysis proves it for the
        // edges whose cover lies within the rules it tries (the last few
        // of the chain: for the others, the rule emitting `act` may lie
        // further away than `MAX_COVERERS` rules) and claims nothing else.
        let findings = analysed(&ruleset);
        assert!(!findings.is_empty() && findings.len() < n, "{}", findings.len());
        assert!(findings.iter().all(|code| *code == "osler::ineffective_override"), "{findings:?}");
        editor_queries_in(&db, loaded, &text, &[text.len() - 30]);
    });
}
