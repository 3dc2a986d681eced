using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests;

/// <summary>
/// Issue 9's "typed → came back" table, on the default model: every suggestion is a word, a finished word is not
/// run on into another, and a typed prefix is never spelled one letter per token.
/// </summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class DefaultModelSuggestionTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.DefaultModel);
    private static readonly Lexicon Lexicon = Lexicon.Load(Fixtures.DefaultModel);
    private static readonly BeamOptions Beams = new(4, new StopConditions(MaxTokens: 16, NoRepeatNgram: 3));
    private static readonly StopConditions Ghost = new(MaxTokens: 16, NoRepeatNgram: 3);

    private static void AllWordsKnown(string context, IEnumerable<string> texts)
    {
        foreach (var text in texts)
            foreach (var word in WordChars.Split(text))
                Assert.True(Known(word) || word.Split('-').All(Known) || WordChars.Split(context).Contains(word), $"'{word}' in \"{text}\" is no word");

        // A compound of words is a word ("Fellow-Citizens", which the corpus index knows from the State of the Union).
        static bool Known(string part) => part.Length > 0 && Lexicon.Contains(part);
    }

    [Theory]
    [InlineData("Some years ago", "ago")]
    [InlineData("The meeting has been moved to next", "next")]
    [InlineData("It was a dark and stormy", "stormy")]
    [InlineData("Dear Mr. Johnson,\n\nThank you for your", "your")]
    public void AFinishedWordIsOfferedAndNotRunOnIntoAnother(string typed, string word)
    {
        var key = "finished-" + word;
        var next = _p.NextWords(key, typed, 5);
        Assert.Equal(word, next.Words[0].Word);
        AllWordsKnown(typed, next.Words.Select(w => w.Word));
        var beams = _p.BeamSearch(key, typed, Beams);
        var greedy = _p.Greedy(key, typed, Ghost);
        foreach (var c in beams.Append(greedy))
            Assert.True(c.Text.Length == 0 || !char.IsLetter(c.Text[0]), $"'{typed}' continued inside the word: \"{c.Text}\"");
        AllWordsKnown(typed, beams.Select(b => typed + b.Text).Append(typed + greedy.Text));
        _p.Forget(key);
    }

    [Theory]
    [InlineData("Call me Ishmael. Some years")]
    [InlineData("Call me Ishmael. Some years ")]
    public void GhostTextGoesOnPastADash(string typed)
    {
        // The model has learned "Some years ago—never mind how long precisely". The em dash ends "ago"; when its bytes
        // counted as word bytes, "ago—never" was one non-word, greedy ghost text cut back to nothing, and the next-word
        // list gave "ago" 0.30 where the model gives its token 0.87.
        var key = "dash-" + typed.Length;
        var greedy = _p.Greedy(key, typed, Ghost);
        Assert.StartsWith("ago", greedy.Text.TrimStart());
        AllWordsKnown(typed, [typed + greedy.Text]);
        Assert.StartsWith("ago", _p.BeamSearch(key, typed, Beams)[0].Text.TrimStart());
        var next = _p.NextWords(key + "w", typed.TrimEnd() + " ", 5).Words[0];
        Assert.Equal("ago", next.Word);
        Assert.True(next.Probability > 0.7, $"P(ago) = {next.Probability:F2}");
        _p.Forget(key);
        _p.Forget(key + "w");
    }

    [Fact]
    public void APartWordIsCompletedToWordsOnly()
    {
        var next = _p.NextWords("whal", "The whal", 5);
        Assert.Equal("whale", next.Words[0].Word);
        Assert.DoesNotContain(next.Words, w => w.Word == "whal");
        AllWordsKnown("The ", next.Words.Select(w => w.Word));
        var ghost = _p.Greedy("whal", "The whal", Ghost);
        AllWordsKnown("The ", ["whal" + ghost.Text]);

        var spl = _p.NextWords("spl", "It is a way I have of driving off the spl", 5);
        Assert.DoesNotContain(spl.Words, w => w.Word == "spl");
        AllWordsKnown("It is a way I have of driving off the ", spl.Words.Select(w => w.Word));
    }

    [Fact]
    public void ATypedWordIsNeverSpelledOneLetterPerToken()
    {
        var ghost = _p.Greedy("stormy", "It was a dark and stormy", Ghost);
        Assert.NotEqual(" ", ghost.Tokens[0]);
        var beams = _p.BeamSearch("stormy", "It was a dark and storm", Beams);
        Assert.NotEmpty(beams);
        Assert.All(beams, b => Assert.NotEqual(" ", b.Tokens[0]));
        AllWordsKnown("It was a dark and ", beams.Select(b => "storm" + b.Text));
    }

    [Fact]
    public void BeamsAtADocumentStartAreWords()
    {
        var beams = _p.BeamSearch("start", "", Beams);
        Assert.NotEmpty(beams);
        foreach (var beam in beams) AllWordsKnownOrLearned("", beam.Text);
    }

    /// <summary>
    /// Every word of <paramref name="text"/> (after <paramref name="context"/>) is in the lexicon, or is a term the model
    /// has learned: one it gives more than half of its mass where it stands (the engine's rule for words no list has,
    /// such as "dict" after "a default" in the Python documentation it was trained on). The probability is scored
    /// afresh here, not read from the search.
    /// </summary>
    private void AllWordsKnownOrLearned(string context, string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (!WordChars.IsWordChar(text, i)) { i++; continue; }
            var start = i;
            while (i < text.Length && WordChars.IsWordChar(text, i)) i++;
            var word = text[start..i];
            if (Lexicon.Contains(word) || word.Split('-').All(Lexicon.Contains)) continue;
            // The word's first token carries the space before it.
            var from = start > 0 && text[start - 1] == ' ' ? start - 1 : start;
            var scored = _p.Score(context + text[..from], text[from..i]);
            Assert.True(scored.TotalLogProbability >= Math.Log(0.5) - 1e-4,
                $"'{word}' in \"{text}\" is no word: not in the lexicon, and P = {Math.Exp(scored.TotalLogProbability):F3} where it stands");
        }
    }

    [Fact]
    public void FillInOffersEachWordOnceWhateverItsCase()
    {
        var fills = _p.FillIn("case", "Call me Ishmael. The ", " was white.", 8);
        Assert.NotEmpty(fills);
        Assert.Equal(fills.Count, fills.Select(f => f.Text.ToLowerInvariant()).Distinct().Count());
        AllWordsKnown("Call me Ishmael. The ", fills.Select(f => f.Text));
        Assert.InRange(fills.Sum(f => f.Probability), 0, 1.0000001);
    }

    [Fact]
    public void NextTokensAfterATrailingSpaceStartTheNextWord()
    {
        var tokens = _p.NextTokens("tokens", "The meeting has been moved to next ", 5);
        Assert.All(tokens, t => Assert.Matches(@"^ \w", t.Text));
        Assert.InRange(tokens.Sum(t => t.Probability), 0.05, 1.0001);
    }
}
