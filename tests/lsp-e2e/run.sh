#!/usr/bin/env bash
# Builds the server (Release) and runs the end-to-end tests: the built server as a process over stdio, driven by
# vscode-languageserver-protocol, plus the latency measurement (default model when present, tiny fixture otherwise).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$root/server/TransformerLsp.Server/TransformerLsp.Server.csproj" -c Release --nologo -v quiet
[ -d "$here/node_modules/vscode-languageserver-protocol" ] || bash "$here/install-deps.sh"
cd "$here"
node --test --test-concurrency=1 --test-reporter=spec e2e.test.mjs latency.test.mjs
if [ -f .e2e/latency.json ]; then cat .e2e/latency.json; fi
