using System.Text;
using System.Text.Json;
using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine.Tests.Tokenization;

public sealed class TokenizerTests
{
    private static TextTokenizer Load(string folder) => TokenizerLoader.Load(folder, ModelConfig.Read(folder));

    public static TheoryData<string> Folders() => new() { "tiny-model", "tiny-postnorm" };

    public static TheoryData<string> Texts() => new()
    {
        "Café naïve résumé, über Ærøskøbing.",
        "emoji 😀 and 👩‍👩‍👧 families",
        "東京タワーと日本語の文章。",
        "repeated   spaces  and\ttabs",
        "two\nlines\n\nand a blank one",
        " leading and trailing ",
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void IdsEqualSpmEncode(string name)
    {
        var tokenizer = Load(Fixtures.Folder(name));
        var (_, spm) = Fixtures.Reference(Fixtures.Folder(name));
        Assert.NotEmpty(spm);
        foreach (var c in spm) Assert.Equal(c.Ids, tokenizer.Encode(c.Text, atDocumentStart: true));
    }

    [Fact]
    public void IdsEqualSpmEncodeForTheDefaultModel()
    {
        var reference = Path.Combine(Fixtures.DefaultModel, "tokenizer_reference.json");
        if (!File.Exists(reference)) { Assert.False(Fixtures.HasDefaultModel && File.Exists(reference)); return; }
        var tokenizer = Load(Fixtures.DefaultModel);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(reference));
        var list = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("spm_encode");
        foreach (var c in Fixtures.SpmCases(list)) Assert.Equal(c.Ids, tokenizer.Encode(c.Text, atDocumentStart: true));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void SentencePieceRoundTripsExactly(string text)
    {
        var tokenizer = Load(Fixtures.TinyModel);
        // A document start carries SentencePiece's dummy-prefix space; byte fallback covers every character.
        Assert.Equal(" " + text, tokenizer.Decode(tokenizer.Encode(text, atDocumentStart: true)));
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, atDocumentStart: false)));
    }

    [Theory]
    [InlineData("The Congress of the United States", 2)]
    [InlineData("Call me Ishmael. Some years ago", 3)]
    [InlineData("naïve café 東京 and more", 2)]
    public void TextSplitBeforeASpaceEncodesLikeTheWhole(string text, int space)
    {
        var tokenizer = Load(Fixtures.TinyModel);
        var splitAt = -1;
        for (var i = 0; i < space; i++) splitAt = text.IndexOf(' ', splitAt + 1);
        var joined = tokenizer.Encode(text[..splitAt], true).Concat(tokenizer.Encode(text[splitAt..], false));
        Assert.Equal(tokenizer.Encode(text, true), joined);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Gpt2ByteLevelRoundTripsExactly(string text)
    {
        var folder = Gpt2Folder.Create();
        var tokenizer = new Gpt2TextTokenizer(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"));
        var ids = tokenizer.Encode(text, atDocumentStart: true);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Fact]
    public void Gpt2MergesApplyAndMarkWordStarts()
    {
        var folder = Gpt2Folder.Create();
        var tokenizer = new Gpt2TextTokenizer(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"));
        var ids = tokenizer.Encode("the whale the", atDocumentStart: true);
        Assert.Equal(["the", " whale", " the"], ids.Select(i => Encoding.UTF8.GetString(tokenizer.TokenBytes(i))));
    }
}

/// <summary>A small GPT-2 byte-level tokenizer (all 256 bytes plus a few merges) written to a temp folder.</summary>
internal static class Gpt2Folder
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "transformerlsp-gpt2-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var byteToChar = ByteLevelAlphabet.ByteToUnicode();
        var vocab = new Dictionary<string, int>();
        for (var b = 0; b < 256; b++) vocab[byteToChar[(byte)b].ToString()] = b;
        string[] merges = ["t h", "th e", "Ġ the", "w h", "a l", "Ġ wh", "Ġwh al", "Ġwhal e"];
        foreach (var m in merges) vocab[m.Replace(" ", "")] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        return dir;
    });

    public static string Create() => Folder.Value;
}
