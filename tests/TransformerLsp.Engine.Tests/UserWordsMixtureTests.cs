using System.Text.Json.Nodes;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests;

/// <summary>The user's words mixed into the next words (TextPredictor.UserWords.cs), checked against the same predictor
/// without them: p = (1 − κ) p_without + κ c(w) / C, counted by hand.</summary>
public sealed class UserWordsMixtureTests
{
    private static string TinyCopy(double kappa) =>
        Fixtures.TinyModelCopy(f => Fixtures.EditConfig(f, c => c["user_words"] = new JsonObject { ["next_word_weight"] = kappa }));

    private static Dictionary<string, double> Next(string folder, string text, string typedBefore)
    {
        using var p = TextPredictor.Load(new ModelOptions(folder, Threads: 1));
        p.UserText.Set("doc", text);
        p.UserText.Set("other", "Zorblat and Zorro. The zorse.");
        return p.NextWords("doc", typedBefore, 100).Words.ToDictionary(w => w.Word, w => w.Probability);
    }

    [Theory]
    [InlineData("Zor")]
    [InlineData("Z")]
    public void TheMixtureIsTheWeightedSumOfTheEngineAndTheUsersCounts(string typed)
    {
        const string earlier = "Zorblat met Zorro. Zorblat left Zorn behind.\n";
        var text = earlier + typed;
        var without = TinyCopy(0);
        var with = TinyCopy(0.3);
        try
        {
            var p0 = Next(without, text, text);
            var p1 = Next(with, text, text);
            // c(w): the words of the request's document before the typed word, and the other document in full.
            var counts = new Dictionary<string, int>();
            foreach (var w in WordChars.Split(earlier + " Zorblat and Zorro. The zorse.").Where(w => w.StartsWith(typed, StringComparison.Ordinal)))
                counts[w] = counts.GetValueOrDefault(w) + 1;
            double total = counts.Values.Sum();
            Assert.Contains("Zorblat", p1.Keys);
            foreach (var (word, p) in p1)
                Assert.Equal(0.7 * p0.GetValueOrDefault(word) + 0.3 * counts.GetValueOrDefault(word) / total, p, 1e-9);
            Assert.True(p1.Values.Sum() <= 1 + 1e-9, $"sums to {p1.Values.Sum()}");
            Assert.True(p1["Zorblat"] >= 0.3 * 3 / total - 1e-12);
        }
        finally
        {
            Directory.Delete(without, true);
            Directory.Delete(with, true);
        }
    }

    [Fact]
    public void BeforeTheFirstLetterTheListIsTheEnginesAlone()
    {
        const string text = "Zorblat met Zorro. Zorblat left Zorn behind.\nThe ";
        var without = TinyCopy(0);
        var with = TinyCopy(0.3);
        try
        {
            var p0 = Next(without, text, text);
            var p1 = Next(with, text, text);
            Assert.Equal(p0.OrderBy(p => p.Key, StringComparer.Ordinal), p1.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(without, true);
            Directory.Delete(with, true);
        }
    }

    [Fact]
    public void ABadWeightIsAModelLoadExceptionNamingTheKey()
    {
        var folder = TinyCopy(1.5);
        try
        {
            var e = Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(folder, Threads: 1)));
            Assert.Contains("user_words.next_word_weight", e.Message, StringComparison.Ordinal);
        }
        finally { Directory.Delete(folder, true); }
    }
}
