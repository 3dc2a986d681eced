using System.Diagnostics;

namespace TransformerLsp.Bench;

/// <summary>Wall and CPU time of one request (milliseconds).</summary>
internal readonly record struct Cost(double WallMs, double CpuMs);

/// <summary>
/// Measures one request the way a shared laptop pays for it: wall time of the call, and CPU time of the whole process
/// from the call's start to the end of a settle gap after it. Spinning ONNX Runtime workers keep burning a core after
/// the call returns; the gap (longer than the spin they were given) puts that tail on the request that caused it
/// instead of on whatever runs next. The calling thread sleeps in the gap, so only such tails count there.
/// </summary>
internal static class RequestCost
{
    /// <summary>The gap after a contender whose spin is unbounded (ONNX Runtime's iteration count, GenAI's default):
    /// 2^20 pause iterations run for tens of milliseconds on current x64 cores.</summary>
    public const int UnboundedSettleMs = 120;

    /// <summary>The gap for a spin bound of <paramref name="spinMicroseconds"/> (0 = no spin, -1 = unbounded).</summary>
    public static int SettleMs(int spinMicroseconds) => spinMicroseconds < 0 ? UnboundedSettleMs : 5 + 2 * spinMicroseconds / 1000;

    public static Cost Measure(Action action, int settleMs)
    {
        var c0 = Timing.ProcessCpuMs();
        var t0 = Stopwatch.GetTimestamp();
        action();
        var wall = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        if (settleMs > 0) Thread.Sleep(settleMs);
        return new Cost(wall, Timing.ProcessCpuMs() - c0);
    }
}
