//! The pest parser. The grammar is `osler.pest` plus `generated.pest`, the
//! rules that list words (keywords, units, time units), generated from the
//! one table of each (a test below keeps the file up to date).

/// The parser pest derives from the grammar.
#[derive(pest_derive::Parser)]
#[grammar = "syntax/osler.pest"]
#[grammar = "syntax/generated.pest"]
pub(crate) struct OslerParser;

#[cfg(test)]
mod tests {
    use crate::syntax::keywords::RESERVED_WORDS;
    use crate::units::{TimeUnit, Unit};

    /// `words` as pest alternatives, longest first: an ordered choice
    /// followed by `!ident_char` must not commit to a word that is a prefix
    /// of the one written (`mm` in `mmHg`).
    fn alternatives<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
        let mut words: Vec<&str> = words.into_iter().collect();
        words.sort_by_key(|word| std::cmp::Reverse(word.len()));
        words.iter().map(|word| format!("{word:?}")).collect::<Vec<_>>().join(" | ")
    }

    /// The text `generated.pest` must hold.
    fn generated_grammar() -> String {
        // A unit ending in a letter or digit must end a word (`mm` is no unit
        // in `mmol`); one ending in a symbol (`%`, `mm[Hg]`) ends itself, and
        // is tried first, so `mm` does not cut `mm[Hg]` short.
        let ends_word = |unit: &&str| unit.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        let units = Unit::ALL.map(Unit::as_str);
        let words = alternatives(units.iter().copied().filter(ends_word));
        let symbols = alternatives(units.iter().copied().filter(|unit| !ends_word(unit)));
        let time_units = alternatives(TimeUnit::ALL.map(TimeUnit::as_str));
        let keywords = alternatives(RESERVED_WORDS);
        format!(
            "// Generated from the keyword table (`dsl/src/syntax/keywords.rs`) and the\n\
             // unit enums (`dsl/src/units.rs`); do not edit. Rewrite it with\n\
             // `UPDATE_EXPECT=1 cargo test -p osler-dsl --lib generated_grammar`.\n\
             // Alternatives run longest first, so none is cut short by a shorter one\n\
             // that is its prefix.\n\
             \n\
             keyword = @{{ ( {keywords} ) ~ !ident_char }}\n\
             \n\
             duration_unit = @{{ {time_units} }}\n\
             \n\
             unit = @{{ {symbols} | ( {words} ) ~ !ident_char }}\n"
        )
    }

    #[test]
    fn generated_grammar_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/syntax/generated.pest");
        let wanted = generated_grammar();
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(path, &wanted).unwrap();
        } else {
            assert!(
                include_str!("generated.pest") == wanted,
                "{path} is out of date; run `UPDATE_EXPECT=1 cargo test -p osler-dsl --lib generated_grammar`\nwanted:\n{wanted}"
            );
        }
    }
}
