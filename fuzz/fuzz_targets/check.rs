//! Any UTF-8 text as a one-file ruleset: parsing and checking never panic,
//! and a ruleset without errors compiles, runs its own tests, and is
//! analysed with every finding's example confirmed by the engine (an
//! example the engine does not confirm is `osler::internal`: a bug).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = osler_dsl::syntax::parse(text);
    let checked = osler_dsl::check_sources(&[("fuzz.osl".to_owned(), text.to_owned())]);
    assert_eq!(checked.model.is_some(), !checked.has_errors(), "a model exactly when there are no errors");
    if let Some(model) = checked.model {
        // A checked model always compiles, and evaluating never panics.
        let ruleset = match osler_engine::Ruleset::from_model(model) {
            Ok(ruleset) => ruleset,
            Err(error) => panic!("a checked model does not compile: {error:?}"),
        };
        if let Err(error) = ruleset.evaluate(&ruleset.record()) {
            panic!("the ruleset refused its own record: {error:?}");
        }
        let _ = osler_engine::testing::run_tests(&ruleset);
        for confirmed in ruleset.analyze() {
            let diagnostic = &confirmed.diagnostic.diagnostic;
            assert!(diagnostic.code != osler_dsl::Code::Internal, "{}", diagnostic.message);
        }
    }
});
