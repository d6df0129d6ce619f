//! One small function per request: find the document, ask the dsl's
//! editor queries (`osler_dsl::ide`), convert the answer to LSP types.
//! Every function runs on a database snapshot in a blocking thread.

use std::collections::HashMap;

use osler_dsl::Code;
use osler_dsl::db::{Database, Ruleset, SourceFile};
use osler_dsl::ide::{self, CompletionKind, InlayKind, OutlineItem, OutlineKind, SemanticKind};
use osler_dsl::syntax::Span;
use tower_lsp_server::gen_lsp_types as lsp;
use tower_lsp_server::jsonrpc::{Error, Result};

use crate::convert::{self, Document};
use crate::workspace::Table;

/// The document a request is about, with its ruleset and a byte offset.
struct At<'db> {
    source: SourceFile,
    ruleset: Ruleset,
    document: Document<'db>,
    offset: u32,
}

fn locate<'db>(db: &'db Database, table: &Table, params: &lsp::TextDocumentPositionParams) -> Option<At<'db>> {
    let (source, ruleset) = table.locate(&params.text_document.uri)?;
    let document = Document::new(source.text(db));
    let offset = document.offset(params.position);
    Some(At { source, ruleset, document, offset })
}

/// Converts locations of any file, reading each file's line index once.
struct Locations<'a> {
    db: &'a Database,
    table: &'a Table,
    documents: HashMap<SourceFile, (lsp::Uri, Document<'a>)>,
}

impl<'a> Locations<'a> {
    fn new(db: &'a Database, table: &'a Table) -> Locations<'a> {
        Locations { db, table, documents: HashMap::new() }
    }

    fn entry(&mut self, file: SourceFile) -> &(lsp::Uri, Document<'a>) {
        let (db, table) = (self.db, self.table);
        self.documents.entry(file).or_insert_with(|| (table.uri_of_path(file.path(db)), Document::new(file.text(db))))
    }

    fn location(&mut self, location: ide::Location) -> lsp::Location {
        let (uri, document) = self.entry(location.file);
        lsp::Location { uri: uri.clone(), range: document.range(location.span) }
    }
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }
}

/// `textDocument/hover`: what the name under the cursor is (type, unit,
/// documentation, signature, citation).
pub fn hover(db: &Database, table: &Table, params: &lsp::TextDocumentPositionParams) -> Option<lsp::Hover> {
    let at = locate(db, table, params)?;
    let info = ide::hover(db, at.ruleset, at.source, at.offset)?;
    Some(lsp::Hover {
        contents: lsp::Contents::MarkupContent(markdown(info.markdown)),
        range: Some(at.document.range(info.span)),
    })
}

/// `textDocument/definition`: where the name under the cursor is declared.
pub fn definition(
    db: &Database,
    table: &Table,
    params: &lsp::TextDocumentPositionParams,
) -> Option<lsp::DefinitionResponse> {
    let at = locate(db, table, params)?;
    let name = ide::name_at(db, at.ruleset, at.source, at.offset)?;
    let mut locations = Locations::new(db, table);
    let found: Vec<lsp::Location> =
        ide::definitions(db, at.ruleset, &name.target).into_iter().map(|l| locations.location(l)).collect();
    match found.len() {
        0 => None,
        1 => found.into_iter().next().map(|l| lsp::DefinitionResponse::Definition(lsp::Definition::Location(l))),
        _ => Some(lsp::DefinitionResponse::Definition(lsp::Definition::LocationList(found))),
    }
}

/// `textDocument/references`: every use of the name under the cursor, in
/// every file of its ruleset.
pub fn references(
    db: &Database,
    table: &Table,
    params: &lsp::TextDocumentPositionParams,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let at = locate(db, table, params)?;
    let name = ide::name_at(db, at.ruleset, at.source, at.offset)?;
    let mut locations = Locations::new(db, table);
    Some(
        ide::references(db, at.ruleset, &name.target, include_declaration)
            .into_iter()
            .map(|l| locations.location(l))
            .collect(),
    )
}

