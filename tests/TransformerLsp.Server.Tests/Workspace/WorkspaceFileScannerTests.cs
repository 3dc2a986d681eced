using TransformerLsp.Server.Settings;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Tests.Workspace;

public class WorkspaceFileScannerTests
{
    private static readonly ScanLimits Defaults = ScanLimits.From(new ServerSettings());

    private static (string[] Files, ScanReport Report) Scan(TempWorkspace ws, ScanLimits? limits = null)
    {
        var report = new ScanReport();
        var files = WorkspaceFileScanner.Scan([ws.Folder], limits ?? Defaults, report, CancellationToken.None)
            .Select(f => Path.GetRelativePath(ws.Root, f.Path).Replace('\\', '/')).ToArray();
        return (files, report);
    }

    [Fact]
    public void ReadsTextFilesWithTheExtensionsAndSkipsTheRestWithReasons()
    {
        using var ws = new TempWorkspace();
        ws.Write("notes.md", "Ishmael");
        ws.Write("sub/ideas.TXT", "whale");
        ws.Write("code.cs", "class C {}");
        ws.Write(".hidden.md", "x");
        ws.Write(".obsidian/workspace.md", "x");
        ws.Write(".git/HEAD.md", "x");
        ws.Write("node_modules/pkg/readme.md", "x");
        ws.Write("bin/out.md", "x");
        ws.Write("build/out.md", "x");
        ws.WriteBytes("nul.txt", [(byte)'a', 0, (byte)'b']);
        ws.WriteBytes("latin1.txt", [(byte)'c', 0xE9, (byte)'!']);
        ws.Write("big.md", new string('a', 2048));

        var (files, report) = Scan(ws, Defaults with { MaxFileBytes = 1024 });

        Assert.Equal(["notes.md", "sub/ideas.TXT"], files);
        Assert.Equal(3, report.Count(SkipReason.Hidden)); // .hidden.md, .obsidian, .git
        Assert.Equal(3, report.Count(SkipReason.ExcludedFolder));
        Assert.Equal(2, report.Count(SkipReason.Binary));
        Assert.Equal(1, report.Count(SkipReason.TooLarge));
        Assert.Equal(1, report.Count(SkipReason.Extension));
        Assert.Equal(2, report.Files);
        Assert.Equal(12, report.Bytes);
    }

    [Fact]
    public void KeysAreTheFolderUriPlusEncodedSegments()
    {
        using var ws = new TempWorkspace();
        ws.Write("my notes/Ärger #1.md", "x");
        var file = Assert.Single(WorkspaceFileScanner.Scan([ws.Folder], Defaults, new ScanReport(), CancellationToken.None));
        Assert.Equal(ws.Uri + "/my%20notes/%C3%84rger%20%231.md", file.Key);
        Assert.Equal(file.Path, FileUri.ToLocalPath(file.Key));
    }

    [Fact]
    public void HonoursGitIgnoreFilesAtEveryLevel()
    {
        using var ws = new TempWorkspace();
        ws.Write(".gitignore", "drafts/\n*.txt\n/private.md\n");
        ws.Write("a.md", "x");
        ws.Write("private.md", "x");
        ws.Write("drafts/d.md", "x");
        ws.Write("b.txt", "x");
        ws.Write("sub/private.md", "x");
        ws.Write("sub/.gitignore", "!keep.txt\nsecret.md\n");
        ws.Write("sub/keep.txt", "x");
        ws.Write("sub/secret.md", "x");
        ws.Write("other/secret.md", "x");

        var (files, report) = Scan(ws);

        Assert.Equal(["a.md", "other/secret.md", "sub/keep.txt", "sub/private.md"], files);
        Assert.Equal(4, report.Count(SkipReason.GitIgnored));
    }

