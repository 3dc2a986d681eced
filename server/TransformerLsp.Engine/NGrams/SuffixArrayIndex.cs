namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// The corpus ∞-gram index: for every suffix of a context, which tokens followed it in the corpus and how often,
/// answered from a suffix array over the corpus's token ids (after infini-gram, Liu et al. 2024).
/// </summary>
/// <remarks>
/// <para>Semantics: for a pattern P of length k, its continuations are the distinct tokens t = tokens[i+k] over the
/// positions i where tokens[i..i+k) == P and i + k &lt; n, each with its number of such positions.
/// <see cref="Unigrams"/>[t] counts the positions i ≥ 1 holding t, so <see cref="Total"/> = n − 1.</para>
/// <para>Cost. Opening makes one pass over the suffix array (O(n)) to build the level-1 table — every token's list of
/// next tokens — and the unigram counts; that table holds one entry per distinct bigram. A level k ≥ 2 is a binary
/// search for the pattern's suffix-array range within its first token's bucket, O(k · log n) token reads (the range
/// for length k is not nested in the one for k − 1, since the pattern grows on the left), then one run per distinct
/// next token: the suffixes in the range are ordered by their next token, so each run's end is found by galloping,
/// O(distinct · log range) rather than O(range). Lists for ranges larger than <see cref="CacheMinRange"/> are kept in a
/// bounded LRU cache keyed by the pattern. A whole <see cref="Continuations"/> call is O(L² · log n + Σ distinct · log
/// range) for L matched levels: microseconds for a 2M-token corpus.</para>
/// <para>Not thread-safe: the cache is updated by reads (the engine runs one request at a time).</para>
/// </remarks>
internal sealed class SuffixArrayIndex : ITokenCounts, IDisposable
{
    /// <summary>Level ≥ 2 lists from a suffix-array range longer than this are cached (smaller ones are cheap to recompute).</summary>
    public const int CacheMinRange = 256;

    /// <summary>Patterns the cache keeps.</summary>
    public const int CacheCapacity = 4096;

    private readonly ISuffixArrayData _data;
    private readonly int _n;
    private readonly int[] _unigrams;
    private readonly int[] _predecessors;     // per token: distinct tokens seen before it (Kneser–Ney continuation counts)
    private readonly long _predecessorTotal;
    private readonly int[] _bucketStart;      // suffixes starting with token t are ranks [_bucketStart[t], _bucketStart[t+1])
    private readonly TokenCount[][] _level1;  // per token: its next tokens, sorted by id
    private readonly ContinuationCache _cache = new(CacheCapacity);
    private bool _disposed;

    /// <summary>An index over <paramref name="tokens"/> (ids in [0, <paramref name="vocabSize"/>)), built in memory.</summary>
    public SuffixArrayIndex(ReadOnlySpan<int> tokens, int vocabSize)
        : this(new InMemorySuffixArray(tokens, vocabSize))
    {
    }

    private SuffixArrayIndex(ISuffixArrayData data)
    {
        _data = data;
        _n = data.Length;
        var vocab = data.VocabSize;
        _unigrams = new int[vocab];
        _bucketStart = new int[vocab + 1];
        _level1 = new TokenCount[vocab][];
        BuildLevel1();
        _predecessors = new int[vocab];
        foreach (var list in _level1)
            foreach (var tc in list) _predecessors[tc.Token]++;
        _predecessorTotal = _predecessors.Sum(x => (long)x);
    }

