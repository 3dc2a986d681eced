using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Handlers;

/// <summary>$/cancelRequest answers -32800 at once; a superseded or stale request answers -32801.</summary>
public class CancellationTests
{
    [Fact]
    public async Task CancelRequestAnswersRequestCancelledQuickly()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync(new { modelPath = TestModels.TinyModel });
        await raw.WaitForAsync(m => (string?)m["method"] == LspMethods.Status && (string?)m["params"]!["state"] == "ready");
        await raw.NotifyAsync(LspMethods.DidOpen, new { textDocument = new { uri = "file:///t.md", languageId = "markdown", version = 1, text = "Once upon a time" } });
        raw.Host.Context.Queue.Pause(); // the request waits for the worker: only the cancel can answer it
        await raw.RequestAsync(10, LspMethods.InlineCompletion, new { textDocument = new { uri = "file:///t.md" }, position = new { line = 0, character = 16 } });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await raw.NotifyAsync(LspMethods.CancelRequest, new { id = 10 });
        var response = await raw.ResponseAsync(10);
        Assert.Equal(LspErrorCodes.RequestCancelled, (int)response["error"]!["code"]!);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        raw.Host.Context.Queue.Resume();
    }

    [Fact]
    public async Task StreamJsonRpcClientCancellationEndsTheRequest()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "Once upon a time");
        client.Context.Queue.Pause();
        using var cts = new CancellationTokenSource();
        var request = client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 16), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        client.Context.Queue.Resume();
        // The server is fine afterwards.
        var again = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 16));
        Assert.True(again.GetProperty("items").GetArrayLength() > 0);
    }

    [Fact]
    public async Task NewerRequestSupersedesTheOlderOneWithContentModified()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "Once upon a time there");
        client.Context.Queue.Pause();
        var older = client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 16));
        var newer = client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 22));
        await LspAssert.FailsWith(LspErrorCodes.ContentModified, () => older);
        client.Context.Queue.Resume();
        Assert.True((await newer).GetProperty("items").GetArrayLength() > 0);
    }

    [Fact]
    public async Task AnEditMakesPendingRequestsContentModified()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "Once upon a time");
        client.Context.Queue.Pause();
        var stale = client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///t.md", 0, 2));
        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = "file:///t.md", version = 2 }, contentChanges = new[] { new { range = new { start = new { line = 0, character = 16 }, end = new { line = 0, character = 16 } }, text = " there" } } });
        await LspAssert.FailsWith(LspErrorCodes.ContentModified, () => stale);
        client.Context.Queue.Resume();
    }

    [Fact]
    public async Task CompletionAndInlineCompletionAtTheSameKeystrokeDoNotCancelEachOther()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "Once upon a time");
        client.Context.Queue.Pause();
        var completion = client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 16));
        var inline = client.RequestAsync<JsonElement>(LspMethods.InlineCompletion, LspTestClient.TextPosition("file:///t.md", 0, 16));
        client.Context.Queue.Resume();
        Assert.True((await completion).GetProperty("items").GetArrayLength() > 0);
        Assert.True((await inline).TryGetProperty("items", out _));
    }
}
