using System.Text.RegularExpressions;

namespace TransformerLsp.Repository.Tests;

/// <summary>
/// The settings the READMEs document are the manifest's (root package.json, the settings contract's one source):
/// the server README's table lists exactly the server's keys, the extension README's table every key, and any
/// "transformerLsp.x" a Markdown file names is a setting, a command or a server command that exists.
/// </summary>
public sealed partial class SettingsDocsTests
{
    /// <summary>Keys only the client reads (the server never sees them).</summary>
    private static readonly string[] ClientOnly = ["server.path", "trace.server"];

    [Fact]
    public void ServerReadmeTableListsExactlyTheServerSettings()
    {
        var documented = TableKeys("server/TransformerLsp.Server/README.md", "## Settings", prefix: "");
        var server = Repo.ManifestSettings().Keys.Except(ClientOnly).Order().ToList();
        Assert.Equal(server, documented.Order().ToList());
    }

    [Fact]
    public void ExtensionReadmeTableListsEverySetting()
    {
        var documented = TableKeys("client/README.md", "## Settings", prefix: "transformerLsp.");
        Assert.Equal(Repo.ManifestSettings().Keys.Order().ToList(), documented.Order().ToList());
    }

    [Fact]
    public void EveryTransformerLspNameInTheDocsExists()
    {
        var known = Repo.ManifestSettings().Keys.Select(k => "transformerLsp." + k)
            .Concat(Repo.ManifestCommands())
            .Concat(ServerCommand().Matches(Repo.Read("server/TransformerLsp.Server/Protocol/LspMethods.cs")).Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.Contains("transformerLsp.beamSearch", known);
        var unknown = Repo.TrackedFiles.Where(f => f.EndsWith(".md", StringComparison.Ordinal))
            .SelectMany(f => DottedName().Matches(Repo.Read(f)).Select(m => (Name: m.Value, File: f)))
            .Where(n => !known.Contains(n.Name))
            .Select(n => $"{n.Name} (in {n.File})")
            .Distinct()
            .ToList();
        Assert.True(unknown.Count == 0, "names that are neither a setting nor a command:\n" + string.Join('\n', unknown));
    }

    /// <summary>The first column's code spans of the first table after the heading, without the prefix.</summary>
    private static List<string> TableKeys(string file, string heading, string prefix)
    {
        var lines = Repo.Read(file).Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(heading, StringComparison.Ordinal));
        Assert.True(start >= 0, $"{file}: no '{heading}' section");
        var keys = lines.Skip(start + 1)
            .SkipWhile(l => !l.StartsWith('|'))
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => FirstCell().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.StartsWith(prefix, k));
        return keys.Select(k => k[prefix.Length..]).ToList();
    }

    [GeneratedRegex(@"^\|\s*`([^`]+)`\s*\|")]
    private static partial Regex FirstCell();

    [GeneratedRegex(@"(?<![\w/])transformerLsp\.[A-Za-z][\w.]*[A-Za-z0-9]")]
    private static partial Regex DottedName();

    [GeneratedRegex(@"=\s*""(transformerLsp\.\w+)""")]
    private static partial Regex ServerCommand();
}
