using System.Text.Json;

namespace TransformerLsp.Bench;

/// <summary>The parts of a model folder's config.json that the benchmarks need.</summary>
internal sealed record ModelInfo(
    string Folder, string Name, int Layers, int Heads, int Embedding, int Positions, int Vocab,
    int BosId, int EosId, bool AddBos, string? TokenizerFile)
{
    public string OnnxPath => Path.Combine(Folder, "model.onnx");
    public int HeadDim => Embedding / Heads;

    /// <summary>Bytes of weights a batch-1 decode step must read: every block's matrices and the LM head
    /// (the position table contributes one row, biases and LayerNorms are noise). Basis of the DRAM floor.</summary>
    public long WeightBytesPerToken => 4L * ((long)Layers * 12 * Embedding * Embedding + (long)Vocab * Embedding);

    /// <summary>The context the engine sees, so GenAI is given the same: the engine keeps min(64, n_positions / 2)
    /// positions free for generation (ContextWindow), and room for <paramref name="newTokens"/>.</summary>
    public List<int> Window(List<int> ids, int newTokens = 1)
    {
        var max = Math.Min(Positions - newTokens, Positions - Math.Min(64, Positions / 2));
        return ids.Count <= max ? ids : ids.GetRange(ids.Count - max, max);
    }

    public static ModelInfo Load(string folder)
    {
        var configPath = Path.Combine(folder, "config.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(configPath));
        var root = doc.RootElement;
        int Int(string name, int fallback) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;
        string? tokenizer = null;
        if (root.TryGetProperty("tokenizer", out var tok) && tok.TryGetProperty("file", out var file))
            tokenizer = Path.Combine(folder, file.GetString()!);
        else if (File.Exists(Path.Combine(folder, "tokenizer.model")))
            tokenizer = Path.Combine(folder, "tokenizer.model");
        return new ModelInfo(
            Path.GetFullPath(folder),
            root.TryGetProperty("name", out var n) ? n.GetString() ?? Path.GetFileName(folder) : Path.GetFileName(folder),
            Int("n_layer", 0), Int("n_head", 0), Int("n_embd", 0), Int("n_positions", 0), Int("vocab_size", 0),
            Int("bos_token_id", 1), Int("eos_token_id", 2),
            !root.TryGetProperty("add_bos", out var ab) || ab.ValueKind != JsonValueKind.False,
            tokenizer is not null && File.Exists(tokenizer) ? tokenizer : null);
    }

    /// <summary>--model, then TRANSFORMER_LSP_MODEL, then models/default, then the tiny test fixture, walking up from the working folder.</summary>
    public static string Resolve(string? explicitFolder)
    {
        if (!string.IsNullOrEmpty(explicitFolder)) return Path.GetFullPath(explicitFolder);
        var env = Environment.GetEnvironmentVariable("TRANSFORMER_LSP_MODEL");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        foreach (var candidate in new[] { "models/default", "tests/fixtures/tiny-model" })
        {
            var found = RepoPaths.Find(candidate + "/config.json");
            if (found is not null) return Path.GetDirectoryName(found)!;
        }
        throw new InvalidOperationException("No model folder: pass --model <folder> or set TRANSFORMER_LSP_MODEL (looked for models/default and tests/fixtures/tiny-model).");
    }
}

/// <summary>Finds files of the repository from the working folder or the executable's folder, walking up.</summary>
internal static class RepoPaths
{
    public static string? Find(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, relative);
                if (File.Exists(path) || Directory.Exists(path)) return path;
            }
        }
        return null;
    }

    public static string Root => Path.GetDirectoryName(Find("TransformerLsp.sln") ?? throw new InvalidOperationException("Run inside the repository (TransformerLsp.sln not found)."))!;
}
