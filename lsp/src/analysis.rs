//! The static analysis in the editor: the dsl's findings
//! (`osler_dsl::analysis::ruleset_findings`), confirmed by replaying each
//! example in the engine (`osler_engine::analysis::confirm`), as LSP
//! diagnostics with related locations, and the "Add as test" code action
//! that turns a finding's example into a `test` block.
//!
//! The engine program of a ruleset is compiled once per checked model and
//! kept in [`Engines`], so a pass over an unchanged ruleset (an edit in
//! another ruleset, a code action) does not compile it again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use osler_dsl::analysis::Finding;
use osler_dsl::db::{Database, Ruleset};
use osler_dsl::model::Model;
use osler_dsl::syntax::Span;
use osler_engine::analysis::Confirmed;
use tower_lsp_server::gen_lsp_types as lsp;

use crate::convert::{self, Document, Related};
use crate::workspace::{Table, key_of};

/// The engine programs of the rulesets analysed so far, by ruleset, each
/// with the model it was compiled from.
#[derive(Debug, Default)]
pub(crate) struct Engines {
    compiled: Mutex<HashMap<Ruleset, (Arc<Model>, osler_engine::Ruleset)>>,
}

impl Engines {
    /// The engine program of `model`: the cached one when the ruleset's
    /// model is the same (the same allocation, or an equal model), else a
    /// fresh compilation, which replaces it. `None` when the model does not
    /// compile (the checker accepted it, so that is an internal error).
    fn program(&self, ruleset: Ruleset, model: &Arc<Model>) -> Option<osler_engine::Ruleset> {
        let mut compiled = self.compiled.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((cached, program)) = compiled.get(&ruleset)
            && (Arc::ptr_eq(cached, model) || **cached == **model)
        {
            return Some(program.clone());
        }
        let checked = osler_dsl::Checked { diagnostics: Vec::new(), model: Some(Arc::clone(model)) };
        let program = osler_engine::Ruleset::from_checked(&checked).ok()?;
        compiled.insert(ruleset, (Arc::clone(model), program.clone()));
        Some(program)
    }

    /// Forgets rulesets that are no longer in the workspace.
    pub(crate) fn retain(&self, keep: &HashSet<Ruleset>) {
        let mut compiled = self.compiled.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        compiled.retain(|ruleset, _| keep.contains(ruleset));
    }
}

/// What the analysis of a ruleset needs from the database, read on a
/// snapshot; the slow part ([`Pending::confirm`]) runs after the snapshot
/// is dropped, so an edit never waits for it.
#[derive(Debug)]
pub(crate) struct Pending {
    ruleset: Ruleset,
    model: Arc<Model>,
    findings: osler_dsl::analysis::Findings,
}

/// Reads the model and the findings of a ruleset (salsa queries: a newer
/// edit cancels them). `None` when the ruleset has errors.
pub(crate) fn pending(db: &Database, ruleset: Ruleset) -> Option<Pending> {
    let model = osler_dsl::analysis::ruleset_model(db, ruleset)?;
    let findings = osler_dsl::analysis::ruleset_findings(db, ruleset);
    Some(Pending { ruleset, model, findings })
}

impl Pending {
    /// Replays the findings in the engine: each confirmed finding with the
    /// title its test would get.
    pub(crate) fn confirm(&self, engines: &Engines) -> Vec<Titled> {
        self.confirm_where(engines, |_, _| true)
    }

    /// [`Pending::confirm`] for the findings `wanted` accepts only: a code
    /// action replays just the findings under the cursor.
    fn confirm_where(&self, engines: &Engines, wanted: impl Fn(&Finding, &Model) -> bool) -> Vec<Titled> {
        // The crate's own tests make the analysis panic with this name.
        #[cfg(test)]
        if self.model.name.as_deref() == Some("test_panic_in_analysis") {
            panic!("a test panic in the analysis");
        }
        let findings: Vec<Finding> = self.findings.iter().filter(|f| wanted(f, &self.model)).cloned().collect();
        if findings.is_empty() {
            return Vec::new();
        }
        let Some(program) = engines.program(self.ruleset, &self.model) else { return Vec::new() };
        let confirmed = osler_engine::analysis::confirm(&program, &findings);
        titled(&self.model, confirmed)
    }
}

/// A confirmed finding, and the title of the test "Add as test" inserts
/// (when it has an example).
#[derive(Debug)]
pub(crate) struct Titled {
    confirmed: Confirmed,
    title: Option<String>,
}

impl Titled {
    /// The path of the file the finding is in.
    pub(crate) fn path(&self) -> &str {
        &self.confirmed.diagnostic.path
    }

    /// The `test` block that pins the finding's example, with its title.
    fn test_block(&self) -> Option<(String, String)> {
        self.confirmed.diagnostic.diagnostic.example.as_ref()?;
        let title = self.title.as_ref()?;
        Some((title.clone(), self.confirmed.test_block(title)))
    }
}

/// What a finding is about, by name: the declaration at its span.
fn subject_name(model: &Model, path: &str, span: Span) -> Option<String> {
    let at = |location: &osler_dsl::model::Location| location.path == path && location.span == span;
    if let Some(rule) = model.rules.iter().find(|rule| at(&rule.location)) {
        return Some(rule.id.clone());
    }
    if let Some(assert) = model.asserts.iter().find(|assert| at(&assert.location)) {
        return Some(assert.id.clone());
    }
    let exclusive = model.exclusives.iter().find(|exclusive| at(&exclusive.location))?;
    model.actions.get(exclusive.action as usize).map(|action| action.name.clone())
}

