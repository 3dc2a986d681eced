using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// <see cref="IDecoderState"/> over a <see cref="ModelSession"/>: rows are hypotheses after a shared context whose KV cache
/// comes from the prefix cache. The context cache is borrowed, never disposed here; its positions are never changed (a
/// run may write positions after them into its buffers, see <see cref="KvCache"/>).
/// </summary>
internal sealed class OnnxDecoderState : IDecoderState
{
    private readonly ModelSession _session;
    private readonly KvCache _context;
    private KvCache _kv;
    private readonly StepLogits _scores; // per row, or after AdvanceRow per position of the run
    private int _current; // after AdvanceRow, the position of _scores that row 0 stands at; else 0
    private bool _inRun; // since AdvanceRow: _scores holds its positions, not rows
    private readonly int _vocab;

    public OnnxDecoderState(ModelSession session, KvCache context, float[] lastLogProbs)
    {
        _session = session;
        _context = context;
        _kv = context;
        _vocab = session.Config.VocabSize;
        _scores = new StepLogits(_vocab, lastLogProbs);
        Rows = 1;
    }

    public int Rows { get; private set; }
    public int VocabSize => _vocab;
    public int RemainingPositions => _session.Config.NPositions - _kv.Length;

    public ReadOnlySpan<float> LogProbs(int row) => _scores.LogProbs(row + _current);

    public ReadOnlySpan<float> LogProbsAfter(int i) => _scores.LogProbs(CheckedPosition(i));

    public ReadOnlySpan<float> Logits(int row) => _scores.Logits(row + _current);

    public ReadOnlySpan<float> LogitsAfter(int i) => _scores.Logits(CheckedPosition(i));

    private int CheckedPosition(int i) =>
        _inRun && (uint)i <= (uint)_current ? i : throw new ArgumentOutOfRangeException(nameof(i), $"position {i} of a run standing at {_current}");

    /// <summary>The transformer alone has no n-grams to guess from.</summary>
    public int Draft(ReadOnlySpan<int> pending, Span<int> into) => 0;

    public void AdvanceRow(ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Rows != 1) throw new InvalidOperationException($"AdvanceRow needs one row, the state has {Rows}");
        if (tokens.Length == 0) throw new ArgumentException("no tokens", nameof(tokens));
        var logits = _session.RunShared(_kv, tokens, 1, tokens.Length, out var present);
        Take(logits, tokens.Length, present);
        _current = tokens.Length - 1;
        _inRun = true;
    }

    public void Rewind(int count)
    {
        if (count <= 0) return;
        if (!_inRun || count > _current) throw new InvalidOperationException($"cannot rewind {count} tokens of a run standing at position {_current}");
        var kept = _kv.Truncate(_kv.Length - count);
        _kv.Dispose(); // after a run the cache is ours, never the borrowed context's
        _kv = kept;
        _current -= count;
    }

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var sameRows = parents.Length == Rows;
        var identity = sameRows;
        for (var i = 0; identity && i < parents.Length; i++) identity = parents[i] == i;
        // The context's cache is borrowed from the prefix cache and never changed; a cache of our own with as many rows
        // as parents, whose buffers no other cache views, is reordered in place (copying only the rows whose parent
        // changed). Otherwise rows are copied out.
        var inPlace = !identity && sameRows && !ReferenceEquals(_kv, _context) && _kv.OwnsBuffers;
        if (inPlace) _kv.GatherInPlace(parents);
        var copied = !identity && !inPlace;
        var past = copied ? _kv.Select(parents) : _kv;
        try
        {
            var logits = _session.RunShared(past, tokens, tokens.Length, 1, out var present);
            Take(logits, tokens.Length, present);
            _current = 0;
            _inRun = false;
            Rows = tokens.Length;
        }
        finally
        {
            if (copied) past.Dispose();
        }
    }

    /// <summary>A run's result becomes the state: its <paramref name="rows"/> rows of logits, and its cache.</summary>
    private void Take(ReadOnlySpan<float> logits, int rows, KvCache present)
    {
        _scores.Take(logits, rows);
        if (!ReferenceEquals(_kv, _context)) _kv.Dispose();
        _kv = present;
    }

    public float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = continuations.Count;
        var result = new float[n][];
        var first = LogProbs(0);
        var longest = continuations.Max(c => c.Length);
        for (var i = 0; i < n; i++)
        {
            result[i] = new float[continuations[i].Length];
            if (continuations[i].Length > 0) result[i][0] = first[continuations[i][0]];
        }
        var seq = longest - 1; // the last token of each row is scored, never fed
        if (seq <= 0) return result;

        var rowZero = _kv.Batch == 1 ? _kv : _kv.Select([0]);
        try
        {
            // Rows go in chunks of at most ScoreChunkFloats logits and KvChunkFloats floats per layer cache, which bounds
            // the session's output buffer and the expanded caches (and so what the cache pool keeps) whatever the number
            // and length of the continuations: a passage ranking scores 25 rows after 300 tokens of context.
            var kvPerRow = rowZero.Heads * (rowZero.Length + seq) * rowZero.HeadDim;
            var rowsPerChunk = Math.Max(1, Math.Min(ScoreChunkFloats / (seq * _vocab), KvChunkFloats / kvPerRow));
            for (var start = 0; start < n; start += rowsPerChunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ScoreChunk(continuations, result, rowZero, start, Math.Min(rowsPerChunk, n - start), seq);
            }
        }
        finally
        {
            if (!ReferenceEquals(rowZero, _kv)) rowZero.Dispose();
        }
        return result;
    }

    /// <summary>Logits per chunk of rows in <see cref="ScoreContinuations"/>: 2 M floats, 8 MB.</summary>
    internal const int ScoreChunkFloats = 1 << 21;

    /// <summary>Floats per layer's key (or value) cache per chunk in <see cref="ScoreContinuations"/>: 512 K, 2 MB, as much as
    /// a beam of 4 rows after the full 512-position window holds.</summary>
    internal const int KvChunkFloats = 1 << 19;

    private void ScoreChunk(IReadOnlyList<int[]> continuations, float[][] result, KvCache rowZero, int start, int rows, int seq)
    {
        // Right-pad with eos: causal attention keeps padding from touching real positions, and padded logits are not read.
        var tokens = new int[rows * seq];
        Array.Fill(tokens, _session.Config.EosTokenId);
        for (var i = 0; i < rows; i++)
        {
            var c = continuations[start + i];
            c.AsSpan(0, Math.Min(seq, c.Length)).CopyTo(tokens.AsSpan(i * seq));
        }
        using var past = rowZero.Expand(rows, capacity: rowZero.Length);
        var logits = _session.RunShared(past, tokens, rows, seq, out var present);
        present.Dispose();
        for (var i = 0; i < rows; i++)
        {
            var c = continuations[start + i];
            for (var j = 1; j < c.Length; j++)
            {
                var row = logits.Slice((i * seq + j - 1) * _vocab, _vocab);
                result[start + i][j] = row[c[j]] - LogSumExp(row);
            }
        }
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
        _scores.Dispose();
    }
}
