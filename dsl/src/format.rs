//! The canonical formatter behind `osler fmt` and the editor's "format
//! document": one layout for every `.osl` file, comments kept, idempotent.
//!
//! The layout (close to how `dsl/LANGUAGE.md` writes its examples):
//! - declarations start at column 0; continuation lines are indented two
//!   spaces (four inside a `test` statement that spans lines);
//! - a named rule is `rule NAME "TITLE" [overrides ..]:`, then its condition
//!   on its own line, its `cite` always on its own line; a named assert is
//!   laid out the same way (`assert NAME "TITLE":`, `WHEN -> THEN`, `cite`),
//!   an unnamed one like a short rule, `exclusive ACTION` on one line, and
//!   `priority A > B > C` on one line (a comment inside it keeps its line);
//! - a `test` has one `given` or `expect` per line and its `}` at column 0;
//! - an enum is `enum Name { a, b }` on one line, or one variant per line
//!   with a trailing comma when its author spread it over several lines;
//! - spacing is fixed: one space around operators, `->` and `=`, none inside
//!   parentheses and sets (`{a, b}`), `name: Type`, `50 mmHg`, `-x`;
//! - the author's own line breaks are kept where a declaration may break:
//!   before `->`, `cite`, `overrides`, `and`, `or`, after a comma and after a
//!   let's `=` (a break written after `and`/`or` or before a comma moves to
//!   the canonical side); every other break is removed;
//! - comments stay where they are, trailing comments one space after the
//!   code; at most one blank line is kept anywhere, and declarations are
//!   separated by exactly one blank line, except one-line declarations of
//!   the same kind (a group of facts), which keep zero or one.
//!
//! The formatter works on the language's tokens (`syntax::lex`), with the
//! parsed tree telling where each declaration starts and ends. Before
//! returning, it re-parses its output and checks that the tokens,
//! declarations and doc comments are unchanged, so a formatter bug can never
//! change a ruleset's meaning: it reports an error instead.

use std::fmt;

use crate::code::Code;
use crate::syntax::{self, DeclKind, Token, TokenKind, is_reserved, lex};

