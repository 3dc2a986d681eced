namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// <see cref="ITokenCounts"/> over a snapshot of the user's documents for one request: each segment counts positions p
/// with p + 1 below its limit (the whole document, or for the current document the tokens wholly before the cursor).
/// </summary>
/// <remarks>Answers are computed per call from the posting lists (no cache); one reader at a time (a scratch array is shared).</remarks>
internal sealed class UserTextCounts : ITokenCounts
{
    private readonly UserTextSegment[] _segments;
    private readonly int[] _limits;
    private readonly int _current;
    private readonly Func<int[]> _allUnigrams;
    private int[]? _unigrams;
    private int[]? _scratch;

    public UserTextCounts(int vocabSize, UserTextSegment[] segments, int[] limits, int current, Func<int[]> allUnigrams)
    {
        VocabSize = vocabSize;
        _segments = segments;
        _limits = limits;
        _current = current;
        _allUnigrams = allUnigrams;
        for (var i = 0; i < segments.Length; i++) Total += Math.Max(limits[i] - 1, 0);
    }

    public int VocabSize { get; }

    public long Total { get; }

    public ReadOnlySpan<int> Unigrams => _unigrams ??= ComputeUnigrams();

    private int[] ComputeUnigrams()
    {
        var all = _allUnigrams();
        if (_current < 0 || _limits[_current] == _segments[_current].Length) return all;
        var counts = (int[])all.Clone();
        var segment = _segments[_current];
        segment.AddUnigrams(counts, _limits[_current], segment.Length, -1); // the tokens at or after the cursor's token
        return counts;
    }

    public IReadOnlyList<TokenCount[]> Continuations(ReadOnlySpan<int> context, int maxLength)
    {
        maxLength = Math.Min(maxLength, context.Length);
        if (maxLength <= 0) return [];
        var pairs = new List<(int Matched, int Next)>();
        for (var i = 0; i < _segments.Length; i++) _segments[i].Collect(context, maxLength, _limits[i], pairs);
        var levels = 0;
        foreach (var (matched, next) in pairs) if ((uint)next < (uint)VocabSize) levels = Math.Max(levels, matched);
        if (levels == 0) return [];

        // Level k counts the occurrences matching at least k tokens: fill from the longest level down, so each level
        // adds only the occurrences that match exactly k.
        var byLevel = new List<int>[levels + 1];
        foreach (var (matched, next) in pairs)
            if ((uint)next < (uint)VocabSize) (byLevel[matched] ??= []).Add(next);
        var counts = _scratch ??= new int[VocabSize];
        var touched = new List<int>();
        var result = new TokenCount[levels][];
        for (var k = levels; k >= 1; k--)
        {
            var added = false;
            foreach (var next in byLevel[k] ?? [])
                if (counts[next]++ == 0) { touched.Add(next); added = true; }
            if (added) touched.Sort();
            var level = new TokenCount[touched.Count];
            for (var j = 0; j < level.Length; j++) level[j] = new TokenCount(touched[j], counts[touched[j]]);
            result[k - 1] = level;
        }
        foreach (var t in touched) counts[t] = 0;
        return result;
    }
}
