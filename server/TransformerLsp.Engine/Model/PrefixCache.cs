using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// Per document: the token ids of the last context and their KV cache. A new request reuses the longest common token
/// prefix and runs only the tokens after it, so typing one character does not re-run the document.
/// </summary>
/// <remarks>
/// Least-recently-used documents are dropped beyond <c>capacity</c>. Entries are updated after every prefill chunk, so
/// a cancelled request still leaves its progress for the next one. Not thread-safe (the engine runs one request at a time).
/// </remarks>
internal sealed class PrefixCache(ModelSession session, int capacity = 8) : IDisposable
{
    /// <summary>Prefill chunk: bounds the latency of a cancellation and the size of one logits tensor.</summary>
    private const int Chunk = 128;

    private sealed class Entry(int[] tokens, KvCache kv, float[] lastLogProbs)
    {
        public int[] Tokens = tokens;
        public KvCache Kv = kv;
        public float[] LastLogProbs = lastLogProbs;
        public long LastUse;
    }

    private readonly Dictionary<string, Entry> _entries = [];
    private long _clock;

    /// <summary>Tokens whose KV came from the cache / had to be computed, since load (for tests and benchmarks).</summary>
    public long ReusedTokens { get; private set; }
    public long ComputedTokens { get; private set; }

    /// <summary>A decoder state positioned after <paramref name="tokens"/> (non-empty), reusing the document's cached prefix.</summary>
    public OnnxDecoderState Open(string documentKey, int[] tokens, CancellationToken cancellationToken)
    {
        var entry = After(documentKey, tokens, cancellationToken);
        return new OnnxDecoderState(session, entry.Kv, entry.LastLogProbs);
    }

    /// <summary>A tree state after <paramref name="tokens"/> for a search of at most <paramref name="maxRows"/> rows
    /// (<see cref="TreeDecoderState"/>; the session must run trees, <see cref="ModelSession.RunsTrees"/>).</summary>
    public TreeDecoderState OpenTree(string documentKey, int[] tokens, int maxRows, CancellationToken cancellationToken)
    {
        var entry = After(documentKey, tokens, cancellationToken);
        return new TreeDecoderState(session, entry.Kv, entry.LastLogProbs, maxRows);
    }

    /// <summary>The document's entry brought to <paramref name="tokens"/>: its cached prefix kept, the rest run.</summary>
    private Entry After(string documentKey, int[] tokens, CancellationToken cancellationToken)
    {
        if (tokens.Length == 0) throw new ArgumentException("a context needs at least one token", nameof(tokens));
        if (!_entries.TryGetValue(documentKey, out var entry))
        {
            entry = new Entry([], session.EmptyCache(), []);
            _entries[documentKey] = entry;
            EvictBeyondCapacity(documentKey);
        }
        entry.LastUse = ++_clock;

        var common = 0;
        var max = Math.Min(entry.Tokens.Length, tokens.Length);
        while (common < max && entry.Tokens[common] == tokens[common]) common++;

        if (common < tokens.Length || entry.Tokens.Length != tokens.Length)
        {
            // Keep the shared prefix, but always run at least one token so the last position's logits are fresh.
            var keep = Math.Min(common, tokens.Length - 1);
            if (keep < entry.Kv.Length)
            {
                var truncated = entry.Kv.Truncate(keep);
                entry.Kv.Dispose();
                entry.Kv = truncated;
                entry.Tokens = tokens[..keep];
                entry.LastLogProbs = [];
            }
            ReusedTokens += keep;
            for (var start = keep; start < tokens.Length; start += Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = Math.Min(tokens.Length, start + Chunk);
                var logits = session.Run(entry.Kv, tokens.AsSpan(start, end - start), 1, end - start, allPositions: false, out var present);
                LogProbMath.LogSoftmax(logits);
                entry.Kv.Dispose();
                entry.Kv = present;
                entry.Tokens = tokens[..end];
                entry.LastLogProbs = logits;
                ComputedTokens += end - start;
            }
        }
        else ReusedTokens += tokens.Length;
        return entry;
    }

    public void Forget(string documentKey)
    {
        if (_entries.Remove(documentKey, out var e)) e.Kv.Dispose();
    }

    private void EvictBeyondCapacity(string keep)
    {
        while (_entries.Count > capacity)
        {
            var oldest = _entries.Where(p => p.Key != keep).MinBy(p => p.Value.LastUse).Key;
            Forget(oldest);
        }
    }

    public void Dispose()
    {
        foreach (var e in _entries.Values) e.Kv.Dispose();
        _entries.Clear();
    }
}
