namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// The next-token distribution of an ∞-gram: interpolated absolute discounting from the longest suffix of the context that
/// the index has seen followed by something, down to an add-one unigram (Ney, Essen and Kneser 1994; the interpolated form
/// of Chen and Goodman 1998 without Kneser–Ney's continuation counts, which a suffix array cannot give cheaply):
/// <code>
/// p_0(t) = (c_0(t) + 1) / (Total + V)
/// p_k(t) = max(c_k(t) − D, 0) / c_k  +  (D · u_k / c_k) · p_{k−1}(t)      k = 1 … L
/// </code>
/// where c_k(t) counts t after the last k context tokens, c_k = Σ_t c_k(t) and u_k the number of distinct t. Every p_k sums to
/// one (every count is at least 1 ≥ D), so the result is a proper distribution with no zero. Unrolled, p_L(t) = β_0 p_0(t) +
/// Σ_k β_k max(c_k(t) − D, 0) / c_k with β_L = 1 and β_{k−1} = β_k D u_k / c_k: one dense pass for the unigram and one sparse
/// pass per level, so a distribution costs O(V + Σ_k u_k).
/// </summary>
internal sealed class NGramDistribution
{
    private readonly ITokenCounts _counts;
    private readonly IReadOnlyList<TokenCount[]> _levels;
    private readonly double _discount;
    private readonly double[] _beta;   // β_0 … β_L
    private readonly double[] _total;  // c_1 … c_L (index k−1)

    /// <param name="counts">The index.</param>
    /// <param name="levels">Its <see cref="ITokenCounts.Continuations"/> answer for the context.</param>
    /// <param name="discount">D in (0, 1].</param>
    public NGramDistribution(ITokenCounts counts, IReadOnlyList<TokenCount[]> levels, double discount)
    {
        _counts = counts;
        _levels = levels;
        _discount = discount;
        var l = levels.Count;
        _beta = new double[l + 1];
        _total = new double[l];
        _beta[l] = 1;
        for (var k = l; k >= 1; k--)
        {
            long c = 0;
            foreach (var tc in levels[k - 1]) c += tc.Count;
            _total[k - 1] = c;
            _beta[k - 1] = _beta[k] * discount * levels[k - 1].Length / c;
        }
    }

    /// <summary>Length of the longest suffix of the context that was followed by something in the index (0: none).</summary>
    public int MatchedLength => _levels.Count;

    /// <summary>How often the longest matched suffix was followed by something (0 when <see cref="MatchedLength"/> is 0).</summary>
    public long MatchedCount => _levels.Count == 0 ? 0 : (long)_total[^1];

    /// <summary>The probability of one token (a binary search per level).</summary>
    public double Probability(int token)
    {
        var v = _counts.VocabSize;
        var p = _beta[0] * (Unigram(token) + 1.0) / (_counts.Total + v);
        for (var k = 1; k <= _levels.Count; k++)
        {
            var level = _levels[k - 1];
            var i = Find(level, token);
            if (i >= 0) p += _beta[k] * Math.Max(level[i].Count - _discount, 0) / _total[k - 1];
        }
        return p;
    }

    /// <summary>Adds <paramref name="weight"/> · p(t) to <c>into[t]</c> for every token.</summary>
    public void AddTo(Span<float> into, double weight)
    {
        var unigrams = _counts.Unigrams;
        var scale = weight * _beta[0] / (_counts.Total + _counts.VocabSize);
        var n = Math.Min(into.Length, unigrams.Length);
        for (var t = 0; t < n; t++) into[t] += (float)(scale * (unigrams[t] + 1.0));
        for (var t = n; t < into.Length; t++) into[t] += (float)scale;
        for (var k = 1; k <= _levels.Count; k++)
        {
            var w = weight * _beta[k] / _total[k - 1];
            foreach (var tc in _levels[k - 1])
                if ((uint)tc.Token < (uint)into.Length) into[tc.Token] += (float)(w * Math.Max(tc.Count - _discount, 0));
        }
    }

    private int Unigram(int token) => (uint)token < (uint)_counts.Unigrams.Length ? _counts.Unigrams[token] : 0;

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
