#!/usr/bin/env bash
# Installs, idempotently, every system and npm package the build and the tests need.
# Each part of the project lists what it needs in its own install script; this runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash models/install-deps.sh
bash tests/lsp-e2e/install-deps.sh
bash client/install-deps.sh
bash bench/TransformerLsp.Quality/install-deps.sh
