//! `osler check`: parse and type-check a ruleset, print every diagnostic.

use std::io::IsTerminal as _;
use std::path::Path;

use osler_dsl::{FileDiagnostic, Severity};

use crate::exit;
use crate::format::Format;

pub fn run(path: &Path, format: Format) -> u8 {
    let files = match crate::load::load_ruleset(path) {
        Ok(files) => files,
        Err(message) => {
            errln!("error: {message}");
            return exit::USAGE;
        }
    };
    let checked = osler_dsl::check_sources(&files);
    let source_of = |path: &str| files.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str());
    match format {
        Format::Json => {
            // One line index per file, not per diagnostic.
            let mut index: Option<(&str, osler_dsl::LineIndex)> = None;
            let mut out = String::new();
            for diagnostic in &checked.diagnostics {
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
            err!("{}", osler_dsl::diagnostic::render_terminal(&checked.diagnostics, &source_of, color));
            errln!("{}", summary(&checked.diagnostics, files.len()));
        }
    }
    if checked.has_errors() { exit::ERRORS } else { exit::OK }
}

fn summary(diagnostics: &[FileDiagnostic], files: usize) -> String {
    let errors = diagnostics.iter().filter(|d| d.diagnostic.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("checked {}: {}, {}", plural(files, "file"), plural(errors, "error"), plural(warnings, "warning"))
}
