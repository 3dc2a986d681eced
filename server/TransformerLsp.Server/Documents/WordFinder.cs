using TransformerLsp.Engine.Words;

namespace TransformerLsp.Server.Documents;

/// <summary>A span of a document: [Start, End) in string offsets.</summary>
internal readonly record struct TextSpan(int Start, int End)
{
    public int Length => End - Start;
    public bool Contains(int offset) => offset >= Start && offset <= End;
    public bool Intersects(int start, int end) => Start <= end && start <= End;
}

/// <summary>Finds words and blank markers in text.</summary>
internal static class WordFinder
{
    /// <summary>The engine's one definition of a word character (<see cref="WordChars.IsWordChar(string, int)"/>).</summary>
    public static bool IsWordChar(string text, int i) => WordChars.IsWordChar(text, i);

    /// <summary>The characters of the word that end at <paramref name="offset"/> (the partly typed word).</summary>
    public static int WordStartBefore(string text, int offset)
    {
        var start = offset;
        while (start > 0 && IsWordChar(text, start - 1)) start--;
        return start;
    }

    /// <summary>The word touching <paramref name="offset"/>, if any.</summary>
    public static TextSpan? WordAt(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int start = offset, end = offset;
        while (start > 0 && IsWordChar(text, start - 1)) start--;
        while (end < text.Length && IsWordChar(text, end)) end++;
        return end > start ? new TextSpan(start, end) : null;
    }

    /// <summary>All words in [from, to), in order.</summary>
    public static IEnumerable<TextSpan> Words(string text, int from = 0, int to = int.MaxValue)
    {
        to = Math.Min(to, text.Length);
        var i = Math.Max(0, from);
        while (i < to)
        {
            if (!IsWordChar(text, i)) { i++; continue; }
            var start = i;
            while (i < text.Length && IsWordChar(text, i)) i++;
            yield return new TextSpan(start, i);
        }
    }

    /// <summary>
    /// Every occurrence of any blank marker, non-overlapping, in order: the one definition of a blank (the VS Code
    /// client asks <c>transformerLsp.fillMask</c> with a position rather than parse blanks itself).
    /// </summary>
    /// <remarks>
    /// A marker made of one repeated character ("___") also matches a longer run of it, so "_____" is one blank rather
    /// than a blank and two stray underscores. Overlapping matches keep the one that starts first, the longer on a tie
    /// (with markers "___" and "[___]", "[___]" is one blank).
    /// </remarks>
    public static List<TextSpan> BlankMarkers(string text, IReadOnlyList<string> markers, int maxCount = 1000)
    {
        var found = new List<TextSpan>();
        foreach (var marker in markers)
        {
            if (string.IsNullOrEmpty(marker)) continue;
            var repeated = marker.All(c => c == marker[0]);
            var i = 0;
            while (found.Count < maxCount && (i = text.IndexOf(marker, i, StringComparison.Ordinal)) >= 0)
            {
                var end = i + marker.Length;
                if (repeated) while (end < text.Length && text[end] == marker[0]) end++;
                found.Add(new TextSpan(i, end));
                i = end;
            }
        }
        found.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var merged = new List<TextSpan>();
        foreach (var span in found)
            if (merged.Count == 0 || span.Start >= merged[^1].End) merged.Add(span);
        return merged;
    }

    /// <summary>The blank marker that contains or touches <paramref name="offset"/>, if any.</summary>
    public static TextSpan? BlankAt(string text, int offset, IReadOnlyList<string> markers)
    {
        foreach (var marker in markers)
        {
            if (string.IsNullOrEmpty(marker)) continue;
            var from = Math.Max(0, offset - marker.Length - 64);
            var to = Math.Min(text.Length, offset + marker.Length + 64);
            foreach (var span in BlankMarkers(text[from..to], [marker]))
            {
                var s = new TextSpan(span.Start + from, span.End + from);
                if (s.Contains(offset)) return s;
            }
        }
        return null;
    }

    /// <summary>
    /// The blank that "Fill blank" fills for a caret at <paramref name="offset"/>: the one under the caret (touching
    /// either end counts), else the nearest on the caret's line, else the nearest in the document; null when there is
    /// none. Ties go to the earlier blank.
    /// </summary>
    public static TextSpan? BlankNear(string text, int offset, IReadOnlyList<string> markers)
    {
        var blanks = BlankMarkers(text, markers);
        if (blanks.Count == 0) return null;
        offset = Math.Clamp(offset, 0, text.Length);
        foreach (var blank in blanks)
            if (blank.Contains(offset)) return blank;
        // The caret's line, with the snapshot's line breaks (\n, \r\n and a lone \r).
        var lineStart = offset == 0 ? 0 : text.LastIndexOfAny(['\n', '\r'], offset - 1) + 1;
        var lineEnd = text.IndexOfAny(['\n', '\r'], offset);
        if (lineEnd < 0) lineEnd = text.Length;
        int Distance(TextSpan b) => b.End < offset ? offset - b.End : b.Start - offset;
        var onLine = blanks.Where(b => b.Start >= lineStart && b.End <= lineEnd).ToList();
        return (onLine.Count > 0 ? onLine : blanks).MinBy(Distance); // the first of equal distances: ties go to the earlier blank
    }
}
