using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

/// <summary>
/// Source-generated System.Text.Json metadata for every type that crosses the wire, so that no message is read or
/// written by reflection and the server publishes as Native AOT (docs/benchmarks.md, "Publish kinds").
/// </summary>
/// <remarks>It is the only resolver of <see cref="LspJson.Options"/>: a type missing here fails in every build and
/// test (NotSupportedException), not only in the published binary. Handler results typed <c>object</c> (executeCommand)
/// are written by their runtime type, which must be listed too.</remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
// Requests and their results
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(CompletionParams))]
[JsonSerializable(typeof(CompletionList))]
[JsonSerializable(typeof(CompletionItem))]
[JsonSerializable(typeof(InlineCompletionParams))]
[JsonSerializable(typeof(InlineCompletionList))]
[JsonSerializable(typeof(HoverParams))]
[JsonSerializable(typeof(Hover))]
[JsonSerializable(typeof(CodeActionParams))]
[JsonSerializable(typeof(CodeAction[]))]
[JsonSerializable(typeof(ExecuteCommandParams))]
// Notifications from the client
[JsonSerializable(typeof(DidOpenTextDocumentParams))]
[JsonSerializable(typeof(DidChangeTextDocumentParams))]
[JsonSerializable(typeof(TextDocumentContentChangeEvent))]
[JsonSerializable(typeof(DidCloseTextDocumentParams))]
[JsonSerializable(typeof(DidChangeConfigurationParams))]
[JsonSerializable(typeof(DidChangeWorkspaceFoldersParams))]
[JsonSerializable(typeof(DidChangeWatchedFilesParams))]
[JsonSerializable(typeof(SetTraceParams))]
// What the server sends on its own initiative
[JsonSerializable(typeof(ShowMessageParams))]
[JsonSerializable(typeof(LogMessageParams))]
[JsonSerializable(typeof(LogTraceParams))]
[JsonSerializable(typeof(PublishDiagnosticsParams))]
[JsonSerializable(typeof(StatusParams))]
[JsonSerializable(typeof(RegistrationParams))]
[JsonSerializable(typeof(DidChangeWatchedFilesRegistrationOptions))]
[JsonSerializable(typeof(WorkDoneProgressCreateParams))]
[JsonSerializable(typeof(ProgressParams<WorkDoneProgressBegin>))]
[JsonSerializable(typeof(ProgressParams<WorkDoneProgressReport>))]
[JsonSerializable(typeof(ProgressParams<WorkDoneProgressEnd>))]
// workspace/executeCommand: arguments and results
[JsonSerializable(typeof(BeamSearchArguments))]
[JsonSerializable(typeof(BeamSearchResult))]
[JsonSerializable(typeof(FillMaskArguments))]
[JsonSerializable(typeof(FillMaskResult))]
[JsonSerializable(typeof(NextTokensArguments))]
[JsonSerializable(typeof(NextTokensResult))]
// Loose values: raw params, diagnostic codes and data, results typed object
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(JsonElement?))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(Dictionary<string, string>))]
// StreamJsonRpc's own: the id in $/cancelRequest, read with these options (its converter, in the formatter's options,
// does the work; the generated metadata only has to exist).
[JsonSerializable(typeof(StreamJsonRpc.RequestId))]
internal sealed partial class LspJsonContext : JsonSerializerContext;
