#!/usr/bin/env bash
# Publishes the language server one of three ways into OUT (emptied first); the one home of the publish flags, used by
# client/package.sh and scripts/publish-kinds.sh. docs/benchmarks.md ("Publish kinds") compares them.
# Usage: bash scripts/publish-server.sh KIND RID OUT
#   KIND framework  framework-dependent transformer-lsp.dll, any OS with the .NET 10 runtime (RID: "any"; every
#                   platform's ONNX Runtime library under runtimes/)
#        aot        Native AOT: one executable transformer-lsp, no .NET runtime needed. Needs clang and lld (Debian) and
#                   can only target the OS it runs on (here linux-x64; linux-arm64 would need an arm64 sysroot)
#        r2r        self-contained, trimmed, ReadyToRun: transformer-lsp(.exe) with the trimmed runtime beside it, no .NET
#                   runtime needed; the SDK builds it for any RID from Linux (win-x64, osx-arm64, linux-arm64, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
kind=${1:?usage: publish-server.sh KIND RID OUT}
rid=${2:?usage: publish-server.sh KIND RID OUT}
out=${3:?usage: publish-server.sh KIND RID OUT}
project=server/TransformerLsp.Server/TransformerLsp.Server.csproj
common=(-c Release -o "$out" -p:DebugType=none -p:SatelliteResourceLanguages=en -nologo -v quiet)
case "$kind" in
  framework) args=(--self-contained false -p:UseAppHost=false) ;;
  aot) args=(-r "$rid" -p:PublishAot=true) ;;
  # ILLink reports trim warnings inside StreamJsonRpc, Microsoft.VisualStudio.Threading and Newtonsoft.Json (which
  # StreamJsonRpc references; the server never calls it): DebuggerDisplay getters and reflection paths the server does
  # not take. They stay warnings here; the server's own code is held to the trim analyzers at compile time.
  r2r) args=(-r "$rid" --self-contained true -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:ILLinkTreatWarningsAsErrors=false) ;;
  *) echo "publish-server: unknown kind $kind (framework, aot, r2r)" >&2; exit 2 ;;
esac
rm -rf "$out"
dotnet publish "$project" "${common[@]}" "${args[@]}" >&2
# The XML doc files exist for the analyzers (IDE0005 needs them at build time), not for users.
find "$out" -maxdepth 1 -name '*.xml' -delete
# ONNX Runtime's package carries mobile builds (android .aar, iOS xcframework) and import libraries: not for VS Code.
rm -rf "$out/runtimes/android" "$out/runtimes/ios"
find "$out" -name '*.lib' -delete