/// `textDocument/documentHighlight`: the uses of the name under the
/// cursor in this document.
pub fn highlight(
    db: &Database,
    table: &Table,
    params: &lsp::TextDocumentPositionParams,
) -> Option<Vec<lsp::DocumentHighlight>> {
    let at = locate(db, table, params)?;
    let name = ide::name_at(db, at.ruleset, at.source, at.offset)?;
    Some(
        ide::file_names(db, at.ruleset, at.source)
            .into_iter()
            .filter(|n| n.target == name.target)
            .map(|n| lsp::DocumentHighlight {
                range: at.document.range(n.span),
                kind: Some(if n.declaration {
                    lsp::DocumentHighlightKind::Write
                } else {
                    lsp::DocumentHighlightKind::Read
                }),
            })
            .collect(),
    )
}

/// `textDocument/prepareRename`: the range of the name a rename would
/// change, or an error when it cannot be renamed.
pub fn prepare_rename(
    db: &Database,
    table: &Table,
    params: &lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResult>> {
    let Some(at) = locate(db, table, params) else { return Ok(None) };
    match ide::prepare_rename(db, at.ruleset, at.source, at.offset) {
        Ok(name) => Ok(Some(lsp::PrepareRenameResult::PrepareRenamePlaceholder(lsp::PrepareRenamePlaceholder {
            range: at.document.range(name.span),
            placeholder: name.target.name().to_owned(),
        }))),
        Err(message) => Err(Error::invalid_params(message)),
    }
}

/// `textDocument/rename`: the edits renaming a name in every file of its
/// ruleset; an invalid new name is refused.
pub fn rename(db: &Database, table: &Table, params: &lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
    let Some(at) = locate(db, table, &params.text_document_position_params) else { return Ok(None) };
    let spans = ide::rename(db, at.ruleset, at.source, at.offset, &params.new_name).map_err(Error::invalid_params)?;
    let mut locations = Locations::new(db, table);
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for location in spans {
        let location = locations.location(location);
        changes
            .entry(location.uri)
            .or_default()
            .push(lsp::TextEdit { range: location.range, new_text: params.new_name.clone() });
    }
    Ok(Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }))
}

fn symbol_kind(kind: OutlineKind) -> lsp::SymbolKind {
    match kind {
        OutlineKind::Ruleset => lsp::SymbolKind::Package,
        OutlineKind::Source => lsp::SymbolKind::Module,
        OutlineKind::Enum => lsp::SymbolKind::Enum,
        OutlineKind::Variant => lsp::SymbolKind::EnumMember,
        OutlineKind::Fact => lsp::SymbolKind::Field,
        OutlineKind::Let => lsp::SymbolKind::Variable,
        OutlineKind::Action => lsp::SymbolKind::Function,
        OutlineKind::Param => lsp::SymbolKind::TypeParameter,
        OutlineKind::Rule => lsp::SymbolKind::Method,
        OutlineKind::Test => lsp::SymbolKind::Event,
    }
}

fn document_symbol(document: &Document<'_>, item: OutlineItem) -> lsp::DocumentSymbol {
    let children: Vec<lsp::DocumentSymbol> =
        item.children.into_iter().map(|child| document_symbol(document, child)).collect();
    lsp::DocumentSymbol::new(
        if item.name.is_empty() { "(unnamed)".to_owned() } else { item.name },
        item.detail,
        symbol_kind(item.kind),
        None,
        None,
        document.range(item.span.cover(item.name_span)),
        document.range(item.name_span),
        (!children.is_empty()).then_some(children),
    )
}

/// `textDocument/documentSymbol`: the outline of a document.
pub fn document_symbols(db: &Database, table: &Table, uri: &lsp::Uri) -> Option<lsp::DocumentSymbolResponse> {
    let (source, _) = table.locate(uri)?;
    let document = Document::new(source.text(db));
    let symbols = ide::outline(db, source).into_iter().map(|item| document_symbol(&document, item)).collect();
    Some(lsp::DocumentSymbolResponse::DocumentSymbolList(symbols))
}

/// Whether every character of `query` appears in `name` in order, ignoring case.
fn fuzzy_match(name: &str, query: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query.chars().flat_map(char::to_lowercase).all(|wanted| chars.any(|c| c == wanted))
}

/// Workspace symbols are capped: an editor shows a list, not thousands.
const MAX_WORKSPACE_SYMBOLS: usize = 1000;

