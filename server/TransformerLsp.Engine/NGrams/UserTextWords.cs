using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// The words of one document (<see cref="WordChars"/>), sorted by spelling (ordinal), each with the UTF-16 offsets where
/// its occurrences end: the words that start with a typed prefix are one range, and the occurrences before a cursor are a
/// prefix of each word's offsets.
/// </summary>
internal sealed class UserTextWords
{
    /// <summary>Longest word indexed: a longer run of word characters (a hash, a base64 blob) is no word to suggest.</summary>
    public const int MaxWordLength = 48;

    private readonly string[] _words;
    private readonly int[][] _ends;

    private UserTextWords(string[] words, int[][] ends)
    {
        _words = words;
        _ends = ends;
    }

    /// <summary>An index with no words.</summary>
    public static UserTextWords Empty { get; } = new([], []);

    /// <summary>Distinct words.</summary>
    public int Count => _words.Length;

    /// <summary>Indexes the words of <paramref name="text"/>.</summary>
    public static UserTextWords Build(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ends = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            if (!WordChars.IsWordChar(text, i)) { i++; continue; }
            var start = i;
            while (i < text.Length && WordChars.IsWordChar(text, i)) i++;
            if (i - start > MaxWordLength) continue;
            var word = text[start..i];
            if (!ends.TryGetValue(word, out var list)) ends[word] = list = [];
            list.Add(i);
        }
        var words = ends.Keys.ToArray();
        Array.Sort(words, StringComparer.Ordinal);
        return new UserTextWords(words, [.. words.Select(w => ends[w].ToArray())]);
    }

    /// <summary>
    /// Adds to <paramref name="counts"/> the occurrences of every word that starts with <paramref name="prefix"/> (ordinal)
    /// and ends at or before <paramref name="limit"/> (UTF-16 offset; <see cref="int.MaxValue"/> for the whole document).
    /// </summary>
    public void AddCounts(Dictionary<string, int> counts, string prefix, int limit)
    {
        var (start, end) = OrdinalPrefix.Range(_words, w => w, prefix);
        for (var w = start; w < end; w++)
        {
            var n = CountAtOrBefore(_ends[w], limit);
            if (n > 0) counts[_words[w]] = counts.GetValueOrDefault(_words[w]) + n;
        }
    }

    private static int CountAtOrBefore(int[] sorted, int limit)
    {
        if (limit == int.MaxValue || sorted[^1] <= limit) return sorted.Length;
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= limit) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
