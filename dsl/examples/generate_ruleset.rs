//! Writes a generated ruleset of N rules to a folder, for timing `osler
//! check` and the language server on large rulesets:
//! `cargo run --release -p osler-dsl --example generate_ruleset -- 10000 /tmp/gen10k`.

fn main() {
    let mut args = std::env::args().skip(1);
    let rules: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "generated".to_owned()));
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {error}", dir.display());
        std::process::exit(2);
    }
    for (name, text) in osler_dsl::generate::generated_ruleset(rules) {
        if let Err(error) = std::fs::write(dir.join(&name), text) {
            eprintln!("cannot write {name}: {error}");
            std::process::exit(2);
        }
    }
    println!("wrote {rules} rules to {}", dir.display());
}
