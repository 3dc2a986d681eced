namespace TransformerLsp.Bench;

/// <summary>Latency samples of one kind, in milliseconds.</summary>
internal sealed class Samples(string name)
{
    private readonly List<double> _values = [];
    public string Name { get; } = name;
    public int Count => _values.Count;
    public IReadOnlyList<double> Values => _values;
    public void Add(double ms) => _values.Add(ms);
    public double Sum => _values.Sum();
    public double Mean => _values.Count == 0 ? double.NaN : _values.Average();
    public double Min => _values.Count == 0 ? double.NaN : _values.Min();

    /// <summary>Nearest-rank percentile (p in 0..100).</summary>
    public double Percentile(double p)
    {
        if (_values.Count == 0) return double.NaN;
        var sorted = _values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double Median => Percentile(50);
}

internal static class Timing
{
    /// <summary>CPU time of this process so far (all threads), in ms: robust to other processes competing for the cores.</summary>
    public static double ProcessCpuMs() => Environment.CpuUsage.TotalTime.TotalMilliseconds;

    /// <summary>Runs <paramref name="action"/> and adds its wall time to <paramref name="wall"/> and its process CPU time to <paramref name="cpu"/>.</summary>
    public static void Measure(Action action, Samples? wall, Samples? cpu)
    {
        var c0 = ProcessCpuMs();
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        var ms = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        wall?.Add(ms);
        cpu?.Add(ProcessCpuMs() - c0);
    }

    /// <summary>Median wall time of <paramref name="action"/> in ms after <paramref name="warmup"/> untimed runs.</summary>
    public static double MedianMs(Action action, int warmup, int runs, Samples? into = null)
    {
        for (var i = 0; i < warmup; i++) action();
        var s = into ?? new Samples("t");
        for (var i = 0; i < runs; i++)
        {
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            action();
            s.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        return s.Median;
    }
}
