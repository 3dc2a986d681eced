using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests.Words;

public sealed class WordCharsTests
{
    [Theory]
    [InlineData("It's a well-known whale.", "It's|a|well-known|whale")]
    [InlineData("'quoted' -- dash", "quoted|dash")]
    [InlineData("東京 café naïve", "東京|café|naïve")]
    [InlineData("x1 2024", "x1|2024")]
    public void WordsAreRunsOfLettersDigitsAndInnerApostrophesOrHyphens(string text, string words) =>
        Assert.Equal(words.Split('|'), WordChars.Split(text));

    [Fact]
    public void TheTypedWordKeepsATrailingApostropheButNotAHyphen()
    {
        Assert.Equal("don'", TokenHealing.TypedWord("I don'"));
        Assert.Equal("", TokenHealing.TypedWord("well-"));
    }
}
