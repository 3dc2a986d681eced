using System.Buffers;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// Keys and values of every layer for a batch of rows that share one length: the first <see cref="Length"/> positions
/// of buffers laid out as ONNX wants them, [batch, n_head, capacity, head_dim] per layer. ModelSession binds the buffers
/// directly as the graph's past inputs and present outputs.
/// </summary>
/// <remarks>
/// <para>Several caches may view one set of buffers, each its own prefix of the positions: <see cref="Truncate"/> is a
/// shorter view, not a copy, and a run on a graph that shares its past and present buffers
/// (<see cref="ModelSession.SharesPastAndPresent"/>) writes its new positions after the past's and returns a longer
/// view of the same buffers. The buffers go back to the pool when the last view is disposed.</para>
/// <para>A view may be extended in place only while no other view of its buffers is longer than it
/// (<see cref="Writable"/>): the positions after it belong to nobody else. Otherwise the run gets a copy.</para>
/// </remarks>
internal sealed class KvCache : IDisposable
{
    // Pooled: a decode step would otherwise allocate 2 × n_layer large arrays. At most 16 arrays are kept per size
    // class, which bounds what the pool retains (a beam step of the default model needs 2 × 4 live + 2 × 4 new).
    private static readonly ArrayPool<float> Pool = ArrayPool<float>.Create(1 << 27, 16);

    /// <summary>The buffers and the caches that view them.</summary>
    private sealed class Buffers
    {
        public required float[][] Keys;
        public required float[][] Values;
        public required int Capacity;
        public readonly List<KvCache> Views = [];
    }

    private readonly Buffers _buffers;
    private bool _disposed;

    /// <summary>A cache of <paramref name="length"/> positions in new buffers of <paramref name="capacity"/> positions
    /// (at least the length; by default exactly it). The positions hold whatever the pool's arrays held, so no two rows
    /// are taken to share any.</summary>
    public KvCache(int layers, int heads, int headDim, int batch, int length, int capacity = -1) : this(layers, heads, headDim, batch, length, capacity, 0) { }

    private KvCache(int layers, int heads, int headDim, int batch, int length, int capacity, int sharedPrefix)
    {
        capacity = Math.Max(capacity, length);
        Layers = layers; Heads = heads; HeadDim = headDim; Batch = batch; Length = length;
        _sharedPrefix = sharedPrefix;
        var size = batch * heads * capacity * headDim;
        _buffers = new Buffers
        {
            Keys = [.. Enumerable.Range(0, layers).Select(_ => size == 0 ? [] : Pool.Rent(size))],
            Values = [.. Enumerable.Range(0, layers).Select(_ => size == 0 ? [] : Pool.Rent(size))],
            Capacity = capacity,
        };
        _buffers.Views.Add(this);
    }

    /// <summary>Another view of <paramref name="of"/>'s buffers.</summary>
    private KvCache(KvCache of, int length)
    {
        Layers = of.Layers; Heads = of.Heads; HeadDim = of.HeadDim; Batch = of.Batch; Length = length;
        _sharedPrefix = Math.Min(of.SharedPrefix, length);
        _buffers = of._buffers;
        _buffers.Views.Add(this);
    }

    public int Layers { get; }
    public int Heads { get; }
    public int HeadDim { get; }
    public int Batch { get; }
    /// <summary>Positions held (past length).</summary>
    public int Length { get; }
    /// <summary>Positions the buffers have room for.</summary>
    public int Capacity => _buffers.Capacity;
    /// <summary>Floats per layer tensor: [batch, heads, capacity, head_dim].</summary>
    public int Size => Batch * Heads * Capacity * HeadDim;
    /// <summary>Floats per row of a layer tensor.</summary>
    public int RowSize => Heads * Capacity * HeadDim;
    /// <summary>Leading positions that are the same in every row (a search's rows expanded from one context share it):
    /// a reordering leaves them alone.</summary>
    public int SharedPrefix => Batch == 1 ? Length : _sharedPrefix;
    private readonly int _sharedPrefix;

    /// <summary>Whether no other cache views these buffers (they may be reordered in place).</summary>
    public bool OwnsBuffers => _buffers.Views.Count == 1;

    public Memory<float> Key(int layer) => _buffers.Keys[layer].AsMemory(0, Size);
    public Memory<float> Value(int layer) => _buffers.Values[layer].AsMemory(0, Size);

