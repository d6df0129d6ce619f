//! The property declarations (`assert`, `exclusive`) through the front end:
//! what the checker accepts and reports, the model it builds, and what the
//! editor queries make of action patterns.

use osler_dsl::db::{Database, Ruleset, SourceFile};
use osler_dsl::ide::{self, CompletionKind, Target};
use osler_dsl::model::{Expr, Value};
use osler_dsl::{Code, Severity};

const PRELUDE: &str = "source ali_management \"ALI management\" year 2026\n\
enum Suspicion { limb_threat, acute_limb_ischemia }\n\
enum Drug { heparin, nsaids }\n\
fact leg_pain: bool\n\
fact contraindicated: bool\n\
fact pressure: number mmHg\n\
let low = pressure < 50 mmHg\n\
action emergency\n\
action self_care\n\
action suspect(what: Suspicion)\n\
action treat(drug: Drug)\n\
rule r \"R\": leg_pain and low -> emergency, suspect(limb_threat), treat(heparin) cite ali_management\n\
rule s \"S\": not leg_pain and not contraindicated -> self_care cite ali_management\n";

/// The codes of the checker's diagnostics (the analysis's findings left
/// out: this file is about the front end), in order.
fn codes(text: &str) -> Vec<Code> {
    let checked = osler_dsl::check_sources(&[("a.osl".to_owned(), format!("{PRELUDE}{text}"))]);
    checked
        .diagnostics
        .iter()
        .map(|d| d.diagnostic.code)
        .filter(|code| {
            !matches!(
                code,
                Code::DeadRule
                    | Code::AlwaysOverridden
                    | Code::IneffectiveOverride
                    | Code::AlwaysTrue
                    | Code::RedundantRule
                    | Code::ProvisionalDefault
                    | Code::AssertViolated
                    | Code::ExclusiveViolated
                    | Code::Undecided
            )
        })
        .collect()
}

#[test]
fn asserts_and_exclusives_check_clean() {
    let text = "assert no_home_care: self_care -> not (emergency or suspect(limb_threat))\n\
        assert anticoagulated \"Anticoagulated\": suspect(acute_limb_ischemia) and not contraindicated -> treat(heparin) cite ali_management\n\
        assert leg_pain -> emergency or self_care or low\n\
        exclusive suspect\n";
    assert_eq!(codes(text), Vec::<Code>::new());
}

#[test]
fn an_action_pattern_outside_an_assert_is_reported() {
    assert_eq!(codes("rule t \"T\": self_care -> emergency cite ali_management\n"), [Code::ActionPattern]);
    assert_eq!(codes("rule t \"T\": suspect(limb_threat) -> emergency cite ali_management\n"), [Code::ActionPattern]);
    // A let is no assert either, and the unused let stays a warning.
    assert_eq!(codes("let l = self_care\n"), [Code::UnusedLet, Code::ActionPattern]);
    // Names that are not actions keep their own code.
    assert_eq!(codes("rule t \"T\": r -> emergency cite ali_management\n"), [Code::NotAValue]);
}

#[test]
fn a_fact_or_let_wins_over_an_action_of_the_same_name() {
    // `self_care` the fact is read here, not the action pattern.
    let text = "fact self_care: bool\nassert self_care -> emergency\n";
    let checked = osler_dsl::check_sources(&[("a.osl".to_owned(), format!("{PRELUDE}{text}"))]);
    let model = checked.model.unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let fact = model.facts.iter().position(|f| f.name == "self_care").map(|i| i as u32);
    assert_eq!(Some(&model.asserts[0].when), fact.map(Expr::Fact).as_ref());
}

/// A name that is an action and a variant: a pattern in an assert, the
/// variant elsewhere (as before asserts existed).
#[test]
fn an_action_that_is_also_a_variant() {
    let text = "enum Plan { self_care, admit }\nfact plan: Plan\nlet planned = self_care\nrule t \"T\": plan == planned -> emergency cite ali_management\nassert self_care -> not emergency\n";
    let checked = osler_dsl::check_sources(&[("a.osl".to_owned(), format!("{PRELUDE}{text}"))]);
    let model = checked.model.unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let plan = model.enums.iter().position(|e| e.name == "Plan").map(|i| i as u32).unwrap_or(u32::MAX);
    let planned = model.lets.iter().find(|l| l.name == "planned").map(|l| l.value.clone());
    assert_eq!(planned, Some(Expr::Const(Value::Variant(plan, 0))));
    let self_care = model.actions.iter().position(|a| a.name == "self_care").map(|i| i as u32);
    assert_eq!(Some(model.asserts[0].when.clone()), self_care.map(|action| Expr::Output(action, None)));
}

