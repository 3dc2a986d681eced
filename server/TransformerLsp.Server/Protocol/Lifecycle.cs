using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

internal sealed record ClientInfo([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("version")] string? Version = null);

/// <summary>initialize params; client capabilities are kept as raw JSON and probed for the few bits we use.</summary>
internal sealed record InitializeParams
{
    [JsonPropertyName("processId")] public int? ProcessId { get; init; }
    [JsonPropertyName("clientInfo")] public ClientInfo? ClientInfo { get; init; }
    [JsonPropertyName("rootUri")] public string? RootUri { get; init; }
    /// <summary>Null when the client does not support workspace folders; then <see cref="RootUri"/> is the one folder.</summary>
    [JsonPropertyName("workspaceFolders")] public WorkspaceFolder[]? WorkspaceFolders { get; init; }
    [JsonPropertyName("capabilities")] public JsonElement? Capabilities { get; init; }
    [JsonPropertyName("initializationOptions")] public JsonElement? InitializationOptions { get; init; }
    [JsonPropertyName("trace")] public string? Trace { get; init; }
}

internal sealed record ServerInfo([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("version")] string Version);

internal sealed record InitializeResult(
    [property: JsonPropertyName("capabilities")] ServerCapabilities Capabilities,
    [property: JsonPropertyName("serverInfo")] ServerInfo ServerInfo);

internal sealed record ServerCapabilities
{
    [JsonPropertyName("positionEncoding")] public string PositionEncoding { get; init; } = "utf-16";
    [JsonPropertyName("textDocumentSync")] public TextDocumentSyncOptions TextDocumentSync { get; init; } = new();
    [JsonPropertyName("completionProvider")] public CompletionOptions CompletionProvider { get; init; } = new();
    [JsonPropertyName("inlineCompletionProvider")] public bool InlineCompletionProvider { get; init; } = true;
    [JsonPropertyName("hoverProvider")] public bool HoverProvider { get; init; } = true;
    [JsonPropertyName("codeActionProvider")] public CodeActionOptions CodeActionProvider { get; init; } = new();
    [JsonPropertyName("executeCommandProvider")] public ExecuteCommandOptions ExecuteCommandProvider { get; init; } = new();
    [JsonPropertyName("workspace")] public WorkspaceServerCapabilities Workspace { get; init; } = new();
}

internal sealed record TextDocumentSyncOptions
{
    [JsonPropertyName("openClose")] public bool OpenClose { get; init; } = true;
    /// <summary>2 = incremental.</summary>
    [JsonPropertyName("change")] public int Change { get; init; } = 2;
}

internal sealed record CompletionOptions
{
    /// <summary>
    /// None: the completion list opens when the editor's own word-based triggering or the user asks (Ctrl+Space);
    /// opening it after every space would stand in the user's way. Ghost text (inline completion) covers word boundaries.
    /// </summary>
    [JsonPropertyName("triggerCharacters")] public string[] TriggerCharacters { get; init; } = [];
    /// <summary>completionItem/resolve says where a suggestion comes from (the user's text, the corpus, the model).</summary>
    [JsonPropertyName("resolveProvider")] public bool ResolveProvider { get; init; } = true;
    [JsonPropertyName("completionItem")] public CompletionItemOptions CompletionItem { get; init; } = new();
}

internal sealed record CompletionItemOptions
{
    [JsonPropertyName("labelDetailsSupport")] public bool LabelDetailsSupport { get; init; } = true;
}

internal sealed record CodeActionOptions
{
    [JsonPropertyName("codeActionKinds")] public string[] CodeActionKinds { get; init; } = [Protocol.CodeActionKinds.QuickFix, Protocol.CodeActionKinds.RefactorRewrite];
    [JsonPropertyName("resolveProvider")] public bool ResolveProvider { get; init; }
}

internal sealed record ExecuteCommandOptions
{
    [JsonPropertyName("commands")] public string[] Commands { get; init; } = LspCommands.All;
}

internal sealed record SetTraceParams([property: JsonPropertyName("value")] string Value);

internal sealed record LogTraceParams([property: JsonPropertyName("message")] string Message, [property: JsonPropertyName("verbose")] string? Verbose = null);
