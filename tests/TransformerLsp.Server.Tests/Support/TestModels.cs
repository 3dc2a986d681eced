namespace TransformerLsp.Server.Tests.Support;

/// <summary>Finds the committed fixture models (tests/fixtures/…) from the test binary's folder.</summary>
internal static class TestModels
{
    public static string TinyModel => Find("tests/fixtures/tiny-model");

    /// <summary>The bundled default model (with its lexicon): for behaviour that needs a trained model.</summary>
    public static string DefaultModel => Find("models/default");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "TransformerLsp.sln"))) return dir.FullName;
            throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Find(string relative)
    {
        var path = Path.Combine(RepositoryRoot, relative);
        if (!File.Exists(Path.Combine(path, "config.json"))) throw new InvalidOperationException($"fixture missing: {path}");
        return path;
    }
}
