namespace TransformerLsp.Engine.Words;

/// <summary>One word of a fused next-word distribution: its engine probability, its word-trigram probability and
/// their mixture.</summary>
internal readonly record struct FusedWord(string Word, double Engine, double Trigram, double Probability);

/// <summary>
/// The arithmetic of mixing the engine (transformer + ∞-gram + user text) with the word trigram at word level
/// (<see cref="WordTrigram"/>): a linear interpolation of two distributions over words, p = (1 − λ) p_engine + λ p_trigram.
/// </summary>
/// <remarks>
/// <para>Probabilities are probabilities: the mixture of two (sub-)distributions is one, so nothing is renormalised
/// afterwards. A word the engine did not list gets p_engine = 0 (a lower bound: the engine lists only its best words);
/// a word the trigram does not know gets p_trigram = 0. Each trigram word contributes its mass once: when several
/// spellings share a trigram id ("The", "the"), the first listed one gets it and the others none, so the trigram
/// part sums to at most 1 too.</para>
/// <para>The weights are fitted on validation text by <c>models/eval/TransformerLsp.WordFusionEval</c>
/// (<see cref="BestWeight"/>: the maximum-likelihood weight on a grid) and stored in config.json's "word_trigram"
/// section (<see cref="WordTrigramSettings"/>).</para>
/// </remarks>
internal static class WordFusion
{
    /// <summary>(1 − <paramref name="weight"/>) <paramref name="engine"/> + <paramref name="weight"/> <paramref name="trigram"/>.</summary>
    public static double Mix(double engine, double trigram, double weight) => (1 - weight) * engine + weight * trigram;

    /// <summary>
    /// The user's own words mixed in (<c>TextPredictor.UserWords.cs</c>): p(w) = (1 − κ) p(w) + κ u(w), where u(w) = c(w) / C
    /// is w's share of the user's words that continue the typed prefix. Most probable first (ties keep the given order);
    /// each word with the part of its probability that κ u(w) gives. When no candidate has u > 0, κ is 0: the list is
    /// unchanged.
    /// </summary>
    public static List<(string Word, double Probability, double FromUser)> MixUserWords(IReadOnlyList<(string Word, double P, double User)> parts, double kappa)
    {
        if (!parts.Any(w => w.User > 0)) kappa = 0;
        return MostProbableFirst(parts.Select(w => (w.Word, Probability: Mix(w.P, w.User, kappa), FromUser: kappa * w.User)), w => w.Probability);
    }

    /// <summary>Sorted by probability, highest first; ties keep their order (a stable sort).</summary>
    private static List<T> MostProbableFirst<T>(IEnumerable<T> items, Func<T, double> probability) =>
        [.. items.Select((w, i) => (w, i)).OrderByDescending(x => probability(x.w)).ThenBy(x => x.i).Select(x => x.w)];

    /// <summary>
    /// The union of the engine's words (in their order) and the trigram's extra words, each with both probabilities and
    /// their mixture, most probable first (ties keep the union's order).
    /// </summary>
    /// <param name="engine">The engine's words: spelling, trigram id (−1: unknown to the trigram) and engine probability.</param>
    /// <param name="trigramOnly">The trigram's candidates as spelled for display, with their ids; an id an engine word already
    /// has is skipped (its mass went to the engine's spelling).</param>
    /// <param name="trigram">p_trigram of an id (its conditional probability at this position).</param>
    /// <param name="weight">λ, the trigram's weight, in [0, 1].</param>
    public static List<FusedWord> Fuse(IReadOnlyList<(string Word, int Id, double Engine)> engine,
        IReadOnlyList<(string Word, int Id)> trigramOnly, Func<int, double> trigram, double weight)
    {
        var claimed = new HashSet<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<FusedWord>(engine.Count + trigramOnly.Count);
        foreach (var (word, id, pe) in engine)
        {
            if (!seen.Add(word)) continue;
            var pt = id >= 0 && claimed.Add(id) ? trigram(id) : 0;
            result.Add(new FusedWord(word, pe, pt, Mix(pe, pt, weight)));
        }
        foreach (var (word, id) in trigramOnly)
        {
            if (id < 0 || !claimed.Add(id) || !seen.Add(word)) continue;
            var pt = trigram(id);
            result.Add(new FusedWord(word, 0, pt, Mix(0, pt, weight)));
        }
        return MostProbableFirst(result, w => w.Probability);
    }

    /// <summary>
    /// The fill-in shares of candidates: (1 − ν) P_T(w) + ν P_trigram(w), where P_T is the transformer's distribution over
    /// the candidates (already normalised) and P_trigram the softmax of the trigram's two-sided log-scores over the same
    /// candidates (−∞: the trigram gives the word no mass). When the trigram gives no candidate any mass the shares are
    /// P_T unchanged. The result sums to 1 when <paramref name="transformer"/> does.
    /// </summary>
    public static double[] Shares(IReadOnlyList<double> transformer, IReadOnlyList<double> trigramLogScores, double weight)
    {
        if (transformer.Count != trigramLogScores.Count) throw new ArgumentException("one trigram score per candidate", nameof(trigramLogScores));
        var shares = transformer.ToArray();
        var max = trigramLogScores.Count == 0 ? double.NegativeInfinity : trigramLogScores.Max();
        if (double.IsNegativeInfinity(max) || weight <= 0) return shares;
        var z = trigramLogScores.Sum(s => Math.Exp(s - max));
        for (var i = 0; i < shares.Length; i++) shares[i] = Mix(shares[i], Math.Exp(trigramLogScores[i] - max) / z, weight);
        return shares;
    }

    /// <summary>
    /// The weight λ in [0, 1] (on a grid of <paramref name="steps"/> + 1 points) maximising Σ log((1 − λ) a + λ b) over
    /// samples (a, b) = (p_engine, p_trigram) of the true word; samples where both are 0 do not depend on λ and are skipped.
    /// </summary>
    public static double BestWeight(IReadOnlyList<(double Engine, double Trigram)> samples, int steps = 100)
    {
        double best = 0, bestLl = double.NegativeInfinity;
        for (var k = 0; k <= steps; k++)
        {
            var w = (double)k / steps;
            var ll = LogLikelihood(samples, w);
            if (ll > bestLl) (best, bestLl) = (w, ll);
        }
        return best;
    }

    /// <summary>Σ log((1 − λ) a + λ b) over the samples with a + b &gt; 0 (−∞ when one of them gets 0).</summary>
    public static double LogLikelihood(IReadOnlyList<(double Engine, double Trigram)> samples, double weight) =>
        samples.Where(s => s.Engine + s.Trigram > 0).Sum(s => Math.Log(Mix(s.Engine, s.Trigram, weight)));
}
