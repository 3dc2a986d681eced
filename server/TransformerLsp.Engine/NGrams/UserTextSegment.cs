namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// One document of the user's text as an immutable index: its token ids, the UTF-16 offset where each token starts, and
/// posting lists (for each token id, the sorted positions where it occurs) in CSR form, built in O(n + V).
/// </summary>
/// <remarks>Immutable once built, so any number of readers may share it; an edit builds a new segment.</remarks>
internal sealed class UserTextSegment
{
    private readonly int[] _tokens;
    private readonly int[] _starts;
    private readonly int[] _postingStart;
    private readonly int[] _postings;

    /// <param name="tokens">Token ids in document order; ids outside [0, vocabSize) are kept but never indexed.</param>
    /// <param name="starts">tokens.Length + 1 UTF-16 offsets, non-decreasing: token i spans [starts[i], starts[i+1]).</param>
    /// <param name="vocabSize">Size of the token-id space.</param>
    /// <param name="lines">The per-line tokenization this segment was built from, reused by the next build of the document.</param>
    public UserTextSegment(int[] tokens, int[] starts, int vocabSize, IReadOnlyDictionary<string, LineTokens>? lines = null)
    {
        if (starts.Length != tokens.Length + 1) throw new ArgumentException("starts needs tokens.Length + 1 entries", nameof(starts));
        _tokens = tokens;
        _starts = starts;
        Lines = lines ?? new Dictionary<string, LineTokens>();
        // CSR: count per token, prefix sums, then place positions in increasing order (so each list is sorted).
        _postingStart = new int[vocabSize + 1];
        foreach (var t in tokens) if ((uint)t < (uint)vocabSize) _postingStart[t + 1]++;
        for (var t = 0; t < vocabSize; t++) _postingStart[t + 1] += _postingStart[t];
        _postings = new int[_postingStart[vocabSize]];
        var fill = _postingStart.AsSpan(0, vocabSize).ToArray();
        for (var i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] < (uint)vocabSize) _postings[fill[tokens[i]]++] = i;
    }

    /// <summary>A line's tokens and their UTF-16 start offsets within the line (memoised across edits).</summary>
    public sealed record LineTokens(int[] Tokens, int[] Starts);

    public IReadOnlyDictionary<string, LineTokens> Lines { get; }

    public int Length => _tokens.Length;

    public ReadOnlySpan<int> Tokens => _tokens;

    /// <summary>Positions where <paramref name="token"/> occurs, ascending.</summary>
    public ReadOnlySpan<int> Positions(int token) =>
        (uint)token < (uint)(_postingStart.Length - 1) ? _postings.AsSpan(_postingStart[token], _postingStart[token + 1] - _postingStart[token]) : [];

    /// <summary>How many leading tokens lie wholly before <paramref name="cursorOffset"/> (end offset ≤ cursor).</summary>
    public int TokensBefore(int cursorOffset)
    {
        // Largest count c with starts[c] ≤ cursor, where starts[c] is the end of token c-1.
        int lo = 0, hi = _tokens.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_starts[mid] <= cursorOffset) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /// <summary>
    /// For each occurrence p of the context's last token with p + 1 &lt; <paramref name="limit"/>: how many context tokens match
    /// backwards ending at p (at most <paramref name="maxLength"/>), and the token at p + 1.
    /// </summary>
    public void Collect(ReadOnlySpan<int> context, int maxLength, int limit, List<(int Matched, int Next)> into)
    {
        var m = context.Length;
        foreach (var p in Positions(context[m - 1]))
        {
            if (p + 1 >= limit) break; // positions ascend
            var matched = 1;
            while (matched < maxLength && matched < m && p - matched >= 0 && _tokens[p - matched] == context[m - 1 - matched]) matched++;
            into.Add((matched, _tokens[p + 1]));
        }
    }

    /// <summary>Occurrences of <paramref name="sequence"/> anywhere in the document (overlapping ones count).</summary>
    public int Count(ReadOnlySpan<int> sequence)
    {
        if (sequence.IsEmpty) return 0;
        var count = 0;
        foreach (var p in Positions(sequence[0]))
            if (p + sequence.Length <= _tokens.Length && _tokens.AsSpan(p, sequence.Length).SequenceEqual(sequence)) count++;
        return count;
    }

    /// <summary>Adds how often each token occurs as the next token of some position in [0, limit - 1) to <paramref name="counts"/>,
    /// i.e. the tokens at positions [1, limit), times <paramref name="sign"/>.</summary>
    public void AddUnigrams(Span<int> counts, int from, int limit, int sign)
    {
        for (var i = Math.Max(from, 1); i < limit; i++)
            if ((uint)_tokens[i] < (uint)counts.Length) counts[_tokens[i]] += sign;
    }
}
