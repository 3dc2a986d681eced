using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests.Words;

public sealed class LexiconTests
{
    private static readonly Lexicon Small = new(["the", "whale", "it's", "nasa", "Ishmael"]);

    [Theory]
    [InlineData("whale", true)]
    [InlineData("Whale", true)]      // capitalised at a sentence start
    [InlineData("NASA", true)]       // all capitals
    [InlineData("whale's", true)]    // possessive of a listed word
    [InlineData("whales'", false)]   // plural possessive needs the plural listed
    [InlineData("it’s", true)]       // typographic apostrophe
    [InlineData("Ishmael", true)]
    [InlineData("ishmael", false)]   // a name listed capitalised is not admitted in lower case
    [InlineData("world't", false)]
    [InlineData("I's", false)]
    [InlineData("we's", false)]     // no possessive of a pronoun
    [InlineData("whal", false)]
    [InlineData("1851", true)]       // numbers, codes and versions
    public void KnowsListedWordsAndTheirRegularForms(string word, bool known) => Assert.Equal(known, Small.Contains(word));

    [Fact]
    public void AFolderWithoutALexiconAdmitsEveryWord()
    {
        var folder = Directory.CreateTempSubdirectory("no-lexicon").FullName;
        try
        {
            var lexicon = Lexicon.Load(folder);
            Assert.True(lexicon.IsEmpty);
            Assert.True(lexicon.Contains("Zorblat"));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void TheDefaultModelShipsALexiconWithModernWords()
    {
        var lexicon = Lexicon.Load(Fixtures.DefaultModel);
        Assert.True(lexicon.Count > 50_000);
        foreach (var word in new[] { "email", "website", "spleen", "whale", "Ishmael", "meeting" })
            Assert.True(lexicon.Contains(word), word);
        foreach (var word in new[] { "nexts", "agovernment", "Uniteders", "smallly", "whaland" })
            Assert.False(lexicon.Contains(word), word);
    }

    [Fact]
    public void NearSpellingsAreOneEditAwayAndKeepCapitalisation()
    {
        var lexicon = new Lexicon(["the", "then", "they", "tea", "whale", "while"]);
        Assert.Equal(["tea", "the"], Spelling.Near("teh", lexicon).Order(StringComparer.Ordinal)); // "then", "they": two edits
        Assert.Equal(["Whale"], Spelling.Near("Whael", lexicon));
        Assert.Empty(Spelling.Near("zzzz", lexicon));
        Assert.Empty(Spelling.Near("Whael", lexicon, exactCase: true)); // inside a sentence only capitalised entries count
        Assert.Equal(["Congress"], Spelling.Near("Congres", new Lexicon(["Congress", "congress"]), exactCase: true));
    }
}
