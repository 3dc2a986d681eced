namespace TransformerLsp.Engine.Decoding;

/// <summary>Greedy decoding: the most probable next token at every step.</summary>
internal static class GreedySearch
{
    public static Hypothesis Run(IDecoderState state, HypothesisExtender extender, int maxTokens, CancellationToken cancellationToken, int[]? first = null) =>
        TokenByToken.Run(state, extender, maxTokens, lp => LogProbMath.TopK(lp, 1).FirstOrDefault(-1), cancellationToken, first);
}

/// <summary>Sampling with temperature, top-k and top-p (nucleus), reproducible for a seed.</summary>
internal static class Sampler
{
    public static Hypothesis Run(IDecoderState state, HypothesisExtender extender, int maxTokens, double temperature, int topK, double topP, int seed, CancellationToken cancellationToken, int[]? first = null)
    {
        var random = new Random(seed);
        return TokenByToken.Run(state, extender, maxTokens, lp => Choose(lp, temperature, topK, topP, random), cancellationToken, first);
    }

    /// <summary>Draws a token from log-probabilities <paramref name="logProbs"/>; temperature 0 is argmax.</summary>
    public static int Choose(ReadOnlySpan<float> logProbs, double temperature, int topK, double topP, Random random)
    {
        if (temperature <= 0) return LogProbMath.TopK(logProbs, 1).FirstOrDefault(-1);
        var k = topK > 0 ? Math.Min(topK, logProbs.Length) : logProbs.Length;
        var order = LogProbMath.TopK(logProbs, k);
        if (order.Length == 0) return -1;
        var weights = new double[order.Length];
        var top = logProbs[order[0]];
        double sum = 0;
        for (var i = 0; i < order.Length; i++) sum += weights[i] = Math.Exp((logProbs[order[i]] - top) / temperature);
        var keep = order.Length;
        if (topP is > 0 and < 1)
        {
            double mass = 0;
            for (var i = 0; i < order.Length; i++)
            {
                mass += weights[i] / sum;
                if (mass >= topP) { keep = i + 1; break; }
            }
        }
        double keptSum = 0;
        for (var i = 0; i < keep; i++) keptSum += weights[i];
        var r = random.NextDouble() * keptSum;
        for (var i = 0; i < keep; i++)
        {
            r -= weights[i];
            if (r <= 0) return order[i];
        }
        return order[keep - 1];
    }
}

/// <summary>The loop shared by greedy decoding and sampling: one row, one token per step.</summary>
internal static class TokenByToken
{
    private const int MaxAttempts = 16;

    /// <param name="state">The model state after the context.</param>
    /// <param name="extender">Constraint, word gate and stop conditions.</param>
    /// <param name="maxTokens">Most tokens generated.</param>
    /// <param name="choose">Picks a token from (masked) log-probabilities; -1 for none.</param>
    /// <param name="cancellationToken">Checked between steps.</param>
    /// <param name="first">Tokens taken before choosing begins: the best spelling of the word being typed, found by a word
    /// search (one token at a time, the likeliest first token of a typed prefix, "▁wh", can lead to no word at all).</param>
    public static Hypothesis Run(IDecoderState state, HypothesisExtender extender, int maxTokens, Func<float[], int> choose, CancellationToken cancellationToken, int[]? first = null)
    {
        maxTokens = Math.Min(maxTokens, state.RemainingPositions);
        var h = Hypothesis.Root;
        var scratch = new float[state.VocabSize];
        for (var step = 0; step < maxTokens; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            state.LogProbs(0).CopyTo(scratch);
            extender.Constraint.Apply(scratch, extender.Vocab, h.Consumed);
            extender.BanRepeats(scratch, h);
            // A token the word gate rejects (it would finish a non-word or an uncanonical spelling) is masked and the choice made again.
            Hypothesis? child = null;
            var token = -1;
            for (var attempt = 0; attempt < MaxAttempts && child is null; attempt++)
            {
                if (token >= 0) scratch[token] = float.NegativeInfinity;
                token = first is not null && step < first.Length ? (attempt == 0 ? first[step] : -1) : choose(scratch);
                if (token < 0) break;
                child = extender.Extend(h, token, scratch[token]);
            }
            if (child is null) break;
            h = child.End == EndReason.WordLimit ? child.WithEnd(EndReason.WordLimit, extender.Vocab.BoundaryLogProb(state.LogProbs(0))) : child;
            if (h.IsFinished) return h;
            if (step + 1 < maxTokens) state.Advance([0], [token], cancellationToken);
        }
        return h.IsFinished ? h : extender.AtTokenLimit(h) ?? Hypothesis.Root.WithEnd(EndReason.MaxTokens);
    }
}
