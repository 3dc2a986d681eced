namespace TransformerLsp.Engine.NGrams;

/// <summary>How much of each count an ∞-gram level gives to the levels below it, by the count: Chen and Goodman's modified
/// discounts (one for tokens seen once, one for twice, one for more), each at most its count.</summary>
internal readonly record struct Discounts(double One, double Two, double More)
{
    /// <summary>The same discount for every count.</summary>
    public static Discounts Uniform(double d) => new(d, d, d);

    public double For(int count) => count switch { 1 => One, 2 => Two, _ => More };

    public bool Valid => One is > 0 and <= 1 && Two is > 0 and <= 2 && More is > 0 and <= 3;
}

/// <summary>
/// The next-token distribution of an ∞-gram: interpolated, modified absolute discounting from the longest suffix of the
/// context that the index has seen followed by something, down to an add-one level 0 over Kneser–Ney's continuation counts
/// where the index has them (Ney, Essen and Kneser 1994; Chen and Goodman 1998, whose higher orders would also use
/// continuation counts, which a suffix array cannot give cheaply):
/// <code>
/// p_0(t) = (b(t) + 1) / (B + V)                                   b: ITokenCounts.BackoffUnigrams, B: their sum
/// p_k(t) = (c_k(t) − D(c_k(t))) / c_k  +  (Σ_s D(c_k(s)) / c_k) · p_{k−1}(t)      k = 1 … L
/// </code>
/// where c_k(t) counts t after the last k context tokens (0 when unseen, and D(0) = 0), c_k = Σ_t c_k(t). Every p_k sums to
/// one, so the result is a proper distribution with no zero. Unrolled, p_L(t) = β_0 p_0(t) + Σ_k β_k (c_k(t) − D(c_k(t))) / c_k
/// with β_L = 1 and β_{k−1} = β_k Σ_s D(c_k(s)) / c_k: one dense pass for level 0 and one sparse pass per level, so a
/// distribution costs O(V + Σ_k u_k) for u_k distinct continuations.
/// </summary>
internal sealed class NGramDistribution
{
    private readonly ITokenCounts _counts;
    private readonly IReadOnlyList<TokenCount[]> _levels;
    private readonly Discounts _discounts;
    private readonly double[] _beta;   // β_0 … β_L
    private readonly double[] _total;  // c_1 … c_L (index k−1)
    private readonly int _top;         // the largest count at level L

    /// <param name="counts">The index.</param>
    /// <param name="levels">Its <see cref="ITokenCounts.Continuations"/> answer for the context.</param>
    /// <param name="discounts">D by count (<see cref="Discounts.Valid"/>).</param>
    public NGramDistribution(ITokenCounts counts, IReadOnlyList<TokenCount[]> levels, Discounts discounts)
    {
        _counts = counts;
        _levels = levels;
        _discounts = discounts;
        var l = levels.Count;
        _beta = new double[l + 1];
        _total = new double[l];
        _beta[l] = 1;
        for (var k = l; k >= 1; k--)
        {
            double c = 0, given = 0;
            foreach (var tc in levels[k - 1])
            {
                c += tc.Count;
                given += discounts.For(tc.Count);
            }
            _total[k - 1] = c;
            if (k == l) foreach (var tc in levels[k - 1]) _top = Math.Max(_top, tc.Count);
            _beta[k - 1] = _beta[k] * given / c;
        }
    }

    /// <summary>Length of the longest suffix of the context that was followed by something in the index (0: none).</summary>
    public int MatchedLength => _levels.Count;

    /// <summary>How often the longest matched suffix was followed by something (0 when <see cref="MatchedLength"/> is 0).</summary>
    public long MatchedCount => _levels.Count == 0 ? 0 : (long)_total[^1];

    /// <summary>The evidence the mixing weights depend on.</summary>
    public MatchEvidence Evidence => new(MatchedLength, MatchedCount, MatchedTopPercent);

    /// <summary>The share, in percent, of the likeliest continuation of the longest matched suffix (0 when nothing matched):
    /// 100 when the corpus has only ever seen one thing follow it.</summary>
    public int MatchedTopPercent => _levels.Count == 0 ? 0 : (int)(100L * _top / (long)_total[^1]);

    /// <summary>The probability of one token (a binary search per level).</summary>
    public double Probability(int token)
    {
        var p = _beta[0] * (Backoff(token) + 1.0) / (_counts.BackoffTotal + _counts.VocabSize);
        for (var k = 1; k <= _levels.Count; k++)
        {
            var level = _levels[k - 1];
            var i = Find(level, token);
            if (i >= 0) p += _beta[k] * (level[i].Count - _discounts.For(level[i].Count)) / _total[k - 1];
        }
        return p;
    }

    /// <summary>Adds <paramref name="weight"/> · p(t) to <c>into[t]</c> for every token.</summary>
    public void AddTo(Span<float> into, double weight)
    {
        var level0 = Level0(_counts, into.Length);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(level0, (float)(weight * _beta[0]), into, into);
        AddLevels(into, weight);
    }

    /// <summary>β_0: the weight of level 0 in the distribution.</summary>
    public double Level0Weight => _beta[0];

    /// <summary>Level 0 of <paramref name="counts"/> as a dense distribution over <paramref name="length"/> ids (add-one over
    /// <see cref="ITokenCounts.BackoffUnigrams"/>): the same for every context, so callers compute it once per index.</summary>
    public static float[] Level0(ITokenCounts counts, int length)
    {
        var backoff = counts.BackoffUnigrams;
        var scale = 1.0 / (counts.BackoffTotal + counts.VocabSize);
        var p = new float[length];
        for (var t = 0; t < length; t++) p[t] = (float)(scale * ((t < backoff.Length ? backoff[t] : 0) + 1.0));
        return p;
    }

    /// <summary>Adds <paramref name="weight"/> times the levels above 0 (the sparse part) to <c>into[t]</c>.</summary>
    public void AddLevels(Span<float> into, double weight)
    {
        for (var k = 1; k <= _levels.Count; k++)
        {
            var w = weight * _beta[k] / _total[k - 1];
            foreach (var tc in _levels[k - 1])
                if ((uint)tc.Token < (uint)into.Length) into[tc.Token] += (float)(w * (tc.Count - _discounts.For(tc.Count)));
        }
    }

    private int Backoff(int token) => (uint)token < (uint)_counts.BackoffUnigrams.Length ? _counts.BackoffUnigrams[token] : 0;

    private static int Find(TokenCount[] level, int token)
    {
        int lo = 0, hi = level.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var t = level[mid].Token;
            if (t == token) return mid;
            if (t < token) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }
}
