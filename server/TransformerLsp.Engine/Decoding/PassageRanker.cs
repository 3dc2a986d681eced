namespace TransformerLsp.Engine.Decoding;

/// <summary>A scored fill-in passage: candidate + right window after a shared left context.</summary>
internal sealed record RankedPassage(int Index, double LogLikelihood, double Probability);

/// <summary>
/// Masked fill-in ranking: every candidate passage (candidate tokens + the right-window tokens after them) is scored by
/// log P(passage | left context) in one batched call; Probability is the softmax over the candidates' log-likelihoods.
/// </summary>
/// <remarks>Only the right side can separate candidates the left context finds equally likely; hence whole-passage scoring.</remarks>
internal static class PassageRanker
{
    public static List<RankedPassage> Rank(IDecoderState state, IReadOnlyList<int[]> passages, CancellationToken cancellationToken)
    {
        if (passages.Count == 0) return [];
        var perToken = state.ScoreContinuations(passages, cancellationToken);
        var sums = perToken.Select(lp => lp.Sum(x => (double)x)).ToArray();
        var probs = LogProbMath.Softmax(sums);
        return [.. sums.Select((s, i) => new RankedPassage(i, s, probs[i])).OrderByDescending(p => p.LogLikelihood)];
    }
}
