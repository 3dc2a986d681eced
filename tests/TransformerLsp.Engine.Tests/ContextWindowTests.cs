using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.Tests.Tokenization;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine.Tests;

public sealed class ContextWindowTests
{
    private const string Text = "The Congress of the United States shall assemble at least once in every year, and such meeting shall be on the first Monday in December. Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, naïve café 東京 😀 and  two  spaces, \n a new line and the end. ";

    private static ContextWindow Window(out ModelConfig config)
    {
        config = ModelConfig.Read(Fixtures.TinyModel);
        return new ContextWindow(TokenizerLoader.Load(Fixtures.TinyModel, config), config);
    }

    [Fact]
    public void TypingReusesTokensButEqualsAFullEncode()
    {
        var window = Window(out _);
        var doc = Text + Text;
        for (var n = 0; n <= doc.Length; n += 1)
        {
            var incremental = window.Tokens(doc[..n], "typing");
            var fresh = window.Tokens(doc[..n], "fresh-" + n);
            Assert.Equal(fresh, incremental);
            window.Forget("fresh-" + n);
        }
        Assert.True(window.ReusedTokens > 20L * doc.Length, $"reused {window.ReusedTokens} tokens over {doc.Length} keystrokes");
    }

    [Fact]
    public void EditsInTheMiddleAndDeletionsEqualAFullEncode()
    {
        var window = Window(out _);
        string[] versions = [Text, Text.Insert(40, "really "), Text.Remove(30, 12), Text.Replace("Ishmael", "Ahab"), Text[..100], Text];
        foreach (var v in versions)
            Assert.Equal(window.Tokens(v, "fresh-" + v.Length + v.GetHashCode()), window.Tokens(v, "edits"));
    }

    [Fact]
    public void WindowIsBoundedAndItsStartMovesInChunks()
    {
        var window = Window(out var config);
        var doc = string.Concat(Enumerable.Repeat(Text, 10));
        var changes = 0;
        int[]? previous = null;
        for (var n = 1000; n < 1400; n++)
        {
            var ids = window.Tokens(doc[..n], "slide");
            Assert.InRange(ids.Length, 1, window.MaxTokens);
            Assert.True(ids.Length + window.Reserve <= config.NPositions);
            if (previous is not null && !ids.AsSpan().StartsWith(previous.AsSpan(0, Math.Min(previous.Length, ids.Length) - 2))) changes++;
            previous = ids;
        }
        Assert.True(changes < 60, $"the window start moved on {changes} of 400 keystrokes");
    }

    [Fact]
    public void Gpt2TokenizerAlsoReusesExactly()
    {
        var config = ModelConfig.Read(Fixtures.TinyModel);
        var folder = Gpt2Folder.Create();
        var window = new ContextWindow(new Gpt2TextTokenizer(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt")), config);
        for (var n = 0; n <= Text.Length; n += 3)
            Assert.Equal(window.Tokens(Text[..n], "f" + n), window.Tokens(Text[..n], "typing"));
    }
}
