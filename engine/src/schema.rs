//! What the systems that produce records need to know about a ruleset:
//! the record as a JSON Schema (draft 2020-12), every fact with its type,
//! enum values, unit and doc comment, plus `id` (every fact may be `null`
//! or absent); and the data dictionary as Markdown tables, which a
//! ruleset's README embeds.

use osler_dsl::model::{Model, Type};
use serde_json::{Value, json};

/// A decimal number as records write it.
const NUMBER: &str = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)";

/// The JSON Schema of one record of `model`.
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

/// One line of a doc comment for a table cell.
fn cell(text: Option<&str>) -> String {
    text.unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// The data dictionary as Markdown tables: facts (type, values or unit,
/// meaning) and actions (parameters, meaning), in declaration order.
pub(crate) fn markdown_dictionary(model: &Model) -> String {
    let mut out = String::from("### Facts\n\n| fact | type | values | meaning |\n|---|---|---|---|\n");
    for fact in &model.facts {
        let values = match fact.ty {
            Type::Enum(index) => model
                .enums
                .get(index as usize)
                .map(|info| info.variants.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            Type::Quantity(unit) => format!("number in {unit}, or a string such as `\"50 {unit}\"`"),
            Type::Duration => "a string such as `\"6h\"`, `\"2d\"`, `\"4w\"`".to_owned(),
            Type::Bool => "`true`, `false`".to_owned(),
            Type::Number | Type::String => String::new(),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            fact.name,
            type_name(model, fact.ty),
            values,
            cell(fact.doc.as_deref())
        ));
    }
    out.push_str("\n### Actions\n\n| action | meaning |\n|---|---|\n");
    for action in &model.actions {
        let params: Vec<String> =
            action.params.iter().map(|(name, ty)| format!("{name}: {}", type_name(model, *ty))).collect();
        out.push_str(&format!("| `{}({})` | {} |\n", action.name, params.join(", "), cell(action.doc.as_deref())));
    }
    out
}
