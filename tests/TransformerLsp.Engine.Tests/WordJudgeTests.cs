namespace TransformerLsp.Engine.Tests;

public class WordJudgeTests
{
    private static WordFit Fit(string word, double p, params (string Text, double P)[] alternatives) =>
        new(word, p, alternatives.Select(a => new FillCandidate(a.Text, a.P, Math.Log(a.P))).ToList());

    [Fact]
    public void AnUnknownWordWithANearSpellingTheModelPrefersIsAMisspelling()
    {
        var check = WordJudge.Judge(Fit("teh", 0.0002, ("the", 0.7), ("ten", 0.1), ("teh", 0.0002)), known: false, near: ["the", "ten"]);
        Assert.Equal("the", check.Suggestion);
        Assert.Equal(0.7, check.SuggestionProbability);
        Assert.True(check.Misspelling);
    }

    [Fact]
    public void ANearSpellingOnlySomewhatLikelierIsNoCorrection()
    {
        // "str" in technical prose: "sty" is likelier, but not by the margin that real misspellings show.
        Assert.False(WordJudge.Judge(Fit("str", 0.0001, ("sty", 0.02)), known: false, near: ["sty"]).Flagged);
    }

    [Fact]
    public void AnUnknownWordWithoutANearSpellingIsAName()
    {
        Assert.False(WordJudge.Judge(Fit("Zorblat", 0.01, ("he", 0.9)), known: false, near: []).Flagged);
    }

    [Fact]
    public void AKnownWordFarBelowAConfidentAlternativeIsFlaggedWithIt()
    {
        var check = WordJudge.Judge(Fit("cat", 0.00001, ("States", 0.995), ("cat", 0.00001)));
        Assert.Equal("States", check.Suggestion);
    }

    [Theory]
    [InlineData(0.2, 0.7)]       // likely enough
    [InlineData(0.001, 0.995)]   // unlikely, but not rare enough for a proof-reader
    [InlineData(0.00001, 0.9)]   // the model is not nearly certain of its alternative
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
