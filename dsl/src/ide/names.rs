//! Names: the name at an offset, its definitions and references, and the
//! names of a file (for highlighting), all read from what the checker
//! recorded while checking each declaration.

use crate::check::{NameInfo, NameUse, SymbolKind, item_resolutions, name_info, symbols};
use crate::db::{Item, Name, Ruleset, SourceFile, file_items};
use crate::syntax::Span;

pub use crate::check::Target;

/// One written name and what it denotes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct NameRef {
    /// Where it is written.
    pub span: Span,
    /// What it denotes.
    pub target: Target,
    /// The name is being declared here (not used).
    pub declaration: bool,
}

/// A place in a file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Location {
    /// The file.
    pub file: SourceFile,
    /// The bytes, absolute in the file.
    pub span: Span,
}

/// What a name means, as the checker's `name_info` query says.
pub(crate) fn info(db: &dyn salsa::Database, ruleset: Ruleset, name: &str) -> NameInfo {
    name_info(db, ruleset, Name::new(db, name.to_owned())).clone()
}

/// The names of one declaration as the checker resolved them, with their
/// types; unresolved names included. Spans are relative to the item.
pub(crate) fn name_uses<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> &'db [NameUse] {
    item_resolutions(db, ruleset, item)
}

/// Every name written in one declaration that the checker resolved, in
/// order. Spans are relative to the item, so the result survives edits
/// above it.
#[salsa::tracked(returns(ref))]
pub fn item_names<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, item: Item<'db>) -> Vec<NameRef> {
    name_uses(db, ruleset, item)
        .iter()
        .filter_map(|name| {
            let target = name.target.clone()?;
            Some(NameRef { span: name.span, target, declaration: name.declaration })
        })
        .collect()
}

/// The names of one file, absolute spans, in order.
pub fn file_names(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile) -> Vec<NameRef> {
    let mut out = Vec::new();
    for &item in file_items(db, file) {
        let offset = item.offset(db);
        out.extend(
            item_names(db, ruleset, item).iter().map(|name| NameRef { span: name.span.shift(offset), ..name.clone() }),
        );
    }
    out
}

/// The item of `file` whose text contains `offset`.
pub(crate) fn item_at<'db>(db: &'db dyn salsa::Database, file: SourceFile, offset: u32) -> Option<Item<'db>> {
    file_items(db, file).iter().copied().find(|item| item.syntax(db).span.shift(item.offset(db)).contains(offset))
}

/// The name use written at `offset` (touching either end counts), with an
/// absolute span: preferably one the offset is inside.
pub(crate) fn name_use_at(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> Option<NameUse> {
    let item = item_at(db, file, offset)?;
    let base = item.offset(db);
    let names: Vec<&NameUse> = name_uses(db, ruleset, item).iter().filter(|name| name.target.is_some()).collect();
    let inside = names.iter().find(|n| n.span.shift(base).start <= offset && offset < n.span.shift(base).end);
    let touching = names.iter().find(|n| n.span.shift(base).contains(offset));
    inside.or(touching).map(|name| NameUse { span: name.span.shift(base), ..(*name).clone() })
}

/// The name written at `offset` (touching either end counts), if any.
pub fn name_at(db: &dyn salsa::Database, ruleset: Ruleset, file: SourceFile, offset: u32) -> Option<NameRef> {
    let name = name_use_at(db, ruleset, file, offset)?;
    Some(NameRef { span: name.span, target: name.target?, declaration: name.declaration })
}

/// Where `target` is declared.
pub fn definitions(db: &dyn salsa::Database, ruleset: Ruleset, target: &Target) -> Vec<Location> {
    let table = symbols(db, ruleset);
    let (name, filter): (&str, fn(SymbolKind) -> bool) = match target {
        Target::Ruleset(name) => (name, |k| k == SymbolKind::Ruleset),
        Target::Source(name) => (name, |k| k == SymbolKind::Source),
        Target::Enum(name) => (name, |k| k == SymbolKind::Enum),
        Target::Variant { enum_name, .. } => (enum_name, |k| k == SymbolKind::Enum),
        Target::Fact(name) => (name, |k| k == SymbolKind::Fact),
        Target::Let(name) => (name, |k| k == SymbolKind::Let),
        Target::Action(name) | Target::Param { action: name, .. } => (name, |k| k == SymbolKind::Action),
        Target::Rule(name) => (name, |k| k == SymbolKind::Rule),
        Target::Baseline(name) => (name, |k| k == SymbolKind::Baseline),
    };
    let mut out = Vec::new();
    for symbol in table.get(name).iter().filter(|s| filter(s.kind)) {
        let item = symbol.item;
        let offset = item.offset(db);
        for name in item_names(db, ruleset, item).iter().filter(|n| n.declaration && &n.target == target) {
            out.push(Location { file: *item.file(db), span: name.span.shift(offset) });
        }
    }
    out
}

/// The declaring item of a target.
pub(crate) fn declaring_item<'db>(
    db: &'db dyn salsa::Database,
    ruleset: Ruleset,
    target: &Target,
) -> Option<Item<'db>> {
    let location = definitions(db, ruleset, target).into_iter().next()?;
    item_at(db, location.file, location.span.start)
}

/// Every place `target` is written, declarations included when asked,
/// ordered by file path then position.
pub fn references(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    target: &Target,
    include_declaration: bool,
) -> Vec<Location> {
    let mut files = ruleset.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    let mut out = Vec::new();
    for file in files {
        for &item in file_items(db, file) {
            let offset = item.offset(db);
            for name in item_names(db, ruleset, item) {
                if &name.target == target && (include_declaration || !name.declaration) {
                    out.push(Location { file, span: name.span.shift(offset) });
                }
            }
        }
    }
    out
}
