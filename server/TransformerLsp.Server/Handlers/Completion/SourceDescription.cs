using TransformerLsp.Engine;
using TransformerLsp.Server.Protocol;

namespace TransformerLsp.Server.Handlers.Completion;

/// <summary>How the origin of a suggestion is told to the user (completion documentation).</summary>
internal static class SourceDescription
{
    /// <summary>Most document names listed.</summary>
    public const int MaxDocuments = 3;

    /// <summary>A share of the probability above this is where a suggestion "comes from".</summary>
    public const double Mostly = 0.5;

    /// <summary>Markdown for a suggestion's origin; null when there is nothing to say (no n-gram part took part).</summary>
    public static string? Describe(SuggestionSource source, Func<string, string> name)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.UserShare >= Mostly)
        {
            var seen = source.SeenCount == 0 ? "" : $": seen {source.SeenCount}× in {Names(source, name)}";
            return $"**From your text**{seen} ({Formatting.Percent(source.UserShare)} of its probability).";
        }
        if (source.CorpusShare >= Mostly)
            return $"**From the model's corpus**: phrases its training text contains ({Formatting.Percent(source.CorpusShare)} of its probability).";
        if (source.SeenCount > 0)
            return $"From the model; also seen {source.SeenCount}× in {Names(source, name)}.";
        return source == SuggestionSource.None ? null : "From the model.";
    }

    private static string Names(SuggestionSource source, Func<string, string> name)
    {
        var names = source.Seen.Take(MaxDocuments).Select(s => Formatting.Markdown(name(s.DocumentKey))).ToList();
        var more = source.Seen.Count - names.Count;
        return string.Join(", ", names) + (more > 0 ? $" and {more} more" : "");
    }

    /// <summary>A document key as the user knows it: the path inside a workspace folder, else the file name.</summary>
    public static string DocumentName(string key, IEnumerable<string> workspaceFolders)
    {
        foreach (var folder in workspaceFolders)
        {
            var prefix = folder.TrimEnd('/') + "/";
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return Uri.UnescapeDataString(key[prefix.Length..]);
        }
        var slash = key.LastIndexOf('/');
        return Uri.UnescapeDataString(slash >= 0 ? key[(slash + 1)..] : key);
    }
}
