using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// <see cref="IDecoderState"/> for searches whose rows branch from one context (next words): the rows are the nodes of a
/// tree after the context, all in the one row of the context's own cache. Each step's new nodes run as the positions of
/// one run, each at the position id of its depth and hidden, by an attention bias, from every node that is not its
/// ancestor (<see cref="ModelSession.RunTree"/>). A row of a batch would read its own copy of the context's cache at every
/// step; here the context is read once a step and never copied, and a pruned row costs nothing but its positions.
/// </summary>
/// <remarks>
/// The logits are those of separate rows (the same attention over the same keys), up to rounding; the tests compare them
/// with <see cref="OnnxDecoderState"/>'s. The context's cache is borrowed from the prefix cache and never changed: nodes are
/// written after its positions (a copy with room when its buffers have no room or another view owns them). Only the
/// row-advancing part of the contract is served: speculative runs and passage scoring stay with <see cref="OnnxDecoderState"/>.
/// </remarks>
internal sealed class TreeDecoderState : IDecoderState
{
    /// <summary>A bias that hides a position: exp of it is 0 in float, and a row always sees the context.</summary>
    private const float Hidden = -1e9f;

    private readonly ModelSession _session;
    private readonly KvCache _context;
    private readonly int _contextLength;
    private readonly int _maxRows;
    private readonly int _vocab;
    private KvCache _kv;
    private readonly StepLogits _scores;
    // Per node (position − context length): its parent node (−1: the context) and its depth (0: right after the context).
    private readonly List<int> _parent = [], _depth = [];
    private int[] _rows = [-1]; // the node each row stands at (−1: the context itself)
    private float[] _bias = [];
    private int[] _positions = [];

    /// <param name="session">The model.</param>
    /// <param name="context">The context's cache (batch 1), borrowed.</param>
    /// <param name="lastLogProbs">The next-token log-probabilities after the context.</param>
    /// <param name="maxRows">The most rows a step will hold: how many positions a step may take, for <see cref="RemainingPositions"/>.</param>
    public TreeDecoderState(ModelSession session, KvCache context, float[] lastLogProbs, int maxRows)
    {
        if (context.Batch != 1) throw new ArgumentException($"a tree grows from one context row, not {context.Batch}", nameof(context));
        _session = session;
        _context = context;
        _kv = context;
        _contextLength = context.Length;
        _maxRows = Math.Max(1, maxRows);
        _vocab = session.Config.VocabSize;
        _scores = new StepLogits(_vocab, lastLogProbs);
    }

    public int Rows => _rows.Length;
    public int VocabSize => _vocab;

    /// <summary>Tokens a row may still take: each step takes up to the most rows' positions, and a node's position id is
    /// the context length plus its depth.</summary>
    public int RemainingPositions => Room(_session.Config, _kv.Length, _maxRows);

    /// <summary>The steps of up to <paramref name="maxRows"/> nodes each that fit in the position table after
    /// <paramref name="length"/> positions.</summary>
    public static int Room(ModelConfig config, int length, int maxRows) => (config.NPositions - length) / Math.Max(1, maxRows);

    public ReadOnlySpan<float> LogProbs(int row) => _scores.LogProbs(row);

    public ReadOnlySpan<float> Logits(int row) => _scores.Logits(row);

    public void Advance(ReadOnlySpan<int> parents, ReadOnlySpan<int> tokens, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = tokens.Length;
        if (n == 0 || parents.Length != n) throw new ArgumentException($"{parents.Length} parents for {n} tokens");
        if (n > _maxRows) throw new ArgumentException($"{n} rows, more than the {_maxRows} this state was opened for", nameof(tokens));
        var first = _kv.Length; // the new nodes' positions: first .. first + n − 1
        var total = first + n;
        if (_positions.Length < n) _positions = new int[n];
        if (_bias.Length < n * total) _bias = new float[Math.Max(n * total, 2 * _bias.Length)];
        var bias = _bias.AsMemory(0, n * total);
        var newRows = new int[n];
        var nodesBefore = _parent.Count; // node i is position _contextLength + i: a failed step takes its nodes back
        ReadOnlySpan<float> logits;
        try
        {
            for (var i = 0; i < n; i++)
            {
                if ((uint)parents[i] >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(parents), $"parent {parents[i]} of {Rows} rows");
                var parent = _rows[parents[i]];
                var node = _parent.Count;
                _parent.Add(parent);
                _depth.Add(parent < 0 ? 0 : _depth[parent] + 1);
                newRows[i] = node;
                _positions[i] = _contextLength + _depth[node];
                // Row i sees the context, its ancestors and itself: everything else after the context is hidden.
                var row = bias.Span.Slice(i * total, total);
                row[.._contextLength].Clear();
                row[_contextLength..].Fill(Hidden);
                for (var a = node; a >= 0; a = _parent[a]) row[_contextLength + a] = 0;
            }
            logits = _session.RunTree(_kv, tokens, _positions.AsSpan(0, n), bias, out var present);
            if (!ReferenceEquals(_kv, _context)) _kv.Dispose();
            _kv = present;
        }
        catch
        {
            _parent.RemoveRange(nodesBefore, _parent.Count - nodesBefore);
            _depth.RemoveRange(nodesBefore, _depth.Count - nodesBefore);
            throw;
        }
        _scores.Take(logits, n);
        _rows = newRows;
    }

    /// <summary>The n-grams are the hybrid state's; the tree holds none.</summary>
    public int Draft(ReadOnlySpan<int> pending, Span<int> into) => 0;

    public float[][] ScoreContinuations(IReadOnlyList<int[]> continuations, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a tree state serves searches that advance rows; passages are scored by OnnxDecoderState");

    public void AdvanceRow(ReadOnlySpan<int> tokens, CancellationToken cancellationToken) =>
        throw new NotSupportedException("a tree state serves searches that advance rows; speculative runs use OnnxDecoderState");

    public ReadOnlySpan<float> LogProbsAfter(int i) =>
        throw new NotSupportedException("a tree state serves searches that advance rows; speculative runs use OnnxDecoderState");

    public void Rewind(int count) =>
        throw new NotSupportedException("a tree state serves searches that advance rows; speculative runs use OnnxDecoderState");

    public void Dispose()
    {
        if (!ReferenceEquals(_kv, _context)) _kv.Dispose();
        _scores.Dispose();
    }
}
