using System.Buffers;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// Keys and values of every layer for a batch of rows that share one length, in managed buffers laid out as ONNX wants
/// them: [batch, n_head, length, head_dim] per layer. ModelSession binds these buffers directly as past inputs and as
/// present outputs, so the cache can be truncated, reordered and expanded with plain array copies.
/// </summary>
internal sealed class KvCache : IDisposable
{
    // Pooled: a decode step would otherwise allocate 2 × n_layer large arrays. At most 16 arrays are kept per size
    // class, which bounds what the pool retains (a beam step of the default model needs 2 × 4 live + 2 × 4 new).
    private static readonly ArrayPool<float> Pool = ArrayPool<float>.Create(1 << 27, 16);
    private readonly float[][] _keys;
    private readonly float[][] _values;
    private bool _disposed;

    public KvCache(int layers, int heads, int headDim, int batch, int length)
    {
        Layers = layers; Heads = heads; HeadDim = headDim; Batch = batch; Length = length;
        _keys = new float[layers][];
        _values = new float[layers][];
        for (var l = 0; l < layers; l++)
        {
            _keys[l] = Size == 0 ? [] : Pool.Rent(Size);
            _values[l] = Size == 0 ? [] : Pool.Rent(Size);
        }
    }

    public int Layers { get; }
    public int Heads { get; }
    public int HeadDim { get; }
    public int Batch { get; }
    /// <summary>Positions held (past length).</summary>
    public int Length { get; }
    /// <summary>Floats per layer tensor.</summary>
    public int Size => Batch * Heads * Length * HeadDim;
    private int RowSize => Heads * Length * HeadDim;

    public Memory<float> Key(int layer) => _keys[layer].AsMemory(0, Size);
    public Memory<float> Value(int layer) => _values[layer].AsMemory(0, Size);

    /// <summary>A copy holding only the first <paramref name="length"/> positions of every row.</summary>
    public KvCache Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        var result = new KvCache(Layers, Heads, HeadDim, Batch, length);
        var span = length * HeadDim;
        for (var l = 0; l < Layers; l++)
            for (var bh = 0; bh < Batch * Heads; bh++)
            {
                Array.Copy(_keys[l], bh * Length * HeadDim, result._keys[l], bh * span, span);
                Array.Copy(_values[l], bh * Length * HeadDim, result._values[l], bh * span, span);
            }
        return result;
    }

    /// <summary>A copy whose row i is row <c>rows[i]</c> of this cache (beam reordering by parent; expansion when rows repeat).</summary>
    public KvCache Select(ReadOnlySpan<int> rows)
    {
        var result = new KvCache(Layers, Heads, HeadDim, rows.Length, Length);
        var row = RowSize;
        for (var l = 0; l < Layers; l++)
            for (var i = 0; i < rows.Length; i++)
            {
                if ((uint)rows[i] >= (uint)Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} of a batch of {Batch}");
                Array.Copy(_keys[l], rows[i] * row, result._keys[l], i * row, row);
                Array.Copy(_values[l], rows[i] * row, result._values[l], i * row, row);
            }
        return result;
    }

    /// <summary>
    /// In place, row i becomes row <c>rows[i]</c> (a beam step's reordering by parent, same batch size). Only rows whose
    /// parent changed are copied, and a row that is both read and overwritten is saved first, so a step that keeps most
    /// beams copies little instead of the whole cache.
    /// </summary>
    public void GatherInPlace(ReadOnlySpan<int> rows)
    {
        if (rows.Length != Batch) throw new ArgumentException($"{rows.Length} rows for a batch of {Batch}", nameof(rows));
        var row = RowSize;
        for (var i = 0; i < rows.Length; i++)
            if ((uint)rows[i] >= (uint)Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[i]} of a batch of {Batch}");
        // Sources that are themselves overwritten must be read before they are.
        var saved = new Dictionary<int, (float[] Keys, float[] Values)>();
        for (var i = 0; i < rows.Length; i++)
        {
            var source = rows[i];
            if (source == i || rows[source] == source || saved.ContainsKey(source)) continue;
            var keys = Pool.Rent(Layers * row);
            var values = Pool.Rent(Layers * row);
            for (var l = 0; l < Layers; l++)
            {
                Array.Copy(_keys[l], source * row, keys, l * row, row);
                Array.Copy(_values[l], source * row, values, l * row, row);
            }
            saved[source] = (keys, values);
        }
        for (var i = 0; i < rows.Length; i++)
        {
            var source = rows[i];
            if (source == i) continue;
            for (var l = 0; l < Layers; l++)
            {
                if (saved.TryGetValue(source, out var s))
                {
                    Array.Copy(s.Keys, l * row, _keys[l], i * row, row);
                    Array.Copy(s.Values, l * row, _values[l], i * row, row);
                }
                else
                {
                    Array.Copy(_keys[l], source * row, _keys[l], i * row, row);
                    Array.Copy(_values[l], source * row, _values[l], i * row, row);
                }
            }
        }
        foreach (var (keys, values) in saved.Values)
        {
            Pool.Return(keys);
            Pool.Return(values);
        }
    }

    /// <summary>Row 0 repeated <paramref name="batch"/> times.</summary>
    public KvCache Expand(int batch) => Select(new int[batch]);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        for (var l = 0; l < Layers; l++)
        {
            if (_keys[l].Length > 0) Pool.Return(_keys[l]);
            if (_values[l].Length > 0) Pool.Return(_values[l]);
        }
    }
}
