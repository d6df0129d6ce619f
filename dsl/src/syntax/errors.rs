//! Syntax errors in words a rule author understands: "expected an
//! expression after `and`", never a list of grammar rule names.

use super::grammar::Rule;
use super::keywords::{DECLARATION_KEYWORDS, is_reserved};
use super::lexer::{Token, TokenKind, lex};
use crate::code::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Span, floor_char_boundary};
use crate::units::Unit;

/// What a grammar rule means to a rule author. Rules that start an
/// expression collapse into "an expression".
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Expected {
    Declaration,
    Expression,
    Name,
    Type,
    Unit,
    String,
    Number,
    Keyword(&'static str),
    Symbol(&'static str),
    Operator,
    EndOfDeclaration,
}

impl Expected {
    fn describe(self) -> String {
        match self {
            Expected::Declaration => {
                "a declaration (`fact`, `let`, `enum`, `action`, `rule`, `source`, `test`, `baseline`, `assert`, `exclusive`, `priority`) or a rule `condition -> action`"
                    .to_owned()
            }
            Expected::Expression => "an expression".to_owned(),
            Expected::Name => "a name".to_owned(),
            Expected::Type => "a type (`bool`, `number`, `number UNIT`, `duration`, `string` or an enum name)".to_owned(),
            Expected::Unit => "a unit (such as `mmol/L`, `mm[Hg]`, `cm`, `/min`)".to_owned(),
            Expected::String => "a quoted string".to_owned(),
            Expected::Number => "a number".to_owned(),
            Expected::Keyword(word) | Expected::Symbol(word) => format!("`{word}`"),
            Expected::Operator => "an operator".to_owned(),
            Expected::EndOfDeclaration => "the end of the declaration".to_owned(),
        }
    }
}

fn classify(rule: Rule) -> Option<Expected> {
    use Expected::*;
    Some(match rule {
        Rule::ruleset_decl
        | Rule::source_decl
        | Rule::enum_decl
        | Rule::fact_decl
        | Rule::let_decl
        | Rule::action_decl
        | Rule::rule_decl
        | Rule::assert_decl
        | Rule::exclusive_decl
        | Rule::priority_decl
        | Rule::baseline_decl
        | Rule::short_rule => Declaration,
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::cmp_expr
        | Rule::sum
        | Rule::product
        | Rule::prefix
        | Rule::paren
        | Rule::call
        | Rule::qualified
        | Rule::name_ref
        | Rule::boolean
        | Rule::duration
        | Rule::quantity => Expression,
        Rule::not_op => Keyword("not"),
        Rule::neg_op => Symbol("-"),
        Rule::number => Number,
        Rule::string => String,
        Rule::ident | Rule::set_item => Name,
        Rule::type_expr
        | Rule::bool_type
        | Rule::number_type
        | Rule::duration_type
        | Rule::string_type
        | Rule::named_type => Type,
        Rule::unit | Rule::duration_unit => Unit,
        Rule::kw_ruleset => Keyword("ruleset"),
        Rule::kw_source => Keyword("source"),
        Rule::kw_year | Rule::source_year => Keyword("year"),
        Rule::kw_url | Rule::source_url => Keyword("url"),
        Rule::kw_enum => Keyword("enum"),
        Rule::kw_fact => Keyword("fact"),
        Rule::kw_let => Keyword("let"),
        Rule::kw_action => Keyword("action"),
        Rule::kw_rule => Keyword("rule"),
        Rule::kw_overrides | Rule::overrides => Keyword("overrides"),
        Rule::kw_cite | Rule::cites => Keyword("cite"),
        Rule::kw_test | Rule::test_decl => Keyword("test"),
        Rule::kw_assert => Keyword("assert"),
        Rule::kw_exclusive => Keyword("exclusive"),
        Rule::kw_priority => Keyword("priority"),
        Rule::priority_gt => Symbol(">"),
        Rule::assert_header => Name,
        Rule::kw_given | Rule::given_stmt => Keyword("given"),
        Rule::kw_expect | Rule::expect_stmt => Keyword("expect"),
        Rule::kw_baseline => Keyword("baseline"),
        Rule::kw_nothing | Rule::expect_nothing => Keyword("nothing"),
        Rule::kw_fires => Keyword("fires"),
        Rule::kw_from => Keyword("from"),
        Rule::kw_undetermined | Rule::expect_undetermined => Keyword("undetermined"),
        Rule::kw_examine | Rule::expect_examine => Keyword("examine"),
        Rule::expect_action | Rule::expect_from | Rule::expect_fires | Rule::baseline_use => Name,
        Rule::kw_bool | Rule::kw_number | Rule::kw_duration | Rule::kw_string => Type,
        Rule::arrow => Symbol("->"),
        Rule::colon => Symbol(":"),
        Rule::comma => Symbol(","),
        Rule::equals | Rule::assignment => Symbol("="),
        Rule::lparen => Symbol("("),
        Rule::rparen => Symbol(")"),
        Rule::lbrace | Rule::set => Symbol("{"),
        Rule::rbrace => Symbol("}"),
        Rule::dot => Symbol("."),
        Rule::or_op | Rule::and_op | Rule::cmp_op | Rule::in_op | Rule::add_op | Rule::mul_op => Operator,
        Rule::EOI => EndOfDeclaration,
        Rule::actions | Rule::action_call => Name,
        Rule::named_arg => Expression,
        Rule::param => Name,
        _ => return None,
    })
}

/// Converts pest's error for one declaration into a diagnostic with a span
/// relative to that declaration.
pub(crate) fn translate_error(source: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let position = match error.location {
        pest::error::InputLocation::Pos(position) => position,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let position = floor_char_boundary(source, position);
    // pest stops (instead of overflowing) when its thread's stack runs
    // low; the nesting limit keeps that from happening on any normal stack.
    if let pest::error::ErrorVariant::CustomError { message } = &error.variant
        && message.contains("limit reached")
    {
        let end = source[position..].chars().next().map_or(position, |c| position + c.len_utf8());
        return Diagnostic::error(
            Code::TooDeep,
            Span::new(position, end),
            "this declaration nests too deeply to parse",
        )
        .with_label("the parser ran out of room here")
        .with_help("name part of the condition with a `let` and use that name here");
    }
    let (mut expected, property) = expected_at(source, error);
    let found = token_at(source, position);
    let previous = token_before(source, position);
    if let Some((token, span)) = found
        && COMPARISONS.contains(&token)
        && !expected.contains(&Expected::Expression)
        && let Some(diagnostic) = comparison_chain(source, span)
    {
        return diagnostic;
    }
    let block = narrow_in_blocks(&mut expected, source, previous.map(|(token, _)| token));
    if let Some((token, span)) =
        found.filter(|(token, _)| token.starts_with('"') && (token.len() == 1 || !token.ends_with('"')))
    {
        let _ = token;
        return Diagnostic::error(Code::Syntax, span, "this string is not closed before the end of the line")
            .with_label("unclosed string")
            .with_help("close it with `\"`; a string cannot span lines");
    }

    let what = if expected.is_empty() { "something else".to_owned() } else { join_alternatives(&expected) };
    let mut message = format!("expected {what}");
    if let Some((prev, _)) = previous.filter(|_| !expected.contains(&Expected::Declaration)) {
        message.push_str(&format!(" after `{prev}`"));
    }
    let (span, label) = match found {
        Some((token, span)) => {
            message.push_str(&format!(", found {}", describe_found(token)));
            (span, format!("expected {what} here"))
        }
        None => {
            message.push_str(" at the end of the declaration");
            let span = previous.map_or(Span::new(position, position), |(_, span)| span);
            (span, "the declaration ends here".to_owned())
        }
    };
    let help = match property {
        Some("assert") if !expected.contains(&Expected::Declaration) => Some(
            "an assert is written `assert WHEN -> THEN`, or named `assert name \"Title\": WHEN -> THEN cite source`"
                .to_owned(),
        ),
        Some("exclusive") if !expected.contains(&Expected::Declaration) => {
            Some("write `exclusive ACTION`, naming a declared action".to_owned())
        }
        Some("priority") if !expected.contains(&Expected::Declaration) => {
            Some("write `priority A > B > ...`, naming declared actions from the most urgent to the least".to_owned())
        }
        _ if block == Some("test") => {
            Some("a test is written `test \"title\" { given fact = value  expect action }`".to_owned())
        }
        _ if block == Some("baseline") => {
            Some("a baseline is written `baseline name { given fact = value, .. }`".to_owned())
        }
        _ if starts_with_word(source, "baseline") && found.is_some_and(|(token, _)| token == "expect") => {
            Some("a baseline holds `given` statements only; `expect` belongs in the tests that include it".to_owned())
        }
        _ => help_for(&expected, found.map(|(token, _)| token), previous.map(|(token, _)| token)),
    };
    let help = help.or_else(|| {
        let (token, _) = found?;
        (expected.contains(&Expected::Name) && !token.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
            .then(|| set_of_values(source, position))
            .flatten()
    });
    let mut diagnostic = Diagnostic::error(Code::Syntax, span, message).with_label(label);
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// What the grammar would have taken where it stopped, narrowed to what
/// is worth saying, and the property keyword the declaration starts with.
fn expected_at(source: &str, error: &pest::error::Error<Rule>) -> (Vec<Expected>, Option<&'static str>) {
    let mut expected: Vec<Expected> = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|rule| classify(*rule)).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort();
    expected.dedup();
    // Operators could always continue an expression; they are only worth
    // naming when nothing else would do.
    if expected.len() > 1 {
        expected.retain(|e| *e != Expected::Operator);
    }
    if expected.iter().any(|e| matches!(e, Expected::Keyword(k) if DECLARATION_KEYWORDS.contains(k))) {
        expected.push(Expected::Declaration);
    }
    if expected.contains(&Expected::Expression) {
        expected.retain(|e| {
            !matches!(
                e,
                Expected::Name | Expected::Number | Expected::String | Expected::Keyword("not") | Expected::Symbol("-")
            )
        });
    }
    if expected.contains(&Expected::Declaration) {
        expected.retain(|e| matches!(e, Expected::Declaration));
    }
    if expected.len() > 1 {
        expected.retain(|e| *e != Expected::EndOfDeclaration);
    }
    // `(` (a call), `.` (a qualified variant) and a unit could follow
    // almost any name or number; they are only worth naming alone.
    if expected.len() > 1 {
        expected.retain(|e| !matches!(e, Expected::Symbol("(") | Expected::Symbol(".") | Expected::Unit));
    }
    // In an assert, `assert x` could still become a header `assert x:`,
    // but the arrow is what is missing in nearly every case.
    let property = ["assert", "exclusive", "priority"].into_iter().find(|word| starts_with_word(source, word));
    if property == Some("assert") && expected.contains(&Expected::Symbol("->")) {
        expected.retain(|e| *e == Expected::Symbol("->"));
    }
    (expected, property)
}

const COMPARISONS: [&str; 6] = ["<", ">", "<=", ">=", "==", "!="];

/// The tokens of a declaration that matter to a suggestion (comments
/// left out).
fn code_tokens(source: &str) -> Vec<Token> {
    lex(source).into_iter().filter(|token| token.kind != TokenKind::Comment).collect()
}

/// Whether a token ends the operand of a comparison: what an expression
/// stands between (`:`, `,`, `=`, `->`, a bracket) or joins (`and`, `or`),
/// or `cite`.
fn ends_operand(token: &str) -> bool {
    [":", ",", "=", "->", "(", ")", "{", "}", "and", "or", "cite"].contains(&token)
}

/// The tokens from `index` one way (`step` 1 or -1) that stay inside one
/// operand at bracket depth 0: the range of indices they cover.
fn operand_reach(source: &str, tokens: &[Token], index: usize, forward: bool) -> std::ops::Range<usize> {
    let mut depth = 0i32;
    let mut reach = index;
    loop {
        let next = if forward { reach + 1 } else { reach.wrapping_sub(1) };
        let Some(token) = tokens.get(next) else { break };
        let text = token.text(source);
        let (opens, closes) = if forward { (["(", "{"], [")", "}"]) } else { ([")", "}"], ["(", "{"]) };
        if opens.contains(&text) {
            depth += 1;
        } else if closes.contains(&text) && depth > 0 {
            depth -= 1;
        } else if depth == 0 && ends_operand(text) {
            break;
        }
        reach = next;
    }
    if forward { index + 1..reach + 1 } else { reach..index }
}

/// The text of tokens `range`, blanks between them made single spaces.
fn tokens_text(source: &str, tokens: &[Token], range: std::ops::Range<usize>) -> String {
    match (tokens.get(range.start), range.end.checked_sub(1).and_then(|last| tokens.get(last))) {
        (Some(first), Some(last)) if range.start < range.end => {
            source[first.start as usize..last.end as usize].split_whitespace().collect::<Vec<_>>().join(" ")
        }
        _ => String::new(),
    }
}

/// `1 <= x <= 2`: a second comparison operator where the first one's
/// comparison is complete. Comparisons do not chain; the help rewrites the
/// chain with `and` when its operands can be read off the text.
fn comparison_chain(source: &str, span: Span) -> Option<Diagnostic> {
    let tokens = code_tokens(source);
    let second = tokens.iter().position(|token| token.start == span.start)?;
    let before = operand_reach(source, &tokens, second, false);
    let mut depth = 0i32;
    let mut first = None;
    for index in before.clone() {
        match tokens[index].text(source) {
            "(" | "{" => depth += 1,
            ")" | "}" => depth -= 1,
            text if depth == 0 && COMPARISONS.contains(&text) => {
                first = Some(index);
                break;
            }
            _ => {}
        }
    }
    let first = first?;
    let left = tokens_text(source, &tokens, before.start..first);
    let middle = tokens_text(source, &tokens, first + 1..second);
    let right = tokens_text(source, &tokens, operand_reach(source, &tokens, second, true));
    if left.is_empty() || middle.is_empty() {
        return None;
    }
    let (first, second) = (tokens[first].text(source), tokens[second].text(source));
    let right = if right.is_empty() { "..".to_owned() } else { right };
    Some(
        Diagnostic::error(
            Code::Syntax,
            span,
            format!("comparisons do not chain: `{left} {first} {middle} {second} {right}`"),
        )
        .with_label(format!("a second comparison after `{left} {first} {middle}`"))
        .with_help(format!(
            "compare twice and join the comparisons with `and`: `{left} {first} {middle} and {middle} {second} {right}`"
        )),
    )
}

/// `rr in {0, 1}`: a value that is not a name in the set of an `in`. The
/// help says what `in` takes and how to test values instead.
fn set_of_values(source: &str, position: usize) -> Option<String> {
    let tokens = code_tokens(source);
    let found = tokens.iter().position(|token| token.start as usize >= position)?;
    // Back over the set's items to its `{`, then `in` before it.
    let mut open = found.checked_sub(1)?;
    while tokens[open].text(source) != "{" {
        if ["(", ")", "}", "->", ":", "and", "or"].contains(&tokens[open].text(source)) {
            return None;
        }
        open = open.checked_sub(1)?;
    }
    let keyword = open.checked_sub(1)?;
    if tokens[keyword].text(source) != "in" {
        return None;
    }
    let subject = tokens_text(source, &tokens, operand_reach(source, &tokens, keyword, false));
    // The items run to the `}`, or to what ends the operand when the set
    // is not closed.
    let close = tokens[open + 1..]
        .iter()
        .position(|token| token.text(source) != "," && ends_operand(token.text(source)))
        .map_or(tokens.len(), |i| open + 1 + i);
    let items: Vec<String> = tokens_text(source, &tokens, open + 1..close)
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| format!("{subject} == {item}"))
        .collect();
    let rewrite = if subject.is_empty() || items.is_empty() {
        "`x == 0 or x == 1`".to_owned()
    } else {
        format!("`{}`", items.join(" or "))
    };
    Some(format!(
        "`in {{..}}` lists variants of an enum (`pulse in {{absent, diminished}}`); to test other values, compare with `==` and join with `or`: {rewrite}"
    ))
}

/// Narrows what a `test` or `baseline` could hold to what was meant.
/// Returns the block's keyword when the error is in its header, where
/// its own help is the one to give.
fn narrow_in_blocks(expected: &mut Vec<Expected>, source: &str, previous: Option<&str>) -> Option<&'static str> {
    // `given fact value`: after a name in a `given`, the next statement or
    // a comma could follow (the name a baseline's), but a missing `=` is
    // what a value after it means.
    if expected.contains(&Expected::Symbol("=")) && expected.contains(&Expected::Keyword("given")) {
        expected.retain(|e| *e == Expected::Symbol("="));
    }
    // The grammar takes `expect not nothing` (lowering refuses it); never
    // suggest it.
    if previous == Some("not") {
        expected.retain(|e| *e != Expected::Keyword("nothing"));
    }
    // `test {` and `baseline {` could be the start of a short rule (both
    // words may be names), but a test or a baseline is what was meant.
    let block = ["test", "baseline"].into_iter().find(|word| starts_with_word(source, word))?;
    if expected.len() > 1 && expected.contains(&Expected::Symbol("->")) {
        expected.retain(|e| *e != Expected::Symbol("->"));
        return Some(block);
    }
    None
}

/// Whether `text` starts with the word `word` (not a longer name).
fn starts_with_word(text: &str, word: &str) -> bool {
    text.strip_prefix(word).is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

fn join_alternatives(expected: &[Expected]) -> String {
    let words: Vec<String> = expected.iter().map(|e| e.describe()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_found(token: &str) -> String {
    if token.starts_with('"') { "a string".to_owned() } else { format!("`{token}`") }
}

fn help_for(expected: &[Expected], found: Option<&str>, previous: Option<&str>) -> Option<String> {
    if expected.contains(&Expected::Declaration) {
        return Some("each declaration starts at the beginning of a line; continuation lines are indented".to_owned());
    }
    if expected.contains(&Expected::Unit) {
        let close = found.and_then(|found| {
            let units = Unit::ALL.map(Unit::as_str);
            crate::suggest::closest(found, units.iter().copied()).map(str::to_owned)
        });
        let known = format!("the units Osler knows are {}", Unit::list());
        return Some(match close {
            Some(unit) => format!("did you mean `{unit}`? {known}"),
            None => known,
        });
    }
    if expected.contains(&Expected::Symbol("->")) {
        return Some("a rule is written `condition -> action(args)`".to_owned());
    }
    if expected.contains(&Expected::Type) {
        return Some(
            "write the type after the colon, e.g. `fact abi: number` or `fact ankle_pressure: number mmHg`".to_owned(),
        );
    }
    if let (Some(found), Some(previous)) = (found, previous)
        && previous.starts_with(|c: char| c.is_ascii_digit())
        && previous.chars().all(|c| c.is_ascii_digit() || c == '.')
        && found.starts_with(|c: char| c.is_ascii_alphabetic())
        && !is_reserved(found)
    {
        return Some(
            "durations are written without a space (`6h`); quantities take a known unit (`50 mmHg`)".to_owned(),
        );
    }
    if let Some(found) = found {
        if COMPARISONS.contains(&found) {
            return Some("comparisons do not chain: write `a < b and b < c`".to_owned());
        }
        if is_reserved(found) && expected.contains(&Expected::Name) {
            return Some(format!("`{found}` is a keyword and cannot be used as a name"));
        }
    }
    if expected.contains(&Expected::Expression) {
        return Some(
            "an expression is a fact, a value, or a combination with `and`, `or`, `not` and comparisons".to_owned(),
        );
    }
    None
}
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// The token starting at `position` (after skipping blanks), if any.
fn token_at(source: &str, position: usize) -> Option<(&str, Span)> {
    let rest = &source[position..];
    let skipped = rest.len() - rest.trim_start().len();
    let start = position + skipped;
    let rest = &source[start..];
    let first = rest.chars().next()?;
    let len = if first == '"' {
        rest[1..].find(['"', '\n']).map_or(rest.len(), |end| end + 2).min(rest.len())
    } else if is_word_char(first) {
        rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len())
    } else {
        let two: String = rest.chars().take(2).collect();
        if ["->", "==", "!=", "<=", ">=", "//"].contains(&two.as_str()) { 2 } else { first.len_utf8() }
    };
    let len = floor_char_boundary(rest, len);
    Some((&source[start..start + len], Span::new(start, start + len)))
}

/// The token ending just before `position` (skipping blanks and comments).
fn token_before(source: &str, position: usize) -> Option<(&str, Span)> {
    let before = strip_trailing_comments(&source[..position]);
    let end = before.trim_end().len();
    if end == 0 {
        return None;
    }
    let text = &source[..end];
    let last = text.chars().next_back()?;
    let start = if last == '"' {
        text[..end - 1].rfind('"').unwrap_or(end - 1)
    } else if is_word_char(last) {
        text.rfind(|c: char| !is_word_char(c)).map_or(0, |index| index + 1)
    } else {
        let last_two = text.get(end.saturating_sub(2)..end).unwrap_or("");
        if ["->", "==", "!=", "<=", ">="].contains(&last_two) { end - 2 } else { end - last.len_utf8() }
    };
    Some((&source[start..end], Span::new(start, end)))
}

/// Removes `// comment` tails from the lines of `text` so the previous token
/// is code, not commentary.
pub(crate) fn strip_trailing_comments(text: &str) -> &str {
    let mut text = text.trim_end();
    loop {
        let line_start = text.rfind('\n').map_or(0, |index| index + 1);
        let line = &text[line_start..];
        match comment_start(line) {
            Some(index) => text = text[..line_start + index].trim_end(),
            None => return text,
        }
    }
}

fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut previous = '\0';
    for (index, character) in line.char_indices() {
        match character {
            '"' if previous != '\\' => in_string = !in_string,
            '/' if !in_string && previous == '/' => return Some(index - 1),
            _ => {}
        }
        previous = character;
    }
    None
}
