//! Generated rulesets of any size, for benchmarks and load tests of the
//! checker, the engine and the language server.

/// A ruleset of `rules` rules spread over files of at most 1,000 rules,
/// plus one file of shared declarations. Every rule is well-typed, cited
/// and distinct; rule `n` reads three of the 50 facts.
pub fn generated_ruleset(rules: usize) -> Vec<(String, String)> {
    let mut shared =
        String::from("ruleset generated \"Generated\"\n\nsource guide \"Generated guideline\" year 2026\n\n");
    shared.push_str("enum Level { low, medium, high }\n\n");
    for fact in 0..50 {
        let line = match fact % 5 {
            0 => format!("/// Fact {fact}.\nfact b{fact}: bool\n"),
            1 => format!("/// Fact {fact}.\nfact n{fact}: number\n"),
            2 => format!("/// Fact {fact}.\nfact q{fact}: number mmHg\n"),
            3 => format!("/// Fact {fact}.\nfact d{fact}: duration\n"),
            _ => format!("/// Fact {fact}.\nfact e{fact}: Level\n"),
        };
        shared.push_str(&line);
    }
    shared.push_str("\naction emergency(within: duration)\naction flag(level: Level)\n");
    let mut files = vec![("shared.osl".to_owned(), shared)];
    let mut text = String::new();
    for rule in 0..rules {
        let base = (rule * 5) % 50;
        text.push_str(&generated_rule(rule, base, 0));
        if (rule + 1) % 1000 == 0 || rule + 1 == rules {
            files.push((format!("rules_{:03}.osl", rule / 1000), std::mem::take(&mut text)));
        }
    }
    files
}

/// The text of generated rule `rule`; `variant` changes its body (for
/// edit benchmarks) without changing its name.
pub fn generated_rule(rule: usize, base: usize, variant: usize) -> String {
    let b = base;
    format!(
        "rule r{rule} \"Generated rule {rule}\":\n  b{b} and n{n} > {threshold} and q{q} < {pressure} mmHg or d{d} > 6h and e{e} in {{high, medium}} -> emergency(6h), flag(high)\n  cite guide\n\n",
        n = b + 1,
        q = b + 2,
        d = b + 3,
        e = b + 4,
        threshold = rule % 97 + variant,
        pressure = 50 + rule % 13,
    )
}
