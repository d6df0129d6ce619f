//! Editor queries over a checked ruleset, as plain data: what a name at an
//! offset refers to, its definitions and references, rename, hover text,
//! outline, semantic classes, completion, signature help, inlay hints and
//! the edits behind code actions.
//!
//! Offsets and spans are byte offsets in a file's text; the language server
//! converts them to UTF-16 positions. What a name means is never worked out
//! here: the checker records, for every declaration, what each written name
//! resolved to and the type it gave it ([`crate::check::item_resolutions`]), and
//! every query reads that, so the editor and `osler check` cannot disagree.
//!
//! A façade over one module per feature; they share `names` (and
//! `describe` for declaration texts), never this module.

mod completion;
mod context;
mod describe;
mod fixes;
mod hints;
mod hover;
mod names;
mod outline;
mod rename;
mod tokens;

pub use completion::{Completion, CompletionKind, completions};
pub use context::{CompletionContext, completion_context};
pub use describe::action_signature;
pub use fixes::{Insertion, add_cite, declare_fact};
pub use hints::{InlayHintInfo, InlayKind, SignatureInfo, inlay_hints, signature_help};
pub use hover::{HoverInfo, hover};
pub use names::{Location, NameRef, Target, definitions, file_names, item_names, name_at, references};
pub use outline::{OutlineItem, OutlineKind, folding_ranges, outline};
pub use rename::{check_new_name, prepare_rename, rename};
pub use tokens::{SemanticKind, SemanticToken, semantic_tokens};

