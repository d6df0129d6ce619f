//! The salsa database: inputs (files and rulesets) and the tracked queries
//! the checker, the formatter and the language server share.
//!
//! Granularity, from coarse to fine:
//! - [`parse_file`] re-runs when its file's text changes;
//! - [`file_items`] gives each declaration a stable identity ([`Item`]) whose
//!   fields (`syntax`, `doc`, `offset`) are tracked separately, so moving or
//!   documenting a declaration does not invalidate its type check;
//! - [`symbols`] indexes every declared name of a ruleset; it re-runs on
//!   every edit but is backdated when no declaration changed;
//! - [`name_info`] answers "what is this name?" per name, so a check only
//!   re-runs when a name it uses changes meaning;
//! - [`crate::check::check_item`] checks one declaration.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::syntax::{self, Decl, DeclKind, DocComment, ParsedFile};
use crate::types::Ty;

/// One `.osl` file.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
}

/// A ruleset: the files that share one namespace, sorted by path.
#[salsa::input(debug)]
pub struct Ruleset {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

/// A name as a query key.
#[salsa::interned(debug)]
pub struct Name<'db> {
    #[returns(ref)]
    pub text: String,
}

/// One declaration with a stable identity: its kind and name (or test
/// title, or ordinal for unnamed rules) within its file.
#[salsa::tracked(debug)]
pub struct Item<'db> {
    pub file: SourceFile,
    #[returns(ref)]
    pub key: ItemKey,
    #[tracked]
    #[returns(ref)]
    pub syntax: Arc<Decl>,
    #[tracked]
    #[returns(ref)]
    pub doc: Option<DocComment>,
    /// Where the declaration starts in its file; spans in `syntax` are
    /// relative to it.
    #[tracked]
    #[returns(copy)]
    pub offset: u32,
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ItemKey {
    pub kind: &'static str,
    /// The declared name; an unnamed rule's generated id; a test's title.
    pub name: String,
}

/// The database every Osler tool uses.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    log: Option<Arc<Mutex<Vec<String>>>>,
}

#[salsa::db]
impl salsa::Database for Database {}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("logging", &self.log.is_some()).finish_non_exhaustive()
    }
}

impl Database {
    /// A database that records the name of every query it executes, for
    /// tests that prove incrementality.
    pub fn with_execution_log() -> Database {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&log);
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Ok(mut log) = sink.lock()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        Database { storage, log: Some(log) }
    }

    /// The queries executed since the last call (`WillExecute` events).
    pub fn take_execution_log(&self) -> Vec<String> {
        self.log.as_ref().and_then(|log| log.lock().ok().map(|mut log| std::mem::take(&mut *log))).unwrap_or_default()
    }
}

/// The text of one declaration, as a query key.
#[salsa::interned(debug)]
pub struct DeclText<'db> {
    #[returns(ref)]
    pub text: String,
}

/// Parses one declaration; memoised by its text, so editing one rule of a
/// large file re-parses that rule only.
#[salsa::tracked(returns(ref))]
pub fn parse_declaration<'db>(db: &'db dyn salsa::Database, text: DeclText<'db>) -> syntax::DeclResult {
    syntax::parse_declaration(text.text(db))
}

#[salsa::tracked(returns(ref))]
pub fn parse_file(db: &dyn salsa::Database, file: SourceFile) -> ParsedFile {
    syntax::parse_with(file.text(db), &mut |source| parse_declaration(db, DeclText::new(db, source.to_owned())).clone())
}

/// The file's name without folder and extension, for unnamed rule ids.
pub fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".osl").unwrap_or(name)
}

#[salsa::tracked(returns(ref))]
pub fn file_items<'db>(db: &'db dyn salsa::Database, file: SourceFile) -> Vec<Item<'db>> {
    let parsed = parse_file(db, file);
    let stem = file_stem(file.path(db));
    let mut unnamed = 0;
    parsed
        .decls
        .iter()
        .map(|decl| {
            let name = match &decl.decl.kind {
                DeclKind::Test(test) => test.title.value.clone(),
                DeclKind::Rule(rule) if rule.name.is_none() => {
                    unnamed += 1;
                    format!("{stem}_{unnamed}")
                }
                kind => kind.name().map(|name| name.text.clone()).unwrap_or_default(),
            };
            let key = ItemKey { kind: decl.decl.kind.keyword(), name };
            Item::new(db, file, key, Arc::clone(&decl.decl), decl.doc.clone(), decl.offset)
        })
        .collect()
}

/// What a declared name denotes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum SymbolKind {
    Ruleset,
    Source,
    Enum,
    /// A variant, with its position in the enum.
    Variant(u32),
    Fact,
    Let,
    Action,
    Rule,
}

impl SymbolKind {
    pub fn describe(self) -> &'static str {
        match self {
            SymbolKind::Ruleset => "ruleset",
            SymbolKind::Source => "source",
            SymbolKind::Enum => "enum",
            SymbolKind::Variant(_) => "variant",
            SymbolKind::Fact => "fact",
            SymbolKind::Let => "let",
            SymbolKind::Action => "action",
            SymbolKind::Rule => "rule",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, salsa::SalsaValue)]
pub struct Symbol<'db> {
    pub kind: SymbolKind,
    /// The declaring item (for a variant, its enum).
    pub item: Item<'db>,
}

