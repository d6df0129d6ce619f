//! Incrementality, proven by salsa's `WillExecute` events: an edit re-runs
//! only the checks that depend on what changed, and incremental results
//! always equal a fresh check.

use osler_dsl::check::ruleset_check;
use osler_dsl::db::{Database, Ruleset, SourceFile};
use proptest::prelude::*;
use salsa::Setter as _;

const SHARED: &str = r#"source guide "Guideline" year 2026

enum Pulse { present, diminished, absent }

/// The ankle-brachial index.
fact abi: number
fact unilateral: bool
fact pedal_pulses: Pulse

let absent_pulse = pedal_pulses == absent

action emergency(within: duration)
action follow_up(within: duration)
"#;

const RULES_A: &str = r#"rule low_abi "Low ABI":
  abi < 0.9 -> follow_up(4w)
  cite guide

rule very_low_abi "Very low ABI":
  abi < 0.4 and unilateral -> emergency(6h)
  cite guide

rule ali "Absent pulse":
  absent_pulse and unilateral -> emergency(6h)
  cite guide
"#;

const RULES_B: &str = r#"rule pulses "Diminished pulses":
  pedal_pulses == diminished -> follow_up(2w)
  cite guide
"#;

struct Workspace {
    db: Database,
    ruleset: Ruleset,
    files: Vec<SourceFile>,
}

impl Workspace {
    fn new() -> Workspace {
        let db = Database::with_execution_log();
        let files = vec![
            SourceFile::new(&db, "a_rules.osl".into(), RULES_A.into()),
            SourceFile::new(&db, "b_rules.osl".into(), RULES_B.into()),
            SourceFile::new(&db, "shared.osl".into(), SHARED.into()),
        ];
        let ruleset = Ruleset::new(&db, files.clone());
        let workspace = Workspace { db, ruleset, files };
        assert!(workspace.check().is_empty(), "{:#?}", workspace.check());
        workspace.db.take_execution_log();
        workspace
    }

    fn check(&self) -> Vec<osler_dsl::FileDiagnostic> {
        ruleset_check(&self.db, self.ruleset)
    }

    fn edit(&mut self, file: usize, from: &str, to: &str) {
        let text = self.files[file].text(&self.db).clone();
        assert!(text.contains(from), "`{from}` not in file {file}");
        self.files[file].set_text(&mut self.db).to(text.replacen(from, to, 1));
    }

    /// Query names executed since the last call, e.g. `check_item`.
    fn executed(&self) -> Vec<String> {
        self.db
            .take_execution_log()
            .into_iter()
            .map(|entry| entry.split('(').next().unwrap_or_default().to_owned())
            .collect()
    }
}

fn count(log: &[String], query: &str) -> usize {
    log.iter().filter(|name| *name == query).count()
}

#[test]
fn editing_one_rule_body_rechecks_that_rule_only() {
    let mut ws = Workspace::new();
    ws.edit(0, "abi < 0.4 and unilateral", "abi < 0.4 and unilateral and pedal_pulses != present");
    let diagnostics = ws.check();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let log = ws.executed();
    assert_eq!(count(&log, "check_item"), 1, "{log:#?}");
    assert_eq!(count(&log, "parse_file"), 1, "only the edited file is parsed again: {log:#?}");
    assert_eq!(count(&log, "parse_declaration"), 1, "only the edited declaration is parsed again: {log:#?}");

    // A body edit that moves every later declaration still re-checks only
    // the edited rule: spans are relative to their declaration.
    ws.edit(0, "abi < 0.9 -> follow_up(4w)", "abi < 0.9 -> follow_up(4w)   // a comment that moves everything below");
    ws.check();
    let log = ws.executed();
    assert_eq!(count(&log, "check_item"), 1, "{log:#?}");
}

#[test]
fn an_error_in_one_rule_is_found_without_rechecking_the_others() {
    let mut ws = Workspace::new();
    ws.edit(0, "abi < 0.9 -> follow_up(4w)", "abi < 0.9 mmHg -> follow_up(4w)");
    let diagnostics = ws.check();
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].diagnostic.code, "osler::bare_number");
    assert_eq!(count(&ws.executed(), "check_item"), 1);
}

