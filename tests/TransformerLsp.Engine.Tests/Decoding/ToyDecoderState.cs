using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

/// <summary>An <see cref="IDecoderState"/> over a hand-written distribution: next-token probabilities as a function of the whole sequence.</summary>
internal sealed class ToyDecoderState : IDecoderState
{
    private readonly Func<IReadOnlyList<int>, double[]> _probabilities;
    private List<int[]> _rows;

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

    public ReadOnlySpan<float> LogProbs(int row) => Log(_probabilities(_rows[row]));

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        ModelCalls++;
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
