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

    /// <summary>Descending is a stable OrderByDescending, read in full or stopped early: random lists of every length
    /// around the heap's size, with many ties and infinities, against LINQ's stable sort.</summary>
    [Fact]
    public void DescendingEqualsAStableSortWhereverTheReaderStops()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 300; trial++)
        {
            var n = random.Next(0, 140);
            var items = Enumerable.Range(0, n).Select(i => (Id: i, Score: random.Next(5) switch
            {
                0 => double.NegativeInfinity,
                1 => -random.Next(4), // ties
                _ => -random.NextDouble() * 10,
            })).ToList();
            var head = random.Next(1, 80);
            var expected = items.OrderByDescending(x => x.Score).Select(x => x.Id).ToList();
            Assert.Equal(expected, LogProbMath.Descending(items, x => x.Score, head).Select(x => x.Id).ToList());
            var stop = random.Next(0, n + 1);
            Assert.Equal(expected.Take(stop), LogProbMath.Descending(items, x => x.Score, head).Take(stop).Select(x => x.Id));
        }
    }
}
