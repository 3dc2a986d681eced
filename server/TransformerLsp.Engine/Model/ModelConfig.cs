using System.Text.Json;

namespace TransformerLsp.Engine.Model;

/// <summary>Which tokenizer a model folder carries, and its file(s).</summary>
internal abstract record TokenizerSpec
{
    internal sealed record SentencePiece(string File) : TokenizerSpec;
    internal sealed record Gpt2Bpe(string Vocab, string Merges) : TokenizerSpec;
}

/// <summary>config.json of a model folder (GPT-2 field names; see the team contract "Model folder format").</summary>
internal sealed record ModelConfig(
    string Name,
    int NLayer,
    int NHead,
    int NEmbd,
    int NPositions,
    int VocabSize,
    bool PreNorm,
    int BosTokenId,
    int EosTokenId,
    int UnkTokenId,
    bool AddBos,
    TokenizerSpec Tokenizer)
{
    public int HeadDim => NEmbd / NHead;

    /// <summary>The smallest context the engine works with: a prompt and a continuation must both fit.</summary>
    public const int MinPositions = 32;

    /// <summary>The whole of config.json as parsed once, for the optional sections other parts of the engine read
    /// ("hybrid", "word_trigram"), and its path for their error messages.</summary>
    public JsonElement Json { get; private init; }

    /// <summary>Where config.json was read from.</summary>
    public string FilePath { get; private init; } = "";

    /// <summary>Parses and validates config.json; every problem is a <see cref="ModelLoadException"/> naming the file.</summary>
    public static ModelConfig Read(string folder)
    {
        var path = ModelFiles.Require(folder, "config.json", "a config.json with n_layer, n_head, n_embd, n_positions, vocab_size", ModelFiles.ConfigMaxBytes);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(ModelFiles.ReadAll(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{path}: not valid JSON ({e.Message}).", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new ModelLoadException($"{path}: expected a JSON object, found {root.ValueKind}.");

        int Int(string key, int? fallback = null)
        {
            if (root.TryGetProperty(key, out var v))
            {
                if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
                throw new ModelLoadException($"{path}: \"{key}\" must be an integer, found {v}.");
            }
            return fallback ?? throw new ModelLoadException($"{path}: missing \"{key}\" (an integer).");
        }
        string? Str(JsonElement obj, string key) =>
            obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        var nLayer = Int("n_layer");
        var nHead = Int("n_head");
        var nEmbd = Int("n_embd");
        var nPositions = Int("n_positions", root.TryGetProperty("n_ctx", out _) ? Int("n_ctx") : null);
        var vocab = Int("vocab_size");
        foreach (var (k, v) in new[] { ("n_layer", nLayer), ("n_head", nHead), ("n_embd", nEmbd), ("n_positions", nPositions), ("vocab_size", vocab) })
            if (v <= 0) throw new ModelLoadException($"{path}: \"{k}\" must be positive, found {v}.");
        if (nPositions < MinPositions)
            throw new ModelLoadException($"{path}: \"n_positions\" is {nPositions}; the engine needs a context of at least {MinPositions} positions (it keeps up to 64 of them for what it writes).");
        if (nEmbd % nHead != 0)
            throw new ModelLoadException($"{path}: n_embd ({nEmbd}) must be divisible by n_head ({nHead}).");

        var norm = Str(root, "norm_position") ?? "pre";
        if (norm is not ("pre" or "post"))
            throw new ModelLoadException($"{path}: \"norm_position\" must be \"pre\" or \"post\", found \"{norm}\".");

        TokenizerSpec tokenizer;
        if (root.TryGetProperty("tokenizer", out var tok) && tok.ValueKind == JsonValueKind.Object)
        {
            var kind = Str(tok, "kind");
            tokenizer = kind switch
            {
                "sentencepiece" => new TokenizerSpec.SentencePiece(Str(tok, "file") ?? "tokenizer.model"),
                "gpt2-bpe" => new TokenizerSpec.Gpt2Bpe(Str(tok, "vocab") ?? "vocab.json", Str(tok, "merges") ?? "merges.txt"),
                _ => throw new ModelLoadException($"{path}: unknown tokenizer kind \"{kind}\"; expected \"sentencepiece\" or \"gpt2-bpe\"."),
            };
        }
        else if (File.Exists(Path.Combine(folder, "vocab.json")) && File.Exists(Path.Combine(folder, "merges.txt")))
            tokenizer = new TokenizerSpec.Gpt2Bpe("vocab.json", "merges.txt"); // Hugging Face Optimum export
        else if (File.Exists(Path.Combine(folder, "tokenizer.model")))
            tokenizer = new TokenizerSpec.SentencePiece("tokenizer.model");
        else
            throw new ModelLoadException($"{path}: no \"tokenizer\" entry and no vocab.json + merges.txt or tokenizer.model beside it.");

        var gpt2 = tokenizer is TokenizerSpec.Gpt2Bpe;
        // GPT-2 exports use 50256 (<|endoftext|>) for both bos and eos; SentencePiece models here use unk 0, bos 1, eos 2.
        var bos = Int("bos_token_id", gpt2 ? vocab - 1 : 1);
        var eos = Int("eos_token_id", gpt2 ? vocab - 1 : 2);
        var unk = Int("unk_token_id", gpt2 ? -1 : 0);
        foreach (var (k, v) in new[] { ("bos_token_id", bos), ("eos_token_id", eos) })
            if (v < 0 || v >= vocab) throw new ModelLoadException($"{path}: \"{k}\" must be in [0, {vocab}), found {v}.");
        var addBos = root.TryGetProperty("add_bos", out var ab) ? ab.ValueKind == JsonValueKind.True : !gpt2;

        var name = Str(root, "name") ?? Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
        return new ModelConfig(name, nLayer, nHead, nEmbd, nPositions, vocab, norm == "pre", bos, eos, unk, addBos, tokenizer) { Json = root, FilePath = path };
    }
}
