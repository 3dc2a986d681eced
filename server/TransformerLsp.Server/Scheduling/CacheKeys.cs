namespace TransformerLsp.Server.Scheduling;

/// <summary>
/// The engine's prefix-cache keys for a document. Work at the typing position, work at some other point (hover,
/// fill-in) and background diagnostics each get their own cache, so that hovering a word or a diagnostics pass does
/// not evict the cache the next keystroke needs.
/// </summary>
internal static class CacheKeys
{
    /// <summary>Completion, inline completion, "Continue" actions, beamSearch and nextTokens: the text before the cursor.</summary>
    public static string Typing(string uri) => uri;

    /// <summary>Hover and fill-in: the text before a word or blank elsewhere in the document.</summary>
    public static string Point(string uri) => uri + "#point";

    /// <summary>Improbable-word diagnostics.</summary>
    public static string Background(string uri) => uri + "#diagnostics";

    public static IEnumerable<string> All(string uri) => [Typing(uri), Point(uri), Background(uri)];
}
