namespace TransformerLsp.Server.Model;

/// <summary>Where the model folder was found, or every place looked at.</summary>
internal sealed record ModelLocation(string? Folder, string HowFound, IReadOnlyList<string> Tried);

/// <summary>
/// Default model resolution (the server README, "The model it uses"): setting modelPath if non-empty → env TRANSFORMER_LSP_MODEL →
/// &lt;AppContext.BaseDirectory&gt;/model/ (bundled by the extension) → walk up from AppContext.BaseDirectory looking for
/// models/default/config.json (a dev checkout).
/// </summary>
internal static class ModelLocator
{
    public const string EnvironmentVariable = "TRANSFORMER_LSP_MODEL";

    public static ModelLocation Resolve(string? settingPath, string? environmentValue = null, string? baseDirectory = null)
    {
        environmentValue ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        baseDirectory ??= AppContext.BaseDirectory;
        var tried = new List<string>();

        // An explicit choice is final: pointing at the wrong folder must be reported, not silently replaced.
        if (!string.IsNullOrWhiteSpace(settingPath))
            return new ModelLocation(ExpandHome(settingPath), "setting transformerLsp.modelPath", [$"setting transformerLsp.modelPath = {settingPath}"]);
        tried.Add("setting transformerLsp.modelPath (empty)");

        if (!string.IsNullOrWhiteSpace(environmentValue))
            return new ModelLocation(ExpandHome(environmentValue), $"environment variable {EnvironmentVariable}", [.. tried, $"{EnvironmentVariable} = {environmentValue}"]);
        tried.Add($"environment variable {EnvironmentVariable} (unset)");

        var bundled = Path.Combine(baseDirectory, "model");
        tried.Add(bundled);
        if (File.Exists(Path.Combine(bundled, "config.json"))) return new ModelLocation(bundled, "bundled with the server", tried);

        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "default");
            if (File.Exists(Path.Combine(candidate, "config.json"))) return new ModelLocation(candidate, "development checkout", [.. tried, candidate]);
        }
        tried.Add($"models/default/config.json in {baseDirectory} and every folder above it");
        return new ModelLocation(null, "not found", tried);
    }

    private static string ExpandHome(string path)
    {
        path = path.Trim();
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "");
        return Path.GetFullPath(path);
    }
}
