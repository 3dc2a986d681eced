using System.Text.Json;
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

/// <summary>didChange params. The changes stay raw JSON until <see cref="ReadChanges"/>, so that one malformed change
/// is reported as itself and does not take the notification's other changes with it.</summary>
internal sealed record DidChangeTextDocumentParams(
    [property: JsonPropertyName("textDocument")] VersionedTextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("contentChanges")] JsonElement[] ContentChanges)
{
    /// <summary>Each change in order: the change, or why it is not one (naming its index and field).</summary>
    public IEnumerable<(TextDocumentContentChangeEvent? Change, string? Problem)> ReadChanges()
    {
        for (var i = 0; i < ContentChanges.Length; i++)
        {
            TextDocumentContentChangeEvent? change = null;
            string? problem = null;
            try { change = LspJson.Read<TextDocumentContentChangeEvent>(ContentChanges[i], $"contentChanges[{i}]"); }
            catch (InvalidParamsException e) { problem = e.Message; }
            yield return (change, problem);
        }
    }
}

internal sealed record DidCloseTextDocumentParams([property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument);
