//! `osler check`: parse and type-check a ruleset, run the static analysis
//! on it when it has no errors (every finding replayed in the engine), and
//! print every diagnostic.

use std::io::IsTerminal as _;
use std::path::Path;

use clap::ValueEnum;
use osler_dsl::{FileDiagnostic, Severity};
use osler_engine::Ruleset;

use crate::exit;
use crate::format::Format;

/// What `--deny` turns into a failure.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum Deny {
    /// Any warning makes the exit status 1 (hints never do).
    Warnings,
}

pub fn run(path: &Path, format: Format, deny: Option<Deny>) -> u8 {
    let files = match crate::load::load_ruleset(path) {
        Ok(files) => files,
        Err(message) => {
            errln!("error: {message}");
            return exit::USAGE;
        }
    };
    let checked = osler_dsl::check_sources(&files);
    let mut diagnostics = checked.diagnostics.clone();
    if !checked.has_errors() {
        match Ruleset::from_checked(&checked) {
            Ok(ruleset) => diagnostics.extend(ruleset.analyze().into_iter().map(|confirmed| confirmed.diagnostic)),
            Err(error) => {
                errln!("error: {error}");
                return exit::ERRORS;
            }
        }
        // The checker's diagnostics are sorted; the findings join them in
        // the same order (a stable sort keeps equal positions as they were).
        diagnostics.sort_by(|a, b| (&a.path, a.diagnostic.span.start).cmp(&(&b.path, b.diagnostic.span.start)));
    }
    let source_of = |path: &str| files.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str());
    match format {
        Format::Json => {
            // One line index per file, not per diagnostic.
            let mut index: Option<(&str, osler_dsl::LineIndex)> = None;
            let mut out = String::new();
            for diagnostic in &diagnostics {
                let text = source_of(&diagnostic.path).unwrap_or("");
                if index.as_ref().is_none_or(|(path, _)| *path != diagnostic.path) {
                    index = Some((&diagnostic.path, osler_dsl::LineIndex::new(text)));
                }
                let Some((_, lines)) = &index else { continue };
                match serde_json::to_string(&diagnostic.to_json_indexed(text, lines)) {
                    Ok(line) => {
                        out.push_str(&line);
                        out.push('\n');
                    }
                    Err(error) => errln!("error: {error}"),
                }
            }
            out!("{out}");
        }
        Format::Text => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            err!("{}", osler_dsl::diagnostic::render_terminal(&diagnostics, &source_of, color));
            errln!("{}", summary(&diagnostics, files.len()));
        }
    }
    let count = |severity: Severity| diagnostics.iter().filter(|d| d.diagnostic.severity == severity).count();
    if count(Severity::Error) > 0 || (deny == Some(Deny::Warnings) && count(Severity::Warning) > 0) {
        exit::ERRORS
    } else {
        exit::OK
    }
}

/// `checked 2 files: 0 errors, 1 warning` (and `, 3 hints` when there are
/// hints).
fn summary(diagnostics: &[FileDiagnostic], files: usize) -> String {
    let count = |severity: Severity| diagnostics.iter().filter(|d| d.diagnostic.severity == severity).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "checked {}: {}, {}",
        plural(files, "file"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning")
    );
    let hints = count(Severity::Hint);
    if hints > 0 {
        line.push_str(&format!(", {}", plural(hints, "hint")));
    }
    line
}
