#!/usr/bin/env bash
# Every test the project has: the Rust workspace (unit, corpus, property,
# incrementality, CLI and protocol tests, doctests), the shipped rulesets
# checked and tested with the built `osler`, the fuzz targets for a bounded
# time, then the editor integrations. Each suite prints its time.
# Run from anywhere: `bash tests/run-all.sh`.
# Environment: FUZZ_SECONDS (per fuzz target, default 60; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
suite_started=$SECONDS
suite() {
  if [[ -n "${suite_name:-}" ]]; then
    echo "-- $suite_name: $((SECONDS - suite_started))s"
  fi
  suite_name="$*"
  suite_started=$SECONDS
  echo "== $suite_name"
}

suite "cargo test (workspace)"
cargo test --workspace --locked

suite "benchmarks compile"
cargo bench --workspace --locked --no-run

osler="${CARGO_TARGET_DIR:-target}/debug/osler"
cargo build --locked -p osler

suite "osler fmt --check rulesets"
"$osler" fmt --check rulesets

for ruleset in rulesets/*/; do
  suite "osler check + test $ruleset"
  "$osler" check "$ruleset"
  "$osler" test "$ruleset" --coverage-min 100
done

if [[ "${FUZZ_SECONDS:-60}" != 0 ]]; then
  suite "fuzz targets (${FUZZ_SECONDS:-60}s each)"
  bash tests/fuzz.sh
fi

# Editors: the VS Code extension (build, package, grammar tests, end-to-end in
# code-server), Neovim and Emacs driving `osler lsp` headless. Installs what it
# needs (apt, npm) on a fresh machine; the screenshot lands in
# editors/vscode/test-results/vscode.png.
suite "editors (each editor suite prints its own time; total so far $((SECONDS - started))s)"
OSLER="$(cd "$(dirname "$osler")" && pwd)/osler" bash tests/editors.sh