/// Tests of the editor queries: name resolution by expected type, the
/// completion context, agreement with the checker's typing, and every query
/// on every corpus file.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, Ruleset, SourceFile};
    use crate::syntax::Span;
    use crate::types::Ty;

    fn ruleset(db: &Database, files: &[(&str, &str)]) -> (Ruleset, Vec<SourceFile>) {
        let sources: Vec<SourceFile> =
            files.iter().map(|(path, text)| SourceFile::new(db, (*path).to_owned(), (*text).to_owned())).collect();
        (Ruleset::new(db, sources.clone()), sources)
    }

    #[test]
    fn bare_variants_resolve_by_the_expected_type() {
        let db = Database::default();
        let text = "enum Pulse { present, absent }\nenum Reflexes { normal, absent }\nfact pulses: Pulse\nfact reflexes: Reflexes\naction f()\nrule r: pulses == absent and reflexes in {normal, absent} -> f\n";
        let (set, files) = ruleset(&db, &[("a.osl", text)]);
        let file = files[0];
        let first = text.find("== absent").unwrap_or(0) as u32 + 3;
        let second = text.rfind("absent}").unwrap_or(0) as u32;
        let at = |offset| name_at(&db, set, file, offset).map(|n| n.target);
        assert_eq!(at(first), Some(Target::Variant { enum_name: "Pulse".to_owned(), variant: "absent".to_owned() }));
        assert_eq!(
            at(second),
            Some(Target::Variant { enum_name: "Reflexes".to_owned(), variant: "absent".to_owned() })
        );
        let pulse_absent = Target::Variant { enum_name: "Pulse".to_owned(), variant: "absent".to_owned() };
        assert_eq!(references(&db, set, &pulse_absent, true).len(), 2, "its declaration and the one use");
        assert!(check_new_name(&db, set, &pulse_absent, "present").is_err(), "clashes with a variant of the same enum");
        assert!(check_new_name(&db, set, &pulse_absent, "normal").is_ok(), "another enum's variant is no clash");
    }

    fn context(text: &str) -> CompletionContext {
        let offset = text.find('|').unwrap_or(text.len());
        let text = text.replacen('|', "", 1);
        let value_type = |name: &str| match name {
            "pulses" => Some(Ty::Enum("Pulse".to_owned())),
            "abi" => Some(Ty::Number),
            _ => None,
        };
        completion_context(&text, offset as u32, &value_type)
    }

    #[test]
    fn reads_the_context_before_the_cursor() {
        assert_eq!(context("|"), CompletionContext::DeclarationStart);
        assert_eq!(context("fact a: bool\nfa|"), CompletionContext::DeclarationStart);
        assert_eq!(context("rule r:\n  a and |"), CompletionContext::Condition);
        assert_eq!(context("rule r:\n  pulses == ab|"), CompletionContext::Variants("Pulse".to_owned()));
        assert_eq!(context("rule r:\n  pulses in {present, |"), CompletionContext::Variants("Pulse".to_owned()));
        assert_eq!(context("rule r:\n  a\n  -> |"), CompletionContext::Actions);
        assert_eq!(context("rule r:\n  a -> f(6h), |"), CompletionContext::Actions);
        assert_eq!(context("rule r:\n  a -> f(6h)\n  cite x, |"), CompletionContext::Sources);
        assert_eq!(context("rule r overrides |"), CompletionContext::Rules);
        assert_eq!(
            context("rule r:\n  a -> order(|"),
            CompletionContext::Argument { action: "order".to_owned(), index: 0 }
        );
        assert_eq!(context("rule r:\n  a -> f(1, |"), CompletionContext::Argument { action: "f".to_owned(), index: 1 });
        assert_eq!(context("fact a: |"), CompletionContext::TypeName);
        assert_eq!(context("fact a: number |"), CompletionContext::Unit);
        assert_eq!(context("action f(x: |"), CompletionContext::TypeName);
        assert_eq!(context("test \"t\" {\n  given |"), CompletionContext::Givens);
        assert_eq!(context("test \"t\" {\n  given a = true, |"), CompletionContext::Givens);
        assert_eq!(context("test \"t\" {\n  given a = |"), CompletionContext::GivenValue("a".to_owned()));
        assert_eq!(context("test \"t\" {\n  expect |"), CompletionContext::Expect { negated: false });
        assert_eq!(context("test \"t\" {\n  expect not |"), CompletionContext::Expect { negated: true });
        assert_eq!(context("test \"t\" {\n  expect examine |"), CompletionContext::Facts);
        assert_eq!(context("test \"t\" {\n  expect not examine |"), CompletionContext::Facts);
        assert_eq!(context("test \"t\" {\n  expect undetermined |"), CompletionContext::Rules);
        assert_eq!(context("test \"t\" {\n  expect f(6h) from |"), CompletionContext::Rules);
        assert_eq!(context("test \"t\" {\n  expect f |"), CompletionContext::AfterExpected);
        assert_eq!(context("test \"t\" {\n  expect not f(6h) |"), CompletionContext::AfterExpected);
        assert_eq!(context("test \"t\" {\n  expect r fires\n  |"), CompletionContext::TestStatement);
        assert_eq!(context("test \"t\" {\n  expect examine a |"), CompletionContext::TestStatement);
        assert_eq!(context("test \"t\" {\n  given a = true\n  |"), CompletionContext::TestStatement);
        assert_eq!(context("baseline b {\n  |"), CompletionContext::BaselineStatement);
        assert_eq!(context("baseline b {\n  given |"), CompletionContext::Givens);
        assert_eq!(context("baseline b {\n  given a = true\n  |"), CompletionContext::BaselineStatement);
        assert_eq!(context("baseline |"), CompletionContext::Nothing);
        assert_eq!(context("rule r:\n  abi |"), CompletionContext::AfterOperand);
        assert_eq!(context("rule r:\n  // a comment |"), CompletionContext::Nothing);
        assert_eq!(context("fact |"), CompletionContext::Nothing);
    }

    /// A `priority` names actions: completion offers them after the keyword
    /// and after each `>`, the names are actions to highlighting,
    /// references and rename, and the outline lists the declaration.
    #[test]
    fn priority_names_are_actions_to_the_editor() {
        assert_eq!(context("priority |"), CompletionContext::Actions);
        assert_eq!(context("priority emergency > ur|"), CompletionContext::Actions);
        assert_eq!(context("priority emergency\n  > |"), CompletionContext::Actions);
        assert_eq!(context("priority emergency |"), CompletionContext::Nothing);
        let db = Database::default();
        let text = "fact a: bool\naction emergency(within: duration)\naction self_care\nrule r: a -> emergency(6h)\nrule s: not a -> self_care\npriority emergency > self_care\n";
        let (set, files) = ruleset(&db, &[("a.osl", text)]);
        let file = files[0];
        let in_priority = text.rfind("emergency").unwrap_or(0) as u32;
        let (_, offered) = completions(&db, set, file, in_priority + 2);
        let labels: Vec<&str> = offered.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["emergency", "self_care"]);
        let emergency = Target::Action("emergency".to_owned());
        assert_eq!(name_at(&db, set, file, in_priority).map(|n| n.target), Some(emergency.clone()));
        assert_eq!(references(&db, set, &emergency, true).len(), 3, "declaration, rule and priority");
        let edits = rename(&db, set, file, in_priority, "now").unwrap_or_default();
        assert_eq!(edits.len(), 3, "{edits:?}");
        let tokens = semantic_tokens(&db, set, file);
        let kind_at = |offset: u32| tokens.iter().find(|t| t.span.start == offset).map(|t| t.kind);
        let keyword = text.find("priority").unwrap_or(0) as u32;
        assert_eq!(kind_at(keyword), Some(SemanticKind::Keyword));
        assert_eq!(kind_at(in_priority), Some(SemanticKind::Action));
        let entry = outline(&db, file).into_iter().find(|entry| entry.name == "priority");
        assert_eq!(entry.and_then(|entry| entry.detail).as_deref(), Some("emergency > self_care"));
    }

    /// The old editor typing took an arithmetic expression's type from its
    /// left operand, so `2 * 50 mmHg` was a bare `number` to it while the
    /// checker says `number mmHg`. The quick fix declaring an unknown fact
    /// now reads the checker's type.
    #[test]
    fn declaring_a_fact_uses_the_checkers_arithmetic_type() {
        let db = Database::default();
        let text = "fact abi: number\naction f()\nrule r: pressure > 2 * 50 mmHg and abi < 1 -> f\nlet ratio = 3h / 1h\nrule s: ratio == later -> f\n";
        let (set, files) = ruleset(&db, &[("a.osl", text)]);
        let file = files[0];
        let at = |word: &str| {
            let start = text.find(word).unwrap_or(0) as u32;
            Span { start, end: start + word.len() as u32 }
        };
        let declared = |word: &str| declare_fact(&db, set, file, at(word)).map(|insertion| insertion.text);
        assert_eq!(declared("pressure").as_deref(), Some("\nfact pressure: number mmHg"));
        // `3h / 1h` is a number (the old typing said `duration`), in the let's
        // hover and inlay hint and in the fix for the unknown `later`.
        assert_eq!(declared("later").as_deref(), Some("\nfact later: number"));
        let ratio = text.find("ratio").unwrap_or(0) as u32;
        let hover = hover(&db, set, file, ratio).map(|info| info.markdown).unwrap_or_default();
        assert!(hover.contains("Type: `number`"), "{hover}");
        let hints: Vec<String> = inlay_hints(&db, set, file).into_iter().map(|hint| hint.label).collect();
        assert!(hints.contains(&": number".to_owned()), "{hints:?}");
    }

    /// The `.osl` files of a folder, sorted by path.
    fn osl_files(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
        let entries = std::fs::read_dir(folder).unwrap_or_else(|error| panic!("{}: {error}", folder.display()));
        let mut paths: Vec<std::path::PathBuf> = entries.filter_map(Result::ok).map(|entry| entry.path()).collect();
        paths.retain(|path| path.extension().is_some_and(|e| e == "osl") || path.is_dir());
        paths.sort();
        paths
    }

    /// Every corpus case, sorted: each `.osl` file alone, each folder as one
    /// ruleset of its `.osl` files; a few hostile texts first.
    fn corpus_cases() -> Vec<(String, Vec<(String, String)>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
        let read = |path: &std::path::Path| {
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let mut cases: Vec<(String, Vec<(String, String)>)> = ["", "rule", "💡 -> (", "test \"x\" { given"]
            .iter()
            .map(|text| ((*text).to_owned(), vec![("a.osl".to_owned(), (*text).to_owned())]))
            .collect();
        for folder in ["syntax", "check", "clean"] {
            for path in osl_files(&root.join(folder)) {
                let files: Vec<std::path::PathBuf> = if path.is_dir() { osl_files(&path) } else { vec![path.clone()] };
                let texts = files.iter().map(|file| (file.display().to_string(), read(file))).collect();
                cases.push((path.display().to_string(), texts));
            }
        }
        assert!(cases.len() > 100, "the corpus is missing: {} cases", cases.len());
        cases
    }

    /// A span a query returned lies inside the text, on character boundaries.
    fn assert_within(text: &str, span: Span, what: &str) {
        assert!(span.start <= span.end && span.end as usize <= text.len(), "{what}: {span:?} is outside the text");
        let (start, end) = (span.start as usize, span.end as usize);
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "{what}: {span:?} splits a character");
    }

    /// Every editor query at every offset of every corpus file (broken ones
    /// included) answers, with spans inside the text and on character
    /// boundaries, and the definition of every name found is a declaration of
    /// that same name.
    #[test]
    fn editor_queries_answer_within_the_text_on_the_whole_corpus() {
        for (case, texts) in corpus_cases() {
            let db = Database::default();
            let pairs: Vec<(&str, &str)> = texts.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
            let (set, files) = ruleset(&db, &pairs);
            for (file, (path, text)) in files.into_iter().zip(&texts) {
                let path = format!("{case}: {path}");
                file_queries(&db, set, file, &path, text);
                for offset in 0..=text.len() as u32 + 2 {
                    offset_queries(&db, set, file, &path, text, offset);
                }
            }
        }
    }

    fn file_queries(db: &Database, set: Ruleset, file: SourceFile, path: &str, text: &str) {
        for token in semantic_tokens(db, set, file) {
            assert_within(text, token.span, &format!("{path}: semantic token"));
        }
        for hint in inlay_hints(db, set, file) {
            assert_within(text, Span { start: hint.offset, end: hint.offset }, &format!("{path}: inlay hint"));
        }
        for item in outline(db, file) {
            assert_within(text, item.span, &format!("{path}: outline"));
            assert_within(text, item.name_span, &format!("{path}: outline name"));
        }
        for (span, _) in folding_ranges(db, file) {
            assert_within(text, span, &format!("{path}: folding range"));
        }
    }

    fn offset_queries(db: &Database, set: Ruleset, file: SourceFile, path: &str, text: &str, offset: u32) {
        let what = format!("{path} at {offset}");
        if let Some(info) = hover(db, set, file, offset) {
            assert_within(text, info.span, &format!("{what}: hover"));
        }
        let (replace, _) = completions(db, set, file, offset);
        assert_within(text, replace, &format!("{what}: completion"));
        let _ = signature_help(db, set, file, offset);
        for location in rename(db, set, file, offset, "new_name").unwrap_or_default() {
            assert_within(location.file.text(db), location.span, &format!("{what}: rename"));
        }
        let Some(name) = name_at(db, set, file, offset) else { return };
        assert_within(text, name.span, &format!("{what}: name"));
        assert_eq!(text.get(name.span.range()), Some(name.target.name()), "{what}: the name is written there");
        for location in definitions(db, set, &name.target) {
            assert_within(location.file.text(db), location.span, &format!("{what}: definition"));
            let declared = name_at(db, set, location.file, location.span.start);
            assert!(
                declared.as_ref().is_some_and(|d| d.declaration && d.target == name.target),
                "{what}: the definition of {:?} is {declared:?}",
                name.target
            );
        }
        let span = Span { start: offset, end: offset + 3 };
        if let Some(insertion) = declare_fact(db, set, file, span) {
            assert_within(
                insertion.file.text(db),
                Span { start: insertion.offset, end: insertion.offset },
                &format!("{what}: fix"),
            );
        }
        for (_, insertion) in add_cite(db, set, file, span) {
            assert_within(text, Span { start: insertion.offset, end: insertion.offset }, &format!("{what}: cite"));
        }
    }
}
