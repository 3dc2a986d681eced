using System.Globalization;
using System.Text.Json;

namespace TransformerLsp.Quality;

/// <summary>A next-word case: the text before the cursor (ending with a space) and the words that followed it.</summary>
internal sealed record NextWordCase(string Set, string Id, string Left, IReadOnlyList<string> Next);

/// <summary>A blank: the text on each side, the word that was there, and a bigram model's five best guesses for it.</summary>
internal sealed record FillInCase(string Set, string Id, string Left, string Answer, string Right, IReadOnlyList<string> BigramTop5);

/// <summary>An error injected into a passage: a UTF-16 span of the corrupted text and what it replaced.</summary>
internal sealed record InjectedError(int Start, int Length, string Original, string Replacement, string Kind);

/// <summary>A passage, clean and with errors injected.</summary>
internal sealed record HintCase(string Set, string Id, string Clean, string Corrupted, IReadOnlyList<InjectedError> Errors);

/// <summary>The held-out cases of bench/quality/*.jsonl, grouped by set.</summary>
internal sealed class QualityData
{
    public required List<NextWordCase> NextWord { get; init; }
    public required List<FillInCase> FillIn { get; init; }
    public required List<HintCase> Hints { get; init; }
    public required string Folder { get; init; }

    /// <summary>The sets found, "test" and "modern" first.</summary>
    public IReadOnlyList<string> Sets =>
        [.. NextWord.Select(c => c.Set).Concat(FillIn.Select(c => c.Set)).Concat(Hints.Select(c => c.Set)).Distinct()
            .OrderBy(s => s switch { "test" => 0, "modern" => 1, _ => 2 }).ThenBy(s => s, StringComparer.Ordinal)];

    public static readonly string[] Files = ["next-word.jsonl", "fill-in.jsonl", "hints.jsonl"];

    /// <summary>Reads the three files; with <paramref name="perSet"/> only the first that many records of each set per file
    /// (<paramref name="passagesPerSet"/> for the hint passages, each of which costs about 190 word checks).</summary>
    public static QualityData Load(string folder, int? perSet, int? passagesPerSet)
    {
        foreach (var f in Files)
            if (!File.Exists(Path.Combine(folder, f))) throw new FileNotFoundException($"{Path.Combine(folder, f)}: missing (the quality data: {string.Join(", ", Files)})");
        return new QualityData
        {
            Folder = folder,
            NextWord = Read(Path.Combine(folder, "next-word.jsonl"), perSet, (set, id, e) =>
                new NextWordCase(set, id, Str(e, "left"), Strings(e, "next"))),
            FillIn = Read(Path.Combine(folder, "fill-in.jsonl"), perSet, (set, id, e) =>
                new FillInCase(set, id, Str(e, "left"), Str(e, "answer"), Str(e, "right"), Strings(e, "bigram_top5"))),
            Hints = Read(Path.Combine(folder, "hints.jsonl"), passagesPerSet, (set, id, e) =>
                new HintCase(set, id, Str(e, "clean"), Str(e, "corrupted"),
                    [.. e.GetProperty("errors").EnumerateArray().Select(x => new InjectedError(
                        x.GetProperty("start").GetInt32(), x.GetProperty("length").GetInt32(),
                        Str(x, "original"), Str(x, "replacement"), Str(x, "kind")))])),
        };
    }

    private static List<T> Read<T>(string path, int? perSet, Func<string, string, JsonElement, T> make)
    {
        var result = new List<T>();
        var taken = new Dictionary<string, int>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                var set = Str(e, "set");
                taken.TryGetValue(set, out var n);
                if (perSet is { } limit && n >= limit) continue;
                taken[set] = n + 1;
                var id = e.TryGetProperty("id", out var idElement)
                    ? idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : idElement.GetRawText()
                    : lineNumber.ToString(CultureInfo.InvariantCulture);
                result.Add(make(set, id, e));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {ex.Message}", ex);
            }
        }
        return result;
    }

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";

    private static List<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray().Select(x => x.GetString() ?? "")] : [];
}
