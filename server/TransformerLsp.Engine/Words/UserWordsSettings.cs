using System.Text.Json;

namespace TransformerLsp.Engine.Words;

/// <summary>
/// config.json's optional "user_words" section: how much the user's own words weigh in the next-word distribution
/// (see <c>TextPredictor.UserWords.cs</c>):
/// <code>"user_words": { "next_word_weight": 0.55 }</code>
/// </summary>
/// <param name="NextWordWeight">κ: the weight of the user's word counts in the next-word mixture, in [0, 1].</param>
/// <remarks>Without the section <see cref="Default"/> applies. An unknown key or a bad value is a
/// <see cref="ModelLoadException"/> naming the file and the key. The weight is fitted by
/// <c>models/eval/TransformerLsp.WordFusionEval</c> on validation text.</remarks>
internal sealed record UserWordsSettings(double NextWordWeight)
{
    /// <summary>The section's name in config.json.</summary>
    public const string Section = "user_words";

    /// <summary>For a folder without a fitted weight: the default model's fitted value.</summary>
    public static UserWordsSettings Default { get; } = new(0.55);

    /// <summary>The section, or <see cref="Default"/> when it is absent; every problem names the file and the key.</summary>
    public static UserWordsSettings Read(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Section, out var s)) return Default;
        if (s.ValueKind != JsonValueKind.Object) throw Bad($"\"{Section}\" must be an object, found {s.ValueKind}");
        foreach (var p in s.EnumerateObject())
            if (p.Name != "next_word_weight") throw Bad($"\"{Section}.{p.Name}\" is not a known key (expected \"next_word_weight\")");
        if (!s.TryGetProperty("next_word_weight", out var v)) return Default;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var w) || !(w >= 0 && w <= 1))
            throw Bad($"\"{Section}.next_word_weight\" must be a number in [0, 1], found {v.GetRawText()}");
        return new UserWordsSettings(w);

        ModelLoadException Bad(string what) => new($"{path}: {what}.");
    }
}