/// Why a file was not formatted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum FormatError {
    /// The file has syntax errors; it is left as it is.
    Syntax,
    /// The formatted text would not have meant the same (a formatter bug).
    Internal(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax => f.write_str("the file has syntax errors"),
            FormatError::Internal(why) => write!(f, "the formatter could not keep the file's meaning: {why}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a file in the canonical layout. A file with syntax errors is
/// refused ([`FormatError::Syntax`]); callers leave it as it is.
pub fn format(text: &str) -> Result<String, FormatError> {
    let parsed = syntax::parse(text);
    if has_syntax_errors(&parsed) {
        return Err(FormatError::Syntax);
    }
    let output = layout(text, &parsed)?;
    verify(text, &parsed, &output)?;
    Ok(output)
}

fn has_syntax_errors(parsed: &syntax::ParsedFile) -> bool {
    // Naming diagnostics (`osler::name_case`) come with a complete tree.
    parsed.errors.iter().any(|error| error.code != Code::NameCase)
}

/// A token as the layout sees it: canonical text, source position.
#[derive(Clone, Debug)]
struct Tok {
    text: String,
    kind: TokenKind,
    start: u32,
    end: u32,
}

impl Tok {
    fn is(&self, text: &str) -> bool {
        self.kind != TokenKind::Comment && self.kind != TokenKind::String && self.text == text
    }

    fn is_comment(&self) -> bool {
        self.kind == TokenKind::Comment
    }
}

fn canonical(token: &Token, source: &str) -> Tok {
    let raw = token.text(source);
    let text = match token.kind {
        TokenKind::Quantity { unit_start } => {
            let number = source.get(token.start as usize..unit_start as usize).unwrap_or("").trim_end();
            let unit = source.get(unit_start as usize..token.end as usize).unwrap_or("");
            format!("{number} {unit}")
        }
        TokenKind::Comment => raw.trim_end().to_owned(),
        _ => raw.to_owned(),
    };
    Tok { text, kind: token.kind, start: token.start, end: token.end }
}

fn newlines(source: &str, from: u32, to: u32) -> usize {
    source.get(from as usize..to as usize).map_or(0, |gap| gap.bytes().filter(|b| *b == b'\n').count())
}

/// How a declaration is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Plain,
    Let,
    NamedRule,
    ShortRule,
    Enum { multiline: bool },
    Test,
}

/// One top-level piece of a file.
enum Entry {
    Decl { kind: &'static str, lines: Vec<String>, start: u32, end: u32 },
    Comment(Tok),
}

fn layout(text: &str, parsed: &syntax::ParsedFile) -> Result<String, FormatError> {
    let tokens: Vec<Tok> = lex(text).iter().map(|token| canonical(token, text)).collect();
    let ranges: Vec<(u32, u32)> = parsed
        .decls
        .iter()
        .map(|decl| {
            let span = decl.absolute_span();
            (span.start, span.end)
        })
        .collect();
    let mut entries: Vec<Entry> = Vec::new();
    let mut index = 0;
    let mut decl_index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        if let Some(&(start, end)) = ranges.get(decl_index)
            && token.start >= start
        {
            let mut inside = Vec::new();
            while index < tokens.len() && tokens[index].start < end {
                inside.push(tokens[index].clone());
                index += 1;
            }
            // A comment on the declaration's last line is its trailing comment.
            if let Some(next) = tokens.get(index)
                && next.is_comment()
                && newlines(text, end, next.start) == 0
            {
                inside.push(next.clone());
                index += 1;
            }
            let decl = &parsed.decls[decl_index].decl;
            let mode = mode_of(&decl.kind, &inside, text);
            let lines = layout_decl(mode, &inside, text);
            entries.push(Entry::Decl { kind: decl.kind.keyword(), lines, start, end });
            decl_index += 1;
            continue;
        }
        if !token.is_comment() {
            return Err(FormatError::Internal(format!("`{}` is outside every declaration", token.text)));
        }
        entries.push(Entry::Comment(token.clone()));
        index += 1;
    }
    if decl_index != ranges.len() {
        return Err(FormatError::Internal("a declaration has no tokens".to_owned()));
    }
    Ok(join_entries(text, &entries))
}

fn mode_of(kind: &DeclKind, tokens: &[Tok], source: &str) -> Mode {
    match kind {
        DeclKind::Let(_) => Mode::Let,
        DeclKind::Rule(rule) if rule.name.is_some() => Mode::NamedRule,
        DeclKind::Rule(_) => Mode::ShortRule,
        // An assert is laid out as a rule: named, its header on a line of
        // its own; unnamed, as the author broke it.
        DeclKind::Assert(assert) if assert.name.is_some() => Mode::NamedRule,
        DeclKind::Assert(_) => Mode::ShortRule,
        // A baseline's body is a test's: one `given` per line.
        DeclKind::Test(_) | DeclKind::Baseline(_) => Mode::Test,
        DeclKind::Enum(_) => {
            let open = tokens.iter().position(|t| t.is("{"));
            let close = tokens.iter().rposition(|t| t.is("}"));
            let multiline = match (open, close) {
                (Some(open), Some(close)) if open < close => {
                    newlines(source, tokens[open].end, tokens[close].start) > 0
                        || tokens[open..close].iter().any(Tok::is_comment)
                }
                _ => false,
            };
            Mode::Enum { multiline }
        }
        DeclKind::Ruleset(_)
        | DeclKind::Source(_)
        | DeclKind::Fact(_)
        | DeclKind::Action(_)
        | DeclKind::Exclusive(_)
        | DeclKind::Priority(_) => Mode::Plain,
    }
}

/// Drops trailing commas (`f(a,)`, `{a, b,}`) and, in an enum spread over
/// lines, adds the one after its last variant.
fn normalize_commas(mode: Mode, tokens: &[Tok]) -> Vec<Tok> {
    let significant_after = |index: usize| tokens[index + 1..].iter().find(|t| !t.is_comment());
    let mut out: Vec<Tok> = Vec::with_capacity(tokens.len() + 1);
    for (index, token) in tokens.iter().enumerate() {
        if token.is(",") && significant_after(index).is_some_and(|next| next.is(")") || next.is("}")) {
            if mode == (Mode::Enum { multiline: true }) {
                out.push(token.clone());
            }
            continue;
        }
        if mode == (Mode::Enum { multiline: true }) && token.is("}") {
            let last = out.iter().rposition(|t| !t.is_comment());
            if let Some(last) = last
                && !out[last].is(",")
                && !out[last].is("{")
            {
                let at = out[last].end;
                out.insert(last + 1, Tok { text: ",".to_owned(), kind: TokenKind::Punct, start: at, end: at });
            }
        }
        out.push(token.clone());
    }
    out
}

/// Whether a `-` at `index` is a prefix minus.
fn is_unary_minus(tokens: &[Tok], index: usize) -> bool {
    let previous = tokens[..index].iter().rev().find(|t| !t.is_comment());
    match previous {
        None => true,
        Some(previous) => match previous.kind {
            TokenKind::Punct => !(previous.is(")") || previous.is("}")),
            // Only a reserved word: a contextual one (`examine`, `test`) may
            // be a fact's name, and no contextual word is followed by an
            // expression.
            TokenKind::Word => is_reserved(&previous.text) && previous.text != "true" && previous.text != "false",
            _ => false,
        },
    }
}

fn space_between(mode: Mode, tokens: &[Tok], a: usize, b: usize) -> &'static str {
    let (left, right) = (&tokens[a], &tokens[b]);
    let enum_braces = matches!(mode, Mode::Enum { .. });
    if right.is(")") || right.is(",") || right.is(":") || right.is(".") || left.is("(") || left.is(".") {
        return "";
    }
    if left.is("{") {
        return if right.is("}") || !enum_braces { "" } else { " " };
    }
    if right.is("}") {
        return if enum_braces { " " } else { "" };
    }
    // A contextual word before `(` is a call's name (`examine(..)` of an
    // action named so): no contextual word takes a bracket.
    if right.is("(") && left.kind == TokenKind::Word && !is_reserved(&left.text) {
        return "";
    }
    if left.is("-") && is_unary_minus(tokens, a) {
        return "";
    }
    " "
}

