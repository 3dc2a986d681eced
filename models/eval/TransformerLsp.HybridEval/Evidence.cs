using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.HybridEval;

/// <summary>What an ∞-gram index said about one scored token, kept so the discount can be chosen without querying again:
/// the token's unigram count and the index's total, and per level k the token's count, the level's count and its number
/// of distinct continuations. <see cref="Probability"/> is <see cref="NGramDistribution.Probability"/> from these numbers
/// (a test in the engine pins the engine's class; this tool checks itself against it on the first tokens).</summary>
internal sealed class Evidence
{
    public required int UnigramCount;
    public required long Total;
    public required int Vocab;
    public required int[] TokenCounts;    // c_k(t), k = 1..L
    public required long[] LevelCounts;   // c_k
    public required int[] Distinct;       // u_k

    public int MatchedLength => TokenCounts.Length;
    public long MatchedCount => LevelCounts.Length == 0 ? 0 : LevelCounts[^1];

    public static Evidence? Of(ITokenCounts? index, ReadOnlySpan<int> history, int token, int maxMatch)
    {
        if (index is null || index.Total == 0) return null;
        if (history.Length > maxMatch) history = history[^maxMatch..];
        var levels = index.Continuations(history, maxMatch);
        var tc = new int[levels.Count];
        var lc = new long[levels.Count];
        var u = new int[levels.Count];
        for (var k = 0; k < levels.Count; k++)
        {
            foreach (var c in levels[k])
            {
                lc[k] += c.Count;
                if (c.Token == token) tc[k] = c.Count;
            }
            u[k] = levels[k].Length;
        }
        return new Evidence
        {
            UnigramCount = (uint)token < (uint)index.Unigrams.Length ? index.Unigrams[token] : 0,
            Total = index.Total, Vocab = index.VocabSize, TokenCounts = tc, LevelCounts = lc, Distinct = u,
        };
    }

    public double Probability(double discount)
    {
        double beta = 1, p = 0;
        for (var k = TokenCounts.Length - 1; k >= 0; k--)
        {
            p += beta * Math.Max(TokenCounts[k] - discount, 0) / LevelCounts[k];
            beta *= discount * Distinct[k] / LevelCounts[k];
        }
        return p + beta * (UnigramCount + 1.0) / (Total + Vocab);
    }

    /// <summary>The paper's ∞-gram (Liu et al. 2024): the count ratio at the longest matched suffix, no smoothing (0 when unmatched).</summary>
    public double LongestMatchProbability() =>
        TokenCounts.Length == 0 ? (UnigramCount + 1.0) / (Total + Vocab) : (double)TokenCounts[^1] / LevelCounts[^1];
}

/// <summary>One scored token: the transformer's log-probability, the corpus and user evidence, its UTF-8 length.</summary>
internal sealed record ScoredToken(float TransformerLogProb, Evidence? Corpus, Evidence? User, int Bytes);
