//! Completion: the names, keywords and values that fit the cursor's
//! context, with their types, signatures and docs.

use super::context::{CompletionContext, completion_context, word_start};
use super::describe::{action_signature, source_citation};
use super::names::info;
use crate::check::{SymbolKind, Symbols, symbols};
use crate::db::{Item, Ruleset, SourceFile};
use crate::span::floor_char_boundary;
use crate::syntax::{DECLARATION_KEYWORDS, DeclKind, Span, Unit};
use crate::types::Ty;

/// What a completion item is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A fact.
    Fact,
    /// A let.
    Let,
    /// An action.
    Action,
    /// A source.
    Source,
    /// A rule.
    Rule,
    /// An enum type.
    Enum,
    /// A variant.
    Variant,
    /// A built-in function.
    Function,
    /// A built-in type.
    Type,
    /// A unit.
    Unit,
    /// An example value (`6h`).
    Value,
    /// A snippet.
    Snippet,
    /// A `baseline` of test givens.
    Baseline,
}

/// One completion item.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Completion {
    /// What the list shows (and inserts, without `insert_text`).
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A short description: a type, a signature, a citation.
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// Text to insert instead of the label.
    pub insert_text: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Completion {
        Completion { label: label.into(), kind, detail: None, documentation: None, insert_text: None }
    }

    fn detail(mut self, detail: impl Into<String>) -> Completion {
        self.detail = Some(detail.into());
        self
    }

    fn docs(mut self, documentation: Option<String>) -> Completion {
        self.documentation = documentation;
        self
    }
}

/// What a keyword is for, shown with its completion.
fn keyword_doc(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "ruleset" => "`ruleset name \"Title\"`: names the ruleset (at most once).",
        "source" => "`source name \"Title\" year 2026 url \"...\"`: a guideline that rules cite.",
        "enum" => "`enum Name { a, b }`: a type with named values.",
        "fact" => {
            "`fact name: type`: a value each record gives (`bool`, `number`, `number mmHg`, `duration`, `string`, an enum)."
        }
        "let" => "`let name = condition`: a derived fact.",
        "action" => "`action name(param: type)`: something a rule recommends.",
        "rule" => "`rule name \"Title\" [overrides other]:` then `condition -> action(..)` and `cite source`.",
        "test" => "`test \"title\" { given fact = value  expect action(..) }`",
        "baseline" => {
            "`baseline name { given fact = value, .. }`: givens tests include with `given name` and change one by one."
        }
        "given" => {
            "`given fact = value, baseline, ...`: the record a test evaluates; a baseline's name includes its givens."
        }
        "expect" => {
            "`expect action(..)`, `expect not action`, `expect action from rule`, `expect rule fires`, `expect undetermined rule`, `expect examine fact`, `expect nothing`."
        }
        "nothing" => "`expect nothing`: no action stands on the test's record.",
        "fires" => "`expect rule fires`: the rule's condition is true and no rule overrides it.",
        "from" => "`expect action from rule`: the action stands and the rule is one of those that produced it.",
        "undetermined" => "`expect undetermined rule`: the rule's outcome is unknown on the test's record.",
        "examine" => "`expect examine fact`: the fact is among what the record's output says to examine next.",
        "and" | "or" | "not" => "Three-valued logic: `false and unknown` is false, `true or unknown` is true.",
        "in" => "`fact in {a, b}`: the fact has one of these values.",
        "->" => "Separates a rule's condition from its actions.",
        "cite" => "`cite source, ...`: the guidelines this rule encodes.",
        "overrides" => "`overrides rule, ...`: the rules this one suppresses when it fires.",
        "assert" => {
            "`assert name \"Title\": when -> then cite source`: on every record where `when` holds, `then` holds; both sides may name actions (`self_care`, `suspect(limb_threat)`: the output holds it)."
        }
        "exclusive" => "`exclusive action`: no record's output holds two different calls of the action.",
        "priority" => {
            "`priority a > b > ..`: the record's disposition is the first listed action its output holds (most urgent first)."
        }
        _ => return None,
    })
}

