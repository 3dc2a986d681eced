namespace TransformerLsp.Engine.Decoding;

/// <summary>
/// The one thing decoding algorithms need from a model: next-token log-probabilities for a batch of rows that
/// share a context, and a way to extend rows. Implemented over ONNX Runtime with a KV cache (<c>OnnxDecoderState</c>)
/// and, in tests, over hand-written toy distributions.
/// </summary>
internal interface IDecoderState : IDisposable
{
    /// <summary>Rows (hypotheses) currently held; starts at 1 (the context).</summary>
    int Rows { get; }

    /// <summary>Size of each log-probability row.</summary>
    int VocabSize { get; }

    /// <summary>How many more tokens each row may still take before the model window is full.</summary>
    int RemainingPositions { get; }

    /// <summary>Natural-log next-token probabilities of <paramref name="row"/> (log-softmax of the logits).</summary>
    ReadOnlySpan<float> LogProbs(int row);

    /// <summary>The next-token scores of <paramref name="row"/> that <see cref="LogProbs"/> normalises: log-probabilities up
    /// to a constant per row. For a caller that normalises them itself (the n-gram mixture), so that the work is not done twice.</summary>
    ReadOnlySpan<float> Logits(int row) => LogProbs(row);

    /// <summary>Row i of the new state is row <c>parents[i]</c> of the old state followed by <c>tokens[i]</c>.</summary>
    void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken);

    /// <summary>
    /// Log-probability of every token of every continuation of row 0, all continuations in one batch; the state is unchanged.
    /// </summary>
    float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken);

    // Speculative decoding (TokenByToken): a guess of several tokens is checked with one model run, which costs about
    // what one token does, since a decode step mostly reads the weights.

    /// <summary>
    /// The tokens the state's n-grams expect after row 0 followed by <paramref name="pending"/>, at most
    /// <paramref name="into"/>'s length: a guess to be checked, never a choice. Returns how many; 0 when it has no guess.
    /// </summary>
    int Draft(ReadOnlySpan<int> pending, Span<int> into);

    /// <summary>
    /// With one row: row 0 followed by all of <paramref name="tokens"/>, in one model run. <see cref="LogProbs"/>(0) is then
    /// the distribution after the last of them, and <see cref="LogProbsAfter"/>(i) the one after the first i + 1.
    /// </summary>
    void AdvanceRow(ReadOnlySpan<int> tokens, CancellationToken cancellationToken);

    /// <summary>After <see cref="AdvanceRow"/>: the next-token log-probabilities after its first <paramref name="i"/> + 1 tokens.</summary>
    ReadOnlySpan<float> LogProbsAfter(int i);

    /// <summary>After <see cref="AdvanceRow"/>: the scores that <see cref="LogProbsAfter"/> normalises (see <see cref="Logits"/>).</summary>
    ReadOnlySpan<float> LogitsAfter(int i) => LogProbsAfter(i);

    /// <summary>After <see cref="AdvanceRow"/>: drops its last <paramref name="count"/> tokens (fewer than it took), as if
    /// they had never been fed.</summary>
    void Rewind(int count);
}