fn layout_decl(mode: Mode, tokens: &[Tok], source: &str) -> Vec<String> {
    let tokens = normalize_commas(mode, tokens);
    let significant: Vec<usize> = (0..tokens.len()).filter(|&i| !tokens[i].is_comment()).collect();
    let open = significant.iter().copied().find(|&i| tokens[i].is("{"));
    let close = significant.iter().copied().rev().find(|&i| tokens[i].is("}"));
    let header_colon =
        if mode == Mode::NamedRule { significant.iter().copied().find(|&i| tokens[i].is(":")) } else { None };
    // Binary searches: a 100,000-term condition must not take quadratic time.
    let next_significant = |index: usize| significant.get(significant.partition_point(|&i| i <= index)).copied();
    let previous_significant =
        |index: usize| significant.partition_point(|&i| i < index).checked_sub(1).map(|at| significant[at]);
    let is_statement = |token: &Tok| token.kind == TokenKind::Word && (token.text == "given" || token.text == "expect");

    let indent_of = |index: Option<usize>| -> usize {
        match (mode, index) {
            (Mode::Test | Mode::Enum { multiline: true }, Some(i)) if Some(i) == close => 0,
            (Mode::Test, Some(i)) if is_statement(&tokens[i]) => 2,
            (Mode::Test, Some(_)) => 4,
            _ => 2,
        }
    };
    let comment_indent = |index: usize| -> usize {
        match (mode, next_significant(index)) {
            (Mode::Test, Some(next)) if Some(next) == close || is_statement(&tokens[next]) => 2,
            (Mode::Test, Some(_)) => 4,
            _ => 2,
        }
    };
    let forced = |a: usize, b: usize| -> bool {
        let (left, right) = (&tokens[a], &tokens[b]);
        match mode {
            Mode::NamedRule => Some(a) == header_colon || (right.kind == TokenKind::Word && right.text == "cite"),
            Mode::Test => Some(a) == open || Some(b) == close || is_statement(right),
            Mode::Enum { multiline: true } => Some(a) == open || Some(b) == close || left.is(","),
            _ => false,
        }
    };
    let word = |token: &Tok, words: &[&str]| token.kind == TokenKind::Word && words.contains(&token.text.as_str());
    let breaks = |a: usize, b: usize| -> bool {
        let (left, right) = (&tokens[a], &tokens[b]);
        let newline = newlines(source, left.end, right.start) > 0;
        if forced(a, b) {
            return true;
        }
        if newline && (right.is("->") || word(right, &["cite", "overrides", "and", "or"])) {
            return true;
        }
        if newline && (left.is(",") || (mode == Mode::Let && left.is("="))) {
            return true;
        }
        // `x and` at the end of a line: the break moves before `and`.
        if word(right, &["and", "or"])
            && let Some(after) = next_significant(b)
        {
            let comment_between = tokens[b + 1..after].iter().any(Tok::is_comment);
            if !comment_between && newlines(source, right.end, tokens[after].start) > 0 {
                return true;
            }
        }
        // `a\n, b`: the break moves after the comma.
        if left.is(",")
            && let Some(before) = previous_significant(a)
            && newlines(source, tokens[before].end, left.start) > 0
        {
            return true;
        }
        false
    };

    let mut lines: Vec<String> = vec![String::new()];
    let mut break_pending = false;
    let mut last_emitted: Option<usize> = None;
    let mut last_significant: Option<usize> = None;
    for (index, token) in tokens.iter().enumerate() {
        let blank_before = last_emitted.is_some_and(|last| newlines(source, tokens[last].end, token.start) >= 2);
        if token.is_comment() {
            let same_line = last_emitted.is_some_and(|last| newlines(source, tokens[last].end, token.start) == 0);
            let current_empty = lines.last().is_none_or(|line| line.trim().is_empty());
            if same_line && !current_empty {
                if let Some(line) = lines.last_mut() {
                    line.push(' ');
                    line.push_str(&token.text);
                }
            } else {
                if !current_empty {
                    if blank_before {
                        lines.push(String::new());
                    }
                    lines.push(String::new());
                }
                if let Some(line) = lines.last_mut() {
                    line.push_str(&" ".repeat(comment_indent(index)));
                    line.push_str(&token.text);
                }
            }
            break_pending = true;
            last_emitted = Some(index);
            continue;
        }
        if let Some(previous) = last_significant {
            if break_pending || breaks(previous, index) {
                if blank_before {
                    lines.push(String::new());
                }
                lines.push(" ".repeat(indent_of(Some(index))));
            } else if let Some(line) = lines.last_mut() {
                line.push_str(space_between(mode, &tokens, previous, index));
            }
        }
        if let Some(line) = lines.last_mut() {
            line.push_str(&token.text);
        }
        break_pending = false;
        last_emitted = Some(index);
        last_significant = Some(index);
    }
    lines.into_iter().map(|line| line.trim_end().to_owned()).collect()
}

