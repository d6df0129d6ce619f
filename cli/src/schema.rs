//! `osler schema`: the ruleset's record as a JSON Schema (draft 2020-12),
//! for the systems that produce records: every fact with its type, enum
//! values, unit and doc comment, plus `id`. Every fact may be `null`
//! (unknown) or absent.

use std::path::Path;

use osler_dsl::model::{Model, Type};
use serde_json::{Value, json};

use crate::exit;

pub fn run(path: &Path) -> u8 {
    let ruleset = match crate::run::load(path) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    match serde_json::to_string_pretty(&record_schema(ruleset.model())) {
        Ok(text) => {
            println!("{text}");
            exit::OK
        }
        Err(error) => {
            eprintln!("error: {error}");
            exit::USAGE
        }
    }
}

/// A decimal number as records write it.
const NUMBER: &str = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)";

pub(crate) fn record_schema(model: &Model) -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert(
        "id".to_owned(),
        json!({
            "description": "The record's identifier, echoed in its output line.",
            "type": ["string", "number", "null"],
        }),
    );
    for fact in &model.facts {
        if fact.name == "id" {
            continue;
        }
        let mut schema = fact_schema(model, fact.ty);
        if let Some(object) = schema.as_object_mut() {
            let mut description = fact.doc.clone().unwrap_or_default().trim().to_owned();
            if let Type::Quantity(unit) = fact.ty {
                if !description.is_empty() {
                    description.push(' ');
                }
                description.push_str(&format!("(in {unit})"));
            }
            if !description.is_empty() {
                object.insert("description".to_owned(), Value::String(description));
            }
            object.insert("x-osler-type".to_owned(), Value::String(type_name(model, fact.ty)));
        }
        properties.insert(fact.name.clone(), schema);
    }
    let title = model.title.clone().or_else(|| model.name.clone()).unwrap_or_else(|| "Osler record".to_owned());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": "One record (one JSON Lines line). A fact that is absent or null is unknown; fields that are not facts are ignored.",
        "type": "object",
        "properties": properties,
    })
}

fn type_name(model: &Model, ty: Type) -> String {
    match ty {
        Type::Bool => "bool".to_owned(),
        Type::Number => "number".to_owned(),
        Type::Quantity(unit) => format!("number {unit}"),
        Type::Duration => "duration".to_owned(),
        Type::String => "string".to_owned(),
        Type::Enum(index) => model.enums.get(index as usize).map(|info| info.name.clone()).unwrap_or_default(),
    }
}

fn fact_schema(model: &Model, ty: Type) -> Value {
    match ty {
        Type::Bool => json!({ "type": ["boolean", "null"] }),
        Type::Number => json!({ "type": ["number", "null"] }),
        Type::String => json!({ "type": ["string", "null"] }),
        Type::Quantity(unit) => json!({
            "anyOf": [
                { "type": "number" },
                { "type": "string", "pattern": format!(r"^\s*{NUMBER}\s*{}\s*$", escape(unit.as_str())) },
                { "type": "null" },
            ],
            "x-unit": unit.as_str(),
        }),
        Type::Duration => json!({
            "type": ["string", "null"],
            "pattern": format!(r"^\s*{NUMBER}\s*(s|min|h|d|w|mo)\s*$"),
            "examples": ["30min", "6h", "2d", "4w"],
        }),
        Type::Enum(index) => {
            let mut variants: Vec<Value> = model
                .enums
                .get(index as usize)
                .map(|info| info.variants.iter().cloned().map(Value::String).collect())
                .unwrap_or_default();
            variants.push(Value::Null);
            json!({ "enum": variants })
        }
    }
}

/// Escapes the syntax characters of a regular expression (ECMA-262).
fn escape(text: &str) -> String {
    text.chars().flat_map(|c| if r"^$\.*+?()[]{}|/".contains(c) { vec!['\\', c] } else { vec![c] }).collect()
}
