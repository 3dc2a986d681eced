using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.HybridEval;

/// <summary>What an ∞-gram index said about one scored token, kept so the discount can be chosen without querying again:
/// the token's unigram count and the index's total, and per level k the token's count, the level's count and its number
/// of distinct continuations. <see cref="Probability"/> is <see cref="NGramDistribution.Probability"/> from these numbers
/// (a test in the engine pins the engine's class; this tool checks itself against it on the first tokens).</summary>
internal sealed class Evidence
{
    public required int BackoffCount;
    public required long BackoffTotal;
    public required int Vocab;
    public required int[] TokenCounts;    // c_k(t), k = 1..L
    public required long[] LevelCounts;   // c_k
    public required int[][] CountsOfCounts; // per level: distinct continuations seen once, twice, more
    public required int TopCount;          // the largest count at level L

    public int MatchedLength => TokenCounts.Length;
    public long MatchedCount => LevelCounts.Length == 0 ? 0 : LevelCounts[^1];
    public int MatchedTopPercent => LevelCounts.Length == 0 ? 0 : (int)(100L * TopCount / LevelCounts[^1]);
    public MatchEvidence Match => new(MatchedLength, MatchedCount, MatchedTopPercent);

    public static Evidence? Of(ITokenCounts? index, ReadOnlySpan<int> history, int token, int maxMatch)
    {
        if (index is null || index.Total == 0) return null;
        if (history.Length > maxMatch) history = history[^maxMatch..];
        var levels = index.Continuations(history, maxMatch);
        var tc = new int[levels.Count];
        var lc = new long[levels.Count];
        var cc = new int[levels.Count][];
        var top = levels.Count == 0 ? 0 : levels[^1].Max(c => c.Count);
        for (var k = 0; k < levels.Count; k++)
        {
            cc[k] = new int[3];
            foreach (var c in levels[k])
            {
                lc[k] += c.Count;
                cc[k][Math.Min(c.Count, 3) - 1]++;
                if (c.Token == token) tc[k] = c.Count;
            }
        }
        var backoff = index.BackoffUnigrams;
        return new Evidence
        {
            BackoffCount = (uint)token < (uint)backoff.Length ? backoff[token] : 0,
            BackoffTotal = index.BackoffTotal,
            Vocab = index.VocabSize,
            TokenCounts = tc,
            LevelCounts = lc,
            CountsOfCounts = cc,
            TopCount = top,
        };
    }

    public double Probability(Discounts d)
    {
        double beta = 1, p = 0;
        for (var k = TokenCounts.Length - 1; k >= 0; k--)
        {
            var c = TokenCounts[k];
            if (c > 0) p += beta * (c - d.For(c)) / LevelCounts[k];
            beta *= (d.One * CountsOfCounts[k][0] + d.Two * CountsOfCounts[k][1] + d.More * CountsOfCounts[k][2]) / LevelCounts[k];
        }
        return p + beta * (BackoffCount + 1.0) / (BackoffTotal + Vocab);
    }

    /// <summary>The infini-gram paper's estimate (Liu et al. 2024): the count ratio at the longest matched suffix, no
    /// smoothing (the level-0 estimate when nothing matched); measured beside <see cref="Probability"/>.</summary>
    public double LongestMatchProbability() =>
        TokenCounts.Length == 0 ? (BackoffCount + 1.0) / (BackoffTotal + Vocab) : (double)TokenCounts[^1] / LevelCounts[^1];
}

/// <summary>One scored token: the transformer's log-probability, the corpus and user evidence, its UTF-8 length.</summary>
internal sealed record ScoredToken(float TransformerLogProb, Evidence? Corpus, Evidence? User, int Bytes);
