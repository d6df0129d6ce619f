#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) from the npm
# registry, offline-friendly and idempotent, into a cache folder, and prints
# the path of its launcher on the last line of standard output.
#
# Why by hand: code-server's own postinstall runs `npm install` in its bundled
# VS Code, whose dependencies include @vscode/ripgrep (its postinstall
# downloads a binary from outside the npm registry, which this machine cannot
# reach) and native modules that must be compiled against the local Node.js
# headers. So we install every package with `--ignore-scripts`, put Debian's
# ripgrep where @vscode/ripgrep expects its binary, run the remaining install
# scripts with `npm rebuild`, and make the symlinks postinstall.sh would make.
#
# Needs: node 20 + npm, gcc/g++/make/python3 (node-gyp), libkrb5-dev
# (kerberos) and ripgrep (/usr/bin/rg). tests/editors.sh installs them.
#
# Environment: OSLER_EDITORS_CACHE (default ~/.cache/osler-editors),
# CODE_SERVER_VERSION (default 4.100.3, the newest whose engines accept
# Node 20).
set -euo pipefail

version="${CODE_SERVER_VERSION:-4.100.3}"
cache="${OSLER_EDITORS_CACHE:-$HOME/.cache/osler-editors}"
prefix="$cache/code-server-$version"
launcher="$prefix/node_modules/code-server/out/node/entry.js"

if [[ -f "$prefix/.complete" && -f "$launcher" ]]; then
  echo "code-server $version: cached in $prefix" >&2
  echo "$launcher"
  exit 0
fi

major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$major" != 20 ]]; then
  echo "install-code-server: code-server $version needs Node.js 20, found $(node --version)" >&2
  exit 1
fi
rg_binary="$(command -v rg || true)"
if [[ -z "$rg_binary" ]]; then
  echo "install-code-server: ripgrep (rg) is required: apt-get install ripgrep" >&2
  exit 1
fi

# Root may run install scripts; npx (node-pty calls `npx node-gyp`) must not
# stop to ask; node-gyp builds against the system headers (nodedir), never a
# downloaded copy.
export npm_config_unsafe_perm=true
export npm_config_yes=true
export npm_config_audit=false
export npm_config_fund=false
export npm_config_update_notifier=false
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node_version.h ]]; then
  export npm_config_nodedir=/usr
fi

staging="$prefix.partial"
rm -rf "$staging"
mkdir -p "$staging"
cd "$staging"
printf '{ "name": "osler-code-server", "private": true }\n' > package.json

log() { printf '== install-code-server: %s\n' "$*" >&2; }

log "npm install code-server@$version (scripts off)"
npm install --ignore-scripts --no-package-lock "code-server@$version" >&2

# Native modules of code-server itself (argon2 is needed at start-up even
# with --auth none). node-pre-gyp tries a download first, then builds.
log "build code-server's native modules"
npm rebuild argon2 >&2

cd node_modules/code-server/lib/vscode
log "npm install in lib/vscode (scripts off)"
npm install --omit=dev --ignore-scripts >&2

log "ripgrep from the system: $rg_binary"
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$rg_binary" node_modules/@vscode/ripgrep/bin/rg

# Every other package with an install step, built against the local headers.
mapfile -t scripted < <(node -e '
  const fs = require("fs"), path = require("path");
  const out = new Set();
  function visit(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith("@")) { visit(full); continue; }
      const manifest = path.join(full, "package.json");
      if (!fs.existsSync(manifest)) continue;
      const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"));
      const scripts = pkg.scripts || {};
      const native = fs.existsSync(path.join(full, "binding.gyp"));
      if ((scripts.preinstall || scripts.install || scripts.postinstall || native) && pkg.name !== "@vscode/ripgrep") out.add(pkg.name);
      const nested = path.join(full, "node_modules");
      if (fs.existsSync(nested)) visit(nested);
    }
  }
  visit("node_modules");
  console.log([...out].sort().join("\n"));
')
log "npm rebuild ${scripted[*]}"
npm rebuild "${scripted[@]}" >&2

# What postinstall.sh does after its npm install.
log "symlinks"
rm -rf node_modules.asar && ln -s node_modules node_modules.asar
(cd bin/remote-cli && rm -f code-server && ln -s code-linux.sh code-server)
(cd bin/helpers && rm -f browser.sh && ln -s browser-linux.sh browser.sh)

log "npm install in lib/vscode/extensions (scripts off)"
(cd extensions && npm install --omit=dev --ignore-scripts >&2 && node ./postinstall.mjs >/dev/null)

# Fail here, not in the test, when a native module did not build.
log "check native modules load"
node -e '
  for (const name of ["node-pty", "@vscode/spdlog", "kerberos", "native-watchdog", "@parcel/watcher"]) {
    require(name);
  }
' >&2
(cd "$staging" && node -e 'require("argon2")' >&2)

cd "$cache"
rm -rf "$prefix"
mv "$staging" "$prefix"
touch "$prefix/.complete"
log "installed in $prefix"
echo "$launcher"
