using Microsoft.ML.Tokenizers;

namespace TransformerLsp.Bench;

/// <summary>
/// Held-out text for the replay and the long documents. Order: --text FILE, the model folder's held-out sample
/// (heldout.txt / test-sample.txt), the recipe's test split under models/work/, else a small built-in paragraph set.
/// Paragraphs are separated by blank lines.
/// </summary>
internal sealed class Corpus
{
    public IReadOnlyList<string> Paragraphs { get; }
    public string Source { get; }
    private readonly Tokenizer? _tokenizer;
    private readonly ModelInfo _info;

    private Corpus(IReadOnlyList<string> paragraphs, string source, ModelInfo info)
    {
        Paragraphs = paragraphs;
        Source = source;
        _info = info;
        if (info.TokenizerFile is not null)
        {
            using var stream = File.OpenRead(info.TokenizerFile);
            _tokenizer = SentencePieceTokenizer.Create(stream, false, false);
        }
    }

    public static Corpus Load(ModelInfo info, string? textFile)
    {
        var candidates = new List<string?> { textFile };
        candidates.AddRange(new[] { "heldout.txt", "test-sample.txt", "test_sample.txt", "heldout-sample.txt" }.Select(f => Path.Combine(info.Folder, f)));
        var work = RepoPaths.Find("models/work");
        if (work is not null && Directory.Exists(work))
            // Not the smoke test's (models/smoke-test.sh): 8 documents of a tiny slice, which would make the figures depend on
            // whether it ran last.
            candidates.AddRange(Directory.EnumerateFiles(work, "docs_test.jsonl", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(work, f).StartsWith("smoke", StringComparison.Ordinal)).Order());
        foreach (var file in candidates)
        {
            if (file is null || !File.Exists(file)) continue;
            var text = file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? JsonLinesText(file) : ReadHead(file, 2_000_000);
            var paragraphs = Split(text);
            if (paragraphs.Count >= 4) return new Corpus(paragraphs, file, info);
        }
        var builtIn = Path.Combine(AppContext.BaseDirectory, "Data", "paragraphs.txt");
        return new Corpus(Split(File.ReadAllText(builtIn)), "built-in paragraphs (bench/TransformerLsp.Bench/Data/paragraphs.txt)", info);
    }

    /// <summary>The recipe's test split: one JSON object per document with a "text" field.</summary>
    private static string JsonLinesText(string file)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var line in File.ReadLines(file))
        {
            if (sb.Length > 2_000_000) break;
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty("text", out var t)) sb.Append(t.GetString()).Append("\n\n");
        }
        return sb.ToString();
    }

    private static string ReadHead(string file, int chars)
    {
        using var reader = new StreamReader(file);
        var buffer = new char[chars];
        var n = reader.ReadBlock(buffer, 0, chars);
        return new string(buffer, 0, n);
    }

    private static List<string> Split(string text) =>
        text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim()).Where(p => p.Length >= 80 && p.Length <= 3000).ToList();

    public bool HasTokenizer => _tokenizer is not null;

    /// <summary>Token ids as the model sees them (BOS first when the model was trained with it).</summary>
    public List<int> Encode(string text)
    {
        var ids = new List<int>();
        if (_info.AddBos) ids.Add(_info.BosId);
        if (_tokenizer is not null) ids.AddRange(_tokenizer.EncodeToIds(text));
        else ids.AddRange(text.Select(c => 3 + c % Math.Max(1, _info.Vocab - 3)));
        return ids;
    }

    public int CountTokens(string text) => _tokenizer is not null ? _tokenizer.CountTokens(text) : text.Length / 4;

    /// <summary>The longest prefix of <paramref name="text"/> that encodes to at most <paramref name="tokens"/> tokens (BOS included).</summary>
    public string PrefixOf(string text, int tokens)
    {
        int lo = 0, hi = text.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Encode(text[..mid]).Count <= tokens) lo = mid; else hi = mid - 1;
        }
        return text[..lo];
    }

    /// <summary>A document of about <paramref name="tokens"/> tokens made of the paragraphs in turn, skipping <paramref name="skip"/>.</summary>
    public string Document(int tokens, int skip = 0)
    {
        var sb = new System.Text.StringBuilder();
        var count = 0;
        for (var i = skip; count < tokens; i++)
        {
            var p = Paragraphs[i % Paragraphs.Count];
            if (sb.Length > 0) sb.Append("\n\n");
            sb.Append(p);
            count += CountTokens(p) + 1;
        }
        return sb.ToString();
    }
}