#[test]
fn assert_sides_are_checked() {
    assert_eq!(codes("assert leg_pain -> emergancy\n"), [Code::UnknownAction]);
    assert_eq!(codes("assert leg_pain -> suspct(limb_threat)\n"), [Code::UnknownAction]);
    assert_eq!(codes("assert leg_pian -> emergency\n"), [Code::UnknownFact]);
    assert_eq!(codes("assert leg_pain -> suspect(3)\n"), [Code::ArgumentType]);
    assert_eq!(codes("assert leg_pain -> suspect(heparin)\n"), [Code::WrongEnum]);
    assert_eq!(codes("assert leg_pain -> suspect(limb_threat, limb_threat)\n"), [Code::Arity]);
    assert_eq!(codes("assert leg_pain -> treat(low)\n"), [Code::ArgumentType]);
    assert_eq!(codes("assert pressure -> emergency\n"), [Code::ConditionNotBool]);
    assert_eq!(codes("assert leg_pain -> emergency cite nowhere\n"), [Code::UnknownSource]);
    assert_eq!(codes("exclusive sugest\n"), [Code::UnknownAction]);
    assert_eq!(codes("assert a: leg_pain -> emergency\nassert a: low -> emergency\n"), [Code::Duplicate]);
    assert_eq!(codes("exclusive suspect\nexclusive suspect\n"), [Code::Duplicate]);
    // Asserts are a namespace of their own: an assert may share a rule's name.
    assert_eq!(codes("assert r: leg_pain -> emergency\n"), Vec::<Code>::new());
    let checked = osler_dsl::check_sources(&[("a.osl".to_owned(), format!("{PRELUDE}assert leg_pain -> emergancy\n"))]);
    let help = checked.diagnostics[0].diagnostic.help.clone();
    assert_eq!(help.as_deref(), Some("did you mean `emergency`?"));
}

#[test]
fn an_action_only_asserted_about_is_still_unused_but_facts_are_used() {
    let text = "fact only_asserted: bool\naction never\nassert only_asserted -> not never\nexclusive never\n";
    let checked = osler_dsl::check_sources(&[("a.osl".to_owned(), format!("{PRELUDE}{text}"))]);
    let warnings: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.severity == Severity::Warning && d.diagnostic.code == Code::UnusedAction)
        .map(|d| d.diagnostic.message.as_str())
        .collect();
    assert_eq!(warnings, ["action `never` is never used"]);
    assert!(!checked.diagnostics.iter().any(|d| d.diagnostic.code == Code::UnusedFact), "{:#?}", checked.diagnostics);
}

#[test]
fn the_model_holds_the_properties_with_patterns_as_outputs() {
    let files = [
        ("b.osl".to_owned(), "assert leg_pain -> emergency\nexclusive treat\n".to_owned()),
        (
            "a.osl".to_owned(),
            format!(
                "{PRELUDE}/// Home care is never an emergency.\nassert no_home_care \"No home care\": self_care -> not suspect(limb_threat) cite ali_management\nassert low -> treat(heparin)\n"
            ),
        ),
    ];
    let checked = osler_dsl::check_sources(&files);
    let model = checked.model.unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let action = |name: &str| model.actions.iter().position(|a| a.name == name).map(|i| i as u32).unwrap_or(u32::MAX);
    let ids: Vec<&str> = model.asserts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["no_home_care", "a_assert_1", "b_assert_1"], "declaration order, files by path");
    let first = &model.asserts[0];
    assert_eq!(first.title.as_deref(), Some("No home care"));
    assert_eq!(first.doc.as_deref(), Some("Home care is never an emergency."));
    assert_eq!(first.when, Expr::Output(action("self_care"), None));
    let Expr::Not(inner) = &first.then else { panic!("{:?}", first.then) };
    assert_eq!(**inner, Expr::Output(action("suspect"), Some(vec![Value::Variant(0, 0)])));
    assert_eq!(first.cites, [0]);
    assert_eq!(model.asserts[1].then, Expr::Output(action("treat"), Some(vec![Value::Variant(1, 0)])));
    assert_eq!(model.exclusives.len(), 1);
    assert_eq!(model.exclusives[0].action, action("treat"));
    // Locations: a named assert's name, an unnamed one's condition, an
    // exclusive's action.
    let text_at = |path: &str, span: osler_dsl::span::Span| {
        let text = &files.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str()).unwrap_or("");
        text.get(span.range()).unwrap_or("").to_owned()
    };
    assert_eq!(text_at("a.osl", first.location.span), "no_home_care");
    assert_eq!(text_at("a.osl", model.asserts[1].location.span), "low");
    assert_eq!(model.asserts[2].location.path, "b.osl");
    assert_eq!(model.asserts[2].location.line, 1);
    assert_eq!(text_at("b.osl", model.exclusives[0].location.span), "treat");
}

