namespace TransformerLsp.Engine.Decoding;

/// <summary>Greedy decoding: the most probable next token at every step.</summary>
internal static class GreedySearch
{
    public static Hypothesis Run(IDecoderState state, HypothesisExtender extender, int maxTokens, CancellationToken cancellationToken, int[]? first = null, int draftLength = ModelOptions.DefaultSpeculativeTokens) =>
        TokenByToken.Run(state, extender, maxTokens, lp => LogProbMath.TopK(lp, 1).FirstOrDefault(-1), cancellationToken, first, draftLength);
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

/// <summary>The loop shared by greedy decoding and sampling: one row, one token chosen per step.</summary>
/// <remarks>
/// <b>Speculative decoding</b> (with <c>draftLength</c> &gt; 0): a chosen token is fed together with a guess of the tokens
/// that follow it (the rest of <c>first</c>, else the state's n-grams, <see cref="IDecoderState.Draft"/>), in one model run,
/// which costs about what one token's does. Each guessed token is then checked by making the very choice the loop would
/// have made at its position, from that position's distribution; the first guess that differs, and everything after it,
/// is rewound. So the result is the one decoding token by token gives, in fewer runs when the guesses are right.
/// </remarks>
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
    /// <param name="draftLength">Most guessed tokens checked with each fed token; 0 feeds one token per run.</param>
    public static Hypothesis Run(IDecoderState state, HypothesisExtender extender, int maxTokens, Func<float[], int> choose, CancellationToken cancellationToken, int[]? first = null, int draftLength = 0)
    {
        maxTokens = Math.Min(maxTokens, state.RemainingPositions);
        var h = Hypothesis.Root;
        var scratch = new float[state.VocabSize];
        var fed = new int[draftLength + 1];
        var step = 0; // tokens chosen so far
        while (step < maxTokens)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (child, token) = Choose(state.LogProbs(0), h, step);
            if (child is null) break;
            h = child;
            if (h.IsFinished) return h;
            if (++step == maxTokens) break;
            // Feed the chosen token, with a guess of what follows it checked in the same run; a wrong guess ends the check
            // with the token chosen in its place, which is fed next.
            while (true)
            {
                var room = Math.Min(Math.Min(draftLength, maxTokens - step - 1), state.RemainingPositions - 1);
                var forced = first is not null && step < first.Length;
                var guessed = room <= 0 ? 0
                    : forced ? Math.Min(room, first!.Length - step)
                    : state.Draft([token], fed.AsSpan(1, room));
                if (guessed == 0)
                {
                    state.Advance([0], [token], cancellationToken);
                    break;
                }
                if (forced) first!.AsSpan(step, guessed).CopyTo(fed.AsSpan(1));
                fed[0] = token;
                state.AdvanceRow(fed.AsSpan(0, guessed + 1), cancellationToken);
                var rejected = false;
                for (var i = 0; i < guessed; i++)
                {
                    (child, token) = Choose(state.LogProbsAfter(i), h, step);
                    if (child is null) return Finish(h);
                    h = child;
                    if (h.IsFinished) return h;
                    if (++step == maxTokens) return Finish(h);
                    if (token != fed[i + 1])
                    {
                        state.Rewind(guessed - i);
                        rejected = true;
                        break;
                    }
                }
                if (!rejected) break; // every guess was right: the next choice is made after the last of them
            }
        }
        return Finish(h);

        Hypothesis Finish(Hypothesis h) => h.IsFinished ? h : extender.AtTokenLimit(h) ?? Hypothesis.Root.WithEnd(EndReason.MaxTokens);

        // The choice at one position: the constraint and repeat bans applied, and a token the word gate rejects (it would
        // finish a non-word or an uncanonical spelling) masked and the choice made again.
        (Hypothesis? Child, int Token) Choose(ReadOnlySpan<float> logProbs, Hypothesis h, int step)
        {
            logProbs.CopyTo(scratch);
            extender.Constraint.Apply(scratch, extender.Vocab, h.Consumed);
            extender.BanRepeats(scratch, h);
            Hypothesis? child = null;
            var token = -1;
            for (var attempt = 0; attempt < MaxAttempts && child is null; attempt++)
            {
                if (token >= 0) scratch[token] = float.NegativeInfinity;
                token = first is not null && step < first.Length ? (attempt == 0 ? first[step] : -1) : choose(scratch);
                if (token < 0) break;
                child = extender.Extend(h, token, scratch[token]);
            }
            if (child is null) return (null, -1);
            return (child.End == EndReason.WordLimit ? child.WithEnd(EndReason.WordLimit, extender.Vocab.BoundaryLogProb(logProbs)) : child, token);
        }
    }
}
