using TransformerLsp.Server.Model;

namespace TransformerLsp.Server.Tests.Hosting;

/// <summary>Default model resolution: setting → env TRANSFORMER_LSP_MODEL → &lt;base&gt;/model/ → models/default above &lt;base&gt;.</summary>
public class ModelLocatorTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("locator");

    private string MakeModel(string relative)
    {
        var folder = Path.Combine(_root.FullName, relative);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), "{}");
        return folder;
    }

    [Fact]
    public void SettingWinsOverEverything()
    {
        var bin = Path.Combine(_root.FullName, "bin");
        MakeModel("bin/model");
        var found = ModelLocator.Resolve("/models/mine", environmentValue: "/models/env", baseDirectory: bin);
        Assert.Equal(Path.GetFullPath("/models/mine"), found.Folder);
    }

    [Fact]
    public void EnvironmentVariableComesSecond()
    {
        var found = ModelLocator.Resolve("", environmentValue: "/models/env", baseDirectory: _root.FullName);
        Assert.Equal(Path.GetFullPath("/models/env"), found.Folder);
        Assert.Contains(ModelLocator.EnvironmentVariable, found.HowFound);
    }

    [Fact]
    public void BundledModelBesideTheServerComesThird()
    {
        var bin = Path.Combine(_root.FullName, "ext", "server");
        var bundled = MakeModel("ext/server/model");
        MakeModel("models/default");
        var found = ModelLocator.Resolve(null, environmentValue: "", baseDirectory: bin);
        Assert.Equal(bundled, found.Folder);
    }

    [Fact]
    public void DevelopmentCheckoutIsFoundByWalkingUp()
    {
        var dev = MakeModel("models/default");
        var bin = Path.Combine(_root.FullName, "server", "TransformerLsp.Server", "bin", "Release", "net10.0");
        Directory.CreateDirectory(bin);
        var found = ModelLocator.Resolve("", environmentValue: null, baseDirectory: bin);
        Assert.Equal(dev, found.Folder);
    }

    [Fact]
    public void NothingFoundListsEveryPlaceLooked()
    {
        var bin = Path.Combine(_root.FullName, "empty", "bin");
        Directory.CreateDirectory(bin);
        var found = ModelLocator.Resolve("", environmentValue: "", baseDirectory: bin);
        if (found.Folder is not null) return; // a models/default above the temp folder: nothing to assert here
        Assert.Contains(found.Tried, t => t.Contains("modelPath"));
        Assert.Contains(found.Tried, t => t.Contains(ModelLocator.EnvironmentVariable));
        Assert.Contains(found.Tried, t => t.EndsWith(Path.Combine("bin", "model")));
    }

    public void Dispose() => _root.Delete(recursive: true);
}
