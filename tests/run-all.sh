#!/usr/bin/env bash
# Every test the project has, one suite after another; every suite runs even
# when an earlier one failed. Each suite prints its time and its own count;
# the last line sums them: `N passed, M failed` (a test is one Rust test, one
# ruleset `test` block, one lint or check command, one fuzz target, one
# editor suite; a suite that fails before it can count counts as one failure).
#
#   1. Rust: the workspace's unit, corpus, property, incrementality, CLI,
#      protocol and tidy tests (benchmarks and examples compiled once, in the
#      test profile), then the doctests.
#   2. The shipped rulesets: `osler fmt --check`, `osler check`, and their
#      `test` blocks with 100% rule coverage, with the `osler` the tests built.
#   3. Lints: `cargo fmt --check`, `cargo clippy --all-targets -D warnings`,
#      `cargo doc --no-deps` with warnings denied (rustup adds the rustfmt and
#      clippy components when missing).
#   4. The fuzz targets, FUZZ_SECONDS each (tests/fuzz.sh; installs the
#      nightly toolchain and cargo-fuzz when missing).
#   5. The editor integrations (tests/editors.sh; installs Debian packages
#      with apt as root or through sudo, the extension's npm packages, and
#      code-server into ~/.cache/osler-editors when missing).
#
# Run from anywhere: `bash tests/run-all.sh`.
# Environment: FUZZ_SECONDS (per fuzz target, default 60; 0 skips fuzzing),
# EDITORS=0 (skips the editor suite, for a machine without root or network).
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
total_passed=0
total_failed=0
failed_suites=()
suites=0
logs=$(mktemp -d)

# Counters: each reads a suite's log and exit status, prints "passed failed".
count_cargo() {
  awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed;/) p += $(i-1); if ($i ~ /^failed;/) f += $(i-1) } }
       END { print p + 0, f + 0 }' "$1"
}
count_summary() {
  # The last "N passed, M failed" line the suite printed.
  grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1 | awk '{ print $1, $3 }'
}
count_one() {
  if (($2 == 0)); then echo "1 0"; else echo "0 1"; fi
}

# suite NAME COUNTER COMMAND...: runs COMMAND, shows its output, adds its count.
suite() {
  local name=$1 counter=$2
  shift 2
  echo "== $name"
  suites=$((suites + 1))
  local suite_started=$SECONDS log="$logs/$suites.log" status=0
  "$@" 2>&1 | tee "$log" || status=$?
  local passed=0 failed=0
  read -r passed failed < <("$counter" "$log" "$status")
  passed=${passed:-0}
  failed=${failed:-0}
  if ((status != 0 && failed == 0)); then failed=1; fi
  if ((status == 0 && passed == 0 && failed == 0)); then passed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  ((status == 0)) || failed_suites+=("$name")
  echo "-- $name: $passed passed, $failed failed, $((SECONDS - suite_started))s"
}

suite "cargo test: compile every target (tests, benchmarks, examples)" count_one \
  cargo test --workspace --all-targets --locked --no-run
suite "cargo test (workspace: unit, integration, tidy)" count_cargo \
  cargo test --workspace --lib --bins --tests --examples --locked
suite "cargo test --doc" count_cargo \
  cargo test --workspace --doc --locked

# The binary the CLI tests ran; built by the suites above with the same
# features, so nothing is compiled again.
osler="${CARGO_TARGET_DIR:-target}/debug/osler"
suite "osler fmt --check rulesets" count_one "$osler" fmt --check rulesets
for ruleset in rulesets/*/; do
  suite "osler check $ruleset" count_one "$osler" check "$ruleset"
  suite "osler test $ruleset --coverage-min 100" count_summary "$osler" test "$ruleset" --coverage-min 100
done
echo "-- Rust and ruleset suites: $((SECONDS - started))s"

# The lint suites need rustfmt and clippy (rustup installs them when missing).
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done
suite "cargo fmt --check" count_one cargo fmt --all --check
suite "cargo clippy --all-targets -D warnings" count_one \
  cargo clippy --workspace --all-targets --locked -- -D warnings
suite "cargo doc --no-deps (warnings denied)" count_one \
  env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

if [[ "${FUZZ_SECONDS:-60}" != 0 ]]; then
  suite "fuzz targets (${FUZZ_SECONDS:-60}s each)" count_summary bash tests/fuzz.sh
else
  echo "== fuzz targets: skipped (FUZZ_SECONDS=0)"
fi

if [[ "${EDITORS:-1}" != 0 ]]; then
  suite "editors (VS Code, Neovim, Emacs)" count_summary \
    env OSLER="$(cd "$(dirname "$osler")" && pwd)/osler" bash tests/editors.sh
else
  echo "== editors: skipped (EDITORS=0)"
fi

rm -rf "$logs"
echo "== total: $((SECONDS - started))s"
for name in "${failed_suites[@]}"; do echo "FAILED: $name"; done
echo "$total_passed passed, $total_failed failed"
((total_failed == 0))
