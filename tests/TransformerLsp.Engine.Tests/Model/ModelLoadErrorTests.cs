using System.Diagnostics;
using System.Text.Json.Nodes;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>Every way a model folder can be broken fails Load with one message naming the file, what was expected and what was found,
/// and fails fast. It includes a folder that names files outside itself, a FIFO, a device, or a config.json its ONNX file
/// cannot honour (issue 13): nothing outside the folder is read, nothing hangs, nothing loads as "ready" to fail later.</summary>
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

    private ModelLoadException LoadFails()
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ModelLoadException>(() => TextPredictor.Load(new ModelOptions(_folder)).Dispose());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"failing took {clock.Elapsed}");
        return e;
    }

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
    public void WithTwoFilesBrokenTheOneASequentialLoadMeetsFirstIsNamed()
    {
        // The session loads on a thread of its own beside the tokenizer (TextPredictor.Load): its error must not hide the
        // tokenizer's, which a sequential load met first, and the failed load must leave nothing loading behind it.
        File.WriteAllText(Path.Combine(_folder, "tokenizer.model"), "not a protobuf");
        File.WriteAllBytes(Path.Combine(_folder, "model.onnx"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))]);
        var e = LoadFails();
        Assert.Contains("tokenizer.model", e.Message);
        Assert.DoesNotContain("model.onnx", e.Message);
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

    private void TokenizerFile(string file) =>
        EditConfig(c => c["tokenizer"] = new JsonObject { ["kind"] = "sentencepiece", ["file"] = file });

    [Theory]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("/dev/zero", "absolute")]
    [InlineData("../../../../../../etc/passwd", "leads out")]
    [InlineData("sub/../../tokenizer.model", "leads out")]
    public void ATokenizerNamedOutsideTheFolderIsRefused(string file, string rule)
    {
        TokenizerFile(file);
        var e = LoadFails();
        Assert.Contains(rule, e.Message);
        Assert.Contains("tokenizer", e.Message);
    }

    [Fact]
    public void ANameThatStaysInsideIsFine()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "tok"));
        File.Move(Path.Combine(_folder, "tokenizer.model"), Path.Combine(_folder, "tok", "spm.model"));
        TokenizerFile("tok/../tok/spm.model");
        TextPredictor.Load(new ModelOptions(_folder)).Dispose();
    }

    [Fact]
    public void AFifoIsRefusedInsteadOfHangingTheLoad()
    {
        if (OperatingSystem.IsWindows()) return; // no FIFOs there
        var fifo = Path.Combine(_folder, "tokenizer.model");
        File.Delete(fifo);
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var e = LoadFails();
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void AnEmptyFileIsRefused()
    {
        File.WriteAllBytes(Path.Combine(_folder, "tokenizer.model"), []);
        Assert.Contains("empty", LoadFails().Message);
    }

    [Fact]
    public void AFolderWhereAFileShouldBeIsRefused()
    {
        File.Delete(Path.Combine(_folder, "model.onnx"));
        Directory.CreateDirectory(Path.Combine(_folder, "model.onnx"));
        Assert.Contains("is a folder", LoadFails().Message);
    }

    [Fact]
    public void MorePositionsThanTheExportHasIsCaughtAtLoad()
    {
        // The tiny model's position table has n_positions rows; claim four times as many.
        EditConfig(c => c["n_positions"] = (int)c["n_positions"]! * 4);
        var e = LoadFails();
        Assert.Contains("n_positions", e.Message);
        Assert.Contains("position table", e.Message);
    }

    [Fact]
    public void TooFewPositionsIsAClearError()
    {
        EditConfig(c => c["n_positions"] = 8);
        var e = LoadFails();
        Assert.Contains("n_positions", e.Message);
        Assert.Contains("at least", e.Message);
    }
}
