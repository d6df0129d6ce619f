#!/usr/bin/env bash
# Every test the project has: the Rust workspace (unit, corpus, property,
# incrementality, CLI and protocol tests, doctests), then the shipped
# rulesets checked and tested with the built `osler`.
# Run from anywhere: `bash tests/run-all.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --locked

echo "== benchmarks compile"
cargo bench --workspace --locked --no-run

osler="${CARGO_TARGET_DIR:-target}/debug/osler"
cargo build --locked -p osler

echo "== osler fmt --check rulesets"
"$osler" fmt --check rulesets

for ruleset in rulesets/*/; do
  echo "== osler check $ruleset"
  "$osler" check "$ruleset"
  echo "== osler test $ruleset"
  "$osler" test "$ruleset" --coverage-min 100
done

# Editors: the VS Code extension (build, package, grammar tests, end-to-end in
# code-server), Neovim and Emacs driving `osler lsp` headless. Installs what it
# needs (apt, npm) on a fresh machine; the screenshot lands in
# editors/vscode/test-results/vscode.png.
echo "== editors"
OSLER="$(cd "$(dirname "$osler")" && pwd)/osler" bash tests/editors.sh
