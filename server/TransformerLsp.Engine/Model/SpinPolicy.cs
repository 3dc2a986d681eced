using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// How idle intra-op worker threads wait for work. A decode step is some sixty small operators; a worker that sleeps
/// between them must be woken for each parallel one (tens of microseconds apiece), one that spins picks the work up at
/// once but burns its core while it waits. ONNX Runtime's own spin is an iteration count with no time bound; the
/// engine bounds it (<c>session.intra_op.spin_duration_us</c>) so that a worker spins across the gaps inside and
/// between decode steps and sleeps soon after a request ends. The bound is chosen by the bench's thread-policy stage.
/// </summary>
internal static class SpinPolicy
{
    /// <summary>Sets the session's spinning: 0 = never, -1 = ONNX Runtime's unbounded default, n &gt; 0 = at most n µs.</summary>
    public static void Apply(SessionOptions options, int spinMicroseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spinMicroseconds, -1);
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", spinMicroseconds == 0 ? "0" : "1");
        if (spinMicroseconds > 0)
            options.AddSessionConfigEntry("session.intra_op.spin_duration_us", spinMicroseconds.ToString(CultureInfo.InvariantCulture));
    }
}
