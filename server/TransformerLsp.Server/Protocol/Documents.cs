using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

internal sealed record DidOpenTextDocumentParams([property: JsonPropertyName("textDocument")] TextDocumentItem TextDocument);

internal sealed record TextDocumentContentChangeEvent
{
    /// <summary>Absent = the whole document is replaced.</summary>
    [JsonPropertyName("range")] public Range? Range { get; init; }
    [JsonPropertyName("rangeLength")] public int? RangeLength { get; init; }
    [JsonPropertyName("text")] public string Text { get; init; } = "";
}

internal sealed record DidChangeTextDocumentParams(
    [property: JsonPropertyName("textDocument")] VersionedTextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("contentChanges")] TextDocumentContentChangeEvent[] ContentChanges);

internal sealed record DidCloseTextDocumentParams([property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument);
