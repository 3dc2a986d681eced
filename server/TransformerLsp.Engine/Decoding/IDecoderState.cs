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

    /// <summary>Row i of the new state is row <c>parents[i]</c> of the old state followed by <c>tokens[i]</c>.</summary>
    void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken);

    /// <summary>
    /// Log-probability of every token of every continuation of row 0, all continuations in one batch; the state is unchanged.
    /// </summary>
    float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken);
}