    /// <summary>The first <paramref name="length"/> positions of every row: a view of the same buffers.</summary>
    public KvCache Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new KvCache(this, length);
    }

    /// <summary>This cache grown to <paramref name="length"/> positions, which a run has just written after it (the
    /// caller checked <see cref="Writable"/>): a view of the same buffers.</summary>
    public KvCache Extended(int length)
    {
        if (length < Length || length > Capacity) throw new ArgumentOutOfRangeException(nameof(length), $"{length} positions in buffers of {Capacity} holding {Length}");
        return new KvCache(this, length);
    }

    /// <summary>Whether a run may write positions [Length, <paramref name="length"/>) into these buffers: there is room,
    /// and no other view is longer than this one (whose positions they would overwrite).</summary>
    public bool Writable(int length) => length <= Capacity && _buffers.Views.TrueForAll(v => v.Length <= Length);

    /// <summary>A copy in new buffers of <paramref name="capacity"/> positions (at least the length).</summary>
    public KvCache Copy(int capacity) => Select([.. Enumerable.Range(0, Batch)], capacity);

    /// <summary>A copy whose row i is row <c>rows[i]</c> of this cache (beam reordering by parent; expansion when rows
    /// repeat), in new buffers of <paramref name="capacity"/> positions (default: as many as this cache's).</summary>
    public KvCache Select(ReadOnlySpan<int> rows, int capacity = -1)
    {
        var oneRow = rows.Length > 0 && !rows.ContainsAnyExcept(rows[0]);
        var result = new KvCache(Layers, Heads, HeadDim, rows.Length, Length, capacity < 0 ? Capacity : capacity, oneRow ? Length : SharedPrefix);
        var span = Length * HeadDim;
        for (var i = 0; i < rows.Length; i++)
            if ((uint)rows[i] >= (uint)Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} of a batch of {Batch}");
        for (var l = 0; l < Layers; l++)
            for (var i = 0; i < rows.Length; i++)
                for (var h = 0; h < Heads; h++)
                {
                    var from = (rows[i] * Heads + h) * Capacity * HeadDim;
                    var to = (i * Heads + h) * result.Capacity * HeadDim;
                    Array.Copy(_buffers.Keys[l], from, result._buffers.Keys[l], to, span);
                    Array.Copy(_buffers.Values[l], from, result._buffers.Values[l], to, span);
                }
        return result;
    }

    /// <summary>
    /// In place, row i becomes row <c>rows[i]</c> (a beam step's reordering by parent, same batch size). Only rows whose
    /// parent changed are copied, and of them only the positions after the <see cref="SharedPrefix"/>; a row that is both
    /// read and overwritten is saved first. So a search step after a long context copies its own few positions, not the
    /// context. Only for a cache that <see cref="OwnsBuffers"/>.
    /// </summary>
    public void GatherInPlace(ReadOnlySpan<int> rows)
    {
        if (rows.Length != Batch) throw new ArgumentException($"{rows.Length} rows for a batch of {Batch}", nameof(rows));
        if (!OwnsBuffers) throw new InvalidOperationException("another cache views these buffers: reorder a copy (Select)");
        for (var i = 0; i < rows.Length; i++)
            if ((uint)rows[i] >= (uint)Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} of a batch of {Batch}");
        var first = SharedPrefix * HeadDim; // offset of the first position copied, within a head's positions
        var span = (Length - SharedPrefix) * HeadDim;
        if (span == 0) return;
        var head = Capacity * HeadDim;
        var keys = _buffers.Keys;
        var values = _buffers.Values;
        // Sources that are themselves overwritten must be read before they are: [layer, head, position] of the row.
        var saved = new Dictionary<int, (float[] Keys, float[] Values)>();
        var savedSize = Layers * Heads * span;
        for (var i = 0; i < rows.Length; i++)
        {
            var source = rows[i];
            if (source == i || rows[source] == source || saved.ContainsKey(source)) continue;
            var k = Pool.Rent(savedSize);
            var v = Pool.Rent(savedSize);
            for (var l = 0; l < Layers; l++)
                for (var h = 0; h < Heads; h++)
                {
                    var from = (source * Heads + h) * head + first;
                    Array.Copy(keys[l], from, k, (l * Heads + h) * span, span);
                    Array.Copy(values[l], from, v, (l * Heads + h) * span, span);
                }
            saved[source] = (k, v);
        }
        for (var i = 0; i < rows.Length; i++)
        {
            var source = rows[i];
            if (source == i) continue;
            var isSaved = saved.TryGetValue(source, out var s);
            for (var l = 0; l < Layers; l++)
                for (var h = 0; h < Heads; h++)
                {
                    var to = (i * Heads + h) * head + first;
                    if (isSaved)
                    {
                        Array.Copy(s.Keys, (l * Heads + h) * span, keys[l], to, span);
                        Array.Copy(s.Values, (l * Heads + h) * span, values[l], to, span);
                    }
                    else
                    {
                        var from = (source * Heads + h) * head + first;
                        Array.Copy(keys[l], from, keys[l], to, span);
                        Array.Copy(values[l], from, values[l], to, span);
                    }
                }
        }
        foreach (var (k, v) in saved.Values)
        {
            Pool.Return(k);
            Pool.Return(v);
        }
    }

    /// <summary>Row 0 repeated <paramref name="batch"/> times, in new buffers of <paramref name="capacity"/> positions
    /// (default: as many as this cache's).</summary>
    public KvCache Expand(int batch, int capacity = -1) => Select(new int[batch], capacity);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _buffers.Views.Remove(this);
        if (_buffers.Views.Count > 0) return;
        foreach (var a in _buffers.Keys.Concat(_buffers.Values))
            if (a.Length > 0) Pool.Return(a);
    }
}
