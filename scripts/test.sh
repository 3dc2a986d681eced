#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian machine with the .NET 10 SDK and Node 20.
# README.md gives this as "the test command"; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

step() { printf '\n=== %s ===\n' "$*" >&2; }

step "install what the tests need (apt, npm)"
bash scripts/install-deps.sh

step "format and lint checks (scripts/lint.sh: flake8 and black for Python, ESLint and Prettier for TypeScript)"
bash scripts/lint.sh

step "C# tests (engine, server, and the repository's docs check)"
dotnet test TransformerLsp.sln -c Release --logger "console;verbosity=normal"

step "suggestion quality, CI's quick form (bench/TransformerLsp.Quality; the full run and docs/quality.md are made by hand)"
dotnet run -c Release --project bench/TransformerLsp.Quality -- --quick --no-docs --json "${TMPDIR:-/tmp}/transformer-lsp-quality-quick.json"

step "model recipe smoke run (tiny config: train a few steps, export, load in ONNX Runtime)"
bash models/smoke-test.sh

step "LSP end-to-end over stdio with vscode-languageserver-protocol"
bash tests/lsp-e2e/run.sh

step "VS Code extension: unit tests, .vsix, end-to-end in code-server + Chromium"
bash client/test/run.sh

echo "all test suites passed"
