//! The analysis is incremental, proven by salsa's `WillExecute` events: an
//! edit of one rule re-analyses that rule and the rules whose cone holds
//! it, nothing else; and the incremental findings always equal the
//! whole-model analysis (`analyze`) of the same revision.

use osler_dsl::analysis::{analyze, ruleset_findings, ruleset_model};
use osler_dsl::db::{Database, Ruleset, SourceFile};
use osler_dsl::generate::{generated_rule, generated_ruleset};
use salsa::Setter as _;

/// The query names executed since the last call.
fn executed(db: &Database) -> Vec<String> {
    db.take_execution_log().into_iter().map(|entry| entry.split('(').next().unwrap_or_default().to_owned()).collect()
}

fn count(log: &[String], query: &str) -> usize {
    log.iter().filter(|name| *name == query).count()
}

fn load(db: &Database, files: &[(String, String)]) -> (Ruleset, Vec<SourceFile>) {
    let inputs: Vec<SourceFile> =
        files.iter().map(|(path, text)| SourceFile::new(db, path.clone(), text.clone())).collect();
    (Ruleset::new(db, inputs.clone()), inputs)
}

/// The incremental findings equal the whole model's.
fn assert_same_as_whole(db: &Database, ruleset: Ruleset) {
    let model = ruleset_model(db, ruleset).expect("the ruleset checks without errors");
    assert_eq!(ruleset_findings(db, ruleset).to_vec(), analyze(&model));
}

const RULES: &str = r#"source guide "Guideline" year 2026
enum Pulse { present, diminished, absent }
fact abi: number
fact unilateral: bool
fact pulses: Pulse
fact pain_days: duration
let absent_pulse = pulses == absent
action emergency(within: duration)
action follow_up(within: duration)
action self_care

rule low_abi: abi < 0.9 -> follow_up(4w) cite guide
rule very_low_abi: abi < 0.4 and unilateral -> emergency(6h) cite guide
rule ali overrides home: absent_pulse and unilateral -> emergency(6h) cite guide
rule home: pain_days < 3d -> self_care cite guide
rule dead: abi < 0.5 and abi > 0.7 -> follow_up(2w) cite guide
"#;

#[test]
fn editing_one_rule_reanalyses_its_cone_only() {
    let mut db = Database::with_execution_log();
    let (ruleset, files) = load(&db, &[("rules.osl".to_owned(), RULES.to_owned())]);
    let before = ruleset_findings(&db, ruleset).to_vec();
    assert!(before.iter().any(|f| f.code == "osler::dead_rule"), "{before:#?}");
    let log = executed(&db);
    assert_eq!(count(&log, "rule_analysis"), 5, "each rule is analysed once: {log:#?}");

    // A threshold of `dead`, which is in no other rule's cone.
    let text = files[0].text(&db).replace("abi > 0.7", "abi > 0.3");
    files[0].set_text(&mut db).to(text);
    let after = ruleset_findings(&db, ruleset).to_vec();
    assert!(!after.iter().any(|f| f.code == "osler::dead_rule"), "{after:#?}");
    let log = executed(&db);
    assert_eq!(count(&log, "rule_analysis"), 1, "only the edited rule: {log:#?}");
    assert_same_as_whole(&db, ruleset);

    // A rule in an override edge: both ends are in each other's cone.
    executed(&db);
    let text = files[0].text(&db).replace("pain_days < 3d", "pain_days < 2d");
    files[0].set_text(&mut db).to(text);
    ruleset_findings(&db, ruleset);
    let log = executed(&db);
    assert_eq!(count(&log, "rule_analysis"), 2, "`home` and `ali`, whose cone holds it: {log:#?}");
    assert_same_as_whole(&db, ruleset);

    // A comment moves every declaration below it: nothing is re-analysed.
    let text = files[0].text(&db).replace("rule low_abi", "// moved\nrule low_abi");
    files[0].set_text(&mut db).to(text);
    ruleset_findings(&db, ruleset);
    let log = executed(&db);
    assert_eq!(count(&log, "rule_analysis"), 0, "{log:#?}");
}

#[test]
fn an_edit_in_a_large_ruleset_reanalyses_a_few_rules() {
    let mut db = Database::with_execution_log();
    let (ruleset, files) = load(&db, &generated_ruleset(600));
    let findings = ruleset_findings(&db, ruleset).len();
    assert!(findings > 0);
    executed(&db);
    let target = generated_rule(5, 25, 0);
    let file = *files.iter().find(|f| f.text(&db).contains(&target)).expect("the file of rule 5");
    let text = file.text(&db).replacen(&target, &generated_rule(5, 25, 1), 1);
    file.set_text(&mut db).to(text);
    ruleset_findings(&db, ruleset);
    let log = executed(&db);
    let reanalysed = count(&log, "rule_analysis");
    // Rule 5 and the few rules that chose it as a possible coverer.
    assert!((1..=2 * osler_dsl::analysis::MAX_COVERERS + 1).contains(&reanalysed), "{reanalysed}: {log:#?}");
    assert_eq!(count(&log, "chunk_findings"), 1, "{log:#?}");
    assert_same_as_whole(&db, ruleset);
}

#[test]
fn incremental_findings_equal_the_whole_models_on_the_shipped_ruleset() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../rulesets/leg_pain");
    let mut files: Vec<(String, String)> = std::fs::read_dir(root)
        .expect("rulesets/leg_pain")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "osl"))
        .map(|path| (path.display().to_string(), std::fs::read_to_string(&path).expect("readable")))
        .collect();
    files.sort();
    let db = Database::default();
    let (ruleset, _) = load(&db, &files);
    assert_same_as_whole(&db, ruleset);
}