#[test]
fn editing_a_doc_comment_reruns_no_type_check() {
    let mut ws = Workspace::new();
    ws.edit(2, "/// The ankle-brachial index.", "/// The ankle-brachial index: ankle over arm systolic pressure.");
    ws.check();
    let log = ws.executed();
    assert_eq!(count(&log, "check_item"), 0, "{log:#?}");
    assert_eq!(count(&log, "name_info"), 0, "{log:#?}");
    assert_eq!(count(&log, "let_analysis"), 0, "{log:#?}");

    // The positive control: the log does record `check_item` when a
    // declaration's body changes, so the zero above is meaningful.
    ws.edit(0, "abi < 0.9 -> follow_up(4w)", "abi < 0.8 -> follow_up(4w)");
    ws.check();
    let log = ws.executed();
    assert_eq!(count(&log, "check_item"), 1, "{log:#?}");
}

#[test]
fn renaming_a_fact_rechecks_its_users_only() {
    let mut ws = Workspace::new();
    ws.edit(2, "fact abi: number", "fact ankle_brachial_index: number");
    let diagnostics = ws.check();
    let unknown: Vec<_> = diagnostics.iter().filter(|d| d.diagnostic.code == "osler::unknown_fact").collect();
    assert_eq!(unknown.len(), 2, "both users of `abi` now fail: {diagnostics:#?}");
    let log = ws.executed();
    // The two rules that read `abi` and the renamed fact itself.
    assert_eq!(count(&log, "check_item"), 3, "{log:#?}");
}

#[test]
fn editing_a_file_does_not_reparse_the_others() {
    let mut ws = Workspace::new();
    ws.edit(1, "2w", "3w");
    ws.check();
    let log = ws.executed();
    assert_eq!(count(&log, "parse_file"), 1, "{log:#?}");
    assert_eq!(count(&log, "check_item"), 1, "{log:#?}");
}

/// Snippets the random edits insert: valid fragments, broken ones, names
/// that collide, renames.
const SNIPPETS: &[&str] = &[
    "\nrule extra \"Extra\": unilateral -> emergency(6h) cite guide\n",
    "\nfact abi: number\n",
    "\nlet absent_pulse = unilateral\n",
    " and ",
    "\nrule broken: abi < -> x\n",
    "(",
    "}",
    "\n/// doc\n",
    "0.5",
    "absnt",
    "\nlet loop = loop\n",
    "\nrule ex \"E\" overrides low_abi: abi < 0.1 -> emergency(0min) cite guide\n",
    "",
];

fn fresh_check(files: &[(String, String)]) -> Vec<osler_dsl::FileDiagnostic> {
    osler_dsl::check_sources(files).diagnostics
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_diagnostics_equal_a_fresh_check(
        edits in proptest::collection::vec((0usize..3, 0usize..4000, 0usize..20, 0usize..13), 1..12)
    ) {
        let mut db = Database::default();
        let texts = [("a_rules.osl", RULES_A), ("b_rules.osl", RULES_B), ("shared.osl", SHARED)];
        let files: Vec<SourceFile> =
            texts.iter().map(|(path, text)| SourceFile::new(&db, (*path).into(), (*text).into())).collect();
        let ruleset = Ruleset::new(&db, files.clone());
        ruleset_check(&db, ruleset);
        for (file, at, delete, snippet) in edits {
            let mut text = files[file].text(&db).clone();
            let mut start = at % (text.len() + 1);
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + delete).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(start..end, SNIPPETS[snippet]);
            files[file].set_text(&mut db).to(text);
            let incremental = ruleset_check(&db, ruleset);
            let current: Vec<(String, String)> =
                files.iter().map(|f| (f.path(&db).clone(), f.text(&db).clone())).collect();
            prop_assert_eq!(incremental, fresh_check(&current));
        }
    }
}
