//! Each shipped ruleset's README embeds its data dictionary between
//! `<!-- dictionary:begin -->` and `<!-- dictionary:end -->`; it must be
//! exactly what `osler schema --format markdown` generates from the rules.
//! `UPDATE_EXPECT=1` rewrites the section.

use std::path::Path;
use std::process::Command;

const BEGIN: &str = "<!-- dictionary:begin -->";
const END: &str = "<!-- dictionary:end -->";

#[test]
fn shipped_ruleset_readmes_carry_the_generated_dictionary() {
    let rulesets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rulesets");
    let mut checked = 0;
    for entry in std::fs::read_dir(&rulesets).unwrap() {
        let ruleset = entry.unwrap().path();
        let readme_path = ruleset.join("README.md");
        let Ok(readme) = std::fs::read_to_string(&readme_path) else { continue };
        let output = Command::new(env!("CARGO_BIN_EXE_osler"))
            .args(["schema", "--format", "markdown"])
            .arg(&ruleset)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let generated = String::from_utf8(output.stdout).unwrap();
        let start = readme.find(BEGIN).unwrap_or_else(|| panic!("{} has no {BEGIN}", readme_path.display()));
        let end = readme.find(END).unwrap_or_else(|| panic!("{} has no {END}", readme_path.display()));
        let current = &readme[start + BEGIN.len()..end];
        let wanted = format!("\n{generated}");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            let updated = format!("{}{wanted}{}", &readme[..start + BEGIN.len()], &readme[end..]);
            std::fs::write(&readme_path, updated).unwrap();
        } else {
            assert!(
                current == wanted,
                "{}'s dictionary is out of date; run `UPDATE_EXPECT=1 cargo test -p osler --test dictionary`",
                readme_path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 1, "no ruleset README checked");
}
