using TransformerLsp.Engine;

namespace TransformerLsp.Engine.Tests;

public class WordJudgeTests
{
    private static WordFit Fit(string word, double p, params (string Text, double P)[] alternatives) =>
        new(word, p, alternatives.Select(a => new FillCandidate(a.Text, a.P, Math.Log(a.P))).ToList());

    [Fact]
    public void AnUnknownWordWithANearSpellingTheModelPrefersIsAMisspelling()
    {
        var check = WordJudge.Judge(Fit("teh", 0.2, ("the", 0.7), ("teh", 0.2), ("ten", 0.1)), known: false, near: ["the", "ten"]);
        Assert.Equal("the", check.Suggestion);
        Assert.Equal(0.7, check.SuggestionProbability);
        Assert.True(check.Misspelling);
    }

    [Fact]
    public void AnUnknownWordWithoutANearSpellingIsAName()
    {
        Assert.False(WordJudge.Judge(Fit("Zorblat", 0.01, ("he", 0.9)), known: false, near: []).Flagged);
    }

    [Fact]
    public void AKnownWordFarBelowAConfidentAlternativeIsFlaggedWithIt()
    {
        var check = WordJudge.Judge(Fit("cat", 0.005, ("States", 0.95), ("cat", 0.005)));
        Assert.Equal("States", check.Suggestion);
    }

    [Theory]
    [InlineData(0.2, 0.7)]    // likely enough
    [InlineData(0.02, 0.9)]   // unlikely, but not rare enough for a proof-reader
    [InlineData(0.005, 0.4)]  // the model has no confident alternative
    [InlineData(0.009, 0.3)]  // best is not fifty times likelier
    public void PlausibleWordsAreNotFlagged(double p, double best)
    {
        Assert.False(WordJudge.Judge(Fit("cat", p, ("dog", best))).Flagged);
    }

    [Fact]
    public void TheWordItselfOrACaseVariantIsNotItsOwnReplacement()
    {
        Assert.False(WordJudge.Judge(Fit("The", 0.001, (" the", 0.99))).Flagged);
    }
}
