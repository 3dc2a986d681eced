using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Documents;

/// <summary>
/// Issue 13, item 4: no edit is dropped silently. A malformed change is reported and the document is forgotten until it
/// is opened again (the server's text can no longer match the editor's); versions that go backwards are reported.
/// </summary>
public class DidChangeTrustTests
{
    private const string Uri = "file:///notes/plan.md";

    private static object Open(string text) => new { textDocument = new { uri = Uri, languageId = "markdown", version = 1, text } };

    private static object At(int line, int character) => new { line, character };

    private static object Insert(int line, int character, string text) => new { range = new { start = At(line, character), end = At(line, character) }, text };

    /// <summary>A server with "Hello world" open, sent one didChange (version 2) of <paramref name="changes"/>.</summary>
    private static async Task<RawLspConnection> ChangedAsync(params object[] changes)
    {
        var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.NotifyAsync(LspMethods.DidOpen, Open("Hello world"));
        await raw.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = changes });
        return raw;
    }

    [Fact]
    public async Task AChangeWithoutARangeEndLosesTrackOfTheDocumentAndSaysSo()
    {
        await using var raw = await ChangedAsync(Insert(0, 5, ","), new { range = new { start = At(0, 0) }, text = "Oh, " });
        var log = await raw.WaitForAsync(m => (string?)m["method"] == LspMethods.LogMessage && ((string?)m["params"]!["message"])!.Contains("lost track"));
        Assert.Contains("contentChanges[1]", (string)log["params"]!["message"]!);
        await raw.WaitForAsync(m => (string?)m["method"] == LspMethods.ShowMessage && ((string?)m["params"]!["message"])!.Contains("lost track of plan.md"));
        Assert.Null(raw.Host.Context.Documents.Get(Uri));

        await raw.RequestAsync(7, LspMethods.Hover, new { textDocument = new { uri = Uri }, position = At(0, 1) });
        var error = (await raw.ResponseAsync(7))["error"]!;
        Assert.Equal(LspErrorCodes.InvalidParams, (int)error["code"]!);
        Assert.Contains("out of sync", (string)error["message"]!);

        // Opening it again brings it back.
        await raw.NotifyAsync(LspMethods.DidOpen, Open("Oh, Hello, world"));
        await raw.RequestAsync(8, "shutdown", null);
        await raw.ResponseAsync(8);
        Assert.Equal("Oh, Hello, world", raw.Host.Context.Documents.Get(Uri)!.Text);
    }

    [Fact]
    public async Task ValidChangesInOneNotificationAreAllApplied()
    {
        await using var raw = await ChangedAsync(Insert(0, 5, ","), Insert(0, 0, "Oh, "), Insert(0, 16, "!"));
        await raw.RequestAsync(8, "shutdown", null);
        await raw.ResponseAsync(8);
        Assert.Equal("Oh, Hello, world!", raw.Host.Context.Documents.Get(Uri)!.Text);
    }

    [Fact]
    public async Task AVersionThatGoesBackIsAppliedAndReported()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.NotifyAsync(LspMethods.DidOpen, new { textDocument = new { uri = Uri, languageId = "markdown", version = 5, text = "abc" } });
        await raw.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version = 3 }, contentChanges = new[] { new { text = "xyz" } } });
        var log = await raw.WaitForAsync(m => (string?)m["method"] == LspMethods.LogMessage && ((string?)m["params"]!["message"])!.Contains("goes back"));
        Assert.Equal(MessageType.Warning, (int)log["params"]!["type"]!);
        Assert.Equal("xyz", raw.Host.Context.Documents.Get(Uri)!.Text);
    }
}
