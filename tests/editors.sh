#!/usr/bin/env bash
# The editor integrations (editors/), tested in the editors themselves:
#   1. installs what is missing: Debian packages (chromium, neovim, emacs-nox
#      + elpa-eglot before Emacs 29, ripgrep, libkrb5-dev, build tools) and
#      the extension's npm packages (npm ci, from package-lock.json);
#   2. builds `osler` (or takes $OSLER) and checks it has `osler lsp`;
#   3. builds, type-checks and packages the VS Code extension (.vsix);
#   4. grammar tests (vscode-tmgrammar-test) and grammar coverage of every
#      shipped ruleset;
#   5. headless Neovim and headless Emacs (eglot) against `osler lsp`;
#   6. the VS Code end-to-end test: code-server 4.100.3 (installed once into
#      ~/.cache/osler-editors), the .vsix installed, Debian's Chromium driven
#      by playwright-core; screenshot in editors/vscode/test-results/.
# Every suite runs even when an earlier one failed; the last line says
# "editors: N passed, N failed". Run from anywhere: `bash tests/editors.sh`.
#
# Environment: OSLER (an osler binary to use instead of building one),
# OSLER_EDITORS_CACHE (default ~/.cache/osler-editors),
# OSLER_UPDATE_SCREENSHOT=1 (copy the new screenshot to editors/screenshot.png).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
started=$SECONDS

section() { printf '\n== %s (%ds)\n' "$*" "$((SECONDS - started))"; }
die() { printf 'editors.sh: %s\n' "$*" >&2; exit 2; }

# ---------------------------------------------------------------- system packages
section "system packages"
as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to install: $*"
  fi
}
missing=()
need() { dpkg -s "$1" >/dev/null 2>&1 || missing+=("$1"); }
need chromium
need neovim
need emacs-nox
need ripgrep
need libkrb5-dev
need g++
need make
need python3
need fonts-dejavu-core
if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Eglot is built into Emacs from 29; Debian 12 has Emacs 28, so the ELPA package.
emacs_major="$(emacs --batch --eval '(princ emacs-major-version)' 2>/dev/null)"
if ((emacs_major < 29)) && ! dpkg -s elpa-eglot >/dev/null 2>&1; then
  echo "installing: elpa-eglot (Emacs $emacs_major)"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends elpa-eglot
fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
((node_major >= 20)) || die "Node.js 20 is required (found $(node --version 2>/dev/null || echo none))"
echo "node $(node --version), npm $(npm --version 2>/dev/null), $(nvim --version | head -1), Emacs $emacs_major, $(chromium --version 2>/dev/null)"

# ---------------------------------------------------------------- osler
section "osler binary"
if [[ -n "${OSLER:-}" ]]; then
  osler="$(realpath "$OSLER")"
else
  cargo build --locked -p osler
  osler="$(realpath "${CARGO_TARGET_DIR:-target}/debug/osler")"
fi
if ! "$osler" lsp --help >/dev/null 2>&1; then
  die "$osler has no \`lsp\` subcommand: the editor tests need \`osler lsp\` (cli/src/main.rs)"
fi
echo "$osler"
export OSLER="$osler"

# ---------------------------------------------------------------- results
passed=0
failed=()
run_suite() {
  local name="$1"
  shift
  section "$name"
  local suite_started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "-- $name: passed ($((SECONDS - suite_started))s)"
  else
    failed+=("$name")
    echo "-- $name: FAILED ($((SECONDS - suite_started))s)"
  fi
}

# ---------------------------------------------------------------- the extension
extension="$repo/editors/vscode"
npm_install() {
  # npm ci only when package-lock.json changed since the last install.
  # --ignore-scripts: no package here needs one (esbuild finds its platform
  # binary package by itself) and @vscode/vsce-sign's would download.
  local stamp="$extension/node_modules/.osler-lock.sha256"
  local want
  want="$(sha256sum "$extension/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "node_modules up to date with package-lock.json"
    return 0
  fi
  (cd "$extension" && npm ci --ignore-scripts --no-audit --no-fund) && echo "$want" > "$stamp"
}
build_extension() {
  (cd "$extension" && rm -rf dist && npm run --silent build && npm run --silent package) &&
    test -s "$extension/dist/osler.vsix" && echo "built $extension/dist/osler.vsix"
}
grammar_tests() {
  (cd "$extension" &&
    npx --no-install vscode-tmgrammar-test -g syntaxes/osler.tmLanguage.json 'test/grammar/*.osl' &&
    node test/grammar-coverage.mjs)
}
neovim_test() {
  # A private XDG tree: a fresh LSP log (printed on failure), no user config.
  local home
  home="$(mktemp -d)"
  XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_STATE_HOME="$home/state" XDG_CACHE_HOME="$home/cache" \
    timeout 180 nvim --headless -n -i NONE -u NONE -c "luafile $repo/editors/nvim/test/headless.lua"
  local status=$?
  rm -rf "$home"
  return $status
}
emacs_test() {
  timeout 180 emacs -Q --batch -l "$repo/editors/emacs/test/headless.el"
}
vscode_e2e() {
  local entry
  entry="$(bash "$extension/e2e/install-code-server.sh" | tail -1)" || return 1
  (cd "$extension" && CODE_SERVER_ENTRY="$entry" timeout 900 node e2e/vscode.e2e.mjs) || {
    echo "screenshots: $extension/test-results/"
    return 1
  }
  echo "screenshot: $extension/test-results/vscode.png"
  if [[ "${OSLER_UPDATE_SCREENSHOT:-}" == 1 ]]; then
    cp "$extension/test-results/vscode.png" "$repo/editors/screenshot.png"
    echo "updated editors/screenshot.png"
  fi
}

run_suite "npm ci (editors/vscode)" npm_install
run_suite "build and package the extension" build_extension
run_suite "grammar tests" grammar_tests
run_suite "neovim headless" neovim_test
run_suite "emacs headless (eglot)" emacs_test
if [[ -s "$extension/dist/osler.vsix" ]]; then
  run_suite "vscode end-to-end (code-server + chromium)" vscode_e2e
else
  failed+=("vscode end-to-end (no .vsix)")
fi

section "summary"
for name in "${failed[@]}"; do echo "FAILED: $name"; done
echo "editors: ${passed} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
