//! `osler schema`: the ruleset's record as a JSON Schema (draft 2020-12),
//! for the systems that produce records: every fact with its type, enum
//! values, unit and doc comment, plus `id`. Every fact may be `null`
//! (unknown) or absent.

use std::path::Path;

use crate::exit;

/// What `osler schema` prints.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum SchemaFormat {
    /// A JSON Schema (draft 2020-12) of one record.
    Json,
    /// A Markdown data dictionary: facts and actions with their types and
    /// doc comments (what a ruleset's README embeds).
    Markdown,
}

pub fn run(path: &Path, format: SchemaFormat) -> u8 {
    let ruleset = match crate::load::load(path) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    if format == SchemaFormat::Markdown {
        out!("{}", ruleset.data_dictionary());
        return exit::OK;
    }
    match serde_json::to_string_pretty(&ruleset.record_schema()) {
        Ok(text) => {
            outln!("{text}");
            exit::OK
        }
        Err(error) => {
            errln!("error: {error}");
            exit::USAGE
        }
    }
}
