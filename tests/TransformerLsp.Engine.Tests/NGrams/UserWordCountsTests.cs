using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Tokenization;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests.NGrams;

/// <summary>The user's word counts (<see cref="UserTextIndex.WordCounts"/>) against brute-force counting over the texts.</summary>
public sealed class UserWordCountsTests
{
    private static UserTextIndex Index() =>
        new(TokenizerLoader.Load(Fixtures.DefaultModel, ModelConfig.Read(Fixtures.DefaultModel)), ModelConfig.Read(Fixtures.DefaultModel).VocabSize);

    /// <summary>Every word of <paramref name="text"/> that ends at or before <paramref name="limit"/>, by a plain scan of
    /// <see cref="WordChars.IsWordChar"/>.</summary>
    private static void BruteForce(Dictionary<string, int> counts, string text, string prefix, int limit)
    {
        for (var i = 0; i < text.Length;)
        {
            if (!WordChars.IsWordChar(text, i)) { i++; continue; }
            var start = i;
            while (i < text.Length && WordChars.IsWordChar(text, i)) i++;
            var word = text[start..i];
            if (i <= limit && word.Length <= UserTextWords.MaxWordLength && word.StartsWith(prefix, StringComparison.Ordinal))
                counts[word] = counts.GetValueOrDefault(word) + 1;
        }
    }

    private static string RandomText(Random rng)
    {
        string[] pieces = ["Zorblat", "zor", "Zor", "the", "there", "then", "don't", "well-known", "café", "😀", "x", "Ab", "ab", " ", " ", "\n", ". ", ", ", "-", "'", "42"];
        return string.Concat(Enumerable.Range(0, rng.Next(0, 60)).Select(_ => pieces[rng.Next(pieces.Length)]));
    }

    [Fact]
    public void CountsEqualBruteForceWithTheRequestsOwnDocumentCutBeforeTheTypedWord()
    {
        if (!Fixtures.HasDefaultModel) return;
        var rng = new Random(20261201);
        var index = Index();
        for (var round = 0; round < 200; round++)
        {
            var texts = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => RandomText(rng)).ToList();
            foreach (var key in Enumerable.Range(0, 4)) index.Remove($"doc{key}");
            for (var d = 0; d < texts.Count; d++) index.Set($"doc{d}", texts[d]);
            var current = rng.Next(texts.Count);
            var text = texts[current];
            var cursor = rng.Next(text.Length + 1);
            if (cursor > 0 && char.IsLowSurrogate(text[cursor - 1])) cursor--;
            var before = text[..cursor];
            var typed = TokenHealing.TypedWord(before);

            var expected = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var d = 0; d < texts.Count; d++) BruteForce(expected, texts[d], typed, d == current ? cursor - typed.Length : int.MaxValue);
            var actual = index.WordCounts($"doc{current}#words", before, typed);
            Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public void TheWordBeingTypedAndTheTextAfterTheCursorAreNotCounted()
    {
        if (!Fixtures.HasDefaultModel) return;
        var index = Index();
        const string text = "Zorblat came. Then Zorb and later Zorbas left.";
        index.Set("file:///a.md", text);
        var before = text[..text.IndexOf("Zorb ", StringComparison.Ordinal)] + "Zorb";
        Assert.Equal(new Dictionary<string, int> { ["Zorblat"] = 1 }, index.WordCounts("file:///a.md", before, "Zorb"));
        index.Set("file:///b.md", "Zorbas and Zorbas.");
        Assert.Equal(new Dictionary<string, int> { ["Zorblat"] = 1, ["Zorbas"] = 2 }, index.WordCounts("file:///a.md", before, "Zorb"));
        // A request whose text is nowhere in its document sees none of it (as the token counts do).
        Assert.Equal(new Dictionary<string, int> { ["Zorbas"] = 2 }, index.WordCounts("file:///a.md", "Elsewhere Zorb", "Zorb"));
    }
}
