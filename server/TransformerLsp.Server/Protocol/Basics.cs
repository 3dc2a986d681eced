using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

/// <summary>A zero-based line and UTF-16 code-unit column.</summary>
internal sealed record Position([property: JsonPropertyName("line")] int Line, [property: JsonPropertyName("character")] int Character);

/// <summary>A start-inclusive, end-exclusive range.</summary>
internal sealed record Range([property: JsonPropertyName("start")] Position Start, [property: JsonPropertyName("end")] Position End);

internal sealed record TextEdit([property: JsonPropertyName("range")] Range Range, [property: JsonPropertyName("newText")] string NewText);

internal sealed record TextDocumentIdentifier([property: JsonPropertyName("uri")] string Uri);

internal sealed record VersionedTextDocumentIdentifier([property: JsonPropertyName("uri")] string Uri, [property: JsonPropertyName("version")] int Version);

internal sealed record TextDocumentItem(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("languageId")] string LanguageId,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("text")] string Text);

internal sealed record TextDocumentPositionParams(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position);

internal sealed record MarkupContent([property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("value")] string Value)
{
    public static MarkupContent Markdown(string value) => new("markdown", value);
}

internal sealed record WorkspaceEdit([property: JsonPropertyName("changes")] Dictionary<string, TextEdit[]> Changes)
{
    public static WorkspaceEdit Single(string uri, TextEdit edit) => new(new Dictionary<string, TextEdit[]> { [uri] = [edit] });
}

internal sealed record Command(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("command")] string CommandName,
    [property: JsonPropertyName("arguments")] JsonElement[]? Arguments = null);
