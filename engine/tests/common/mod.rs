//! What the engine's test files share: a ruleset from one file's text, and
//! the outcome of one JSON record, each failing loudly on bad input.

use osler_engine::{Outcome, Ruleset};

/// The ruleset of one file `t.osl` holding `text`.
pub fn ruleset(text: &str) -> Ruleset {
    match Ruleset::from_sources(&[("t.osl".to_owned(), text.to_owned())]) {
        Ok(ruleset) => ruleset,
        Err(error) => panic!("the test ruleset does not check: {error}\n{text}"),
    }
}

/// The outcome of the record `json`.
pub fn outcome(ruleset: &Ruleset, json: &str) -> Outcome {
    match ruleset.read_json(json) {
        Ok(record) => ruleset.evaluate(&record).unwrap_or_else(|e| panic!("{e}")),
        Err(error) => panic!("record {json} rejected: {error}"),
    }
}
