//! Rename: the name at an offset, the checks on its new name (valid for
//! its kind, not a keyword, no clash), and every place to change.

use super::names::{Location, NameRef, Target, definitions, info, item_at, name_at, references};
use crate::check::{SymbolKind, symbols};
use crate::db::{Ruleset, SourceFile};
use crate::syntax::{DeclKind, is_keyword};

/// Checks that `name` is a valid new name for `target`'s kind and does not
/// collide with another declaration.
pub fn check_new_name(db: &dyn salsa::Database, ruleset: Ruleset, target: &Target, name: &str) -> Result<(), String> {
    let lower = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let valid = match target {
        Target::Enum(_) => {
            name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
        }
        Target::Variant { .. } => {
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => lower(name),
    };
    let what = target.describe();
    if !valid || name.is_empty() {
        let rule = match target {
            Target::Enum(_) => "UpperCamelCase (`[A-Z][A-Za-z0-9]*`)",
            Target::Variant { .. } => "letters, digits and `_` (`[A-Za-z_][A-Za-z0-9_]*`)",
            _ => "lower_snake_case (`[a-z_][a-z0-9_]*`)",
        };
        return Err(format!("`{name}` is not a valid {what} name: {what} names are {rule}"));
    }
    if is_keyword(name) {
        return Err(format!("`{name}` is a keyword"));
    }
    if matches!(target, Target::Fact(_) | Target::Let(_)) && (name == "count" || name == "known") {
        return Err(format!("`{name}` is a built-in function"));
    }
    if name == target.name() {
        return Ok(());
    }
    let table = symbols(db, ruleset);
    let clash = match target {
        Target::Variant { enum_name, .. } => info(db, ruleset, name).variant_of.contains(enum_name),
        Target::Param { action, .. } => {
            definitions(db, ruleset, &Target::Action(action.clone())).first().is_some_and(|location| {
                item_at(db, location.file, location.span.start).is_some_and(|item| match &item.syntax(db).kind {
                    DeclKind::Action(decl) => decl.params.iter().any(|p| p.name.text == name),
                    _ => false,
                })
            })
        }
        _ => {
            let kinds: &[SymbolKind] = match target {
                Target::Fact(_) | Target::Let(_) => &[SymbolKind::Fact, SymbolKind::Let],
                Target::Source(_) => &[SymbolKind::Source],
                Target::Enum(_) => &[SymbolKind::Enum],
                Target::Action(_) => &[SymbolKind::Action],
                Target::Rule(_) => &[SymbolKind::Rule],
                Target::Baseline(_) => &[SymbolKind::Baseline],
                _ => &[SymbolKind::Ruleset],
            };
            table.get(name).iter().any(|s| kinds.contains(&s.kind))
        }
    };
    if clash {
        return Err(format!("a {what} named `{name}` already exists"));
    }
    Ok(())
}

/// The name at `offset` if it can be renamed.
pub fn prepare_rename(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> Result<NameRef, String> {
    name_at(db, ruleset, file, offset).ok_or_else(|| "there is no name to rename here".to_owned())
}

/// The spans to replace with `new_name` to rename the name at `offset`
/// everywhere in the ruleset.
pub fn rename(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
    new_name: &str,
) -> Result<Vec<Location>, String> {
    let name = prepare_rename(db, ruleset, file, offset)?;
    check_new_name(db, ruleset, &name.target, new_name)?;
    Ok(references(db, ruleset, &name.target, true))
}
