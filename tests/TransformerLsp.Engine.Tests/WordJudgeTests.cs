using TransformerLsp.Engine;

namespace TransformerLsp.Engine.Tests;

public class WordJudgeTests
{
    private static WordFit Fit(string word, double p, params (string Text, double P)[] alternatives) =>
        new(word, p, alternatives.Select(a => new FillCandidate(a.Text, a.P, Math.Log(a.P))).ToList());

    [Fact]
    public void AWordFarBelowTheBestAlternativeIsFlaggedWithThatAlternative()
    {
        var check = WordJudge.Judge(Fit("teh", 0.01, ("the", 0.9), ("teh", 0.01)));
        Assert.Equal("the", check.Suggestion);
        Assert.Equal(0.9, check.SuggestionProbability);
    }

    [Theory]
    [InlineData(0.2, 0.7)]   // likely enough
    [InlineData(0.04, 0.3)]  // best is not ten times likelier
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
