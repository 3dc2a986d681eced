using System.Buffers;

namespace TransformerLsp.Engine.Decoding;

/// <summary>A decoder state's per-step buffer of rows × vocab floats, rented from the shared pool and reused from step to
/// step, so a step is not a new large-object-heap array.</summary>
internal static class RentedFloats
{
    /// <summary>Makes <paramref name="buffer"/> hold at least <paramref name="length"/> floats; a smaller one goes back to
    /// the pool (its contents are not kept).</summary>
    public static void Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length >= length) return;
        Release(ref buffer);
        buffer = ArrayPool<float>.Shared.Rent(length);
    }

    /// <summary>Returns <paramref name="buffer"/> to the pool and leaves it empty.</summary>
    public static void Release(ref float[] buffer)
    {
        if (buffer.Length > 0) ArrayPool<float>.Shared.Return(buffer);
        buffer = [];
    }
}