/// `workspace/symbol`: the declarations whose names match the query.
pub fn workspace_symbols(db: &Database, table: &Table, query: &str) -> Option<lsp::WorkspaceSymbolResponse> {
    let mut out = Vec::new();
    'files: for file in table.files.values() {
        let document = Document::new(file.source.text(db));
        let mut pending: Vec<(OutlineItem, Option<String>)> =
            ide::outline(db, file.source).into_iter().map(|i| (i, None)).collect();
        while let Some((item, container)) = pending.pop() {
            for child in &item.children {
                pending.push((child.clone(), Some(item.name.clone())));
            }
            if !fuzzy_match(&item.name, query) {
                continue;
            }
            out.push(lsp::SymbolInformation::new(
                None,
                lsp::Location { uri: file.uri.clone(), range: document.range(item.name_span) },
                lsp::BaseSymbolInformation {
                    name: item.name,
                    kind: symbol_kind(item.kind),
                    tags: None,
                    container_name: container,
                },
            ));
            if out.len() >= MAX_WORKSPACE_SYMBOLS {
                break 'files;
            }
        }
    }
    Some(lsp::WorkspaceSymbolResponse::SymbolInformationList(out))
}

/// `textDocument/foldingRange`: the regions and comment blocks that span
/// more than one line.
pub fn folding_ranges(db: &Database, table: &Table, uri: &lsp::Uri) -> Option<Vec<lsp::FoldingRange>> {
    let (source, _) = table.locate(uri)?;
    let document = Document::new(source.text(db));
    Some(
        ide::folding_ranges(db, source)
            .into_iter()
            .map(|(span, comment)| lsp::FoldingRange {
                start_line: document.position(span.start).line,
                end_line: document.position(span.end).line,
                kind: Some(if comment { lsp::FoldingRangeKind::Comment } else { lsp::FoldingRangeKind::Region }),
                ..Default::default()
            })
            .filter(|range| range.start_line < range.end_line)
            .collect(),
    )
}

const TOKEN_TYPES: [&str; 13] = [
    "keyword",
    "type",
    "comment",
    "string",
    "number",
    "operator",
    "variable",
    "function",
    "parameter",
    "enum",
    "enumMember",
    "class",
    "namespace",
];
const TOKEN_MODIFIERS: [&str; 4] = ["declaration", "readonly", "documentation", "defaultLibrary"];

/// The token types and modifiers semantic tokens are given in.
pub fn semantic_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|t| (*t).to_owned()).collect(),
        token_modifiers: TOKEN_MODIFIERS.iter().map(|m| (*m).to_owned()).collect(),
    }
}

/// A semantic class as (token type index, modifier bits).
fn token_class(kind: SemanticKind) -> (u32, u32) {
    const READONLY: u32 = 1 << 1;
    const DEFAULT_LIBRARY: u32 = 1 << 3;
    match kind {
        SemanticKind::Keyword => (0, 0),
        SemanticKind::Type => (1, 0),
        SemanticKind::Comment => (2, 0),
        SemanticKind::String => (3, 0),
        SemanticKind::Number => (4, 0),
        SemanticKind::Operator => (5, 0),
        SemanticKind::Fact => (6, 0),
        SemanticKind::Let => (6, READONLY),
        SemanticKind::Action => (7, 0),
        SemanticKind::Function => (7, DEFAULT_LIBRARY),
        SemanticKind::Param => (8, 0),
        SemanticKind::Enum => (9, 0),
        SemanticKind::Variant => (10, 0),
        SemanticKind::Rule => (11, 0),
        SemanticKind::Source | SemanticKind::Ruleset | SemanticKind::Baseline => (12, 0),
    }
}

/// `textDocument/semanticTokens/full`: every token of a document with its
/// class, positions relative to the previous token.
pub fn semantic_tokens(db: &Database, table: &Table, uri: &lsp::Uri) -> Option<lsp::SemanticTokens> {
    let (source, ruleset) = table.locate(uri)?;
    let text = source.text(db);
    let document = Document::new(text);
    let mut data = Vec::new();
    let (mut previous_line, mut previous_start) = (0, 0);
    for token in ide::semantic_tokens(db, ruleset, source) {
        let start = document.position(token.span.start);
        let length = text.get(token.span.range()).map_or(0, |t| t.encode_utf16().count() as u32);
        let (token_type, mut modifiers) = token_class(token.kind);
        if token.declaration {
            modifiers |= 1;
        }
        if token.documentation {
            modifiers |= 1 << 2;
        }
        let delta_line = start.line - previous_line;
        let delta_start = if delta_line == 0 { start.character - previous_start } else { start.character };
        data.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type,
            token_modifiers_bitset: modifiers,
        });
        (previous_line, previous_start) = (start.line, start.character);
    }
    Some(lsp::SemanticTokens { result_id: None, data })
}

