namespace TransformerLsp.Engine.Words;

/// <summary>In a list sorted by ordinal spelling, the entries that start with a prefix are one range: found by binary search.</summary>
internal static class OrdinalPrefix
{
    /// <summary>The range [Start, End) of <paramref name="sorted"/> whose <paramref name="key"/> starts with <paramref name="prefix"/> (ordinal).</summary>
    public static (int Start, int End) Range<T>(T[] sorted, Func<T, string> key, string prefix)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(key(sorted[mid]), prefix) < 0) lo = mid + 1; else hi = mid;
        }
        var end = lo;
        while (end < sorted.Length && key(sorted[end]).StartsWith(prefix, StringComparison.Ordinal)) end++;
        return (lo, end);
    }
}
