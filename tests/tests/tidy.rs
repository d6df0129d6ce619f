//! The tidy test: the invariants ARCHITECTURE.md states, checked on the
//! source tree itself (rust-analyzer's `tidy` is the model). Each test names
//! the file and line that breaks a rule, so the map stays true as the code
//! moves: crate layering, purity of the dsl, `//!` lines, file and function
//! sizes, no import loops between the modules of one crate, the Osler
//! examples in the docs, and the registry of diagnostic codes.
//!
//! `UPDATE_EXPECT=1` rewrites the code table in `dsl/LANGUAGE.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use osler_dsl::Code;

const MAX_FILE_LINES: usize = 900;
const MAX_FUNCTION_LINES: usize = 120;
const CRATES: [&str; 4] = ["dsl", "engine", "lsp", "cli"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// Every file under `dir` (recursively, build output skipped) ending in `extension`, sorted.
fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !matches!(name.to_str(), Some("target" | "node_modules" | ".git")) {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == extension) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The part of a source file that is not test code: everything before the
/// first `#[cfg(test)]` at column 0 (test modules stand at the end of a
/// file). Test modules in files of their own are skipped whole
/// ([`test_module_files`]).
fn non_test(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("#[cfg(test)]") {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

/// The text with comments, string and character literals blanked out
/// (replaced by spaces, newlines kept), so scans see only code.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, piece: &str| out.extend(piece.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    while i < bytes.len() {
        let rest = &text[i..];
        let end = if rest.starts_with("//") {
            rest.find('\n').map_or(text.len(), |n| i + n)
        } else if let Some(comment) = rest.strip_prefix("/*") {
            comment.find("*/").map_or(text.len(), |n| i + n + 4)
        } else if let Some(hashes) = raw_string_start(rest) {
            let closing = format!("\"{}", "#".repeat(hashes));
            let open = 2 + hashes;
            rest[open..].find(&closing).map_or(text.len(), |n| i + open + n + closing.len())
        } else if rest.starts_with('"') {
            let mut j = 1;
            let b = rest.as_bytes();
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            i + (j + 1).min(b.len())
        } else if let Some(length) = char_literal(rest) {
            i + length
        } else {
            let c = rest.chars().next().map_or(1, char::len_utf8);
            out.push_str(&rest[..c]);
            i += c;
            continue;
        };
        blank(&mut out, &text[i..end]);
        i = end;
    }
    out
}

fn raw_string_start(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('r').or_else(|| text.strip_prefix("br"))?;
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    rest[hashes..].starts_with('"').then_some(hashes + usize::from(text.starts_with('b')))
}

/// The length of a character literal at the start of `text` (`'a'`, `'\n'`,
/// `'{'`), or `None` for a lifetime.
fn char_literal(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('\'')?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        return rest.find('\'').filter(|&n| n > 0).map(|n| n + 2);
    }
    let (next, c) = chars.next()?;
    (c == '\'').then_some(next + 2)
}

#[test]
fn every_source_file_starts_with_a_doc_line() {
    let mut offenders = Vec::new();
    for dir in ["dsl", "engine", "lsp", "cli", "tests", "fuzz"] {
        for path in files(&root().join(dir), "rs") {
            if !read(&path).starts_with("//!") {
                offenders.push(relative(&path));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these files do not start with a `//!` line saying what they are for:\n{}",
        offenders.join("\n")
    );
}

/// The `[dependencies]`-like sections of a crate's Cargo.toml, as dependency names.
fn dependencies(krate: &str) -> BTreeSet<String> {
    let manifest = read(&root().join(krate).join("Cargo.toml"));
    let mut names = BTreeSet::new();
    let mut in_dependencies = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line.ends_with("dependencies]");
            continue;
        }
        if in_dependencies && let Some(name) = line.split(['=', '.', ' ']).next().filter(|name| !name.is_empty()) {
            names.insert(name.to_owned());
        }
    }
    names
}

