using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

// Arguments and results of the workspace/executeCommand commands, exactly as TEAM-CONTRACT.md states them.

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

internal sealed record FillMaskArguments(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("range")] Range Range,
    [property: JsonPropertyName("count")] int? Count = null);

internal sealed record FillCandidateInfo(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] double Probability,
    [property: JsonPropertyName("logLikelihood")] double LogLikelihood);

internal sealed record FillMaskResult([property: JsonPropertyName("candidates")] FillCandidateInfo[] Candidates);

internal sealed record NextTokensArguments(
    [property: JsonPropertyName("textDocument")] TextDocumentIdentifier TextDocument,
    [property: JsonPropertyName("position")] Position Position,
    [property: JsonPropertyName("count")] int? Count = null);

internal sealed record TokenInfo(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] double Probability);

internal sealed record NextTokensResult([property: JsonPropertyName("tokens")] TokenInfo[] Tokens);
