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
    private int[][] _histories; // per slot: a row's, or after AdvanceRow a position's
    private float[] _mixed = []; // [slots, vocab], rented and reused from step to step
    private bool[] _isMixed;
    private int _current; // after AdvanceRow, the slot row 0 stands at; else 0
    private bool _inRun; // since AdvanceRow: the slots are its positions, not rows

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

    public ReadOnlySpan<float> LogProbs(int row) => Mixed(row + _current);

    public ReadOnlySpan<float> LogProbsAfter(int i)
    {
        if (!_inRun || (uint)i > (uint)_current) throw new ArgumentOutOfRangeException(nameof(i), $"position {i} of a run standing at {_current}");
        return Mixed(i);
    }

    private Span<float> Mixed(int slot)
    {
        var vocab = _inner.VocabSize;
        // Grows only on a step's first call (the slots are fixed within a step), before any slot of it is mixed.
        RentedFloats.Ensure(ref _mixed, _histories.Length * vocab);
        var lp = _mixed.AsSpan(slot * vocab, vocab);
        if (_isMixed[slot]) return lp;
        _scorer.Mix(_histories[slot], _inRun ? _inner.LogitsAfter(slot) : _inner.Logits(slot), lp);
        _isMixed[slot] = true;
        return lp;
    }

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        _inner.Advance(parents, tokens, cancellationToken);
        var next = new int[tokens.Length][];
        for (var i = 0; i < tokens.Length; i++) next[i] = Then(_histories[parents[i] + _current], tokens[i]);
        _histories = next;
        _isMixed = new bool[tokens.Length];
        _current = 0;
        _inRun = false;
    }

    public int Draft(ReadOnlySpan<int> pending, Span<int> into)
    {
        if (Rows != 1) return 0;
        var h = _histories[_current];
        var history = new int[h.Length + pending.Length];
        h.CopyTo(history, 0);
        pending.CopyTo(history.AsSpan(h.Length));
        return _scorer.Draft(history, into);
    }

    public void AdvanceRow(ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        _inner.AdvanceRow(tokens, cancellationToken);
        var next = new int[tokens.Length][];
        var h = _histories[_current];
        for (var i = 0; i < tokens.Length; i++) next[i] = h = Then(h, tokens[i]);
        _histories = next;
        _isMixed = new bool[tokens.Length];
        _current = tokens.Length - 1;
        _inRun = true;
    }

    public void Rewind(int count)
    {
        _inner.Rewind(count);
        _current -= count;
    }

    /// <summary>A history followed by <paramref name="token"/>, its last <see cref="HybridScorer.MaxMatch"/> tokens.</summary>
    private int[] Then(int[] history, int token) =>
        history.Length < _scorer.MaxMatch ? [.. history, token] : [.. history.AsSpan(1), token];

    public float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken)
    {
        var scores = _inner.ScoreContinuations(continuations, cancellationToken);
        if (!_scorer.Active) return scores;
        var context = _histories[_current];
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
