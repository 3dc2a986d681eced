using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

// Arguments and results of the workspace/executeCommand commands, listed in the server README ("What the server
// offers"); client/src/protocol.ts mirrors them.

internal sealed record BeamSearchArguments(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position,
    [property: JsonPropertyName("width")] int? Width = null,
    [property: JsonPropertyName("maxTokens")] int? MaxTokens = null);

internal sealed record BeamInfo(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] double Probability,
    [property: JsonPropertyName("logProbability")] double LogProbability,
    [property: JsonPropertyName("tokens")] string[] Tokens,
    [property: JsonPropertyName("tokenLogProbabilities")] double[] TokenLogProbabilities);

internal sealed record BeamSearchResult([property: JsonPropertyName("beams")] BeamInfo[] Beams);

/// <summary>Exactly one of <see cref="Range"/> (the text to replace) and <see cref="Position"/> (a caret: the server picks the blank near it).</summary>
internal sealed record FillMaskArguments(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("range")] Range? Range = null,
    [property: JsonPropertyName("position")] Position? Position = null,
    [property: JsonPropertyName("count")] int? Count = null);

internal sealed record FillCandidateInfo(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] double Probability,
    [property: JsonPropertyName("logLikelihood")] double LogLikelihood);

/// <summary>
/// <see cref="Range"/> is the range the candidates are for (the argument's range, or the blank found near the
/// position); null, and omitted on the wire like every null, when there is no blank near the position.
/// </summary>
internal sealed record FillMaskResult(
    [property: JsonPropertyName("candidates")] FillCandidateInfo[] Candidates,
    [property: JsonPropertyName("range")] Range? Range = null);

internal sealed record NextTokensArguments(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position,
    [property: JsonPropertyName("count")] int? Count = null);

internal sealed record TokenInfo(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] double Probability);

internal sealed record NextTokensResult([property: JsonPropertyName("tokens")] TokenInfo[] Tokens);