/// `textDocument/signatureHelp`: the signature of the action call around
/// the cursor, with its active parameter.
pub fn signature_help(
    db: &Database,
    table: &Table,
    params: &lsp::TextDocumentPositionParams,
) -> Option<lsp::SignatureHelp> {
    let at = locate(db, table, params)?;
    let signature = ide::signature_help(db, at.ruleset, at.source, at.offset)?;
    let utf16 = |byte: u32| signature.label.get(..byte as usize).map_or(0, |s| s.encode_utf16().count() as u32);
    let parameters = signature
        .parameters
        .iter()
        .map(|&(start, end)| lsp::ParameterInformation {
            label: lsp::ParameterInformationLabel::Tuple((utf16(start), utf16(end))),
            documentation: None,
        })
        .collect();
    let active = signature.active_parameter;
    Some(lsp::SignatureHelp {
        signatures: vec![lsp::SignatureInformation {
            label: signature.label.clone(),
            documentation: signature.documentation.map(|doc| lsp::Documentation::MarkupContent(markdown(doc))),
            parameters: Some(parameters),
            active_parameter: Some(lsp::ActiveParameter::Int(active)),
        }],
        active_signature: Some(0),
        active_parameter: Some(lsp::ActiveParameter::Int(active)),
    })
}

/// `textDocument/inlayHint`: the type and parameter-name hints in `range`.
pub fn inlay_hints(db: &Database, table: &Table, uri: &lsp::Uri, range: lsp::Range) -> Option<Vec<lsp::InlayHint>> {
    let (source, ruleset) = table.locate(uri)?;
    let document = Document::new(source.text(db));
    let span = document.span(range);
    Some(
        ide::inlay_hints(db, ruleset, source)
            .into_iter()
            .filter(|hint| span.contains(hint.offset))
            .map(|hint| {
                let kind = match hint.kind {
                    InlayKind::Type => lsp::InlayHintKind::Type,
                    InlayKind::Parameter => lsp::InlayHintKind::Parameter,
                };
                let padding_right = Some(hint.kind == InlayKind::Parameter);
                let position = document.position(hint.offset);
                lsp::InlayHint::new(
                    position,
                    lsp::Label::String(hint.label),
                    Some(kind),
                    None,
                    None,
                    None,
                    padding_right,
                    None,
                )
            })
            .collect(),
    )
}

fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Keyword => lsp::CompletionItemKind::Keyword,
        CompletionKind::Fact => lsp::CompletionItemKind::Field,
        CompletionKind::Let => lsp::CompletionItemKind::Variable,
        CompletionKind::Action => lsp::CompletionItemKind::Function,
        CompletionKind::Source => lsp::CompletionItemKind::Reference,
        CompletionKind::Rule => lsp::CompletionItemKind::Event,
        CompletionKind::Enum => lsp::CompletionItemKind::Enum,
        CompletionKind::Variant => lsp::CompletionItemKind::EnumMember,
        CompletionKind::Function => lsp::CompletionItemKind::Function,
        CompletionKind::Type => lsp::CompletionItemKind::TypeParameter,
        CompletionKind::Unit => lsp::CompletionItemKind::Unit,
        CompletionKind::Value => lsp::CompletionItemKind::Value,
        CompletionKind::Snippet => lsp::CompletionItemKind::Snippet,
        CompletionKind::Baseline => lsp::CompletionItemKind::Struct,
    }
}

