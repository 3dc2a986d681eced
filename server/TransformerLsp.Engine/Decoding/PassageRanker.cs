namespace TransformerLsp.Engine.Decoding;

/// <summary>A scored fill-in passage: candidate + right window after a shared left context.</summary>
internal sealed record RankedPassage(int Index, double LogLikelihood, double Probability);

/// <summary>
/// Masked fill-in ranking: every candidate passage (candidate tokens + the right-window tokens after them) is scored by
/// log P(passage | left context) in batched calls; Probability is the softmax over the candidates' log-likelihoods.
/// </summary>
/// <remarks>Only the right side can separate candidates the left context finds equally likely; hence whole-passage scoring.</remarks>
internal static class PassageRanker
{
    /// <param name="state">The model state after the shared left context.</param>
    /// <param name="passages">Candidate + right-window tokens, one array per candidate.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <param name="maxBatch">Most passages scored in one model call: each row copies the context's KV cache, so a batch of
    /// many candidates is split to bound memory (the softmax is still over all of them).</param>
    public static List<RankedPassage> Rank(IDecoderState state, IReadOnlyList<int[]> passages, CancellationToken cancellationToken, int maxBatch = 24)
    {
        if (passages.Count == 0) return [];
        var sums = new double[passages.Count];
        for (var from = 0; from < passages.Count; from += maxBatch)
        {
            var batch = passages.Skip(from).Take(maxBatch).ToList();
            var perToken = state.ScoreContinuations(batch, cancellationToken);
            for (var i = 0; i < batch.Count; i++) sums[from + i] = perToken[i].Sum(x => (double)x);
        }
        var probs = LogProbMath.Softmax(sums);
        return [.. sums.Select((s, i) => new RankedPassage(i, s, probs[i])).OrderByDescending(p => p.LogLikelihood)];
    }
}
