using System.Numerics;
using System.Runtime.InteropServices;

namespace TransformerLsp.Bench;

/// <summary>
/// Streams over a buffer several times larger than the last-level cache and reports the best read bandwidth,
/// single-threaded and on all cores. Weights bytes / bandwidth is the floor of a batch-1 decode step whose weights come
/// from DRAM (a decode step at batch 1 is a chain of matrix-vector products: each weight is read once per token).
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