/// `textDocument/completion`: what may stand at the cursor.
pub fn completion(
    db: &Database,
    table: &Table,
    params: &lsp::TextDocumentPositionParams,
) -> Option<lsp::CompletionResponse> {
    let at = locate(db, table, params)?;
    let (replace, items) = ide::completions(db, at.ruleset, at.source, at.offset);
    let range = at.document.range(replace);
    let items = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| lsp::CompletionItem {
            kind: Some(completion_kind(item.kind)),
            detail: item.detail,
            documentation: item.documentation.map(|doc| lsp::Documentation::MarkupContent(markdown(doc))),
            sort_text: Some(format!("{index:05}")),
            filter_text: Some(item.label.clone()),
            text_edit: Some(lsp::CompletionItemTextEdit::TextEdit(lsp::TextEdit {
                range,
                new_text: item.insert_text.unwrap_or_else(|| item.label.clone()),
            })),
            label: item.label,
            ..Default::default()
        })
        .collect();
    Some(lsp::CompletionResponse::CompletionList(lsp::CompletionList {
        is_incomplete: false,
        items,
        ..Default::default()
    }))
}

fn edit(uri: lsp::Uri, range: lsp::Range, new_text: String) -> lsp::WorkspaceEdit {
    let changes = HashMap::from([(uri, vec![lsp::TextEdit { range, new_text }])]);
    lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }
}

fn quick_fix(
    title: String,
    diagnostic: &lsp::Diagnostic,
    edit: lsp::WorkspaceEdit,
    preferred: bool,
) -> lsp::CodeActionResponse {
    lsp::CodeActionResponse::CodeAction(lsp::CodeAction {
        title,
        kind: Some(lsp::CodeActionKind::QuickFix),
        diagnostics: Some(vec![diagnostic.clone()]),
        is_preferred: Some(preferred),
        edit: Some(edit),
        ..Default::default()
    })
}

/// Quick fixes for the diagnostics under the range: the "did you mean"
/// replacement, declaring an unknown fact, citing a source.
pub fn code_actions(
    db: &Database,
    table: &Table,
    params: &lsp::CodeActionParams,
) -> Option<Vec<lsp::CodeActionResponse>> {
    let uri = &params.text_document.uri;
    let (source, ruleset) = table.locate(uri)?;
    let document = Document::new(source.text(db));
    let wanted = document.span(params.range);
    let overlaps = |span: Span| span.start <= wanted.end && wanted.start <= span.end;
    let mut locations = Locations::new(db, table);
    let lookup = |path: &str| {
        let file = table.files.get(path)?;
        Some((file.uri.clone(), file.source.text(db).as_str()))
    };
    let mut related = convert::Related::new(&lookup);
    let mut actions = Vec::new();
    for found in osler_dsl::check::file_diagnostics(db, ruleset, source).iter().filter(|d| overlaps(d.span)) {
        let diagnostic = convert::diagnostic(&document, uri, found, &mut related);
        let range = document.range(found.span);
        if let Some(fix) = &found.fix {
            let title = format!("Replace with `{fix}`");
            actions.push(quick_fix(title, &diagnostic, edit(uri.clone(), range, fix.clone()), true));
        }
        match found.code {
            Code::UnknownFact => {
                if let Some(insertion) = ide::declare_fact(db, ruleset, source, found.span) {
                    let at = locations.location(ide::Location {
                        file: insertion.file,
                        span: Span { start: insertion.offset, end: insertion.offset },
                    });
                    let name = document.text.get(found.span.range()).unwrap_or_default();
                    let title = format!("Declare fact `{name}`");
                    actions.push(quick_fix(
                        title,
                        &diagnostic,
                        edit(at.uri, at.range, insertion.text),
                        found.fix.is_none(),
                    ));
                }
            }
            Code::MissingCite => {
                for (index, (source_name, insertion)) in
                    ide::add_cite(db, ruleset, source, found.span).into_iter().enumerate()
                {
                    let position = document.position(insertion.offset);
                    let range = lsp::Range { start: position, end: position };
                    let title = format!("Cite `{source_name}`");
                    actions.push(quick_fix(title, &diagnostic, edit(uri.clone(), range, insertion.text), index == 0));
                }
            }
            _ => {}
        }
    }
    Some(actions)
}

/// The whole document in the canonical layout, as one edit (none when it
/// already is, or when it has syntax errors).
pub fn formatting(db: &Database, table: &Table, uri: &lsp::Uri) -> Option<Vec<lsp::TextEdit>> {
    let (source, _) = table.locate(uri)?;
    let text = source.text(db);
    let formatted = osler_dsl::format::format(text).ok()?;
    if &formatted == text {
        return Some(Vec::new());
    }
    Some(vec![lsp::TextEdit { range: Document::new(text).full_range(), new_text: formatted }])
}
