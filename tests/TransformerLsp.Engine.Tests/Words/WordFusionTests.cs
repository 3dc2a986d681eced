using System.Text.Json;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests.Words;

public sealed class WordFusionTests
{
    // Trigram ids: 0 "the", 1 "a", 2 "email"; engine words "The" and "the" share id 0, "whale" is unknown (-1).
    private static readonly double[] TrigramP = [0.30, 0.20, 0.10];

    private static List<FusedWord> Hand(double mu) => WordFusion.Fuse(
        [("The", 0, 0.40), ("the", 0, 0.20), ("whale", -1, 0.10)],
        [("email", 2), ("a", 1), ("the", 0)],
        id => TrigramP[id], mu);

    [Fact]
    public void NextWordMixtureEqualsTheFormulaAndCountsEachTrigramWordOnce()
    {
        var fused = Hand(0.25).ToDictionary(w => w.Word);
        Assert.Equal(5, fused.Count);
        Assert.Equal(0.75 * 0.40 + 0.25 * 0.30, fused["The"].Probability, 12);   // the first spelling of id 0 gets its mass
        Assert.Equal(0.75 * 0.20, fused["the"].Probability, 12);                 // the second none
        Assert.Equal(0.75 * 0.10, fused["whale"].Probability, 12);               // unknown to the trigram: p_CMU = 0
        Assert.Equal(0.25 * 0.10, fused["email"].Probability, 12);               // unlisted by the engine: p_H = 0
        Assert.Equal(0.25 * 0.20, fused["a"].Probability, 12);
        Assert.Equal(0.0, fused["email"].Engine);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void NextWordMixtureIsAtMostOneAndSortedBestFirst(double mu)
    {
        var fused = Hand(mu);
        Assert.InRange(fused.Sum(w => w.Probability), 0, 1 + 1e-12);
        Assert.Equal(fused.OrderByDescending(w => w.Probability).Select(w => w.Word), fused.Select(w => w.Word));
        // Both parts are sub-distributions, so is the mixture, at any weight.
        Assert.InRange(fused.Sum(w => w.Engine), 0, 1 + 1e-12);
        Assert.InRange(fused.Sum(w => w.Trigram), 0, 1 + 1e-12);
    }

    [Fact]
    public void FillInSharesAreADistributionOverTheCandidates()
    {
        double[] transformer = [0.7, 0.2, 0.1];
        double[] logScores = [Math.Log(1e-6), Math.Log(3e-6), double.NegativeInfinity];
        var shares = WordFusion.Shares(transformer, logScores, 0.4);
        Assert.Equal(1.0, shares.Sum(), 12);
        Assert.All(shares, s => Assert.InRange(s, 0, 1));
        Assert.Equal(0.6 * 0.7 + 0.4 * 0.25, shares[0], 12);
        Assert.Equal(0.6 * 0.2 + 0.4 * 0.75, shares[1], 12);
        Assert.Equal(0.6 * 0.1, shares[2], 12);
    }

    [Fact]
    public void FillInSharesStayTheTransformersWhenTheTrigramKnowsNoCandidate()
    {
        double[] transformer = [0.6, 0.4];
        Assert.Equal(transformer, WordFusion.Shares(transformer, [double.NegativeInfinity, double.NegativeInfinity], 0.5));
        Assert.Equal(transformer, WordFusion.Shares(transformer, [-1.0, -2.0], 0));
    }

    [Fact]
    public void BestWeightMaximisesTheLikelihood()
    {
        // Half the words only the engine knows, half only the trigram: the likelihood λ^n (1 − λ)^n peaks at 1/2.
        (double, double)[] half = [(0.5, 0), (0, 0.5), (0.2, 0), (0, 0.2)];
        Assert.Equal(0.5, WordFusion.BestWeight(half), 9);
        // One in four: the peak is at 1/4. Samples both parts give 0 do not matter.
        (double, double)[] quarter = [(0.5, 0), (0.5, 0), (0.5, 0), (0, 0.5), (0, 0)];
        Assert.Equal(0.25, WordFusion.BestWeight(quarter), 9);
        Assert.Equal(0.0, WordFusion.BestWeight([(0.5, 0.1), (0.4, 0.0)]), 9);
    }

    [Fact]
    public void AGoodSectionReadsAndAnAbsentOneIsNull()
    {
        using var doc = JsonDocument.Parse("""{"word_trigram": {"file": "lm.bin", "next_word_weight": 0.15, "fill_in_weight": 0}}""");
        Assert.Equal(new WordTrigramSettings("lm.bin", 0.15, 0), WordTrigramSettings.Read(doc.RootElement, "config.json"));
        using var partial = JsonDocument.Parse("""{"word_trigram": {"next_word_weight": 1}}""");
        Assert.Equal(WordTrigramSettings.Default with { NextWordWeight = 1 }, WordTrigramSettings.Read(partial.RootElement, "config.json"));
        using var none = JsonDocument.Parse("""{"hybrid": {}}""");
        Assert.Null(WordTrigramSettings.Read(none.RootElement, "config.json"));
    }

    [Theory]
    [InlineData("""{"word_trigram": 3}""", "\"word_trigram\" must be an object")]
    [InlineData("""{"word_trigram": {"file": "../lm.bin"}}""", "\"word_trigram.file\" must be a file name")]
    [InlineData("""{"word_trigram": {"file": 7}}""", "\"word_trigram.file\" must be a string")]
    [InlineData("""{"word_trigram": {"next_word_weight": 1.5}}""", "\"word_trigram.next_word_weight\" must be a number in [0, 1], found 1.5")]
    [InlineData("""{"word_trigram": {"next_word_weight": "0.2"}}""", "\"word_trigram.next_word_weight\" must be a number")]
    [InlineData("""{"word_trigram": {"fill_in_weight": -0.1}}""", "\"word_trigram.fill_in_weight\" must be a number in [0, 1]")]
    [InlineData("""{"word_trigram": {"next_words_weight": 0.2}}""", "\"word_trigram.next_words_weight\" is not a known key")]
    public void BadSectionsNameTheKey(string json, string expected)
    {
        using var doc = JsonDocument.Parse(json);
        var e = Assert.Throws<ModelLoadException>(() => WordTrigramSettings.Read(doc.RootElement, "config.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("config.json", e.Message, StringComparison.Ordinal);
    }
}
