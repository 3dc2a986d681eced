#!/usr/bin/env bash
# Builds every package (npm run package:all): one .vsix per platform with a self-contained server, then the universal
# one for every other platform (needs the .NET 10 runtime). About 10 minutes on 2 cores; each is checked as it is made.
# win32-arm64 (VSIX_TARGET=win32-arm64) is left out: the NuGet feed this project is built from does not serve the
# win-arm64 runtime packs, so Windows on Arm gets the universal package.
set -euo pipefail
cd "$(dirname "$0")/.."
made=()
for target in linux-x64 linux-arm64 win32-x64 darwin-arm64 ""; do
  made+=("$(VSIX_TARGET=$target bash client/package.sh | tail -1)")
done
for vsix in "${made[@]}"; do printf '%s\t%s\n' "$(du -h "$vsix" | cut -f1)" "$vsix"; done
