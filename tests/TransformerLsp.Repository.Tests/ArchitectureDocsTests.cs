using System.Text.RegularExpressions;

namespace TransformerLsp.Repository.Tests;

/// <summary>
/// The architecture documents agree with the tree and with each other: the root ARCHITECTURE.md names every project of
/// the solution; its code map names every folder and top-level file of the engine and the server; the server's own
/// ARCHITECTURE.md names the same server folders.
/// </summary>
public sealed partial class ArchitectureDocsTests
{
    private const string RootDoc = "ARCHITECTURE.md";
    private const string ServerDoc = "server/TransformerLsp.Server/ARCHITECTURE.md";

    [Fact]
    public void RootDocumentNamesEveryProjectOfTheSolution()
    {
        var projects = SolutionProject().Matches(Repo.Read("TransformerLsp.sln")).Select(m => m.Groups[1].Value.Replace('\\', '/')).ToList();
        Assert.True(projects.Count >= 5, $"{projects.Count} projects found in TransformerLsp.sln");
        var doc = Repo.Read(RootDoc);
        var unnamed = projects.Select(p => Path.GetDirectoryName(p)!.Replace('\\', '/'))
            .Where(folder => !doc.Contains(folder, StringComparison.Ordinal) && !doc.Contains(Path.GetFileName(folder), StringComparison.Ordinal))
            .ToList();
        Assert.True(unnamed.Count == 0, $"{RootDoc} does not name: {string.Join(", ", unnamed)}");
    }

    [Theory]
    [InlineData("server/TransformerLsp.Engine")]
    [InlineData("server/TransformerLsp.Server")]
    public void RootCodeMapNamesEveryFolderAndTopLevelFile(string project)
    {
        var section = Section(Repo.Read(RootDoc), $"### `{project}`");
        var (folders, files) = Contents(project);
        var unnamed = folders.Where(f => !section.Contains($"`{f}/", StringComparison.Ordinal))
            .Concat(files.Where(f => !section.Contains(f, StringComparison.Ordinal)))
            .ToList();
        Assert.True(unnamed.Count == 0, $"{RootDoc}, section {project}, does not name: {string.Join(", ", unnamed)}");
    }

    [Fact]
    public void ServerDocumentNamesEveryServerFolder()
    {
        var doc = Repo.Read(ServerDoc);
        var (folders, _) = Contents("server/TransformerLsp.Server");
        var unnamed = folders.Where(f => !doc.Contains($"`{f}/", StringComparison.Ordinal)).ToList();
        Assert.True(unnamed.Count == 0, $"{ServerDoc} does not name: {string.Join(", ", unnamed)}");
    }

    /// <summary>The folders (with tracked files) and the top-level .cs files of a project.</summary>
    private static (List<string> Folders, List<string> Files) Contents(string project)
    {
        var inside = Repo.TrackedFiles.Where(f => f.StartsWith(project + "/", StringComparison.Ordinal))
            .Select(f => f[(project.Length + 1)..]).ToList();
        var folders = inside.Where(f => f.Contains('/')).Select(f => f[..f.IndexOf('/')]).Distinct().Order().ToList();
        var files = inside.Where(f => !f.Contains('/') && f.EndsWith(".cs", StringComparison.Ordinal)).Order().ToList();
        Assert.NotEmpty(folders);
        return (folders, files);
    }

    /// <summary>The text from a heading to the next heading of the same or a higher level.</summary>
    private static string Section(string doc, string heading)
    {
        var start = doc.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{heading}'");
        var level = heading.TakeWhile(c => c == '#').Count();
        var next = Regex.Match(doc[(start + heading.Length)..], $@"\n#{{1,{level}}} ");
        return next.Success ? doc.Substring(start, heading.Length + next.Index) : doc[start..];
    }

    [GeneratedRegex(@"^Project\(""\{FAE04EC0[^""]*""\) = ""[^""]+"", ""([^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex SolutionProject();
}
