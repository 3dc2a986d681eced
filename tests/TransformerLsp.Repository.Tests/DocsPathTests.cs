using System.Text.RegularExpressions;

namespace TransformerLsp.Repository.Tests;

/// <summary>
/// Every repository path that a Markdown file or a code comment names exists (or is a generated output git ignores),
/// and every relative Markdown link resolves: a moved or deleted file cannot leave a stale pointer behind.
/// </summary>
public sealed partial class DocsPathTests
{
    /// <summary>Files whose comments are read (Markdown files are read whole).</summary>
    private static readonly string[] CommentedExtensions = [".cs", ".ts", ".mjs", ".sh", ".py", ".csproj", ".props", ".json"];

    /// <summary>Generated or third-party text whose paths are not ours to keep.</summary>
    private static readonly string[] Skipped = ["package-lock.json", "tests/fixtures/", "bench/results/", "bench/quality/results/"];

    [Fact]
    public void EveryRepositoryPathNamedInDocsAndCommentsExists()
    {
        var named = new List<(string Path, string File)>();
        var pathPattern = RepositoryPath(Repo.TopLevelFolders);
        foreach (var file in Repo.TrackedFiles.Where(Checked))
        {
            foreach (Match m in pathPattern.Matches(CheckedText(file)))
            {
                var path = m.Groups["path"].Value.TrimEnd('.', ',', ';', ':', ')');
                if (Placeholder(m) || LspMethod().IsMatch(path)) continue;
                named.Add((path, file));
            }
        }
        var missing = named.Where(n => !Repo.Exists(n.Path)).ToList();
        // Asked as a file and as a folder: git matches a folder pattern ("models/work/") to a path that does not exist
        // only when the path ends with a slash.
        var ignored = Repo.Ignored(missing.SelectMany(m => new[] { m.Path.TrimEnd('/'), m.Path.TrimEnd('/') + "/" }));
        var stale = missing.Where(m => !ignored.Contains(m.Path.TrimEnd('/')) && !ignored.Contains(m.Path.TrimEnd('/') + "/"))
            .GroupBy(m => m.Path)
            .Select(g => $"{g.Key} (named in {string.Join(", ", g.Select(m => m.File).Distinct())})")
            .ToList();
        Assert.True(named.Count > 100, $"only {named.Count} repository paths found: is the pattern broken?");
        Assert.True(stale.Count == 0, "paths named that do not exist:\n" + string.Join('\n', stale));
    }

    [Fact]
    public void EveryRelativeMarkdownLinkResolves()
    {
        var broken = new List<string>();
        var links = 0;
        foreach (var file in Repo.TrackedFiles.Where(f => f.EndsWith(".md", StringComparison.Ordinal) && !IsSkipped(f)))
        {
            foreach (Match m in MarkdownLink().Matches(Repo.Read(file)))
            {
                var target = m.Groups["target"].Value;
                if (target.StartsWith('#') || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var hash = target.IndexOf('#');
                if (hash >= 0) target = target[..hash];
                var resolved = Path.GetRelativePath(Repo.Root, Path.GetFullPath(Path.Combine(Repo.Root, Path.GetDirectoryName(file)!, Uri.UnescapeDataString(target))));
                links++;
                if (!Repo.Exists(resolved)) broken.Add($"{file}: ({m.Groups["target"].Value})");
            }
        }
        Assert.True(links > 5, $"only {links} relative links found: is the pattern broken?");
        Assert.True(broken.Count == 0, "links that resolve to nothing:\n" + string.Join('\n', broken));
    }

    private static bool IsSkipped(string file) => Skipped.Any(s => file == s || file.EndsWith("/" + s, StringComparison.Ordinal) || file.StartsWith(s, StringComparison.Ordinal));

    private static bool Checked(string file) =>
        !IsSkipped(file) && (file.EndsWith(".md", StringComparison.Ordinal) || CommentedExtensions.Contains(Path.GetExtension(file)));

    /// <summary>A Markdown file whole; of a code file, its comment lines only (code may build paths it does not name).</summary>
    private static string CheckedText(string file)
    {
        var text = Repo.Read(file);
        if (file.EndsWith(".md", StringComparison.Ordinal)) return text;
        return string.Join('\n', text.Split('\n').Where(line => CommentLine().IsMatch(line)));
    }

    /// <summary>A path segment followed by a placeholder ("quality-&lt;label&gt;.json", "stage{N}", "*.cs") is a pattern.</summary>
    private static bool Placeholder(Match m)
    {
        var end = m.Index + m.Length;
        var text = m.Result("$_");
        return end < text.Length && "<{*$[".Contains(text[end]);
    }

    private static Regex RepositoryPath(IEnumerable<string> topLevel) => new(
        $@"(?<![\w./@-])(?<path>(?:{string.Join('|', topLevel.Select(Regex.Escape))})/[\w.@+-]+(?:/[\w.@+-]+)*/?)",
        RegexOptions.CultureInvariant);

    [GeneratedRegex(@"^\s*(//|#|\*|/\*|<!--)")]
    private static partial Regex CommentLine();

    /// <summary>An LSP method that starts like a folder: "client/registerCapability".</summary>
    [GeneratedRegex(@"^client/[a-z]+[A-Z]\w*$")]
    private static partial Regex LspMethod();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
