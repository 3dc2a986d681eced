#!/usr/bin/env bash
# Builds one .vsix at the repository root: the bundled client (esbuild), the server and the default model.
# The extension is staged in out/vsix/ so the repository's server/ sources never mix with the published server.
# Usage: npm run package                          the universal transformer-lsp-<version>.vsix: framework-dependent
#                                                 server (needs the .NET 10 runtime), every platform's ONNX Runtime
#        VSIX_TARGET=linux-x64 npm run package    transformer-lsp-linux-x64-<version>.vsix (vsce --target): a
#                                                 self-contained server for that platform, no .NET runtime needed, and
#                                                 only its ONNX Runtime library (scripts/publish-server.sh):
#            linux-x64      Native AOT (the publish kind chosen in docs/benchmarks.md, "Publish kinds")
#            linux-arm64, win32-x64, darwin-arm64, and win32-arm64 where NuGet serves the win-arm64 runtime packs
#                           trimmed self-contained ReadyToRun: Native AOT cannot cross-compile to another OS from
#                           Linux, nor to arm64 without an arm64 sysroot
#        npm run package:all                      every package above (client/package-all.sh)
#   SERVER_KIND=aot|r2r|framework overrides the kind for a target. Every package is checked by client/vsix-check.mjs.
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

case "$target" in
  "") rid=any kind=framework ;;
  linux-x64) rid=linux-x64 kind=aot ;;
  linux-arm64) rid=linux-arm64 kind=r2r ;;
  win32-x64) rid=win-x64 kind=r2r ;;
  win32-arm64) rid=win-arm64 kind=r2r ;;
  darwin-arm64) rid=osx-arm64 kind=r2r ;;
  *) log "error: unknown VSIX_TARGET $target"; exit 1 ;;
esac
kind=${SERVER_KIND:-$kind}
log "publishing the server ($kind, $rid)"
bash scripts/publish-server.sh "$kind" "$rid" "$stage/server"
if [ -n "$target" ] && [ "$kind" != framework ]; then
  # Which platform the self-contained server is for, in Node's names: the extension runs it only there.
  node -e 'const [p, a] = process.argv[1].split("-"); process.stdout.write(JSON.stringify({ platform: p, arch: a }) + "\n")' \
    "$target" > "$stage/server/platform.json"
elif [ -n "$target" ]; then
  # A framework-dependent server in a platform package: keep only that platform's ONNX Runtime library.
  for dir in "$stage"/server/runtimes/*/native; do
    case "$dir" in */runtimes/"$rid"/native) ;; *) rm -rf "$dir" ;; esac
  done
fi

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
cp client/icon.png "$stage/icon.png"
# The README's pictures (client/media/) travel with it; the Marketplace shows them from the package.
if [ -d client/media ]; then cp -r client/media "$stage/media"; fi
if [ -f LICENSE ]; then cp LICENSE "$stage/LICENSE"; fi
cp .vscodeignore "$stage/.vscodeignore"

log "packaging $vsix"
vsce=$PWD/node_modules/.bin/vsce
rm -f "$vsix"
# The manifest names no repository yet, so the README's picture stays a link inside the package
# (--no-rewrite-relative-links): VS Code's extension page shows it from there.
(cd "$stage" && "$vsce" package --no-dependencies --skip-license --allow-missing-repository --no-update-package-json \
  --no-rewrite-relative-links \
  ${target:+--target "$target"} --out "../../$vsix" </dev/null >&2)
test -f "$vsix" || { log "error: vsce made no $vsix"; exit 1; }

# The .vsix must hold the client, the right server for its target and the model, and no sources, tests or node_modules.
listing=$(node client/vsix-list.mjs "$vsix")
if [ "$kind" = framework ] && [ -n "$target" ]; then
  for required in extension/server/transformer-lsp.dll extension/server/transformer-lsp.runtimeconfig.json; do
    grep -qx "$required" <<<"$listing" || { log "error: $vsix lacks $required"; exit 1; }
  done
else
  node client/vsix-check.mjs "$vsix" "${target:-universal}"
fi
if [ -n "$model" ]; then
  grep -qx extension/server/model/config.json <<<"$listing" || { log "error: $vsix lacks the model"; exit 1; }
fi
if grep -E '\.ts$|\.map$|\.pdb$|node_modules/|/client/|/tests/|\.csproj$' <<<"$listing"; then
  log "error: $vsix holds sources, tests or node_modules (above)"; exit 1
fi
log "made $vsix ($(du -h "$vsix" | cut -f1), $(wc -l <<<"$listing") files; server folder without the model: $(du -sh --exclude=model "$stage/server" | cut -f1))"
echo "$vsix"