fn ruleset(db: &Database, text: &str) -> (Ruleset, SourceFile) {
    let file = SourceFile::new(db, "a.osl".to_owned(), text.to_owned());
    (Ruleset::new(db, vec![file]), file)
}

#[test]
fn editor_queries_see_action_patterns() {
    let text = format!("{PRELUDE}assert safe: self_care -> not suspect(limb_threat)\nexclusive suspect\n");
    let db = Database::default();
    let (set, file) = ruleset(&db, &text);
    let offset = |needle: &str| text.rfind(needle).unwrap_or(0) as u32 + 1;
    let at = |needle: &str| ide::name_at(&db, set, file, offset(needle)).map(|n| n.target);
    let suspect = Target::Action("suspect".to_owned());
    assert_eq!(at("self_care ->"), Some(Target::Action("self_care".to_owned())));
    assert_eq!(at("suspect(limb_threat)\n"), Some(suspect.clone()));
    assert_eq!(at("suspect\n"), Some(suspect.clone()));
    // Definition, references (the rule's call, the pattern, the exclusive)
    // and rename.
    let definitions = ide::definitions(&db, set, &suspect);
    assert_eq!(definitions.len(), 1);
    assert_eq!(&text[definitions[0].span.range()], "suspect");
    let references = ide::references(&db, set, &suspect, false);
    assert_eq!(references.len(), 3, "{references:?}");
    let renamed = ide::rename(&db, set, file, offset("suspect\n"), "suspicion").unwrap_or_default();
    assert_eq!(renamed.len(), 4, "the declaration and three uses");
    let hover = ide::hover(&db, set, file, offset("suspect(limb_threat)\n")).map(|h| h.markdown).unwrap_or_default();
    assert!(hover.contains("suspect(what: Suspicion)"), "{hover}");
}

#[test]
fn completion_in_an_assert_offers_actions_too() {
    let labels = |text: &str, kind: CompletionKind| {
        let db = Database::default();
        let (set, file) = ruleset(&db, text);
        let (_, items) = ide::completions(&db, set, file, text.len() as u32);
        items.into_iter().filter(|c| c.kind == kind).map(|c| c.label).collect::<Vec<_>>()
    };
    for tail in ["assert ", "assert a: ", "assert a: leg_pain -> ", "assert leg_pain and "] {
        let text = format!("{PRELUDE}{tail}");
        assert!(labels(&text, CompletionKind::Action).contains(&"self_care".to_owned()), "{tail:?}");
        assert!(labels(&text, CompletionKind::Fact).contains(&"leg_pain".to_owned()), "{tail:?}");
    }
    let text = format!("{PRELUDE}exclusive ");
    assert!(labels(&text, CompletionKind::Action).contains(&"suspect".to_owned()));
    assert!(labels(&text, CompletionKind::Fact).is_empty());
    // A rule's condition offers no actions.
    let text = format!("{PRELUDE}rule t:\n  leg_pain and ");
    assert!(labels(&text, CompletionKind::Action).is_empty());
    // A pattern's argument offers the parameter's values.
    let text = format!("{PRELUDE}assert leg_pain -> suspect(");
    assert!(labels(&text, CompletionKind::Variant).contains(&"limb_threat".to_owned()));
}