/// Gives every finding with an example a test title, `"<code>: <subject>"`,
/// made unique among the ruleset's tests and the other findings by a
/// number: `"dead_rule: r (2)"`. (Only the ruleset's tests matter once a
/// test is inserted: the next action sees it among them.)
fn titled(model: &Model, confirmed: Vec<Confirmed>) -> Vec<Titled> {
    let mut taken: HashSet<String> = model.tests.iter().map(|test| test.title.clone()).collect();
    confirmed
        .into_iter()
        .map(|confirmed| {
            let diagnostic = &confirmed.diagnostic;
            let title = diagnostic.diagnostic.example.as_ref().map(|_| {
                let subject = subject_name(model, &diagnostic.path, diagnostic.diagnostic.span)
                    .unwrap_or_else(|| format!("{}:{}", diagnostic.path, diagnostic.diagnostic.span.start));
                let base = format!("{}: {subject}", diagnostic.diagnostic.code.word());
                let mut title = base.clone();
                let mut number = 2;
                while taken.contains(&title) {
                    title = format!("{base} ({number})");
                    number += 1;
                }
                taken.insert(title.clone());
                title
            });
            Titled { confirmed, title }
        })
        .collect()
}

/// A file's text and URI, copied out of a snapshot.
#[derive(Debug)]
pub(crate) struct FileText {
    /// The URI the editor knows the file by.
    pub(crate) uri: lsp::Uri,
    /// Its text when the findings were computed.
    pub(crate) text: String,
}

/// Converts confirmed findings to LSP diagnostics, grouped by the path of
/// their file (findings in files not in `files` are dropped). Each carries
/// its test in `data.test` (`{ "title", "text" }`).
pub(crate) fn to_lsp(findings: &[Titled], files: &BTreeMap<String, FileText>) -> HashMap<String, Vec<lsp::Diagnostic>> {
    let lookup = |path: &str| files.get(path).map(|file| (file.uri.clone(), file.text.as_str()));
    let mut related = Related::new(&lookup);
    let mut documents: HashMap<&str, Document<'_>> = HashMap::new();
    let mut out: HashMap<String, Vec<lsp::Diagnostic>> = HashMap::new();
    for finding in findings {
        let path = finding.path();
        let Some(file) = files.get(path) else { continue };
        let document = documents.entry(path).or_insert_with(|| Document::new(&file.text));
        let converted = with_test(
            convert::diagnostic(document, &file.uri, &finding.confirmed.diagnostic.diagnostic, &mut related),
            finding,
        );
        out.entry(path.to_owned()).or_default().push(converted);
    }
    out
}

/// Adds the finding's test to a converted diagnostic's `data`.
fn with_test(mut diagnostic: lsp::Diagnostic, finding: &Titled) -> lsp::Diagnostic {
    if let Some((title, text)) = finding.test_block() {
        let mut data = match diagnostic.data.take() {
            Some(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        data.insert("test".to_owned(), serde_json::json!({ "title": title, "text": text }));
        diagnostic.data = Some(serde_json::Value::Object(data));
    }
    diagnostic
}

/// The text that appends `block` to `text` after one blank line.
fn appended(text: &str, block: &str) -> String {
    let separator = if text.is_empty() || text.ends_with("\n\n") {
        ""
    } else if text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let mut out = format!("{separator}{block}");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// "Add as test" for every finding with an example under the range: an
/// edit appending the finding's `test` block to the end of its file.
pub(crate) fn add_as_test(
    db: &Database,
    table: &Table,
    engines: &Engines,
    params: &lsp::CodeActionParams,
) -> Vec<lsp::CodeActionResponse> {
    let uri = &params.text_document.uri;
    let Some((source, ruleset)) = table.locate(uri) else { return Vec::new() };
    let Some(pending) = pending(db, ruleset) else { return Vec::new() };
    let key = key_of(uri);
    let text = source.text(db);
    let document = Document::new(text);
    let wanted = document.span(params.range);
    let overlaps = |span: Span| span.start <= wanted.end && wanted.start <= span.end;
    let lookup = |path: &str| {
        let file = table.files.get(path)?;
        Some((file.uri.clone(), file.source.text(db).as_str()))
    };
    let mut related = Related::new(&lookup);
    let end = document.position(u32::try_from(text.len()).unwrap_or(u32::MAX));
    let mut actions = Vec::new();
    let under = |finding: &Finding, model: &Model| {
        finding.subject.location(model).is_some_and(|at| at.path == key && overlaps(at.span))
    };
    for finding in pending.confirm_where(engines, under) {
        let found = &finding.confirmed.diagnostic;
        if found.path != key || !overlaps(found.diagnostic.span) {
            continue;
        }
        let Some((_, block)) = finding.test_block() else { continue };
        let diagnostic = with_test(convert::diagnostic(&document, uri, &found.diagnostic, &mut related), &finding);
        let edit = lsp::TextEdit { range: lsp::Range { start: end, end }, new_text: appended(text, &block) };
        actions.push(lsp::CodeActionResponse::CodeAction(lsp::CodeAction {
            title: "Add as test".to_owned(),
            kind: Some(lsp::CodeActionKind::QuickFix),
            diagnostics: Some(vec![diagnostic]),
            is_preferred: Some(false),
            edit: Some(lsp::WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..Default::default()
            }),
            ..Default::default()
        }));
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::appended;

    #[test]
    fn tests_are_appended_after_one_blank_line() {
        assert_eq!(appended("rule r: a -> b\n", "test \"t\" {\n}\n"), "\ntest \"t\" {\n}\n");
        assert_eq!(appended("rule r: a -> b", "test \"t\" {\n}"), "\n\ntest \"t\" {\n}\n");
        assert_eq!(appended("rule r: a -> b\n\n", "test \"t\" {\n}\n"), "test \"t\" {\n}\n");
        assert_eq!(appended("", "test \"t\" {\n}\n"), "test \"t\" {\n}\n");
    }
}