    /// <summary>Opens a <c>corpus.infinigram</c> file (memory-mapped); throws <see cref="ModelLoadException"/> if it is invalid.</summary>
    public static SuffixArrayIndex Open(string path)
    {
        var file = CorpusIndexFile.Open(path);
        try
        {
            return new SuffixArrayIndex(file);
        }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw CorpusIndexFile.Invalid(path, e.Message);
        }
    }

    /// <inheritdoc/>
    public int VocabSize => _data.VocabSize;

    /// <inheritdoc/>
    public long Total => Math.Max(0, _n - 1);

    /// <inheritdoc/>
    public ReadOnlySpan<int> Unigrams => _unigrams;

    /// <inheritdoc />
    public ReadOnlySpan<int> BackoffUnigrams => _predecessors;

    /// <inheritdoc />
    public long BackoffTotal => _predecessorTotal;

    /// <summary>Tokens in the corpus (n).</summary>
    public int Length => _n;

    /// <summary>
    /// One pass over the suffix array, which lists the bigrams (tokens[p], tokens[p+1]) in sorted order: their runs are the
    /// level-1 lists, their first tokens the buckets, their second tokens the unigram counts. Throws
    /// <see cref="InvalidDataException"/> if the suffixes are not sorted on their first two tokens.
    /// </summary>
    private void BuildLevel1()
    {
        var run = new List<TokenCount>();
        int a = -1, b = -1, count = 0; // the current bigram; b = -1 for the suffix with no next token
        for (var r = 0; r < _n; r++)
        {
            var p = _data.Suffix(r);
            var first = _data.Token(p);
            var next = p + 1 < _n ? _data.Token(p + 1) : -1;
            if (next >= 0) _unigrams[next]++;
            if (first == a && next == b)
            {
                count++;
                continue;
            }
            if (first < a || (first == a && next < b))
                throw new InvalidDataException($"the suffix array is not sorted at entry {r}");
            if (b >= 0) run.Add(new TokenCount(b, count));
            if (first != a)
            {
                if (a >= 0) _level1[a] = [.. run];
                run.Clear();
                for (var t = a + 1; t <= first; t++) _bucketStart[t] = r;
            }
            a = first;
            b = next;
            count = 1;
        }
        if (b >= 0) run.Add(new TokenCount(b, count));
        if (a >= 0) _level1[a] = [.. run];
        for (var t = a + 1; t <= VocabSize; t++) _bucketStart[t] = _n;
        for (var t = 0; t < VocabSize; t++) _level1[t] ??= [];
    }

    /// <inheritdoc/>
    public IReadOnlyList<TokenCount[]> Continuations(ReadOnlySpan<int> context, int maxLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var levels = new List<TokenCount[]>();
        var longest = Math.Min(maxLength, context.Length);
        for (var k = 1; k <= longest; k++)
        {
            var level = k == 1 ? Level1(context[^1]) : LevelK(context[^k..]);
            if (level.Length == 0) break;
            levels.Add(level);
        }
        return levels;
    }

    /// <summary>Occurrences of <paramref name="pattern"/> in the corpus (an empty pattern occurs n times).</summary>
    public long Count(ReadOnlySpan<int> pattern)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pattern.IsEmpty) return _n;
        var (lo, hi) = Range(pattern);
        return hi - lo;
    }

    private TokenCount[] Level1(int token) => (uint)token < (uint)VocabSize ? _level1[token] : [];

    private TokenCount[] LevelK(ReadOnlySpan<int> pattern)
    {
        if (_cache.TryGet(pattern, out var cached)) return cached;
        var (lo, hi) = Range(pattern);
        var level = NextTokens(lo, hi, pattern.Length);
        if (hi - lo > CacheMinRange) _cache.Add(pattern, level);
        return level;
    }

    /// <summary>The ranks [lo, hi) of the suffixes that start with <paramref name="pattern"/> (non-empty).</summary>
    private (int Lo, int Hi) Range(ReadOnlySpan<int> pattern)
    {
        var first = pattern[0];
        if ((uint)first >= (uint)VocabSize) return (0, 0);
        int lo = _bucketStart[first], hi = _bucketStart[first + 1];
        if (pattern.Length == 1) return (lo, hi);

        // Within the bucket, compare on pattern[1..]: lower bound = first suffix ≥ pattern, upper = first suffix > it.
        int a = lo, b = hi;
        while (a < b)
        {
            var mid = a + (b - a) / 2;
            if (CompareFrom1(mid, pattern) < 0) a = mid + 1;
            else b = mid;
        }
        var start = a;
        b = hi;
        while (a < b)
        {
            var mid = a + (b - a) / 2;
            if (CompareFrom1(mid, pattern) <= 0) a = mid + 1;
            else b = mid;
        }
        return (start, a);
    }

    /// <summary>The suffix of rank <paramref name="rank"/> against <paramref name="pattern"/>, on positions 1.. of the pattern only
    /// (the bucket fixes position 0); a suffix that ends first is smaller; 0 if it starts with the pattern.</summary>
    private int CompareFrom1(int rank, ReadOnlySpan<int> pattern)
    {
        var p = _data.Suffix(rank);
        for (var j = 1; j < pattern.Length; j++)
        {
            if (p + j >= _n) return -1;
            var c = _data.Token(p + j) - pattern[j];
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>The token after the first <paramref name="k"/> tokens of the suffix of rank <paramref name="rank"/>, or -1 at the end of the text.</summary>
    private int NextToken(int rank, int k)
    {
        var p = _data.Suffix(rank) + k;
        return p < _n ? _data.Token(p) : -1;
    }

    /// <summary>The distinct next tokens of ranks [lo, hi) after their first <paramref name="k"/> tokens, with counts: one galloping search per run.</summary>
    private TokenCount[] NextTokens(int lo, int hi, int k)
    {
        if (lo >= hi) return [];
        var result = new List<TokenCount>();
        var i = lo;
        while (i < hi)
        {
            var t = NextToken(i, k);
            var end = RunEnd(i, hi, k, t);
            if (t >= 0) result.Add(new TokenCount(t, end - i)); // -1: the occurrence that ends the text (sorts first)
            i = end;
        }
        return [.. result];
    }

    /// <summary>The first rank in (i, hi] whose next token is not <paramref name="t"/>: gallop 1, 2, 4, … then bisect.</summary>
    private int RunEnd(int i, int hi, int k, int t)
    {
        int good = i, bad = hi; // good holds t; bad is the first rank known not to (or hi)
        for (var step = 1; ; step <<= 1)
        {
            if (step >= hi - good) break;
            var probe = good + step;
            if (NextToken(probe, k) != t)
            {
                bad = probe;
                break;
            }
            good = probe;
        }
        while (bad - good > 1)
        {
            var mid = good + (bad - good) / 2;
            if (NextToken(mid, k) == t) good = mid;
            else bad = mid;
        }
        return bad;
    }

    /// <summary>Releases the mapped file, if any. The index must not be used afterwards.</summary>
    public void Dispose()
    {
        _disposed = true;
        (_data as IDisposable)?.Dispose();
    }
}
