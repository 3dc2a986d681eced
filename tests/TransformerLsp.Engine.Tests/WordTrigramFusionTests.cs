using System.Text.Json.Nodes;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests;

/// <summary>The word trigram wired into the predictor (TextPredictor.WordTrigram.cs): loading, history, and the default model.</summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class WordTrigramFusionTests
{
    [Fact]
    public void AFolderWithoutTheTrigramLoadsAsBefore()
    {
        var folder = Fixtures.TinyModelCopy(_ => { });
        try
        {
            using var p = TextPredictor.Load(new ModelOptions(folder, Threads: 1));
            Assert.Equal(0, p.WordTrigramSize);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void ACorruptTrigramIsAModelLoadExceptionUnlessTheNGramsAreOff()
    {
        var folder = Fixtures.TinyModelCopy(f => File.WriteAllBytes(Path.Combine(f, WordTrigram.FileName), [1, 2, 3, 4, 5, 6, 7, 8, 9]));
        try
        {
            var e = Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(folder, Threads: 1)));
            Assert.Contains(WordTrigram.FileName, e.Message, StringComparison.Ordinal);
            using var p = TextPredictor.Load(new ModelOptions(folder, Threads: 1, NGrams: false));
            Assert.Equal(0, p.WordTrigramSize);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void AConfigNamingAMissingTrigramOrABadWeightIsAModelLoadException()
    {
        var folder = Fixtures.TinyModelCopy(f => Fixtures.EditConfig(f, c => c["word_trigram"] = new JsonObject { ["file"] = "missing.bin" }));
        try
        {
            Assert.Contains("missing.bin: missing", Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(folder, Threads: 1))).Message, StringComparison.Ordinal);
            Fixtures.EditConfig(folder, c => c["word_trigram"] = new JsonObject { ["fill_in_weight"] = 2 });
            Assert.Contains("fill_in_weight", Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(folder, Threads: 1))).Message, StringComparison.Ordinal);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Theory]
    [InlineData("", "", "<s>")]
    [InlineData("It rained. ", "", "<s>")]
    [InlineData("It rained. Send", "<s>", "send")]
    [InlineData("Please send me an ", "me", "an")]
    [InlineData("Please send me, quickly, an", "quickly", "an")]
    [InlineData("One thing\n\nand", "<s>", "and")]
    public void TheHistoryIsTheLastTwoWordsBackToTheSentenceStart(string text, string u, string v)
    {
        if (!Fixtures.HasDefaultModel) return;
        var lm = Lm.Value;
        var (hu, hv) = TextPredictor.TrigramHistory(lm, text);
        Assert.Equal(u.Length == 0 ? -1 : lm.WordId(u), hu);
        Assert.Equal(lm.WordId(v), hv);
    }

    [Theory]
    [InlineData("at the office today", "at", "the")]
    [InlineData(". And then", "</s>", "")]
    [InlineData(", said he", "said", "he")]
    [InlineData("", "", "")]
    public void TheRightWordsStopAtTheSentenceEnd(string text, string r1, string r2)
    {
        if (!Fixtures.HasDefaultModel) return;
        var lm = Lm.Value;
        Assert.Equal((Id(r1), Id(r2)), TextPredictor.TrigramFuture(lm, text));
        int Id(string w) => w.Length == 0 ? -1 : lm.WordId(w);
    }

    private static readonly Lazy<WordTrigram> Lm = new(() => WordTrigram.Load(Fixtures.DefaultModel)!);

    [Fact]
    public void TheTrigramRaisesAModernWordAfterAModernContext()
    {
        // Model v1 (Moby-Dick and speeches only) lacked "email" here and the trigram brought it in; model v2 has read
        // letters, so the trigram's part is now to raise it, while the mixture stays a distribution.
        if (!Fixtures.HasDefaultModel) return;
        var p = Fixtures.Predictor(Fixtures.DefaultModel);
        const string text = "Thank you for your message. Please send me an ";
        var words = p.NextWords("fusion-email", text, 20).Words;
        var fused = Assert.Single(words, w => w.Word == "email");
        Assert.InRange(words.Sum(w => w.Probability), 0, 1 + 1e-9);
        using var alone = TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1, NGrams: false));
        var without = alone.NextWords("fusion-email", text, 20).Words.FirstOrDefault(w => w.Word == "email")?.Probability ?? 0;
        Assert.True(fused.Probability > without, $"email: {fused.Probability:0.0000} with the trigram, {without:0.0000} without");
    }

    [Fact]
    public void HintsStillFlagAWrongWordAndAMisspellingAndLeaveCleanWordsAlone()
    {
        if (!Fixtures.HasDefaultModel) return;
        var p = Fixtures.Predictor(Fixtures.DefaultModel);
        const string text = "The President of the Untied States has the honor to transmit to the Congres a report of the Secretary of State.";
        WordCheck Check(string word)
        {
            var at = text.IndexOf(word, StringComparison.Ordinal);
            return p.CheckWord("fusion-hints", text[..at], word, text[(at + word.Length)..]);
        }
        Assert.Equal("United", Check("Untied").Suggestion);
        Assert.Equal("Congress", Check("Congres").Suggestion);
        Assert.Null(Check("report").Suggestion);
        Assert.Null(Check("honor").Suggestion);
    }

    [Fact]
    public void TypingAWordLetterByLetterGivesWhatLookingEveryWordUpAgainGives()
    {
        // The trigram's words for a typed prefix are remembered and filtered as the word grows. The second engine types
        // the same keys but asks about another text in between, which replaces what it remembers, so it looks every word
        // up again: both must agree at every letter.
        if (!Fixtures.HasDefaultModel) return;
        using var remembering = TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1));
        using var looking = TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1));
        const string text = "The committee will meet again next Thursday to discuss the ";
        foreach (var typed in new[] { "b", "bu", "bud", "budg", "budge", "budget" })
        {
            var seen = remembering.NextWords("typing", text + typed, 10).Words;
            looking.NextWords("elsewhere", "Dear Sir, I write to you about the w", 3);
            var expected = looking.NextWords("typing", text + typed, 10).Words;
            Assert.Equal(expected.Select(w => w.Word), seen.Select(w => w.Word));
            Assert.Equal(expected.Select(w => w.Probability), seen.Select(w => w.Probability), (a, b) => Math.Abs(a - b) <= 1e-12 * Math.Max(a, b));
        }
    }
}
