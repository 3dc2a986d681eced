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

    [Theory]
    [InlineData("café", "1111 1")]        // é is two bytes of a letter
    [InlineData("ago—never", "111 000 11111")] // the em dash (three bytes) ends a word
    [InlineData("“Yes”", "000 111 000")]  // curly quotes are punctuation
    [InlineData("whale’s", "11111 111 1")] // the typographic apostrophe is inside a word, as ' is
    [InlineData("don't-", "111110")]
    [InlineData("東", "111")]
    public void WordBytesFollowTheCharacterNotTheByte(string text, string mask) =>
        Assert.Equal(mask.Replace(" ", ""), string.Concat(WordChars.WordByteMask(System.Text.Encoding.UTF8.GetBytes(text)).Select(b => b ? '1' : '0')));

    [Fact]
    public void APieceOfACharacterCountsAsAWordByte()
    {
        // A byte-fallback token holds part of a character; which character is not known from its bytes alone.
        var dash = System.Text.Encoding.UTF8.GetBytes("—");
        Assert.Equal([true], WordChars.WordByteMask(dash.AsSpan(0, 1)));
        Assert.Equal([true, true], WordChars.WordByteMask(dash.AsSpan(1)));
    }
}
