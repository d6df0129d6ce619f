//! The diagnostic corpus: every `.osl` file (or folder, for multi-file
//! cases) under `tests/corpus/{syntax,check,clean}` is checked and its
//! diagnostics compared with the `.expected` file beside it.
//!
//! Set `UPDATE_EXPECT=1` to rewrite the expectations after a deliberate
//! change, then review the diff.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on a broken fixture")]

use std::path::{Path, PathBuf};

use osler_dsl::{FileDiagnostic, LineIndex};

fn corpus_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(kind)
}

/// The files of one case: a single `.osl` file or a folder of them.
fn load_case(path: &Path) -> Vec<(String, String)> {
    let root = path.parent().unwrap_or(path);
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "osl"))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let name = file.strip_prefix(root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&file).unwrap())
        })
        .collect()
}

/// A stable, reviewable text form of diagnostics: position, code,
/// message, the exact text under the span, and the help.
pub fn render(diagnostics: &[FileDiagnostic], files: &[(String, String)]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let text = files.iter().find(|(p, _)| *p == d.path).map_or("", |(_, t)| t.as_str());
        let index = LineIndex::new(text);
        let start = index.line_col(text, d.diagnostic.span.start);
        let end = index.line_col(text, d.diagnostic.span.end);
        let covered = text.get(d.diagnostic.span.range()).unwrap_or("");
        out.push_str(&format!(
            "{}:{}:{}-{}:{} {} [{}] {}\n  at: `{}`\n",
            d.path,
            start.line + 1,
            start.column + 1,
            end.line + 1,
            end.column + 1,
            d.diagnostic.severity,
            d.diagnostic.code,
            d.diagnostic.message,
            covered.replace('\n', "\\n"),
        ));
        if let Some(help) = &d.diagnostic.help {
            out.push_str(&format!("  help: {help}\n"));
        }
        for related in &d.diagnostic.related {
            let path = related.path.as_deref().unwrap_or(&d.path);
            let rtext = files.iter().find(|(p, _)| p == path).map_or("", |(_, t)| t.as_str());
            let at = LineIndex::new(rtext).line_col(rtext, related.span.start);
            out.push_str(&format!("  related: {path}:{}:{} {}\n", at.line + 1, at.column + 1, related.message));
        }
    }
    if out.is_empty() {
        out.push_str("no diagnostics\n");
    }
    out
}

fn run_corpus(kind: &str, minimum: usize) {
    let dir = corpus_dir(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "osl"))
        .collect();
    cases.sort();
    assert!(cases.len() >= minimum, "{kind} corpus has {} cases, expected at least {minimum}", cases.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let files = load_case(case);
        let checked = osler_dsl::check_sources(&files);
        let actual = render(&checked.diagnostics, &files);
        let expected_path = case.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("--- {}\nexpected:\n{expected}\nactual:\n{actual}", case.display()));
        }
        match kind {
            "clean" => assert_eq!(actual, "no diagnostics\n", "{} must be clean", case.display()),
            _ => assert_ne!(actual, "no diagnostics\n", "{} must produce a diagnostic", case.display()),
        }
    }
    assert!(failures.is_empty(), "{} corpus cases differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn syntax_corpus() {
    run_corpus("syntax", 40);
}

#[test]
fn checker_corpus() {
    run_corpus("check", 60);
}

#[test]
fn clean_corpus() {
    run_corpus("clean", 3);
}

/// Every syntax error in the syntax corpus is reported in words, never
/// as grammar rule names.
#[test]
fn syntax_messages_use_words_not_rule_names() {
    for entry in std::fs::read_dir(corpus_dir("syntax")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "expected") {
            let text = std::fs::read_to_string(&path).unwrap();
            for forbidden in ["expr", "cmp_expr", "kw_", "ident", "EOI", "name_ref", "_decl"] {
                assert!(!text.contains(&format!("expected {forbidden}")), "{} mentions a rule name", path.display());
                assert!(!text.contains(&format!("`{forbidden}")), "{} mentions a rule name", path.display());
            }
        }
    }
}