fn join_entries(source: &str, entries: &[Entry]) -> String {
    let bounds = |entry: &Entry| match entry {
        Entry::Decl { start, end, .. } => (*start, *end),
        Entry::Comment(token) => (token.start, token.end),
    };
    let one_line_kind = |entry: &Entry| match entry {
        Entry::Decl { kind, lines, .. } if lines.len() == 1 => Some(*kind),
        _ => None,
    };
    let mut out = String::new();
    for (index, entry) in entries.iter().enumerate() {
        if index > 0 {
            let previous = &entries[index - 1];
            let source_blank = newlines(source, bounds(previous).1, bounds(entry).0) >= 2;
            let blank = match previous {
                Entry::Comment(_) => source_blank,
                Entry::Decl { .. } => {
                    let next_decl = entries[index..].iter().find(|e| matches!(e, Entry::Decl { .. }));
                    match (one_line_kind(previous), next_decl.and_then(one_line_kind)) {
                        (Some(a), Some(b)) if a == b => source_blank,
                        _ => true,
                    }
                }
            };
            if blank {
                out.push('\n');
            }
        }
        match entry {
            Entry::Decl { lines, .. } => {
                for line in lines {
                    out.push_str(line);
                    out.push('\n');
                }
            }
            Entry::Comment(token) => {
                out.push_str(&token.text);
                out.push('\n');
            }
        }
    }
    out
}

/// The tokens that carry meaning, for comparing a file with its formatted
/// form: trailing commas dropped, quantities canonical, comments trimmed.
fn meaning_tokens(text: &str) -> Vec<String> {
    let tokens: Vec<Tok> = lex(text).iter().map(|token| canonical(token, text)).collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (index, token) in tokens.iter().enumerate() {
        if token.is(",") {
            let next = tokens[index + 1..].iter().find(|t| !t.is_comment());
            if next.is_some_and(|next| next.is(")") || next.is("}")) {
                continue;
            }
        }
        out.push(token.text.clone());
    }
    out
}

fn verify(original: &str, parsed: &syntax::ParsedFile, output: &str) -> Result<(), FormatError> {
    let reparsed = syntax::parse(output);
    if has_syntax_errors(&reparsed) {
        return Err(FormatError::Internal("the formatted text does not parse".to_owned()));
    }
    if reparsed.decls.len() != parsed.decls.len() || reparsed.errors.len() != parsed.errors.len() {
        return Err(FormatError::Internal("the formatted text has other declarations".to_owned()));
    }
    for (before, after) in parsed.decls.iter().zip(&reparsed.decls) {
        let doc = |decl: &syntax::ParsedDecl| decl.doc.as_ref().map(|doc| doc.text.clone());
        if before.decl.kind.keyword() != after.decl.kind.keyword()
            || before.decl.kind.name().map(|n| &n.text) != after.decl.kind.name().map(|n| &n.text)
            || doc(before) != doc(after)
        {
            return Err(FormatError::Internal("a declaration or its doc comment changed".to_owned()));
        }
    }
    if meaning_tokens(original) != meaning_tokens(output) {
        return Err(FormatError::Internal("the tokens changed".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_a_rule() {
        let text = "rule  a \"T\"  :  x>1   and  not(y)->f( 6h ,b)  cite s\n";
        assert_eq!(format(text), Ok("rule a \"T\":\n  x > 1 and not (y) -> f(6h, b)\n  cite s\n".to_owned()));
    }

    #[test]
    fn refuses_syntax_errors() {
        assert_eq!(format("fact a number\n"), Err(FormatError::Syntax));
    }
}
