using System.Buffers;
using System.Numerics.Tensors;

namespace TransformerLsp.Engine.Decoding;

/// <summary>Small numeric helpers shared by the decoders.</summary>
internal static class LogProbMath
{
    /// <summary>In-place log-softmax: x − max − log Σ exp(x − max), vectorized (a decode step runs it on every row of the
    /// vocabulary). Masked entries (−∞) stay −∞ and take no mass.</summary>
    public static void LogSoftmax(Span<float> values)
    {
        if (values.IsEmpty) return;
        var max = TensorPrimitives.Max(values);
        var buffer = ArrayPool<float>.Shared.Rent(values.Length);
        var exp = buffer.AsSpan(0, values.Length);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, exp);
        var logZ = MathF.Log(TensorPrimitives.Sum(exp));
        ArrayPool<float>.Shared.Return(buffer);
        TensorPrimitives.Subtract(values, logZ, values);
    }

    /// <summary>Indices of the <paramref name="k"/> largest finite values, largest first (ties: lower index first).</summary>
    public static int[] TopK(ReadOnlySpan<float> values, int k)
    {
        k = Math.Min(k, values.Length);
        if (k <= 0) return [];
        var idx = new int[k];
        var val = new float[k];
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (float.IsNegativeInfinity(v) || float.IsNaN(v)) continue;
            if (n == k && v <= val[k - 1]) continue;
            var j = n < k ? n++ : k - 1;
            while (j > 0 && val[j - 1] < v) { val[j] = val[j - 1]; idx[j] = idx[j - 1]; j--; }
            val[j] = v; idx[j] = i;
        }
        return n == k ? idx : idx[..n];
    }

    /// <summary>Softmax over a list of log scores (for ranking candidates against each other).</summary>
    public static double[] Softmax(IReadOnlyList<double> logScores)
    {
        if (logScores.Count == 0) return [];
        var max = logScores.Max();
        var exps = logScores.Select(s => Math.Exp(s - max)).ToArray();
        var sum = exps.Sum();
        return [.. exps.Select(e => e / sum)];
    }
}
