using System.Collections.Concurrent;

namespace TransformerLsp.Server.Documents;

/// <summary>
/// The ghost text last shown per document, so that typing what it suggests does not ask the model again: when the text
/// before the cursor is the text it was shown after plus a prefix of the suggestion, the rest of the suggestion is the
/// answer (the greedy continuation after its own prefix is the rest of itself). Any other edit misses, and the model runs.
/// </summary>
internal sealed class GhostTextMemory
{
    private sealed record Shown(string Left, string Suggestion);

    private readonly ConcurrentDictionary<string, Shown> _shown = new(StringComparer.Ordinal);

    /// <summary>The rest of the remembered suggestion when <paramref name="left"/> types into it; null otherwise.</summary>
    public string? Rest(string uri, string left)
    {
        if (!_shown.TryGetValue(uri, out var shown)) return null;
        if (left.Length <= shown.Left.Length || !left.StartsWith(shown.Left, StringComparison.Ordinal)) return null;
        var typed = left.AsSpan(shown.Left.Length);
        if (typed.Length >= shown.Suggestion.Length || !shown.Suggestion.AsSpan().StartsWith(typed, StringComparison.Ordinal)) return null;
        var rest = shown.Suggestion[typed.Length..];
        return rest.Trim().Length > 0 ? rest : null;
    }

    public void Remember(string uri, string left, string suggestion) => _shown[uri] = new Shown(left, suggestion);

    public void Forget(string uri) => _shown.TryRemove(uri, out _);
}