/// Completions at `offset` of `file`, and the span they replace (the word
/// being typed).
pub fn completions(
    db: &dyn salsa::Database,
    ruleset: Ruleset,
    file: SourceFile,
    offset: u32,
) -> (Span, Vec<Completion>) {
    let text = file.text(db);
    let at = floor_char_boundary(text, offset as usize);
    let replace = Span { start: word_start(text, at) as u32, end: at as u32 };
    let value_type = |name: &str| info(db, ruleset, name).value_type().cloned();
    let context = completion_context(text, at as u32, &value_type);
    let offer = Offer { db, ruleset, table: symbols(db, ruleset) };
    (replace, offer.items(context))
}

/// The declared names completion offers, by kind.
struct Offer<'db> {
    db: &'db dyn salsa::Database,
    ruleset: Ruleset,
    table: &'db Symbols<'db>,
}

fn keywords(words: &[&str]) -> Vec<Completion> {
    words.iter().map(|w| Completion::new(*w, CompletionKind::Keyword).docs(keyword_doc(w).map(str::to_owned))).collect()
}

impl<'db> Offer<'db> {
    fn items(&self, context: CompletionContext) -> Vec<Completion> {
        match context {
            CompletionContext::Nothing => Vec::new(),
            CompletionContext::DeclarationStart => {
                let mut out = keywords(&DECLARATION_KEYWORDS);
                out.extend(self.values());
                out
            }
            CompletionContext::Condition => self.condition(),
            CompletionContext::AssertCondition => {
                let mut out = self.condition();
                out.extend(self.actions());
                out
            }
            CompletionContext::Variants(enum_name) => self.variants_of(&enum_name),
            CompletionContext::Actions => self.actions(),
            CompletionContext::Sources => self.sources(),
            CompletionContext::Rules => self.rules(),
            CompletionContext::Facts => self.facts(),
            CompletionContext::Givens => {
                let mut out = self.facts();
                out.extend(self.baselines());
                out
            }
            CompletionContext::Expect { negated } => {
                let mut out = self.actions();
                out.extend(self.rules());
                let words: &[&str] =
                    if negated { &["examine", "undetermined"] } else { &["not", "nothing", "examine", "undetermined"] };
                out.extend(keywords(words));
                out
            }
            CompletionContext::AfterExpected => keywords(&["fires", "from", "given", "expect"]),
            CompletionContext::TypeName => self.types(),
            CompletionContext::Unit => {
                Unit::ALL.iter().map(|u| Completion::new(u.as_str(), CompletionKind::Unit).detail("unit")).collect()
            }
            CompletionContext::Argument { action, index } => match info(self.db, self.ruleset, &action).action {
                Some(params) => match params.get(index) {
                    Some((param, ty)) => self.values_of_type(ty, &format!("{param}: {ty}")),
                    None => Vec::new(),
                },
                None => self.values(),
            },
            CompletionContext::GivenValue(fact) => match info(self.db, self.ruleset, &fact).fact {
                Some(ty) => self.values_of_type(&ty, &format!("{fact}: {ty}")),
                None => Vec::new(),
            },
            CompletionContext::AfterOperand => keywords(&["and", "or", "in", "->", "cite", "overrides"]),
            CompletionContext::TestStatement => keywords(&["given", "expect"]),
            CompletionContext::BaselineStatement => keywords(&["given"]),
        }
    }

    fn doc(&self, item: Item<'_>) -> Option<String> {
        item.doc(self.db).as_ref().map(|d| d.text.clone())
    }

    /// The first declaration of each name of `kind`, by name.
    fn of_kind(&self, kind: SymbolKind) -> Vec<(String, Item<'db>)> {
        let mut out = Vec::new();
        for (name, list) in &self.table.names {
            if let Some(symbol) = list.iter().find(|s| s.kind == kind) {
                out.push((name.clone(), symbol.item));
            }
        }
        out
    }

    /// Facts and lets, with their types.
    fn values(&self) -> Vec<Completion> {
        let mut out = Vec::new();
        for (name, item) in self.of_kind(SymbolKind::Fact) {
            let ty = info(self.db, self.ruleset, &name).fact.map(|t| t.to_string()).unwrap_or_default();
            out.push(Completion::new(name, CompletionKind::Fact).detail(format!("fact: {ty}")).docs(self.doc(item)));
        }
        for (name, item) in self.of_kind(SymbolKind::Let) {
            let ty = info(self.db, self.ruleset, &name).let_type.map(|t| t.to_string()).unwrap_or_default();
            out.push(Completion::new(name, CompletionKind::Let).detail(format!("let: {ty}")).docs(self.doc(item)));
        }
        out
    }