#[test]
fn crate_dependencies_follow_the_layering() {
    let mut broken = Vec::new();
    let mut rule = |ok: bool, what: String| {
        if !ok {
            broken.push(what);
        }
    };
    for krate in CRATES.iter().copied().chain(["tests"]) {
        let deps = dependencies(krate);
        for only_dsl in ["salsa", "pest", "pest_derive"] {
            rule(
                krate == "dsl" || !deps.contains(only_dsl),
                format!("{krate}/Cargo.toml depends on `{only_dsl}`, which only the dsl may use"),
            );
        }
        rule(
            krate == "lsp" || !deps.contains("tower-lsp-server"),
            format!("{krate}/Cargo.toml depends on `tower-lsp-server`; only lsp knows the protocol"),
        );
    }
    let dsl = dependencies("dsl");
    rule(!dsl.iter().any(|name| name.starts_with("osler")), "the dsl depends on another osler crate".to_owned());
    // The language server replays analysis findings in the engine, so lsp
    // may depend on the engine; the engine never knows the editor.
    rule(!dependencies("engine").contains("osler-lsp"), "the engine depends on lsp".to_owned());
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Every place in non-test code of the files under `dir` that contains `needle`.
fn mentions(dir: &str, needle: &str, skip: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    let tests = test_module_files();
    for path in files(&root().join(dir), "rs") {
        let name = relative(&path);
        if skip(&name) || tests.contains(&path) {
            continue;
        }
        let code = code_only(non_test(&read(&path)));
        for (number, line) in code.lines().enumerate() {
            if line.contains(needle) {
                found.push(format!("{name}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn source_follows_the_crate_invariants() {
    let mut broken = Vec::new();
    for krate in ["engine", "lsp", "cli"] {
        broken.extend(
            mentions(&format!("{krate}/src"), "salsa", |_| false)
                .into_iter()
                .map(|at| format!("{at}   (salsa outside the dsl)")),
        );
        broken.extend(
            mentions(&format!("{krate}/src"), "pest", |_| false)
                .into_iter()
                .map(|at| format!("{at}   (pest outside the dsl)")),
        );
    }
    let outside_syntax = |name: &str| name.starts_with("dsl/src/syntax/");
    broken.extend(
        mentions("dsl/src", "pest", outside_syntax).into_iter().map(|at| format!("{at}   (pest outside dsl::syntax)")),
    );
    broken.extend(
        mentions("engine/src", "osler_dsl::syntax", |_| false)
            .into_iter()
            .map(|at| format!("{at}   (the engine names the syntax tree)")),
    );
    for impure in ["std::fs", "std::env", "fs::", "env::var", "env!("] {
        broken.extend(
            mentions("dsl/src", impure, |_| false)
                .into_iter()
                .map(|at| format!("{at}   (file system or environment in the dsl)")),
        );
    }
    broken.extend(
        mentions("dsl/src", "use std::{", |_| false)
            .into_iter()
            .filter(|at| at.contains("fs") || at.contains("env"))
            .map(|at| format!("{at}   (file system or environment in the dsl)")),
    );
    for krate in ["dsl", "engine", "cli"] {
        broken.extend(
            mentions(&format!("{krate}/src"), "tower_lsp_server", |_| false)
                .into_iter()
                .map(|at| format!("{at}   (LSP types outside lsp)")),
        );
    }
    assert!(broken.is_empty(), "ARCHITECTURE.md's invariants are broken here:\n{}", broken.join("\n"));
}

/// The functions of a file's code (comments and strings blanked): name, first line, length in lines.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(position) = find_fn_keyword(line) else { continue };
        let name: String = line[position + 3..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        let mut depth = 0i64;
        let mut opened = false;
        let mut end = None;
        'lines: for (index, text) in lines.iter().enumerate().skip(start) {
            let text = if index == start { &text[position..] } else { text };
            for c in text.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    ';' if !opened && depth == 0 => break 'lines,
                    _ => {}
                }
                if opened && depth == 0 {
                    end = Some(index);
                    break 'lines;
                }
            }
        }
        if let Some(end) = end {
            out.push((name, start + 1, end - start + 1));
        }
    }
    out
}

fn find_fn_keyword(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = line[from..].find("fn ") {
        let at = from + found;
        let before = line[..at].chars().next_back();
        if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

#[test]
fn no_file_over_900_lines_and_no_function_over_120() {
    let mut broken = Vec::new();
    let tests = test_module_files();
    for krate in CRATES {
        for path in files(&root().join(krate).join("src"), "rs") {
            let text = read(&path);
            let lines = text.lines().count();
            if lines > MAX_FILE_LINES {
                broken.push(format!("{}: {lines} lines (at most {MAX_FILE_LINES})", relative(&path)));
            }
            if tests.contains(&path) {
                continue;
            }
            for (name, line, length) in functions(&code_only(non_test(&text))) {
                if length > MAX_FUNCTION_LINES {
                    broken.push(format!(
                        "{}:{line}: fn {name} is {length} lines (at most {MAX_FUNCTION_LINES})",
                        relative(&path)
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "split these:\n{}", broken.join("\n"));
}

#[test]
fn the_function_scanner_measures_what_it_should() {
    let code = code_only(
        "fn a() {\n    let s = \"}\";\n    // }\n}\nfn b();\npub(crate) fn c<T>(x: T)\nwhere T: Copy\n{\n}\n",
    );
    assert_eq!(functions(&code), [("a".to_owned(), 1, 4), ("c".to_owned(), 6, 4)]);
}

/// One crate's modules: module path (`["check", "expr"]`) → file; and the
/// files of its test modules (`#[cfg(test)] mod tests;`), which are tests.
fn crate_modules(src: &Path) -> (BTreeMap<Vec<String>, PathBuf>, BTreeSet<PathBuf>) {
    let root_file =
        ["lib.rs", "main.rs"].iter().map(|name| src.join(name)).find(|path| path.exists()).expect("a crate root");
    let mut modules = BTreeMap::new();
    let mut tests = BTreeSet::new();
    let mut pending = vec![(Vec::new(), root_file, false)];
    while let Some((module, file, test)) = pending.pop() {
        let is_directory_owner =
            matches!(file.file_name().and_then(|n| n.to_str()), Some("lib.rs" | "main.rs" | "mod.rs"));
        let directory =
            if is_directory_owner { file.parent().expect("a folder").to_path_buf() } else { file.with_extension("") };
        for (child, test_child) in declared_modules(&read(&file)) {
            let candidates = [directory.join(format!("{child}.rs")), directory.join(&child).join("mod.rs")];
            if let Some(child_file) = candidates.into_iter().find(|path| path.exists()) {
                let mut path = module.clone();
                path.push(child);
                pending.push((path, child_file, test || test_child));
            }
        }
        if test {
            tests.insert(file);
        } else {
            modules.insert(module, file);
        }
    }
    (modules, tests)
}

fn module_files(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    crate_modules(src).0
}

/// The files under `*/src` that are test modules of their crate (read once).
fn test_module_files() -> &'static BTreeSet<PathBuf> {
    static TESTS: OnceLock<BTreeSet<PathBuf>> = OnceLock::new();
    TESTS.get_or_init(|| CRATES.iter().flat_map(|krate| crate_modules(&root().join(krate).join("src")).1).collect())
}

/// The `mod name;` declarations of a file (inline `mod name { .. }` blocks
/// are not files), each with whether `#[cfg(test)]` stands right above it.
fn declared_modules(text: &str) -> Vec<(String, bool)> {
    let code = code_only(text);
    let mut previous = "";
    let mut out = Vec::new();
    for line in code.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let rest = line.strip_prefix("pub ").or(line.strip_prefix("pub(crate) ")).unwrap_or(line);
        if let Some(name) = rest.strip_prefix("mod ").and_then(|rest| rest.strip_suffix(';')) {
            out.push((name.trim().to_owned(), previous == "#[cfg(test)]"));
        }
        previous = line;
    }
    out
}

/// Every path a file's code names, as written: `crate::a::b`, `super::x`,
/// `child::y`, with `use` groups (`use crate::{a::X, b::{c, d}}`) expanded.
fn named_paths(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut others = String::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let item =
            ["use ", "pub use ", "pub(crate) use ", "pub(super) use "].iter().find_map(|p| trimmed.strip_prefix(p));
        let Some(first) = item else {
            others.push_str(line);
            others.push('\n');
            continue;
        };
        // A `use` item: its groups are expanded, and it may span lines.
        let mut tree = first.to_owned();
        while !tree.contains(';') {
            let Some(next) = lines.next() else { break };
            tree.push_str(next);
        }
        let tree = tree.split(';').next().unwrap_or_default().replace(" as ", "@");
        let tree: String = tree.split_whitespace().collect();
        expand_use_tree("", &tree, &mut paths);
    }
    let bytes = others.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if word(bytes[i]) && !bytes[i].is_ascii_digit() && (i == 0 || !(word(bytes[i - 1]) || bytes[i - 1] == b':')) {
            let mut j = i;
            while j < bytes.len() && (word(bytes[j]) || (bytes[j] == b':' && bytes.get(j + 1) == Some(&b':'))) {
                j += if bytes[j] == b':' { 2 } else { 1 };
            }
            let path = others[i..j].trim_end_matches(':');
            if path.contains("::") {
                paths.push(path.to_owned());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    paths
}

fn expand_use_tree(prefix: &str, tree: &str, out: &mut Vec<String>) {
    if let Some(open) = tree.find('{') {
        let head = &tree[..open];
        let inner = tree[open + 1..].strip_suffix('}').unwrap_or(&tree[open + 1..]);
        let mut depth = 0;
        let mut start = 0;
        for (index, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use_tree(&format!("{prefix}{head}"), &inner[start..index], out);
                    start = index + 1;
                }
                _ => {}
            }
        }
        expand_use_tree(&format!("{prefix}{head}"), &inner[start..], out);
    } else if !tree.is_empty() {
        let path = format!("{prefix}{tree}");
        let path = path.split('@').next().unwrap_or_default().trim_end_matches("::*").trim_end_matches("::self");
        if !path.is_empty() {
            out.push(path.to_owned());
        }
    }
}

/// The module a path written in `module` leads to: the deepest module file
/// its leading segments name, or `None` for another crate.
fn resolve(module: &[String], path: &str, modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    let mut segments = path.split("::").filter(|s| !s.is_empty()).peekable();
    let mut at: Vec<String> = match segments.peek().copied() {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("super") => {
            let mut at = module.to_vec();
            while segments.peek() == Some(&"super") {
                segments.next();
                at.pop();
            }
            at
        }
        Some("self") => {
            segments.next();
            module.to_vec()
        }
        Some(first) => {
            let mut child = module.to_vec();
            child.push(first.to_owned());
            if !modules.contains_key(&child) {
                return None;
            }
            module.to_vec()
        }
        None => return None,
    };
    for segment in segments {
        let mut deeper = at.clone();
        deeper.push(segment.to_owned());
        if !modules.contains_key(&deeper) {
            break;
        }
        at = deeper;
    }
    Some(at)
}

/// The import graph of one crate: module → (imported module → the paths that import it).
fn import_graph(src: &Path) -> BTreeMap<Vec<String>, BTreeMap<Vec<String>, BTreeSet<String>>> {
    let modules = module_files(src);
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let code = code_only(non_test(&read(file)));
        let edges: &mut BTreeMap<Vec<String>, BTreeSet<String>> = graph.entry(module.clone()).or_default();
        for path in named_paths(&code) {
            if let Some(target) = resolve(module, &path, &modules)
                && &target != module
            {
                edges.entry(target).or_default().insert(path);
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<Vec<String>, BTreeMap<Vec<String>, BTreeSet<String>>>) -> Vec<Vec<Vec<String>>> {
    let nodes: Vec<&Vec<String>> = graph.keys().collect();
    let index_of: BTreeMap<&Vec<String>, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let successors: Vec<Vec<usize>> =
        nodes.iter().map(|n| graph[*n].keys().filter_map(|t| index_of.get(t).copied()).collect()).collect();
    let count = nodes.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; count], vec![0; count], vec![false; count]);
    let (mut stack, mut next, mut components) = (Vec::new(), 0, Vec::new());
    for start in 0..count {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (node, ref mut child)) = work.last_mut() {
            if *child == 0 && index[node] == usize::MAX {
                index[node] = next;
                low[node] = next;
                next += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&successor) = successors[node].get(*child) {
                *child += 1;
                if index[successor] == usize::MAX {
                    work.push((successor, 0));
                } else if on_stack[successor] {
                    low[node] = low[node].min(index[successor]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(nodes[member].clone());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    components.push(component);
                }
            }
        }
    }
    components
}

fn module_name(krate: &str, module: &[String]) -> String {
    if module.is_empty() { format!("{krate} (crate root)") } else { format!("{krate}::{}", module.join("::")) }
}

#[test]
fn no_import_loops_between_the_modules_of_a_crate() {
    let mut report = Vec::new();
    for krate in CRATES {
        let graph = import_graph(&root().join(krate).join("src"));
        for component in cycles(&graph) {
            report.push(format!("a loop in {krate}:"));
            let members: BTreeSet<&Vec<String>> = component.iter().collect();
            for from in &component {
                for (to, paths) in &graph[from] {
                    if members.contains(to) {
                        let names: Vec<&str> = paths.iter().map(String::as_str).collect();
                        report.push(format!(
                            "  {} -> {}: {}",
                            module_name(krate, from),
                            module_name(krate, to),
                            names.join(", ")
                        ));
                    }
                }
            }
        }
    }
    assert!(report.is_empty(), "modules import each other in a loop:\n{}", report.join("\n"));
}

#[test]
fn the_import_scanner_sees_groups_super_and_children() {
    let code = code_only(
        "use crate::{db::{Item, Name}, check::expr::Env};\nuse super::Rule;\nuse lower::parse;\nfn f() { crate::format::tokens(\"crate::x::y\"); }\n",
    );
    let paths = named_paths(&code);
    for expected in [
        "crate::db::Item",
        "crate::db::Name",
        "crate::check::expr::Env",
        "super::Rule",
        "lower::parse",
        "crate::format::tokens",
    ] {
        assert!(paths.iter().any(|p| p == expected), "{expected} not in {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.contains("crate::x")), "a path inside a string was read: {paths:?}");
    let mut graph = BTreeMap::new();
    let module = |name: &str| vec![name.to_owned()];
    graph.insert(module("a"), BTreeMap::from([(module("b"), BTreeSet::from(["crate::b::X".to_owned()]))]));
    graph.insert(module("b"), BTreeMap::from([(module("a"), BTreeSet::from(["crate::a::Y".to_owned()]))]));
    graph.insert(module("c"), BTreeMap::from([(module("a"), BTreeSet::new())]));
    assert_eq!(cycles(&graph), [vec![module("a"), module("b")]]);
}

/// The fenced `osl` blocks of a Markdown file, with the line each starts on.
fn osl_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim_start().starts_with("```osl") => current = Some((number + 2, String::new())),
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_osl_example_in_the_docs_checks() {
    for document in ["README.md", "dsl/LANGUAGE.md"] {
        let blocks = osl_blocks(&read(&root().join(document)));
        assert!(!blocks.is_empty(), "{document} has no ```osl examples");
        // The examples of one page form one ruleset, one file per block.
        let files: Vec<(String, String)> =
            blocks.iter().map(|(line, text)| (format!("{document}:{line}.osl"), text.clone())).collect();
        let checked = osler_dsl::check_sources(&files);
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.diagnostic.severity == osler_dsl::Severity::Error)
            .map(|d| {
                format!(
                    "{} at byte {}: {} [{}]",
                    d.path, d.diagnostic.span.start, d.diagnostic.message, d.diagnostic.code
                )
            })
            .collect();
        assert!(errors.is_empty(), "the ```osl examples of {document} do not check:\n{}", errors.join("\n"));
    }
}

/// The `test` blocks of the language reference pass: each `expect` form
/// does what its Tests section says, on the page's own ruleset.
#[test]
fn the_tests_in_the_language_reference_pass() {
    let document = "dsl/LANGUAGE.md";
    let blocks = osl_blocks(&read(&root().join(document)));
    let files: Vec<(String, String)> =
        blocks.iter().map(|(line, text)| (format!("{document}:{line}.osl"), text.clone())).collect();
    let ruleset = osler_engine::Ruleset::from_sources(&files)
        .unwrap_or_else(|error| panic!("the ```osl examples of {document} do not load: {error}"));
    let report = osler_engine::testing::run_tests(&ruleset);
    assert!(report.tests.len() >= 4, "{document} lost its test examples");
    let failed: Vec<String> = report
        .tests
        .iter()
        .filter(|test| !test.passed())
        .map(|test| format!("{}: {:?}", test.title, test.failures))
        .collect();
    assert!(failed.is_empty(), "tests of {document} fail:\n{}", failed.join("\n"));
}

const CODES_START: &str = "<!-- codes: generated from dsl/src/code.rs by tests/tests/tidy.rs -->\n";
const CODES_END: &str = "<!-- /codes -->";

#[test]
fn the_code_table_in_language_md_is_generated_from_the_registry() {
    let path = root().join("dsl/LANGUAGE.md");
    let text = read(&path);
    let start = text.find(CODES_START).expect("dsl/LANGUAGE.md has the generated code table's start marker")
        + CODES_START.len();
    let end = start + text[start..].find(CODES_END).expect("dsl/LANGUAGE.md has the code table's end marker");
    let table = Code::markdown_table();
    if text[start..end] != table {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            fs::write(&path, format!("{}{table}{}", &text[..start], &text[end..])).expect("write dsl/LANGUAGE.md");
        } else {
            panic!(
                "dsl/LANGUAGE.md's code table is out of date; run `UPDATE_EXPECT=1 cargo test -p osler-tests --test tidy`"
            );
        }
    }
}

/// Codes that no corpus file can show, and where they are tested instead.
const NOT_IN_THE_CORPUS: [(Code, &str); 2] = [
    (
        Code::FileTooLarge,
        "needs a file over 2 GiB in memory, too large for a test; the check is one length comparison in `syntax::parse`",
    ),
    (Code::Internal, "reported only when the parser breaks its own invariant: a bug, never a case"),
];

#[test]
fn every_diagnostic_code_has_a_corpus_case() {
    let mut seen = BTreeSet::new();
    for path in files(&root().join("tests/corpus"), "expected") {
        for code in Code::ALL {
            if read(&path).contains(&format!("[{}]", code.as_str())) {
                seen.insert(*code);
            }
        }
    }
    let exempt: BTreeSet<Code> = NOT_IN_THE_CORPUS.iter().map(|(code, _)| *code).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !seen.contains(code) && !exempt.contains(code))
        .map(|code| code.as_str())
        .collect();
    assert!(missing.is_empty(), "no tests/corpus case shows these codes: {}", missing.join(", "));
    let needless: Vec<&str> = exempt.iter().filter(|code| seen.contains(code)).map(|code| code.as_str()).collect();
    assert!(
        needless.is_empty(),
        "these codes have a corpus case now; drop them from NOT_IN_THE_CORPUS: {}",
        needless.join(", ")
    );
}

/// The editors highlight a quantity by listing the units; each list must
/// hold every unit of `dsl/src/units.rs`, in that editor's escaping.
#[test]
fn every_editor_highlights_every_unit() {
    let escape = |unit: &str, special: &str, with: &str| {
        unit.chars().map(|c| if special.contains(c) { format!("{with}{c}") } else { c.to_string() }).collect::<String>()
    };
    let editors = [
        ("editors/vscode/syntaxes/osler.tmLanguage.json", "/[]%", "\\\\"),
        ("editors/nvim/syntax/osler.vim", "/[]", "\\"),
        ("editors/emacs/osler-mode.el", "[]", "\\\\"),
    ];
    for (path, special, with) in editors {
        let text = fs::read_to_string(root().join(path)).unwrap_or_default();
        let missing: Vec<&str> = osler_dsl::units::Unit::ALL
            .iter()
            .map(|unit| unit.as_str())
            .filter(|unit| !text.contains(&escape(unit, special, with)))
            .collect();
        assert!(missing.is_empty(), "{path} does not highlight the units {missing:?}");
    }
}
