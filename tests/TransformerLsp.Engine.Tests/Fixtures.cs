using System.Text.Json;
using System.Text.Json.Nodes;

namespace TransformerLsp.Engine.Tests;

/// <summary>Locates committed fixtures (tests/fixtures/*) and models/ from the test binary, by walking up to the repo root.</summary>
internal static class Fixtures
{
    public static string RepoRoot { get; } = FindRoot();

    public static string TinyModel => Path.Combine(RepoRoot, "tests", "fixtures", "tiny-model");
    public static string TinyPostNorm => Path.Combine(RepoRoot, "tests", "fixtures", "tiny-postnorm");
    public static string DefaultModel => Path.Combine(RepoRoot, "models", "default");
    public static bool HasDefaultModel => File.Exists(Path.Combine(DefaultModel, "config.json")) && File.Exists(Path.Combine(DefaultModel, "model.onnx"));

    public static string Folder(string name) => Path.Combine(RepoRoot, "tests", "fixtures", name);

    /// <summary>A one-thread CPU session over the fixture model <paramref name="name"/>, a folder of tests/fixtures.</summary>
    public static Engine.Model.ModelSession Session(string name)
    {
        var folder = Folder(name);
        return new Engine.Model.ModelSession(Path.Combine(folder, "model.onnx"), Engine.Model.ModelConfig.Read(folder), ExecutionProviderKind.Cpu, 1, ModelOptions.DefaultSpinMicroseconds);
    }

    /// <summary>A fresh copy of the tiny model in a temporary folder (the caller deletes it), changed by <paramref name="change"/>.</summary>
    public static string TinyModelCopy(Action<string>? change = null)
    {
        var folder = Directory.CreateTempSubdirectory("tiny-model").FullName;
        foreach (var f in Directory.GetFiles(TinyModel)) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        change?.Invoke(folder);
        return folder;
    }

    /// <summary>Edits a model folder's config.json in place.</summary>
    public static void EditConfig(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransformerLsp.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no TransformerLsp.sln above {AppContext.BaseDirectory}");
    }

    private static readonly Dictionary<string, TextPredictor> Predictors = [];

    /// <summary>One shared predictor per fixture folder (loading is the slow part); tests use distinct document keys.</summary>
    public static TextPredictor Predictor(string folder)
    {
        lock (Predictors)
        {
            if (!Predictors.TryGetValue(folder, out var p))
                Predictors[folder] = p = TextPredictor.Load(new ModelOptions(folder, Threads: 1));
            return p;
        }
    }

    public sealed record ReferenceCase(int[] InputIds, float[][] Logits);
    public sealed record SpmCase(string Text, int[] Ids);

    public static (List<ReferenceCase> Cases, List<SpmCase> Spm) Reference(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "reference.json")));
        var cases = new List<ReferenceCase>();
        if (doc.RootElement.TryGetProperty("cases", out var cs))
            foreach (var c in cs.EnumerateArray())
                cases.Add(new ReferenceCase(
                    [.. c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32())],
                    [.. c.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetSingle()).ToArray())]));
        return (cases, SpmCases(doc.RootElement.GetProperty("spm_encode")));
    }

    public static List<SpmCase> SpmCases(JsonElement list) =>
        [.. list.EnumerateArray().Select(e => new SpmCase(e.GetProperty("text").GetString()!, [.. e.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32())]))];
}

/// <summary>Classes that share a <see cref="Fixtures.Predictor"/> run one at a time: TextPredictor is not thread-safe.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPredictorCollection
{
    public const string Name = "shared predictor";
}
