using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace TransformerLsp.Engine.Tokenization;

/// <summary>GPT-2 byte-level BPE (vocab.json + merges.txt), as Hugging Face Optimum exports carry it.</summary>
internal sealed class Gpt2TextTokenizer : TextTokenizer
{
    // GPT-2's pre-tokenization (openai/gpt-2 encoder.py): contractions, words and numbers with their leading space,
    // punctuation runs, then whitespace.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    private readonly BpeTokenizer _tokenizer;
    private readonly byte[][] _tokenBytes;

    public Gpt2TextTokenizer(string vocabPath, string mergesPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(vocabPath));
        var pairs = json.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
        var merges = File.ReadAllLines(mergesPath).Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToList();
        // Not CodeGenTokenizer: it adds CodeGen's own whitespace-run tokens (ids past GPT-2's vocabulary).
        _tokenizer = BpeTokenizer.Create(new BpeOptions(pairs)
        {
            Merges = merges,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(Gpt2Pattern, RegexOptions.Compiled), null),
        });

        var unicodeToByte = ByteLevelAlphabet.UnicodeToByte();
        var max = -1;
        foreach (var p in json.RootElement.EnumerateObject()) max = Math.Max(max, p.Value.GetInt32());
        _tokenBytes = new byte[max + 1][];
        foreach (var p in json.RootElement.EnumerateObject())
        {
            var bytes = new List<byte>(p.Name.Length);
            var special = p.Name.StartsWith("<|", StringComparison.Ordinal) && p.Name.EndsWith("|>", StringComparison.Ordinal);
            if (!special)
                foreach (var c in p.Name)
                {
                    if (!unicodeToByte.TryGetValue(c, out var b)) { bytes.Clear(); bytes.AddRange(Encoding.UTF8.GetBytes(p.Name)); break; }
                    bytes.Add(b);
                }
            _tokenBytes[p.Value.GetInt32()] = [.. bytes];
        }
        for (var i = 0; i < _tokenBytes.Length; i++) _tokenBytes[i] ??= [];
    }

    public override int Count => _tokenBytes.Length;

    public override int[] Encode(string text, bool atDocumentStart) =>
        text.Length == 0 ? [] : [.. _tokenizer.EncodeToIds(text)];

    protected override byte[] ComputeBytes(int id) => _tokenBytes[id];
}

/// <summary>GPT-2's reversible map between bytes and printable characters (bytes_to_unicode in openai/gpt-2 encoder.py).</summary>
internal static class ByteLevelAlphabet
{
    public static Dictionary<char, byte> UnicodeToByte()
    {
        var printable = new List<int>();
        for (var b = '!'; b <= '~'; b++) printable.Add(b);
        for (var b = 0xA1; b <= 0xAC; b++) printable.Add(b);
        for (var b = 0xAE; b <= 0xFF; b++) printable.Add(b);
        var map = new Dictionary<char, byte>();
        var next = 0;
        for (var b = 0; b < 256; b++)
            map[printable.Contains(b) ? (char)b : (char)(256 + next++)] = (byte)b;
        return map;
    }

    public static Dictionary<byte, char> ByteToUnicode() => UnicodeToByte().ToDictionary(p => p.Value, p => p.Key);
}
