using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

internal static class MessageType
{
    public const int Error = 1, Warning = 2, Info = 3, Log = 4, Debug = 5;
}

internal sealed record ShowMessageParams([property: JsonPropertyName("type")] int Type, [property: JsonPropertyName("message")] string Message);

internal sealed record LogMessageParams([property: JsonPropertyName("type")] int Type, [property: JsonPropertyName("message")] string Message);

internal sealed record WorkDoneProgressCreateParams([property: JsonPropertyName("token")] string Token);

internal sealed record ProgressParams<T>([property: JsonPropertyName("token")] string Token, [property: JsonPropertyName("value")] T Value);

internal sealed record WorkDoneProgressBegin(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("percentage")] int? Percentage = null)
{
    [JsonPropertyName("kind")] public string Kind => "begin";
    [JsonPropertyName("cancellable")] public bool Cancellable => false;
}

internal sealed record WorkDoneProgressReport(
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("percentage")] int? Percentage = null)
{
    [JsonPropertyName("kind")] public string Kind => "report";
}

internal sealed record WorkDoneProgressEnd([property: JsonPropertyName("message")] string? Message = null)
{
    [JsonPropertyName("kind")] public string Kind => "end";
}

/// <summary>transformerLsp/status (the server README, "What the server offers").</summary>
internal sealed record StatusParams(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("model")] string? Model = null,
    [property: JsonPropertyName("provider")] string? Provider = null,
    [property: JsonPropertyName("message")] string? Message = null,
    [property: JsonPropertyName("lastLatencyMs")] double? LastLatencyMs = null);
