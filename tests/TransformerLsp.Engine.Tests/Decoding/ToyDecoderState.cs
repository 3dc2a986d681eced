using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

/// <summary>An <see cref="IDecoderState"/> over a hand-written distribution: next-token probabilities as a function of the whole sequence.</summary>
internal sealed class ToyDecoderState : IDecoderState
{
    private readonly Func<IReadOnlyList<int>, double[]> _probabilities;
    private List<int[]> _rows;
    private bool _inRun; // since AdvanceRow
    private int _current; // after AdvanceRow: how many of its tokens row 0 keeps, less one

    public ToyDecoderState(Func<IReadOnlyList<int>, double[]> probabilities, int[] context, int vocabSize)
    {
        _probabilities = probabilities;
        _rows = [context];
        VocabSize = vocabSize;
    }

    public int Rows => _rows.Count;
    public int VocabSize { get; }
    public int RemainingPositions => 1000;
    public int ModelCalls { get; private set; }

    /// <summary>The guesser <see cref="Draft"/> asks: the tokens it expects after a sequence (null: no guesses).</summary>
    public Func<IReadOnlyList<int>, int[]>? Guess { get; init; }

    public ReadOnlySpan<float> LogProbs(int row) => Log(_probabilities(_rows[row]));

    public ReadOnlySpan<float> LogProbsAfter(int i)
    {
        if (!_inRun || i > _current) throw new ArgumentOutOfRangeException(nameof(i));
        return Log(_probabilities(_rows[0][..^(_current - i)]));
    }

    public int Draft(ReadOnlySpan<int> pending, Span<int> into)
    {
        if (Guess is null || Rows != 1) return 0;
        var guess = Guess([.. _rows[0], .. pending]);
        var n = Math.Min(guess.Length, into.Length);
        guess.AsSpan(0, n).CopyTo(into);
        return n;
    }

    public void AdvanceRow(ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        if (Rows != 1) throw new InvalidOperationException("one row");
        ModelCalls++;
        _rows = [[.. _rows[0], .. tokens]];
        _inRun = true;
        _current = tokens.Length - 1;
    }

    public void Rewind(int count)
    {
        if (!_inRun || count > _current) throw new InvalidOperationException($"rewind {count} of {_current}");
        _rows = [_rows[0][..^count]];
        _current -= count;
    }

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        ModelCalls++;
        _inRun = false;
        _current = 0;
        var next = new List<int[]>();
        for (var i = 0; i < parents.Length; i++) next.Add([.. _rows[parents[i]], tokens[i]]);
        _rows = next;
    }

    public float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken)
    {
        ModelCalls++;
        return [.. continuations.Select(c =>
        {
            var seq = _rows[0].ToList();
            var lp = new float[c.Length];
            for (var j = 0; j < c.Length; j++) { lp[j] = Log(_probabilities(seq))[c[j]]; seq.Add(c[j]); }
            return lp;
        })];
    }

    private static float[] Log(double[] p) => [.. p.Select(x => (float)Math.Log(x))];

    public void Dispose() { }

    /// <summary>A random but fixed distribution per sequence (seeded by the sequence's contents).</summary>
    public static Func<IReadOnlyList<int>, double[]> Random(int vocab, int seed) => seq =>
    {
        var h = seed;
        foreach (var t in seq) h = unchecked(h * 31 + t + 7);
        var r = new Random(h);
        var w = Enumerable.Range(0, vocab).Select(_ => Math.Exp(3 * r.NextDouble())).ToArray();
        var s = w.Sum();
        return [.. w.Select(x => x / s)];
    };

    /// <summary>A distribution that depends only on the last token, from a table (missing entries have probability 0).</summary>
    public static Func<IReadOnlyList<int>, double[]> ByLastToken(int vocab, Dictionary<int, Dictionary<int, double>> table) => seq =>
    {
        var p = new double[vocab];
        foreach (var (t, v) in table[seq[^1]]) p[t] = v;
        return p;
    };
}
