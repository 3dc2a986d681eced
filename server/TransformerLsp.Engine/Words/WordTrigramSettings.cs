using System.Text.Json;

namespace TransformerLsp.Engine.Words;

/// <summary>
/// config.json's optional "word_trigram" section: which file holds the word trigram and how much it weighs when mixed
/// with the engine (<see cref="WordFusion"/>):
/// <code>"word_trigram": { "file": "cmu-trigram.bin", "next_word_weight": 0.2, "fill_in_weight": 0.2 }</code>
/// </summary>
/// <param name="File">The trigram file, a plain file name inside the model folder.</param>
/// <param name="NextWordWeight">μ: the trigram's weight in the next-word distribution, in [0, 1].</param>
/// <param name="FillInWeight">ν: the trigram's weight in the fill-in (and hint) shares, in [0, 1].</param>
/// <remarks>Without the section a folder with <c>cmu-trigram.bin</c> uses <see cref="Default"/>; with it, the named file
/// must exist (a missing one is a partial copy). Every key is optional; an unknown key or a bad value is a
/// <see cref="ModelLoadException"/> naming the file and the key. The weights are fitted by
/// <c>models/eval/TransformerLsp.WordFusionEval</c> on validation text.</remarks>
internal sealed record WordTrigramSettings(string File, double NextWordWeight, double FillInWeight)
{
    /// <summary>The section's name in config.json.</summary>
    public const string Section = "word_trigram";

    /// <summary>A modest trust, for a folder that ships the trigram without fitted weights.</summary>
    public static WordTrigramSettings Default { get; } = new(WordTrigram.FileName, 0.2, 0.2);

    /// <summary>The section (null when absent); every problem names the file and the key.</summary>
    public static WordTrigramSettings? Read(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Section, out var s)) return null;
        if (s.ValueKind != JsonValueKind.Object) throw Bad($"\"{Section}\" must be an object, found {s.ValueKind}");
        foreach (var p in s.EnumerateObject())
            if (p.Name is not ("file" or "next_word_weight" or "fill_in_weight"))
                throw Bad($"\"{Section}.{p.Name}\" is not a known key (expected \"file\", \"next_word_weight\", \"fill_in_weight\")");
        var file = Default.File;
        if (s.TryGetProperty("file", out var f))
        {
            file = f.ValueKind == JsonValueKind.String ? f.GetString()! : throw Bad($"\"{Section}.file\" must be a string, found {f}");
            if (file.Length == 0 || Path.IsPathRooted(file) || file.Contains("..", StringComparison.Ordinal) || file.IndexOfAny(['/', '\\']) >= 0)
                throw Bad($"\"{Section}.file\" must be a file name inside the model folder, found \"{file}\"");
        }
        return new WordTrigramSettings(file, Weight("next_word_weight", Default.NextWordWeight), Weight("fill_in_weight", Default.FillInWeight));

        double Weight(string key, double fallback)
        {
            if (!s.TryGetProperty(key, out var v)) return fallback;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var w) || !(w >= 0 && w <= 1))
                throw Bad($"\"{Section}.{key}\" must be a number in [0, 1], found {v.GetRawText()}");
            return w;
        }

        ModelLoadException Bad(string what) => new($"{path}: {what}.");
    }
}
