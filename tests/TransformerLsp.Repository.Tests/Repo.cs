using System.Diagnostics;
using System.Text.Json.Nodes;

namespace TransformerLsp.Repository.Tests;

/// <summary>The checkout under test: its root, its tracked files (git's list) and the extension manifest.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Tracked files, '/'-separated and relative to the root (<c>git ls-files</c>).</summary>
    public static IReadOnlyList<string> TrackedFiles { get; } =
        Git("ls-files -z").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The first path segment of every tracked file in a folder: the names a repository path starts with.</summary>
    public static IReadOnlySet<string> TopLevelFolders { get; } =
        TrackedFiles.Where(f => f.Contains('/')).Select(f => f[..f.IndexOf('/')]).ToHashSet();

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    public static bool Exists(string relative)
    {
        var full = Path.Combine(Root, relative);
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <summary>The paths git would ignore (generated outputs: bin/, out/, models/work/, …), existing or not.</summary>
    public static HashSet<string> Ignored(IEnumerable<string> relative)
    {
        var paths = relative.Distinct().ToList();
        if (paths.Count == 0) return [];
        // Exit code 1 means "none ignored"; the answer is on stdout either way.
        var output = Git("check-ignore --no-index --stdin", string.Join('\n', paths) + "\n", allowExitCodes: [0, 1]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    /// <summary>The contributed settings of the root package.json, keyed without the "transformerLsp." prefix.</summary>
    public static IReadOnlyDictionary<string, JsonObject> ManifestSettings()
    {
        var configuration = Manifest()["contributes"]!["configuration"]!;
        var sections = configuration is JsonArray array ? array.Select(a => a!) : [configuration];
        return sections.SelectMany(s => s["properties"]!.AsObject())
            .ToDictionary(p => p.Key["transformerLsp.".Length..], p => p.Value!.AsObject());
    }

    /// <summary>The contributed commands of the root package.json, full names.</summary>
    public static IReadOnlySet<string> ManifestCommands() =>
        Manifest()["contributes"]!["commands"]!.AsArray().Select(c => (string)c!["command"]!).ToHashSet();

    private static JsonNode Manifest() => JsonNode.Parse(Read("package.json"))!;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TransformerLsp.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static string Git(string arguments, string? input = null, int[]? allowExitCodes = null)
    {
        var start = new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var stderr = git.StandardError.ReadToEndAsync();
        if (input is not null) git.StandardInput.Write(input);
        git.StandardInput.Close();
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (!(allowExitCodes ?? [0]).Contains(git.ExitCode))
            throw new InvalidOperationException($"git {arguments} failed ({git.ExitCode}): {stderr.Result}");
        return output;
    }
}
