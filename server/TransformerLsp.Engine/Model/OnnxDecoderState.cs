using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// <see cref="IDecoderState"/> over a <see cref="ModelSession"/>: rows are hypotheses after a shared context whose KV cache
/// comes from the prefix cache. The context cache is borrowed, never modified or disposed here.
/// </summary>
internal sealed class OnnxDecoderState : IDecoderState
{
    private readonly ModelSession _session;
    private readonly KvCache _context;
    private KvCache _kv;
    private float[] _logProbs; // [rows, vocab]
    private readonly int _vocab;

    public OnnxDecoderState(ModelSession session, KvCache context, float[] lastLogProbs)
    {
        _session = session;
        _context = context;
        _kv = context;
        _vocab = session.Config.VocabSize;
        _logProbs = lastLogProbs;
        Rows = 1;
    }

    public int Rows { get; private set; }
    public int VocabSize => _vocab;
    public int RemainingPositions => _session.Config.NPositions - _kv.Length;

    public ReadOnlySpan<float> LogProbs(int row) => _logProbs.AsSpan(row * _vocab, _vocab);

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sameRows = parents.Length == Rows;
        var identity = sameRows;
        for (var i = 0; identity && i < parents.Length; i++) identity = parents[i] == i;
        // The context's cache is borrowed from the prefix cache and never changed; a cache of our own with as many rows
        // as parents is reordered in place (copying only the rows whose parent changed). Otherwise rows are copied out.
        var inPlace = !identity && sameRows && !ReferenceEquals(_kv, _context);
        if (inPlace) _kv.GatherInPlace(parents);
        var copied = !identity && !inPlace;
        var past = copied ? _kv.Select(parents) : _kv;
        try
        {
            var logits = _session.Run(past, tokens, tokens.Length, 1, allPositions: false, out var present);
            for (var r = 0; r < tokens.Length; r++) LogProbMath.LogSoftmax(logits.AsSpan(r * _vocab, _vocab));
            if (!ReferenceEquals(_kv, _context)) _kv.Dispose();
            _kv = present;
            _logProbs = logits;
            Rows = tokens.Length;
        }
        finally
        {
            if (copied) past.Dispose();
        }
    }

    public float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = continuations.Count;
        var result = new float[n][];
        var first = _logProbs.AsSpan(0, _vocab);
        var longest = continuations.Max(c => c.Length);
        for (var i = 0; i < n; i++)
        {
            result[i] = new float[continuations[i].Length];
            if (continuations[i].Length > 0) result[i][0] = first[continuations[i][0]];
        }
        var seq = longest - 1; // the last token of each row is scored, never fed
        if (seq <= 0) return result;

        // Right-pad with eos: causal attention keeps padding from touching real positions, and padded logits are not read.
        var tokens = new int[n * seq];
        Array.Fill(tokens, _session.Config.EosTokenId);
        for (var i = 0; i < n; i++)
            continuations[i].AsSpan(0, Math.Min(seq, continuations[i].Length)).CopyTo(tokens.AsSpan(i * seq));
        var rowZero = _kv.Batch == 1 ? _kv : _kv.Select([0]);
        using var past = rowZero.Expand(n);
        if (!ReferenceEquals(rowZero, _kv)) rowZero.Dispose();
        var logits = _session.Run(past, tokens, n, seq, allPositions: true, out var present);
        present.Dispose();
        for (var i = 0; i < n; i++)
            for (var j = 1; j < continuations[i].Length; j++)
            {
                var row = logits.AsSpan((i * seq + j - 1) * _vocab, _vocab);
                result[i][j] = row[continuations[i][j]] - LogSumExp(row);
            }
        return result;
    }

    private static float LogSumExp(ReadOnlySpan<float> row)
    {
        var max = float.NegativeInfinity;
        foreach (var v in row) if (v > max) max = v;
        double sum = 0;
        foreach (var v in row) sum += Math.Exp(v - max);
        return (float)(max + Math.Log(sum));
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_kv, _context)) _kv.Dispose();
    }
}