/// Every declared name of a ruleset, in declaration order per name.
#[derive(Clone, PartialEq, Eq, Debug, Default, salsa::SalsaValue)]
pub struct Symbols<'db> {
    pub names: BTreeMap<String, Vec<Symbol<'db>>>,
    /// Names of declarations that failed to parse.
    pub broken: Vec<String>,
}

impl<'db> Symbols<'db> {
    pub fn get(&self, name: &str) -> &[Symbol<'db>] {
        self.names.get(name).map_or(&[], Vec::as_slice)
    }

    /// The first declaration of `name` with a kind accepted by `filter`.
    pub fn find(&self, name: &str, filter: impl Fn(SymbolKind) -> bool) -> Option<Symbol<'db>> {
        self.get(name).iter().copied().find(|symbol| filter(symbol.kind))
    }

    /// Every name with a kind accepted by `filter`, for "did you mean".
    pub fn names_of(&self, filter: impl Fn(SymbolKind) -> bool) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .filter(move |(_, symbols)| symbols.iter().any(|s| filter(s.kind)))
            .map(|(name, _)| name.as_str())
    }
}

/// The names of a file's broken declarations, apart from the parse so an
/// edit that breaks nothing new leaves `symbols` alone.
#[salsa::tracked(returns(ref))]
pub fn broken_names(db: &dyn salsa::Database, file: SourceFile) -> Vec<String> {
    parse_file(db, file).broken_names.clone()
}

#[salsa::tracked(returns(ref))]
pub fn symbols<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset) -> Symbols<'db> {
    let mut table = Symbols::default();
    for &file in ruleset.files(db) {
        table.broken.extend(broken_names(db, file).iter().cloned());
        for &item in file_items(db, file) {
            let key = item.key(db);
            let kind = match key.kind {
                "ruleset" => SymbolKind::Ruleset,
                "source" => SymbolKind::Source,
                "enum" => SymbolKind::Enum,
                "fact" => SymbolKind::Fact,
                "let" => SymbolKind::Let,
                "action" => SymbolKind::Action,
                "rule" => SymbolKind::Rule,
                _ => continue,
            };
            if kind == SymbolKind::Enum
                && let DeclKind::Enum(decl) = &item.syntax(db).kind
            {
                for (index, variant) in decl.variants.iter().enumerate() {
                    table
                        .names
                        .entry(variant.text.clone())
                        .or_default()
                        .push(Symbol { kind: SymbolKind::Variant(index as u32), item });
                }
            }
            table.names.entry(key.name.clone()).or_default().push(Symbol { kind, item });
        }
    }
    table.broken.sort();
    table.broken.dedup();
    table
}

/// What a name means in a ruleset, in every namespace at once.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct NameInfo {
    /// The fact's type, if the name is a fact.
    pub fact: Option<Ty>,
    /// The let's type, if the name is a let.
    pub let_type: Option<Ty>,
    /// Enums that declare a variant with this name.
    pub variant_of: Vec<String>,
    /// The action's parameters, if the name is an action.
    pub action: Option<Vec<(String, Ty)>>,
    /// The enum's variants, if the name is an enum.
    pub enum_variants: Option<Vec<String>>,
    pub is_source: bool,
    pub is_rule: bool,
    /// A declaration of this name failed to parse.
    pub broken: bool,
}

impl NameInfo {
    /// The type of the name used as a value (fact or let).
    pub fn value_type(&self) -> Option<&Ty> {
        self.fact.as_ref().or(self.let_type.as_ref())
    }
}

#[salsa::tracked(returns(ref))]
pub fn name_info<'db>(db: &'db dyn salsa::Database, ruleset: Ruleset, name: Name<'db>) -> NameInfo {
    let table = symbols(db, ruleset);
    let text = name.text(db);
    let mut info = NameInfo { broken: table.broken.iter().any(|b| b == text), ..NameInfo::default() };
    for symbol in table.get(text) {
        match (symbol.kind, &symbol.item.syntax(db).kind) {
            (SymbolKind::Fact, DeclKind::Fact(fact)) if info.fact.is_none() => {
                info.fact = Some(crate::types::resolve_type(&fact.ty, table, db));
            }
            (SymbolKind::Let, _) if info.let_type.is_none() => {
                info.let_type =
                    Some(crate::check::let_analysis(db, ruleset).types.get(text).cloned().unwrap_or(Ty::Error));
            }
            (SymbolKind::Variant(_), DeclKind::Enum(decl)) => info.variant_of.push(decl.name.text.clone()),
            (SymbolKind::Action, DeclKind::Action(action)) if info.action.is_none() => {
                info.action = Some(
                    action
                        .params
                        .iter()
                        .map(|param| (param.name.text.clone(), crate::types::resolve_type(&param.ty, table, db)))
                        .collect(),
                );
            }
            (SymbolKind::Enum, DeclKind::Enum(decl)) if info.enum_variants.is_none() => {
                info.enum_variants = Some(decl.variants.iter().map(|v| v.text.clone()).collect());
            }
            (SymbolKind::Source, _) => info.is_source = true,
            (SymbolKind::Rule, _) => info.is_rule = true,
            _ => {}
        }
    }
    info
}
