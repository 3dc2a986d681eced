using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// An <see cref="IDecoderState"/> whose next-token distributions are the <see cref="HybridScorer"/>'s mixture over the inner
/// (transformer) state's: every decoder built on <see cref="IDecoderState"/> — next words, beams, greedy, sampling, fill-in
/// passages, scoring — gets the hybrid without knowing it, and the inner state keeps its KV cache and batching.
/// </summary>
/// <remarks>Each row remembers the last <see cref="HybridScorer.MaxMatch"/> tokens of its history (the context's tail and what
/// the row generated), the only part the ∞-grams read. A row's mixed distribution is computed when first asked for.</remarks>
internal sealed class HybridDecoderState : IDecoderState
{
    private readonly IDecoderState _inner;
    private readonly HybridScorer _scorer;
    private int[][] _histories;
    private float[] _mixed = []; // [rows, vocab], rented and reused from step to step
    private bool[] _isMixed;

    /// <param name="inner">The transformer's state after <paramref name="context"/>; disposed with this state.</param>
    /// <param name="scorer">The request's mixture.</param>
    /// <param name="context">The context tokens the inner state was run on.</param>
    public HybridDecoderState(IDecoderState inner, HybridScorer scorer, ReadOnlySpan<int> context)
    {
        _inner = inner;
        _scorer = scorer;
        _histories = [Tail(context, scorer.MaxMatch)];
        _isMixed = new bool[1];
    }

    public int Rows => _inner.Rows;
    public int VocabSize => _inner.VocabSize;
    public int RemainingPositions => _inner.RemainingPositions;

    public ReadOnlySpan<float> LogProbs(int row)
    {
        var vocab = _inner.VocabSize;
        // Grows only on a step's first call (the rows are fixed within a step), before any row of it is mixed.
        RentedFloats.Ensure(ref _mixed, Rows * vocab);
        var lp = _mixed.AsSpan(row * vocab, vocab);
        if (_isMixed[row]) return lp;
        _inner.LogProbs(row).CopyTo(lp);
        _scorer.Mix(_histories[row], lp);
        _isMixed[row] = true;
        return lp;
    }

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        _inner.Advance(parents, tokens, cancellationToken);
        var next = new int[tokens.Length][];
        for (var i = 0; i < tokens.Length; i++)
        {
            var h = _histories[parents[i]];
            next[i] = h.Length < _scorer.MaxMatch ? [.. h, tokens[i]] : [.. h.AsSpan(1), tokens[i]];
        }
        _histories = next;
        _isMixed = new bool[tokens.Length];
    }

    public float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken)
    {
        var scores = _inner.ScoreContinuations(continuations, cancellationToken);
        if (!_scorer.Active) return scores;
        var context = _histories[0];
        for (var i = 0; i < continuations.Count; i++)
        {
            var c = continuations[i];
            var history = new int[context.Length + c.Length];
            context.CopyTo(history, 0);
            c.CopyTo(history, context.Length);
            for (var j = 0; j < c.Length; j++)
                scores[i][j] = _scorer.MixOne(history.AsSpan(0, context.Length + j), c[j], scores[i][j]);
        }
        return scores;
    }

    private static int[] Tail(ReadOnlySpan<int> tokens, int max) => tokens.Length <= max ? tokens.ToArray() : tokens[^max..].ToArray();

    public void Dispose()
    {
        _inner.Dispose();
        RentedFloats.Release(ref _mixed);
    }
}
