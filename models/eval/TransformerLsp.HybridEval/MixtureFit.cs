using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.HybridEval;

/// <summary>
/// EM for the mixing weights of each evidence cell (<see cref="HybridWeights"/>): with the components' probabilities fixed,
/// a cell's weight for component c is the mean over its tokens of w_c p_c / Σ_j w_j p_j, iterated. Sparse cells are pulled
/// towards the weights fitted on all tokens (a Dirichlet prior worth <see cref="PriorTokens"/> tokens), so a cell seen a few
/// times in validation cannot swing to an extreme.
/// </summary>
internal static class MixtureFit
{
    public const double PriorTokens = 200;

    public static double[][] Fit(HybridWeights shape, IReadOnlyList<ScoredToken> tokens, Func<Evidence, double> estimate, int iterations = 25)
    {
        var n = tokens.Count;
        var p = new double[n][];
        var cells = new int[n];
        for (var i = 0; i < n; i++)
        {
            var s = tokens[i];
            p[i] = [Math.Exp(s.TransformerLogProb), s.Corpus is null ? 0 : estimate(s.Corpus), s.User is null ? 0 : estimate(s.User)];
            cells[i] = shape.Cell(s.Corpus?.Match ?? default, s.User?.Match);
        }
        double[] global = [1.0 / 3, 1.0 / 3, 1.0 / 3];
        for (var it = 0; it < iterations; it++)
        {
            var acc = new double[3];
            for (var i = 0; i < n; i++) Accumulate(global, tokens[i], p[i], acc);
            global = Normalise(acc, null, 0);
        }
        var weights = Enumerable.Range(0, shape.CellCount).Select(_ => (double[])global.Clone()).ToArray();
        for (var it = 0; it < iterations; it++)
        {
            var acc = Enumerable.Range(0, shape.CellCount).Select(_ => new double[3]).ToArray();
            for (var i = 0; i < n; i++) Accumulate(weights[cells[i]], tokens[i], p[i], acc[cells[i]]);
            for (var c = 0; c < weights.Length; c++) weights[c] = Normalise(acc[c], global, PriorTokens);
        }
        return weights;
    }

    /// <summary>Adds the token's posterior responsibilities (only over the components present for it).</summary>
    private static void Accumulate(double[] w, ScoredToken s, double[] p, double[] acc)
    {
        var present = new[] { true, s.Corpus is not null, s.User is not null };
        double total = 0, norm = 0;
        for (var c = 0; c < 3; c++) if (present[c]) norm += w[c];
        if (norm <= 0) return;
        for (var c = 0; c < 3; c++) if (present[c]) total += w[c] / norm * p[c];
        if (total <= 0) return;
        for (var c = 0; c < 3; c++) if (present[c]) acc[c] += w[c] / norm * p[c] / total;
    }

    private static double[] Normalise(double[] acc, double[]? prior, double priorTokens)
    {
        var r = new double[3];
        for (var c = 0; c < 3; c++) r[c] = acc[c] + (prior is null ? 1e-9 : priorTokens * prior[c]);
        var sum = r.Sum();
        return [.. r.Select(x => x / sum)];
    }

    /// <summary>Total bits of the tokens under a mixture (the weights of each token's cell, absent components' shares moved).</summary>
    public static (double Bits, long Bytes) Bits(HybridWeights weights, IEnumerable<ScoredToken> tokens, Func<Evidence, double> estimate, bool useCorpus = true, bool useUser = true)
    {
        double bits = 0;
        long bytes = 0;
        foreach (var s in tokens)
        {
            var corpus = useCorpus ? s.Corpus : null;
            var user = useUser ? s.User : null;
            var cell = weights.Cell(corpus?.Match ?? default, user?.Match);
            var w = weights.For(cell, corpus is not null, user is not null);
            var p = w.Transformer * Math.Exp(s.TransformerLogProb) + w.Corpus * (corpus is null ? 0 : estimate(corpus)) + w.User * (user is null ? 0 : estimate(user));
            bits -= Math.Log2(Math.Max(p, 1e-300));
            bytes += s.Bytes;
        }
        return (bits, bytes);
    }
}
