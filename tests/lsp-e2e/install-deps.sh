#!/usr/bin/env bash
# Installs the end-to-end test's npm packages (vscode-languageserver-protocol, vscode-jsonrpc). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "lsp-e2e: node and npm are required (Node 20+)" >&2
  exit 1
fi
if [ -d node_modules/vscode-languageserver-protocol ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "lsp-e2e: npm packages already installed"
  exit 0
fi
npm ci --no-audit --no-fund
