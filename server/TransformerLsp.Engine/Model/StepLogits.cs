using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// A decoder state's next-token scores, one slot per row (or per position of a speculative run): the prefix cache's
/// log-probabilities at first, then each run's logits, copied into a buffer reused from run to run. A slot's log-softmax
/// is applied in place the first time <see cref="LogProbs"/> asks for it, so a caller that reads <see cref="Logits"/>
/// instead (the n-gram mixture normalises them itself) never pays for it.
/// </summary>
internal sealed class StepLogits(int vocab, float[] lastLogProbs) : IDisposable
{
    private float[] _values = lastLogProbs; // [slots, vocab]
    private float[] _own = []; // rented: a step's rows reuse it instead of a large array per step
    private bool[] _normalized = [true];

    /// <summary>The slot's scores: log-probabilities up to a constant.</summary>
    public Span<float> Logits(int slot) => _values.AsSpan(slot * vocab, vocab);

    /// <summary>The slot's log-probabilities.</summary>
    public Span<float> LogProbs(int slot)
    {
        var row = Logits(slot);
        if (!_normalized[slot])
        {
            LogProbMath.LogSoftmax(row);
            _normalized[slot] = true;
        }
        return row;
    }

    /// <summary>A run's <paramref name="slots"/> rows of logits become the slots.</summary>
    public void Take(ReadOnlySpan<float> logits, int slots)
    {
        RentedFloats.Ensure(ref _own, slots * vocab);
        logits[..(slots * vocab)].CopyTo(_own);
        if (_normalized.Length < slots) _normalized = new bool[Math.Max(slots, 2 * _normalized.Length)];
        Array.Clear(_normalized);
        _values = _own;
    }

    public void Dispose()
    {
        RentedFloats.Release(ref _own);
        _values = [];
    }
}
