using System.Text.RegularExpressions;

namespace TransformerLsp.Repository.Tests;

/// <summary>
/// The server's folders depend on each other without a cycle (a using directive or a qualified name is a dependency),
/// so each can be read, and replaced, knowing only the folders below it: Protocol, Settings, Scheduling at the bottom;
/// Documents, Model, Workspace, Diagnostics; the Session the handlers share; Handlers; Hosting, which wires them.
/// </summary>
public sealed partial class ServerLayeringTests
{
    private const string Project = "server/TransformerLsp.Server/";

    [Fact]
    public void ServerFoldersFormNoCycle()
    {
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var file in Repo.TrackedFiles.Where(f => f.StartsWith(Project, StringComparison.Ordinal) && f.EndsWith(".cs", StringComparison.Ordinal)))
        {
            var relative = file[Project.Length..];
            if (!relative.Contains('/')) continue; // Program.cs: the entry point, above everything
            var folder = relative[..relative.IndexOf('/')];
            var targets = edges.TryGetValue(folder, out var set) ? set : edges[folder] = [];
            foreach (Match m in Dependency().Matches(Repo.Read(file)))
                if (m.Groups[1].Value != folder) targets.Add(m.Groups[1].Value);
        }
        Assert.True(edges.Count >= 8, $"only {edges.Count} folders found");
        Assert.Contains("Session", edges["Handlers"]);
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, "server folders depend on each other in a cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void HandlersDoNotReachIntoTheHost()
    {
        var offenders = Repo.TrackedFiles
            .Where(f => f.StartsWith(Project + "Handlers/", StringComparison.Ordinal) && f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => Repo.Read(f).Contains("TransformerLsp.Server.Hosting", StringComparison.Ordinal))
            .ToList();
        Assert.True(offenders.Count == 0, "handlers that use Hosting: " + string.Join(", ", offenders));
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> edges)
    {
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out var s))
                return s == 1 ? [.. path.SkipWhile(p => p != node), node] : null;
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
                if (Visit(next) is { } found) return found;
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in edges.Keys.Order())
            if (Visit(node) is { } cycle) return cycle;
        return null;
    }

    [GeneratedRegex(@"\bTransformerLsp\.Server\.([A-Z]\w*)\b(?!\.Tests)")]
    private static partial Regex Dependency();
}
