using System.Diagnostics;
using System.Text.Json.Nodes;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>
/// Issue 13, item 5: a model folder cannot make the engine read anything outside it, hang on a FIFO, swallow a device,
/// or load as "ready" with a config.json its ONNX file cannot honour. Each case fails fast with a message naming the
/// file and the rule.
/// </summary>
public sealed class ModelFolderConfinementTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "transformerlsp-confine-" + Guid.NewGuid().ToString("N"));

    public ModelFolderConfinementTests()
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
        string fifo = Path.Combine(_folder, "tokenizer.model");
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
