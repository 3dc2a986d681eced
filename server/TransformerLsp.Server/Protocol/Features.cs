using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

internal sealed record CompletionContext([property: JsonPropertyName("triggerKind")] int TriggerKind, [property: JsonPropertyName("triggerCharacter")] string? TriggerCharacter = null);

internal sealed record CompletionParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position,
    [property: JsonPropertyName("context")] CompletionContext? Context = null);

internal sealed record CompletionItemLabelDetails([property: JsonPropertyName("detail")] string? Detail = null, [property: JsonPropertyName("description")] string? Description = null);

internal sealed record CompletionItem
{
    [JsonPropertyName("label")] public required string Label { get; init; }
    [JsonPropertyName("labelDetails")] public CompletionItemLabelDetails? LabelDetails { get; init; }
    /// <summary>1 = Text, 15 = Snippet is never used (plain text only).</summary>
    [JsonPropertyName("kind")] public int Kind { get; init; } = 1;
    [JsonPropertyName("detail")] public string? Detail { get; init; }
    [JsonPropertyName("sortText")] public string? SortText { get; init; }
    [JsonPropertyName("filterText")] public string? FilterText { get; init; }
    /// <summary>1 = PlainText.</summary>
    [JsonPropertyName("insertTextFormat")] public int InsertTextFormat { get; init; } = 1;
    [JsonPropertyName("textEdit")] public TextEdit? TextEdit { get; init; }
    [JsonPropertyName("preselect")] public bool? Preselect { get; init; }
    /// <summary>Filled in by completionItem/resolve: where the suggestion comes from.</summary>
    [JsonPropertyName("documentation")] public MarkupContent? Documentation { get; init; }
    /// <summary>What completionItem/resolve needs (<see cref="CompletionItemData"/>); the client hands it back unchanged.</summary>
    [JsonPropertyName("data")] public CompletionItemData? Data { get; init; }
}

/// <summary>A completion item's document, cursor offset (UTF-16) and the text it inserts after the cursor.</summary>
internal sealed record CompletionItemData(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("offset")] int Offset,
    [property: JsonPropertyName("insert")] string Insert);

internal sealed record CompletionList([property: JsonPropertyName("isIncomplete")] bool IsIncomplete, [property: JsonPropertyName("items")] CompletionItem[] Items)
{
    public static CompletionList Empty => new(true, []);
}

internal sealed record InlineCompletionContext(
    [property: JsonPropertyName("triggerKind")] int TriggerKind,
    [property: JsonPropertyName("selectedCompletionInfo")] JsonElement? SelectedCompletionInfo = null);

internal sealed record InlineCompletionParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position,
    [property: JsonPropertyName("context")] InlineCompletionContext? Context = null);

internal sealed record InlineCompletionItem(
    [property: JsonPropertyName("insertText")] string InsertText,
    [property: JsonPropertyName("range")] Range? Range = null,
    [property: JsonPropertyName("filterText")] string? FilterText = null);

internal sealed record InlineCompletionList([property: JsonPropertyName("items")] InlineCompletionItem[] Items)
{
    public static InlineCompletionList Empty => new([]);
}

internal sealed record HoverParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position);

internal sealed record Hover([property: JsonPropertyName("contents")] MarkupContent Contents, [property: JsonPropertyName("range")] Range? Range = null);

internal static class CodeActionKinds
{
    public const string QuickFix = "quickfix";
    public const string RefactorRewrite = "refactor.rewrite";
}

internal sealed record CodeActionContext
{
    [JsonPropertyName("diagnostics")] public Diagnostic[] Diagnostics { get; init; } = [];
    [JsonPropertyName("only")] public string[]? Only { get; init; }
    [JsonPropertyName("triggerKind")] public int? TriggerKind { get; init; }
}

internal sealed record CodeActionParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("range")] Range Range,
    [property: JsonPropertyName("context")] CodeActionContext? Context = null);

internal sealed record CodeAction
{
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("diagnostics")] public Diagnostic[]? Diagnostics { get; init; }
    [JsonPropertyName("isPreferred")] public bool? IsPreferred { get; init; }
    [JsonPropertyName("edit")] public WorkspaceEdit? Edit { get; init; }
}

internal static class DiagnosticSeverity
{
    public const int Error = 1, Warning = 2, Information = 3, Hint = 4;
}

internal sealed record Diagnostic
{
    [JsonPropertyName("range")] public required Range Range { get; init; }
    [JsonPropertyName("severity")] public int? Severity { get; init; }
    /// <summary>A string for ours; other servers may send numbers, so it is read as raw JSON.</summary>
    [JsonPropertyName("code")] public object? Code { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("message")] public required string Message { get; init; }
    /// <summary>For improbable words: { "replacement": "..." } (used by the quick fix).</summary>
    [JsonPropertyName("data")] public JsonElement? Data { get; init; }
}

internal sealed record PublishDiagnosticsParams(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("diagnostics")] Diagnostic[] Diagnostics,
    [property: JsonPropertyName("version")] int? Version = null);

internal sealed record ExecuteCommandParams(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("arguments")] JsonElement[]? Arguments = null);

internal sealed record DidChangeConfigurationParams([property: JsonPropertyName("settings")] JsonElement? Settings = null);
