using TransformerLsp.Server.Settings;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Tests.Workspace;

public class WorkspaceTextIndexerTests
{
    private static readonly ScanLimits Defaults = ScanLimits.From(new ServerSettings());

    /// <summary>The fake user-text index: what it holds, and every call in order.</summary>
    private sealed class RecordingIndex
    {
        public Dictionary<string, string> Texts { get; } = [];
        public List<string> Calls { get; } = [];
        public List<string> Log { get; } = [];

        public WorkspaceTextIndexer CreateIndexer() => new(
            (key, text) => { lock (this) { Texts[key] = text; Calls.Add("set " + key); } },
            key => { lock (this) { Texts.Remove(key); Calls.Add("remove " + key); } },
            line => { lock (this) Log.Add(line); });
    }

    private static WorkspaceScope On(TempWorkspace ws, ScanLimits? limits = null, bool trusted = true) =>
        new(Enabled: true, Trusted: trusted, [ws.Folder], limits ?? Defaults);

    private static async Task Settle(WorkspaceTextIndexer indexer) => await indexer.WhenIdle.WaitAsync(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task IndexesTheWorkspaceWhenOnAndLogsWhatItDid()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "Queequeg");
        ws.Write("b.bin", "x");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws));
        await Settle(indexer);
        Assert.Equal("Queequeg", index.Texts[ws.UriOf("a.md")]);
        Assert.Single(index.Texts);
        Assert.Contains(index.Log, l => l.Contains("1 files") && l.Contains("1 other extensions"));
    }

    [Fact]
    public async Task SettingOffReadsNothing()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "x");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws) with { Enabled = false });
        await Settle(indexer);
        Assert.Empty(index.Calls);
    }

    [Fact]
    public async Task AnUntrustedWorkspaceIsNotRead()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "x");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws, trusted: false));
        await Settle(indexer);
        Assert.Empty(index.Calls);
    }

    [Fact]
    public async Task TurningItOffRemovesWhatWasIndexed()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "x");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws));
        await Settle(indexer);
        indexer.Update(On(ws) with { Enabled = false });
        await Settle(indexer);
        Assert.Empty(index.Texts);
        Assert.Empty(indexer.IndexedKeys);
    }

    [Fact]
    public async Task ARescanOnASettingChangeRemovesFilesNoLongerEligible()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "x");
        ws.Write("b.txt", "y");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws));
        await Settle(indexer);
        Assert.Equal(2, index.Texts.Count);
        indexer.Update(On(ws, Defaults with { Extensions = [".md"] }));
        await Settle(indexer);
        Assert.Equal([ws.UriOf("a.md")], index.Texts.Keys);
        Assert.Equal(1, index.Calls.Count(c => c == "set " + ws.UriOf("a.md"))); // unchanged: not set again
    }

    [Fact]
    public async Task AnOpenDocumentWinsOverTheFileOnDisk()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "on disk");
        var key = ws.UriOf("a.md");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        // The open-document path: DocumentOpened, then its own set with the live text.
        indexer.DocumentOpened(key);
        lock (index) index.Texts[key] = "live";
        indexer.Update(On(ws));
        await Settle(indexer);
        Assert.Equal("live", index.Texts[key]);
        Assert.DoesNotContain("set " + key, index.Calls);
        Assert.Contains(index.Log, l => l.Contains("1 open in the editor"));

        // A setting change while open neither re-reads nor removes it.
        indexer.Update(On(ws, Defaults with { Extensions = [".txt"] }));
        await Settle(indexer);
        Assert.DoesNotContain("remove " + key, index.Calls);

        // Closed (the open-document path removed it): read again from disk if eligible.
        indexer.Update(On(ws));
        lock (index) index.Texts.Remove(key);
        indexer.DocumentClosed(key);
        await Settle(indexer);
        Assert.Equal("on disk", index.Texts[key]);
    }

    [Fact]
    public async Task OpeningADocumentIndexedUnderAnotherSpellingRemovesTheDiskCopy()
    {
        using var ws = new TempWorkspace();
        ws.Write("a b.md", "x");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws));
        await Settle(indexer);
        var diskKey = ws.UriOf("a b.md");
        Assert.Contains(diskKey, index.Texts.Keys);
        indexer.DocumentOpened(ws.Uri + "/a b.md"); // an editor that does not encode the space
        Assert.DoesNotContain(diskKey, index.Texts.Keys);
        indexer.DocumentOpened(diskKey);
        Assert.Equal(1, index.Calls.Count(c => c.StartsWith("remove")));
    }

    [Fact]
    public async Task ChangedAndDeletedFilesFollowTheDisk()
    {
        using var ws = new TempWorkspace();
        var path = ws.Write("a.md", "first");
        var key = ws.UriOf("a.md");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws));
        await Settle(indexer);
        File.WriteAllText(path, "second");
        indexer.FileChanged(key);
        await Settle(indexer);
        Assert.Equal("second", index.Texts[key]);
        File.Delete(path);
        indexer.FileChanged(key);
        await Settle(indexer);
        Assert.Empty(index.Texts);
    }

    [Fact]
    public async Task AChangedGitIgnoreRescans()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "x");
        ws.Write("b.md", "y");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws));
        await Settle(indexer);
        ws.Write(".gitignore", "b.md\n");
        indexer.FileChanged(ws.UriOf(".gitignore"));
        await Settle(indexer);
        Assert.Equal([ws.UriOf("a.md")], index.Texts.Keys);
    }

    [Fact]
    public async Task ASingleFileUpdateRespectsTheCountLimit()
    {
        using var ws = new TempWorkspace();
        ws.Write("a.md", "x");
        var index = new RecordingIndex();
        using var indexer = index.CreateIndexer();
        indexer.Update(On(ws, Defaults with { MaxFiles = 1 }));
        await Settle(indexer);
        ws.Write("b.md", "y");
        indexer.FileChanged(ws.UriOf("b.md"));
        await Settle(indexer);
        Assert.Equal([ws.UriOf("a.md")], index.Texts.Keys);
    }
}
