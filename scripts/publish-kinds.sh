#!/usr/bin/env bash
# Issue 14's measurement (docs/benchmarks.md, "Publish kinds"): publishes the server three ways for linux-x64 into
# out/publish/ (framework-dependent, trimmed self-contained ReadyToRun, Native AOT), one build at a time, then starts
# each cold in interleaved rounds with the bench: start -> initialize response, start -> first completion, steady
# completion latency, size on disk and zipped. Usage: bash scripts/publish-kinds.sh [--rounds N] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for kind in framework r2r aot; do
  echo "publishing $kind" >&2
  bash scripts/publish-server.sh "$kind" linux-x64 "out/publish/$kind"
done
dotnet run -c Release --project bench/TransformerLsp.Bench -- \
  --publish-kinds "framework=out/publish/framework/transformer-lsp.dll,r2r=out/publish/r2r/transformer-lsp,aot=out/publish/aot/transformer-lsp" "$@"
