using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

public sealed class LogProbMathTests
{
    /// <summary>The textbook definition in double precision, one element at a time: the reference for the vectorized one.</summary>
    private static double[] Reference(float[] x)
    {
        var max = x.Where(v => !float.IsNegativeInfinity(v)).DefaultIfEmpty(float.NegativeInfinity).Max();
        var logZ = max + Math.Log(x.Sum(v => Math.Exp((double)v - max)));
        return [.. x.Select(v => (double)v - logZ)];
    }

    [Theory]
    [InlineData(1, 8000, 3.0)]
    [InlineData(2, 7, 1.0)]
    [InlineData(3, 8000, 40.0)] // a peaked distribution: most entries far in the tail, as a trained model's are
    [InlineData(4, 1, 5.0)]
    public void LogSoftmaxMatchesTheDefinition(int seed, int length, double scale)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
        if (length > 4) x[3] = float.NegativeInfinity; // a masked token
        var expected = Reference(x);
        LogProbMath.LogSoftmax(x);
        for (var i = 0; i < length; i++)
        {
            if (double.IsNegativeInfinity(expected[i])) Assert.True(float.IsNegativeInfinity(x[i]), $"entry {i}: {x[i]}");
            else Assert.True(Math.Abs(expected[i] - x[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"entry {i}: {x[i]} vs {expected[i]}");
        }
        Assert.Equal(1.0, x.Sum(v => Math.Exp(v)), 5);
    }
}
