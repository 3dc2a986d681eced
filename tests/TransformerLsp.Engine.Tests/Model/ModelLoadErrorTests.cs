using System.Text.Json.Nodes;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>Every way a model folder can be broken fails Load with one message naming the file, what was expected and what was found.</summary>
public sealed class ModelLoadErrorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "transformerlsp-load-" + Guid.NewGuid().ToString("N"));

    public ModelLoadErrorTests()
    {
        Directory.CreateDirectory(_folder);
        foreach (var f in new[] { "config.json", "model.onnx", "tokenizer.model" })
            File.Copy(Path.Combine(Fixtures.TinyModel, f), Path.Combine(_folder, f));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void EditConfig(Action<JsonObject> edit)
    {
        var path = Path.Combine(_folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private ModelLoadException LoadFails() =>
        Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(_folder)).Dispose());

    [Fact]
    public void IntactCopyLoads() => TextPredictor.Load(new ModelOptions(_folder)).Dispose();

    [Theory]
    [InlineData("config.json", "n_layer")]
    [InlineData("model.onnx", "ONNX")]
    [InlineData("tokenizer.model", "SentencePiece")]
    public void MissingFileIsNamed(string file, string expectation)
    {
        File.Delete(Path.Combine(_folder, file));
        var e = LoadFails();
        Assert.Contains(file, e.Message);
        Assert.Contains("missing", e.Message);
        Assert.Contains(expectation, e.Message);
    }

    [Fact]
    public void MissingFolderIsNamed()
    {
        var e = Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(_folder + "-absent")));
        Assert.Contains("-absent", e.Message);
    }

    [Fact]
    public void CorruptModelIsNamed()
    {
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))]);
        var e = LoadFails();
        Assert.Contains("model.onnx", e.Message);
        Assert.Contains("could not load", e.Message);
    }

    [Fact]
    public void CorruptTokenizerIsNamed()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.model"), "not a protobuf");
        var e = LoadFails();
        Assert.Contains("tokenizer.model", e.Message);
        Assert.Contains("expected", e.Message);
    }

    [Fact]
    public void InvalidJsonIsNamed()
    {
        File.WriteAllText(Path.Combine(_folder, "config.json"), "{ \"n_layer\": ");
        var e = LoadFails();
        Assert.Contains("config.json", e.Message);
        Assert.Contains("JSON", e.Message);
    }

    [Fact]
    public void UnknownTokenizerKindIsNamed()
    {
        EditConfig(c => c["tokenizer"] = new JsonObject { ["kind"] = "wordpiece", ["file"] = "vocab.txt" });
        var e = LoadFails();
        Assert.Contains("config.json", e.Message);
        Assert.Contains("wordpiece", e.Message);
        Assert.Contains("sentencepiece", e.Message);
    }

    public static TheoryData<string, int, string[]> Mismatches() => new()
    {
        { "n_head", 4, ["past_key_values.0.key", "expected 4 (n_head)", "[batch, 2,"] },
        { "n_embd", 64, ["past_key_values.0.key", "head_dim"] },
        { "n_layer", 3, ["past_key_values.2.key"] },
        { "n_layer", 1, ["4 past_key_values inputs, expected 2"] },
        { "vocab_size", 512, ["logits", "expected 512 (vocab_size)"] },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void ModelNotMatchingConfigIsNamed(string key, int value, string[] fragments)
    {
        EditConfig(c => c[key] = value);
        var e = LoadFails();
        Assert.Contains("model.onnx", e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void TokenizerLargerThanModelVocabularyIsNamed()
    {
        EditConfig(c => c["vocab_size"] = 300);
        var e = LoadFails();
        Assert.Contains("expected", e.Message);
    }
}
