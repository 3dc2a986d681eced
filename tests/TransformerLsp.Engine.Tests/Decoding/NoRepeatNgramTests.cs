namespace TransformerLsp.Engine.Tests.Decoding;

/// <summary>The n-gram ban on the real tiny model: continuations never repeat a run of n tokens, and are unchanged when they did not.</summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class NoRepeatNgramTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.TinyModel);

    private static bool RepeatsARun(IReadOnlyList<string> tokens, int n)
    {
        var seen = new HashSet<string>();
        for (var i = 0; i + n <= tokens.Count; i++)
            if (!seen.Add(string.Join("\u0001", tokens.Skip(i).Take(n)))) return true;
        return false;
    }

    [Theory]
    [InlineData("The cat sat on the")]
    [InlineData("Once upon a")]
    [InlineData("The Congress of the United States")]
    [InlineData("and the")]
    public void GreedyAndBeamsNeverRepeatARunOfThreeTokens(string text)
    {
        var key = nameof(GreedyAndBeamsNeverRepeatARunOfThreeTokens) + text;
        var free = new StopConditions(MaxTokens: 30, AtSentenceEnd: false, AtNewline: false);
        var banned = free with { NoRepeatNgram = 3 };

        var plain = _p.Greedy(key, text, free);
        var greedy = _p.Greedy(key, text, banned);
        Assert.False(RepeatsARun(greedy.Tokens, 3), string.Join("|", greedy.Tokens));
        if (!RepeatsARun(plain.Tokens, 3)) Assert.Equal(plain.Tokens, greedy.Tokens);
        else Assert.NotEqual(plain.Tokens, greedy.Tokens);

        foreach (var beam in _p.BeamSearch(key, text, new BeamOptions(3, banned)))
            Assert.False(RepeatsARun(beam.Tokens, 3), string.Join("|", beam.Tokens));
    }

    [Fact]
    public void TheTinyModelDoesLoopWithoutTheBan()
    {
        // Guards the test above against passing vacuously: at least one of its prompts loops when nothing is banned.
        var free = new StopConditions(MaxTokens: 30, AtSentenceEnd: false, AtNewline: false);
        Assert.Contains(new[] { "The cat sat on the", "Once upon a", "The Congress of the United States", "and the" },
            t => RepeatsARun(_p.Greedy(nameof(TheTinyModelDoesLoopWithoutTheBan) + t, t, free).Tokens, 3));
    }
}
