using StreamJsonRpc;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Tests.Workspace;

/// <summary>The indexer wired into the server: initialize's folders and trust, settings, didChangeWorkspaceFolders, open/close.</summary>
public class WorkspaceTextServerTests
{
    private sealed class RecordingSink : IUserTextSink
    {
        public Dictionary<string, string> Texts { get; } = [];
        public void Set(string documentKey, string text) { lock (this) Texts[documentKey] = text; }
        public void Remove(string documentKey) { lock (this) Texts.Remove(documentKey); }
    }

    private static async Task<RecordingSink> StartAsync(LspTestClient client, TempWorkspace ws, bool? trusted, bool workspaceFiles = true)
    {
        var sink = new RecordingSink();
        client.Context.WorkspaceSink = sink;
        var settings = new { modelPath = "/nonexistent", userText = new { workspaceFiles } };
        object options = trusted is { } t ? new { transformerLsp = settings, workspaceTrusted = t } : new { transformerLsp = settings };
        await client.RequestAsync<object>(LspMethods.Initialize, new { processId = (int?)null, capabilities = new { }, workspaceFolders = new[] { new { uri = ws.Uri, name = "ws" } }, initializationOptions = options });
        await client.NotifyAsync(LspMethods.Initialized, new { });
        await SettleAsync(client);
        return sink;
    }

    // Notifications are handled in arrival order: once a later request is answered, they have run.
    private static async Task SettleAsync(LspTestClient client)
    {
        try { await client.RequestAsync<object>(LspMethods.Hover, LspTestClient.TextPosition("file:///not-open.md", 0, 0)); }
        catch (RemoteRpcException) { }
        await client.Context.WorkspaceText.WhenIdle.WaitAsync(LspTestClient.Timeout);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(null, true)] // an editor that says nothing about trust: the opt-in is the user's word
    [InlineData(false, false)]
    public async Task ReadsTheWorkspaceOnlyWhenTrusted(bool? trusted, bool read)
    {
        using var ws = new TempWorkspace();
        ws.Write("names.md", "Starbuck");
        await using var client = new LspTestClient();
        var sink = await StartAsync(client, ws, trusted);
        Assert.Equal(read, sink.Texts.ContainsKey(ws.UriOf("names.md")));
    }

    [Fact]
    public async Task SettingChangesAndFolderChangesRescan()
    {
        using var ws = new TempWorkspace();
        ws.Write("names.md", "Starbuck");
        using var other = new TempWorkspace();
        other.Write("more.txt", "Stubb");
        await using var client = new LspTestClient();
        var sink = await StartAsync(client, ws, trusted: true, workspaceFiles: false);
        Assert.Empty(sink.Texts);

        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { userText = new { workspaceFiles = true } } } });
        await SettleAsync(client);
        Assert.Equal([ws.UriOf("names.md")], sink.Texts.Keys);

        await client.NotifyAsync(LspMethods.DidChangeWorkspaceFolders, new { @event = new { added = new[] { new { uri = other.Uri, name = "other" } }, removed = new[] { new { uri = ws.Uri, name = "ws" } } } });
        await SettleAsync(client);
        Assert.Equal([other.UriOf("more.txt")], sink.Texts.Keys);
    }

    [Fact]
    public async Task AnOpenDocumentIsNotReadFromDiskAndIsReadAgainOnClose()
    {
        using var ws = new TempWorkspace();
        ws.Write("names.md", "on disk");
        var key = ws.UriOf("names.md");
        await using var client = new LspTestClient();
        var sink = await StartAsync(client, ws, trusted: true, workspaceFiles: false);
        await client.OpenAsync(key, "live");
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { userText = new { workspaceFiles = true } } } });
        await SettleAsync(client);
        Assert.Empty(sink.Texts); // the open-document path (not this indexer) owns the key while it is open

        await client.NotifyAsync(LspMethods.DidClose, new { textDocument = new { uri = key } });
        await SettleAsync(client);
        Assert.Equal("on disk", sink.Texts[key]);
    }
}
