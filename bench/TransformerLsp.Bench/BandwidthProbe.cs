using System.Numerics;
using System.Runtime.InteropServices;

namespace TransformerLsp.Bench;

/// <summary>
/// Streams over a buffer and reports the best read bandwidth, single-threaded and on all cores. Over a buffer several
/// times larger than the last-level cache (the default) that is DRAM bandwidth; over a buffer the size of the model's
/// weights, when they fit in the last-level cache, it is the bandwidth a decode step reads them at once they stay
/// there. Weight bytes / bandwidth is the floor of a batch-1 decode step (a chain of matrix-vector products: each weight
/// is read once per token); <see cref="LastLevelCacheBytes"/> says which of the two floors applies.
/// </summary>
internal static class BandwidthProbe
{
    public sealed record Result(double SingleThreadGBps, double AllCoresGBps, long BufferBytes);

    public static Result Measure(long bufferBytes = 256L << 20, int passes = 5)
    {
        var count = (int)(bufferBytes / sizeof(float));
        var buffer = GC.AllocateUninitializedArray<float>(count, pinned: true);
        for (var i = 0; i < count; i += 1024) buffer[i] = i; // touch every page
        Array.Fill(buffer, 1f);
        double single = 0, all = 0;
        for (var p = 0; p < passes; p++)
        {
            single = Math.Max(single, Pass(buffer, 1));
            all = Math.Max(all, Pass(buffer, Environment.ProcessorCount));
        }
        return new Result(single, all, bufferBytes);
    }

    /// <summary>The size of the largest cache level (Linux sysfs), or null when it cannot be read.</summary>
    public static long? LastLevelCacheBytes()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root)) return null;
        long? best = null;
        foreach (var index in Directory.EnumerateDirectories(root, "index*"))
        {
            var text = File.ReadAllText(Path.Combine(index, "size")).Trim();
            var unit = text[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L };
            if (long.TryParse(unit == 1 ? text : text[..^1], out var n) && n * unit > (best ?? 0)) best = n * unit;
        }
        return best;
    }

    private static double Pass(float[] buffer, int threads)
    {
        var chunk = buffer.Length / threads;
        var sums = new float[threads];
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            sums[t] = Sum(buffer.AsSpan(t * chunk, chunk)));
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        GC.KeepAlive(sums);
        return (double)chunk * threads * sizeof(float) / seconds / 1e9;
    }

    private static float Sum(ReadOnlySpan<float> span)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(span);
        Vector<float> a = default, b = default, c = default, d = default;
        var i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i]; b += vectors[i + 1]; c += vectors[i + 2]; d += vectors[i + 3];
        }
        for (; i < vectors.Length; i++) a += vectors[i];
        return Vector.Sum(a + b + c + d);
    }
}