    fn facts(&self) -> Vec<Completion> {
        self.values().into_iter().filter(|c| c.kind == CompletionKind::Fact).collect()
    }

    fn baselines(&self) -> Vec<Completion> {
        self.of_kind(SymbolKind::Baseline)
            .into_iter()
            .map(|(name, item)| Completion::new(name, CompletionKind::Baseline).detail("baseline").docs(self.doc(item)))
            .collect()
    }

    fn condition(&self) -> Vec<Completion> {
        let mut out = self.values();
        out.push(
            Completion::new("count", CompletionKind::Function).detail("count(c1, c2, ..): number of true conditions"),
        );
        out.push(Completion::new("known", CompletionKind::Function).detail("known(x): whether a fact has a value"));
        out.extend(keywords(&["not", "true", "false"]));
        out
    }

    fn variants_of(&self, enum_name: &str) -> Vec<Completion> {
        let item = self.table.find(enum_name, |k| k == SymbolKind::Enum).map(|s| s.item);
        info(self.db, self.ruleset, enum_name)
            .enum_variants
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                Completion::new(v, CompletionKind::Variant)
                    .detail(format!("{enum_name} variant"))
                    .docs(item.and_then(|item| self.doc(item)))
            })
            .collect()
    }

    fn actions(&self) -> Vec<Completion> {
        self.of_kind(SymbolKind::Action)
            .into_iter()
            .map(|(name, item)| {
                let signature = action_signature(self.db, self.ruleset, &name)
                    .map(|(label, _)| label)
                    .unwrap_or_else(|| name.clone());
                Completion::new(name, CompletionKind::Action).detail(format!("action {signature}")).docs(self.doc(item))
            })
            .collect()
    }

    fn sources(&self) -> Vec<Completion> {
        self.of_kind(SymbolKind::Source)
            .into_iter()
            .map(|(name, item)| {
                let citation = source_citation(self.db, self.ruleset, &name);
                Completion::new(name, CompletionKind::Source).detail(citation.unwrap_or_default()).docs(self.doc(item))
            })
            .collect()
    }

    fn rules(&self) -> Vec<Completion> {
        self.of_kind(SymbolKind::Rule)
            .into_iter()
            .map(|(name, item)| {
                let title = match &item.syntax(self.db).kind {
                    DeclKind::Rule(rule) => rule.title.as_ref().map(|t| t.value.clone()),
                    _ => None,
                };
                Completion::new(name, CompletionKind::Rule)
                    .detail(title.unwrap_or_else(|| "rule".to_owned()))
                    .docs(self.doc(item))
            })
            .collect()
    }

    fn types(&self) -> Vec<Completion> {
        let mut out = keywords(&["bool", "number", "duration", "string"]);
        for item in &mut out {
            item.kind = CompletionKind::Type;
        }
        for (name, item) in self.of_kind(SymbolKind::Enum) {
            out.push(Completion::new(name, CompletionKind::Enum).detail("enum").docs(self.doc(item)));
        }
        out
    }

    /// Values of a type: its variants, `true`/`false`, example durations,
    /// a quantity in its unit.
    fn values_of_type(&self, ty: &Ty, detail: &str) -> Vec<Completion> {
        match ty {
            Ty::Enum(enum_name) => self.variants_of(enum_name),
            Ty::Bool => keywords(&["true", "false"]),
            Ty::Duration => ["6h", "24h", "2d", "4w", "30min"]
                .iter()
                .map(|v| Completion::new(*v, CompletionKind::Value).detail(detail.to_owned()))
                .collect(),
            Ty::Quantity(unit) => vec![Completion {
                insert_text: Some(format!("0 {unit}")),
                ..Completion::new(format!("… {unit}"), CompletionKind::Unit).detail(detail.to_owned())
            }],
            _ => Vec::new(),
        }
    }
}
