#!/usr/bin/env bash
# Builds transformer-lsp-<version>.vsix at the repository root: the bundled client (esbuild), the server
# (dotnet publish, framework-dependent, so it runs on any OS with the .NET 10 runtime) and the default model.
# The extension is staged in out/vsix/ so the repository's server/ sources never mix with the published server.
# Usage: npm run package
#   VSIX_TARGET=linux-x64 (or win32-x64, darwin-arm64, ...) makes a platform-specific .vsix holding only that
#   platform's ONNX Runtime library (vsce --target); without it the .vsix is universal.
#   TRANSFORMER_LSP_ALLOW_NO_MODEL=1 packages without a model (for work on the harness before a model exists).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

stage=out/vsix
version=$(node -p "require('./package.json').version")
name=$(node -p "require('./package.json').name")
target=${VSIX_TARGET:-}
vsix="$name-${target:+$target-}$version.vsix"
log() { printf 'package: %s\n' "$*" >&2; }

rm -rf "$stage" && mkdir -p "$stage/dist" "$stage/server"

log "bundling the client"
node client/esbuild.mjs --production
cp dist/extension.js "$stage/dist/"

log "publishing the server (framework-dependent)"
dotnet publish server/TransformerLsp.Server/TransformerLsp.Server.csproj -c Release --self-contained false \
  -o "$stage/server" -p:DebugType=none -p:GenerateDocumentationFile=false -p:UseAppHost=false -p:SatelliteResourceLanguages=en -v quiet -nologo >&2
# ONNX Runtime's package carries mobile builds (android .aar, iOS xcframework) and import libraries: not for VS Code.
rm -rf "$stage/server/runtimes/android" "$stage/server/runtimes/ios"
find "$stage/server/runtimes" -name '*.lib' -delete 2>/dev/null || true
if [ -n "$target" ]; then
  case "$target" in
    linux-x64) keep=linux-x64 ;; linux-arm64) keep=linux-arm64 ;; win32-x64) keep=win-x64 ;;
    win32-arm64) keep=win-arm64 ;; darwin-arm64) keep=osx-arm64 ;; darwin-x64) keep=osx-x64 ;;
    *) log "error: unknown VSIX_TARGET $target"; exit 1 ;;
  esac
  for dir in "$stage"/server/runtimes/*/native; do
    case "$dir" in */runtimes/"$keep"/native) ;; *) rm -rf "$dir" ;; esac
  done
fi
test -f "$stage/server/transformer-lsp.dll" || { log "error: dotnet publish produced no transformer-lsp.dll"; exit 1; }

model=""
if [ -f models/default/config.json ]; then
  model=models/default
elif [ -f tests/fixtures/tiny-model/config.json ]; then
  model=tests/fixtures/tiny-model
  log "WARNING: models/default is absent: bundling the TINY TEST MODEL tests/fixtures/tiny-model (its suggestions are noise)"
elif [ "${TRANSFORMER_LSP_ALLOW_NO_MODEL:-}" = 1 ]; then
  log "WARNING: no model found (models/default, tests/fixtures/tiny-model): packaging WITHOUT a model"
else
  log "error: no model to bundle: neither models/default/config.json nor tests/fixtures/tiny-model/config.json exists"
  exit 1
fi
if [ -n "$model" ]; then
  log "bundling the model $model"
  mkdir -p "$stage/server/model"
  # Everything the server loads; test-only references (reference.json, weights.json) stay out.
  find "$model" -maxdepth 1 -type f ! -name 'reference.json' ! -name 'weights.json' ! -name '*.pt' \
    -exec cp {} "$stage/server/model/" \;
fi

log "writing the staged manifest"
node -e '
  const m = require("./package.json");
  for (const k of ["scripts", "devDependencies", "dependencies", "allowScripts", "private"]) delete m[k];
  require("fs").writeFileSync(process.argv[1], JSON.stringify(m, null, 2) + "\n");
' "$stage/package.json"
cp client/README.md "$stage/README.md"
cp client/CHANGELOG.md "$stage/CHANGELOG.md"
if [ -f LICENSE ]; then cp LICENSE "$stage/LICENSE"; fi
cp .vscodeignore "$stage/.vscodeignore"

log "packaging $vsix"
vsce=$PWD/node_modules/.bin/vsce
rm -f "$vsix"
(cd "$stage" && "$vsce" package --no-dependencies --skip-license --allow-missing-repository --no-update-package-json \
  ${target:+--target "$target"} --out "../../$vsix" </dev/null >&2)
test -f "$vsix" || { log "error: vsce made no $vsix"; exit 1; }

# The .vsix must hold the client, the server and the model, and no sources, tests or node_modules.
listing=$(node client/vsix-list.mjs "$vsix")
for required in extension/package.json extension/dist/extension.js extension/server/transformer-lsp.dll \
  extension/server/transformer-lsp.runtimeconfig.json; do
  grep -qx "$required" <<<"$listing" || { log "error: $vsix lacks $required"; exit 1; }
done
if [ -n "$model" ]; then
  grep -qx extension/server/model/config.json <<<"$listing" || { log "error: $vsix lacks the model"; exit 1; }
fi
if grep -E '\.ts$|\.map$|\.pdb$|node_modules/|/client/|/tests/|\.csproj$' <<<"$listing"; then
  log "error: $vsix holds sources, tests or node_modules (above)"; exit 1
fi
log "made $vsix ($(du -h "$vsix" | cut -f1), $(wc -l <<<"$listing") files)"
echo "$vsix"
