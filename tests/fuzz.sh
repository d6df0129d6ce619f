#!/usr/bin/env bash
# The fuzz targets in fuzz/ (cargo-fuzz, libFuzzer), each for a bounded time.
# Installs cargo-fuzz (and the nightly toolchain) when missing, builds every
# target once, then runs each one in turn for FUZZ_SECONDS, starting from its
# committed seeds (fuzz/corpus/<target>/seed-*; what libFuzzer adds there is
# not committed). Prints each target's time and executions; exits non-zero
# when any target crashes, hangs (-timeout) or runs out of memory, naming the
# saved input and the command that replays it.
# Run from anywhere: `bash tests/fuzz.sh`.
# Environment:
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_TARGETS    space-separated targets (default: all of `cargo fuzz list`)
#   FUZZ_JOBS       parallel fuzzing processes per target (default 1)
#   FUZZ_TOOLCHAIN  the nightly toolchain to build with (default nightly)
#   FUZZ_BUILD      0 runs the binaries already in fuzz/target without building
#   FUZZ_SANITIZER  cargo-fuzz --sanitizer (default none: the project's crates
#                   forbid unsafe code, and without AddressSanitizer the
#                   targets run 2-3 times faster; `address` for a deeper run)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_JOBS:-1}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
sanitizer="${FUZZ_SANITIZER:-none}"

if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
  echo "== installing the $toolchain toolchain"
  rustup toolchain install "$toolchain" --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
cargo fuzz --version

fuzz() { cargo "+$toolchain" fuzz "$@"; }

# cargo-fuzz has no --locked: fail here if fuzz/Cargo.lock is stale.
cargo "+$toolchain" metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null

if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  mapfile -t targets < <(fuzz list --fuzz-dir fuzz)
fi

# Built once, then the binaries run directly: `cargo fuzz run` would
# rebuild before every target.
host=$(rustc "+$toolchain" -vV | sed -n 's/^host: //p')
bin_dir="fuzz/target/$host/release"
if [[ "${FUZZ_BUILD:-1}" != 0 ]]; then
  echo "== building ${#targets[@]} fuzz targets"
  build_started=$SECONDS
  fuzz build --fuzz-dir fuzz --target-dir fuzz/target --target "$host" --sanitizer "$sanitizer"
  echo "-- build: $((SECONDS - build_started))s"
fi

libfuzzer_flags=(
  "-max_total_time=$seconds"
  -rss_limit_mb=2048
  -timeout=10
  -print_final_stats=1
)
if ((jobs > 1)); then
  libfuzzer_flags+=("-fork=$jobs")
fi

logs=fuzz/artifacts/logs
mkdir -p "$logs"
failed=()
summary=()
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  if [[ ! -x "$bin_dir/$target" ]]; then
    echo "-- $target: no binary at $bin_dir/$target (build failed?)" >&2
    failed+=("$target")
    summary+=("$target: not built, FAILED")
    continue
  fi
  log="$logs/$target.log"
  echo "== fuzz $target (${seconds}s)"
  started=$SECONDS
  status=0
  flags=("${libfuzzer_flags[@]}")
  if [[ "$target" == lsp_* ]]; then
    # The server's background tasks (a diagnostics pass on the blocking
    # pool) outlive an input, which LeakSanitizer would report as a leak.
    flags+=(-detect_leaks=0)
  fi
  # Earlier finds (fuzz/regressions/<target>) are a read-only second corpus:
  # libFuzzer runs every one of them before fuzzing, so a fixed crash stays fixed.
  corpora=("fuzz/corpus/$target")
  [[ -d "fuzz/regressions/$target" ]] && corpora+=("fuzz/regressions/$target")
  "$bin_dir/$target" "${flags[@]}" "-artifact_prefix=fuzz/artifacts/$target/" \
    "${corpora[@]}" >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))
  runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
  if [[ -z "$runs" ]]; then
    runs=$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  fi
  line="$target: ${elapsed}s, ${runs:-?} executions"
  if ((status == 0)); then
    echo "-- $line, no crash"
  else
    input=$(grep -oE '(Test unit written to|saved to) [^ ]+' "$log" | tail -1 | awk '{print $NF}' || true)
    echo "-- $line, FAILED (exit $status)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY:|thread .* panicked)|^ALARM|^==[0-9]+== ERROR|out-of-memory' "$log" | head -5 || true
    if [[ -n "$input" ]]; then
      echo "   input: $input"
      echo "   replay: $bin_dir/$target $input   (or: cargo +$toolchain fuzz run --fuzz-dir fuzz $target $input)"
      echo "   minimise: cargo +$toolchain fuzz tmin --fuzz-dir fuzz $target $input"
    fi
    echo "   log: $log (last lines follow)"
    tail -n 40 "$log" | sed 's/^/   | /'
    line="$line, FAILED${input:+: $input}"
    failed+=("$target")
  fi
  summary+=("$line")
done

echo "== fuzz summary"
printf '  %s\n' "${summary[@]}"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if ((${#failed[@]} > 0)); then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
