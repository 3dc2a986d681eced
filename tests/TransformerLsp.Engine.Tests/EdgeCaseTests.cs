namespace TransformerLsp.Engine.Tests;

/// <summary>Unusual inputs answer sensibly instead of throwing.</summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class EdgeCaseTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.TinyModel);

    public static TheoryData<string> Texts() => new()
    {
        "", " ", "   ", "\n", "line one\n", "\t", "x", "The", "The ", "naïve café ", "東京", "emoji 😀", "a  b", "end.", "(paren", "don't",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void EveryMethodAcceptsTheText(string text)
    {
        var key = "edge";
        var words = _p.NextWords(key, text, 3);
        Assert.All(words.Words, w => Assert.StartsWith(words.TypedPrefix, w.Word));
        Assert.All(words.Words, w => Assert.InRange(w.Probability, 0, 1.0000001));
        Assert.NotNull(_p.BeamSearch(key, text, new BeamOptions(2, new StopConditions(MaxTokens: 3))));
        Assert.NotNull(_p.Greedy(key, text, new StopConditions(MaxTokens: 3)));
        Assert.NotNull(_p.Sample(key, text, new StopConditions(MaxTokens: 3), 0.8, 10, 0.95, 1));
        Assert.NotNull(_p.FillIn(key, text, text, 2));
        Assert.NotNull(_p.ScoreWord(key, text, "the", text, 2));
        // After a partly typed word only the tokens that agree with it are listed (healed), so there may be fewer than asked.
        var tokens = _p.NextTokens(key, text, 3);
        Assert.InRange(tokens.Count, 1, 3);
        Assert.InRange(tokens.Sum(t => t.Probability), 0, 1.0000001);
        var score = _p.Score(text, " the end");
        Assert.True(score.TotalLogProbability <= 0);
        Assert.Equal(0, _p.Score(text, "").TotalLogProbability);
    }

    [Fact]
    public void ZeroCountsGiveEmptyResults()
    {
        Assert.Empty(_p.NextWords("zero", "The ", 0).Words);
        Assert.Empty(_p.FillIn("zero", "The ", " end", 0));
        Assert.Empty(_p.NextTokens("zero", "The ", 0));
        Assert.Empty(_p.RankCandidates("zero", "The ", " end", []));
    }

    [Fact]
    public void ForgettingAnUnknownDocumentIsHarmless() => _p.Forget("never-seen");

    [Fact]
    public void CancelledPrefillLeavesAUsableCache()
    {
        var key = nameof(CancelledPrefillLeavesAUsableCache);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _p.NextTokens(key, "The Congress of the United States", 3, cts.Token));
        var after = _p.NextTokens(key, "The Congress of the United States", 3);
        var fresh = _p.NextTokens(key + "-b", "The Congress of the United States", 3);
        Assert.Equal(fresh.Select(t => t.TokenId), after.Select(t => t.TokenId));
    }
}
