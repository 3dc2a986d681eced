using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

public sealed class SamplerTests
{
    private static readonly float[] LogProbs = [.. new[] { 0.5, 0.3, 0.15, 0.05 }.Select(p => (float)Math.Log(p))];

    [Fact]
    public void SameSeedSameChoices()
    {
        var a = new Random(3);
        var b = new Random(3);
        var first = Enumerable.Range(0, 50).Select(_ => Sampler.Choose(LogProbs, 1.0, 0, 1.0, a)).ToList();
        var second = Enumerable.Range(0, 50).Select(_ => Sampler.Choose(LogProbs, 1.0, 0, 1.0, b)).ToList();
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(0.0, 0, 1.0)]   // temperature 0 = argmax
    [InlineData(1.0, 1, 1.0)]   // top-k 1 = argmax
    [InlineData(1.0, 0, 0.4)]   // nucleus smaller than the top token's mass = argmax
    public void DegenerateSettingsAreGreedy(double temperature, int topK, double topP)
    {
        var r = new Random(1);
        Assert.All(Enumerable.Range(0, 30), _ => Assert.Equal(0, Sampler.Choose(LogProbs, temperature, topK, topP, r)));
    }

    [Fact]
    public void TopKAndTopPRestrictTheSupport()
    {
        var r = new Random(5);
        var topK = Enumerable.Range(0, 400).Select(_ => Sampler.Choose(LogProbs, 1.0, 2, 1.0, r)).ToHashSet();
        Assert.Equal([0, 1], topK.Order());
        var topP = Enumerable.Range(0, 400).Select(_ => Sampler.Choose(LogProbs, 1.0, 0, 0.9, r)).ToHashSet();
        Assert.Equal([0, 1, 2], topP.Order());
    }

    [Fact]
    public void FrequenciesFollowTheDistributionAtTemperatureOne()
    {
        var r = new Random(9);
        var counts = new int[4];
        for (var i = 0; i < 20000; i++) counts[Sampler.Choose(LogProbs, 1.0, 0, 1.0, r)]++;
        Assert.InRange(counts[0] / 20000.0, 0.47, 0.53);
        Assert.InRange(counts[3] / 20000.0, 0.035, 0.065);
    }
}
