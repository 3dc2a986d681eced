namespace TransformerLsp.Engine.Tests;

/// <summary>Every public TextPredictor method runs on the tiny fixture and returns well-formed results.</summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class PredictorSmokeTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.TinyModel);

    [Fact]
    public void LoadReportsNameAndProvider()
    {
        Assert.Equal("tiny-model", _p.ModelName);
        Assert.Equal("cpu", _p.ProviderName);
    }

    [Fact]
    public void EveryMethodAnswers()
    {
        var next = _p.NextWords("smoke", "The Congress of the Uni", 5);
        Assert.Equal("Uni", next.TypedPrefix);
        Assert.NotEmpty(next.Words);
        Assert.All(next.Words, w => Assert.StartsWith("Uni", w.Word));
        Assert.All(next.Words, w => Assert.InRange(w.Probability, 0, 1));

        var beams = _p.BeamSearch("smoke", "The Congress of the ", new BeamOptions(3, new StopConditions(MaxTokens: 6)));
        Assert.InRange(beams.Count, 1, 3);
        // Best first by GNMT's length-normalised score (the default α).
        double Rank(Continuation c) => c.TotalLogProbability / Math.Pow((5.0 + c.Tokens.Count) / 6.0, new BeamOptions().LengthPenalty);
        Assert.True(beams.Zip(beams.Skip(1)).All(p => Rank(p.First) >= Rank(p.Second) - 1e-9));

        var greedy = _p.Greedy("smoke", "The Congress of the ", new StopConditions(MaxTokens: 6));
        Assert.Equal(beams.Count == 0 ? 0 : greedy.Tokens.Count, greedy.TokenLogProbabilities.Count);

        var sample1 = _p.Sample("smoke", "The ", new StopConditions(MaxTokens: 6), 1.0, 20, 0.9, seed: 7);
        var sample2 = _p.Sample("smoke", "The ", new StopConditions(MaxTokens: 6), 1.0, 20, 0.9, seed: 7);
        Assert.Equal(sample1.Text, sample2.Text);

        var fill = _p.FillIn("smoke", "The Congress of the ", " States", 4);
        Assert.NotEmpty(fill);
        Assert.InRange(fill.Sum(f => f.Probability), 0, 1.0001);

        var fit = _p.ScoreWord("smoke", "The Congress of the ", "United", " States", 3);
        Assert.Equal("United", fit.Word);
        Assert.InRange(fit.Probability, 0, 1);

        var tokens = _p.NextTokens("smoke", "The Congress ", 10);
        Assert.Equal(10, tokens.Count);
        Assert.InRange(tokens.Sum(t => t.Probability), 0, 1.0001);

        var score = _p.Score("The Congress of the", " United States");
        Assert.Equal(score.TotalLogProbability, score.TokenLogProbabilities.Sum(), 4);
        Assert.True(score.TotalLogProbability < 0);

        _p.Forget("smoke");
    }
}