    [Fact]
    public void StopsAtTheFileCount()
    {
        using var ws = new TempWorkspace();
        for (var i = 0; i < 5; i++) ws.Write($"n{i}.md", "abc");
        ws.Write("deep/z.md", "abc");
        var (files, report) = Scan(ws, Defaults with { MaxFiles = 3 });
        Assert.Equal(["n0.md", "n1.md", "n2.md"], files);
        Assert.Contains("maxFiles", report.StoppedAt);
    }

    [Fact]
    public void StopsAtTheTotalSize()
    {
        using var ws = new TempWorkspace();
        for (var i = 0; i < 5; i++) ws.Write($"n{i}.md", new string('a', 100));
        var (files, report) = Scan(ws, Defaults with { MaxTotalBytes = 250 });
        Assert.Equal(2, files.Length);
        Assert.Equal(200, report.Bytes);
        Assert.Contains("maxTotalMb", report.StoppedAt);
    }

    [Fact]
    public void TopLevelFilesComeBeforeDeeperOnes()
    {
        using var ws = new TempWorkspace();
        ws.Write("a/deep.md", "x");
        ws.Write("z.md", "x");
        Assert.Equal(["z.md", "a/deep.md"], Scan(ws).Files);
    }

    [Fact]
    public void LinksLeavingTheFolderAreNotFollowed()
    {
        using var outside = new TempWorkspace();
        var secret = outside.Write("secret.md", "outside");
        var outsideDir = Path.Combine(outside.Root, "dir");
        outside.Write("dir/also.md", "outside");
        using var ws = new TempWorkspace();
        var inside = ws.Write("real.md", "inside");
        try
        {
            File.CreateSymbolicLink(Path.Combine(ws.Root, "escape.md"), secret);
            File.CreateSymbolicLink(Path.Combine(ws.Root, "alias.md"), inside);
            Directory.CreateSymbolicLink(Path.Combine(ws.Root, "linked"), outsideDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // no symlink privilege (Windows without developer mode)
        }
        var (files, report) = Scan(ws);
        Assert.Equal(["alias.md", "real.md"], files);
        Assert.Equal(1, report.Count(SkipReason.LinkOutsideFolder));
        Assert.Equal(1, report.Count(SkipReason.Link));
    }

    [Fact]
    public void ReadOneAppliesTheSameRules()
    {
        using var ws = new TempWorkspace();
        ws.Write(".gitignore", "drafts/\n");
        var ok = ws.Write("notes/a.md", "text");
        var ignored = ws.Write("drafts/b.md", "x");
        var hidden = ws.Write(".private/c.md", "x");
        var other = ws.Write("notes/c.cs", "x");
        Assert.Equal("text", WorkspaceFileScanner.ReadOne([ws.Folder], Defaults, ok, out _)?.Text);
        Assert.Null(WorkspaceFileScanner.ReadOne([ws.Folder], Defaults, ignored, out var why));
        Assert.Equal(SkipReason.GitIgnored, why);
        Assert.Null(WorkspaceFileScanner.ReadOne([ws.Folder], Defaults, hidden, out why));
        Assert.Equal(SkipReason.Hidden, why);
        Assert.Null(WorkspaceFileScanner.ReadOne([ws.Folder], Defaults, other, out why));
        Assert.Equal(SkipReason.Extension, why);
        Assert.Null(WorkspaceFileScanner.ReadOne([ws.Folder], Defaults, Path.Combine(Path.GetTempPath(), "elsewhere.md"), out _));
    }

    [Fact]
    public void AFileCutInTheMiddleOfACharacterAtTheSniffLimitIsText()
    {
        var bytes = new byte[TextFileReader.SniffBytes + 10];
        Array.Fill(bytes, (byte)'a');
        bytes[TextFileReader.SniffBytes - 1] = 0xC3; // "é" split by the limit
        bytes[TextFileReader.SniffBytes] = 0xA9;
        Assert.False(TextFileReader.LooksBinary(bytes));
        bytes[TextFileReader.SniffBytes] = (byte)'a';
        Assert.True(TextFileReader.LooksBinary(bytes[..(TextFileReader.SniffBytes)]));
    }
}
