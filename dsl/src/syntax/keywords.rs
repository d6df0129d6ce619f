//! The language's keywords, listed once. The grammar's `keyword` rule is
//! generated from this table (`generated.pest`), and the splitter, the
//! error messages, the formatter and the editor read their views of it.

/// A word with keyword meaning.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Keyword {
    /// The word as written.
    pub word: &'static str,
    /// Whether the grammar refuses it as a name everywhere. `test`,
    /// `baseline`, `year`, `url` and the words of a test's `expect` forms
    /// (`nothing`, `fires`, `from`, `undetermined`, `examine`) are keywords
    /// only where they stand, so they stay usable as names
    /// (`order(test: Test)`).
    pub reserved: bool,
    /// Whether it starts a declaration.
    pub declaration: bool,
}

const fn keyword(word: &'static str, reserved: bool, declaration: bool) -> Keyword {
    Keyword { word, reserved, declaration }
}

/// Every keyword, in the order completions and messages list them.
pub const KEYWORDS: [Keyword; 33] = [
    keyword("ruleset", true, true),
    keyword("source", true, true),
    keyword("year", false, false),
    keyword("url", false, false),
    keyword("enum", true, true),
    keyword("fact", true, true),
    keyword("let", true, true),
    keyword("action", true, true),
    keyword("rule", true, true),
    keyword("overrides", true, false),
    keyword("cite", true, false),
    keyword("test", false, true),
    keyword("baseline", false, true),
    keyword("assert", true, true),
    keyword("exclusive", true, true),
    keyword("priority", true, true),
    keyword("given", true, false),
    keyword("expect", true, false),
    keyword("nothing", false, false),
    keyword("fires", false, false),
    keyword("from", false, false),
    keyword("undetermined", false, false),
    keyword("examine", false, false),
    keyword("and", true, false),
    keyword("or", true, false),
    keyword("not", true, false),
    keyword("in", true, false),
    keyword("true", true, false),
    keyword("false", true, false),
    keyword("bool", true, false),
    keyword("number", true, false),
    keyword("duration", true, false),
    keyword("string", true, false),
];

/// Which view of [`KEYWORDS`] to take.
#[derive(Clone, Copy)]
enum View {
    Reserved,
    Declaration,
}

/// The words of [`KEYWORDS`] in `view`, in order. Evaluated at compile
/// time, so a count that disagrees with the table does not build.
const fn select<const N: usize>(view: View) -> [&'static str; N] {
    let mut out = [""; N];
    let mut index = 0;
    let mut count = 0;
    while index < KEYWORDS.len() {
        let keyword = KEYWORDS[index];
        let wanted = match view {
            View::Reserved => keyword.reserved,
            View::Declaration => keyword.declaration,
        };
        if wanted {
            assert!(count < N, "the view has more words than its length");
            out[count] = keyword.word;
            count += 1;
        }
        index += 1;
    }
    assert!(count == N, "the view has fewer words than its length");
    out
}

/// The words that start a declaration.
pub const DECLARATION_KEYWORDS: [&str; 12] = select(View::Declaration);

/// The words the grammar reserves (its `keyword` rule): never a name.
pub const RESERVED_WORDS: [&str; 24] = select(View::Reserved);

/// Whether `word` has keyword meaning somewhere (for spacing and
/// highlighting; see [`is_reserved`] for what can never be a name).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|keyword| keyword.word == word)
}

/// Whether `word` is reserved: never usable as a name.
pub fn is_reserved(word: &str) -> bool {
    RESERVED_WORDS.contains(&word)
}
