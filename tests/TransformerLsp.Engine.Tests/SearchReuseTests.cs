namespace TransformerLsp.Engine.Tests;

/// <summary>What the engine remembers between requests: repeated searches, phrases while a word is typed, and the context budget.</summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class SearchReuseTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.TinyModel);
    private static readonly BeamOptions Phrase = new(3, new StopConditions(MaxTokens: 8, AtSentenceEnd: true, AtNewline: true, MaxWords: 3));

    [Fact]
    public void ARepeatedBeamSearchGivesTheSameBeamsWithoutRunningTheModel()
    {
        var key = nameof(ARepeatedBeamSearchGivesTheSameBeamsWithoutRunningTheModel);
        var first = _p.BeamSearch(key, "The cat sat on the", Phrase);
        var before = _p.CacheStatistics;
        var again = _p.BeamSearch(key, "The cat sat on the", Phrase);
        Assert.Equal(before, _p.CacheStatistics);
        Assert.Equal(first.Select(b => (b.Text, b.TotalLogProbability)), again.Select(b => (b.Text, b.TotalLogProbability)));
        // Other options are another search.
        var wider = _p.BeamSearch(key, "The cat sat on the", Phrase with { Width = 4 });
        Assert.InRange(wider.Count, 1, 4);
        Assert.NotEqual(before, _p.CacheStatistics);
    }

    [Theory]
    [InlineData("The cat sat on the ", "m")]
    [InlineData("The Congress of the United ", "St")]
    public void PhrasesWhileTypingAWordAreTheWordStartBeamsThatContinueIt(string wordStart, string typed)
    {
        var key = nameof(PhrasesWhileTypingAWordAreTheWordStartBeamsThatContinueIt) + typed;
        var atStart = _p.BeamSearch(key + "reference", wordStart, Phrase);
        var expected = atStart.Where(b => b.Text.StartsWith(typed, StringComparison.Ordinal) && b.Text.Length > typed.Length)
            .Select(b => b.Text[typed.Length..]).ToList();

        // Phrases are the beams that add something (a beam of a lone space adds nothing).
        Assert.Equal(atStart.Select(b => b.Text).Where(t => t.Length > 0), _p.Phrases(key, wordStart, Phrase).Select(b => b.Text));
        var before = _p.CacheStatistics;
        var whileTyping = _p.Phrases(key, wordStart + typed, Phrase);
        Assert.Equal(before, _p.CacheStatistics); // no model call while the word is typed
        Assert.Equal(expected, whileTyping.Select(b => b.Text));
    }

    [Fact]
    public void AGreedyContinuationIsRememberedAndStartsWithTheLikeliestNextWord()
    {
        var key = nameof(AGreedyContinuationIsRememberedAndStartsWithTheLikeliestNextWord);
        var stop = new StopConditions(MaxTokens: 10, AtSentenceEnd: true, AtNewline: true);
        var next = _p.NextWords(key, "Once upon a ", 1).Words[0].Word; // the completion list at the same cursor
        var greedy = _p.Greedy(key, "Once upon a ", stop);
        var before = _p.CacheStatistics;
        Assert.Equal(greedy, _p.Greedy(key, "Once upon a ", stop));
        Assert.Equal(before, _p.CacheStatistics);
        // After a typed space greedy decoding starts from the likeliest next word the completion list remembered, not the
        // likeliest token (a lone space can outweigh every single word behind it).
        Assert.StartsWith(next, greedy.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheContextBudgetBoundsTheTokensTheModelSees()
    {
        using var small = TextPredictor.Load(new ModelOptions(Fixtures.TinyModel, Threads: 1, ContextTokens: 24));
        Assert.Equal(24, small.ContextTokens);
        var text = string.Concat(Enumerable.Repeat("The Congress of the United States shall assemble. ", 20));
        small.NextTokens("doc", text, 3);
        Assert.InRange(small.CacheStatistics.Computed, 1, 24);
        Assert.NotEmpty(small.BeamSearch("doc", text, Phrase));
        // 0 and budgets beyond the window mean the whole window.
        Assert.True(_p.ContextTokens > 24 && _p.ContextTokens < _p.ContextLength);
        using var huge = TextPredictor.Load(new ModelOptions(Fixtures.TinyModel, Threads: 1, ContextTokens: 1_000_000));
        Assert.Equal(_p.ContextTokens, huge.ContextTokens);
    }
}
