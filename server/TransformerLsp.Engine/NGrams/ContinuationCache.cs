using System.Runtime.InteropServices;

namespace TransformerLsp.Engine.NGrams;

/// <summary>A bounded least-recently-used map from a token pattern to its continuation list.</summary>
/// <remarks>Looked up by span, so a hit allocates nothing. Not thread-safe (one reader at a time, like its index).</remarks>
internal sealed class ContinuationCache
{
    private readonly int _capacity;
    private readonly Dictionary<int[], LinkedListNode<(int[] Pattern, TokenCount[] Continuations)>> _entries;
    private readonly Dictionary<int[], LinkedListNode<(int[] Pattern, TokenCount[] Continuations)>>.AlternateLookup<ReadOnlySpan<int>> _bySpan;
    private readonly LinkedList<(int[] Pattern, TokenCount[] Continuations)> _recency = new(); // most recent first

    /// <summary>A cache that keeps at most <paramref name="capacity"/> patterns.</summary>
    public ContinuationCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _entries = new(PatternComparer.Instance);
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<int>>();
    }

    /// <summary>Patterns held now.</summary>
    public int Count => _entries.Count;

    /// <summary>The cached list for <paramref name="pattern"/>, which becomes the most recently used.</summary>
    public bool TryGet(ReadOnlySpan<int> pattern, out TokenCount[] continuations)
    {
        if (!_bySpan.TryGetValue(pattern, out var node))
        {
            continuations = [];
            return false;
        }
        _recency.Remove(node);
        _recency.AddFirst(node);
        continuations = node.Value.Continuations;
        return true;
    }

    /// <summary>Stores <paramref name="continuations"/> for <paramref name="pattern"/>, dropping the least recently used beyond capacity.</summary>
    public void Add(ReadOnlySpan<int> pattern, TokenCount[] continuations)
    {
        if (_bySpan.TryGetValue(pattern, out var old))
        {
            _recency.Remove(old);
            _entries.Remove(old.Value.Pattern);
        }
        var key = pattern.ToArray();
        _entries[key] = _recency.AddFirst((key, continuations));
        if (_entries.Count > _capacity)
        {
            var last = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(last.Value.Pattern);
        }
    }

    /// <summary>Equality by content, for arrays and spans alike.</summary>
    private sealed class PatternComparer : IEqualityComparer<int[]>, IAlternateEqualityComparer<ReadOnlySpan<int>, int[]>
    {
        public static readonly PatternComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] pattern) => GetHashCode(pattern.AsSpan());

        public bool Equals(ReadOnlySpan<int> alternate, int[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<int> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(MemoryMarshal.AsBytes(alternate));
            return hash.ToHashCode();
        }

        public int[] Create(ReadOnlySpan<int> alternate) => alternate.ToArray();
    }
}
