using System.Text;
using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Hosting;

/// <summary>Every kind of bad input from issue 4: a clear error, nothing lost, never a crash.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("Content-Length: 12\r\n\r\n{not json!!}")]
    [InlineData("Content-Length: abc\r\n\r\n")]
    [InlineData("Content-Type: text/plain\r\n\r\n")]
    [InlineData("garbage without any header at all\r\n\r\n")]
    [InlineData("Content-Length: 5\r\n\r\n[1,2]")]
    public async Task MalformedMessagesAreDroppedReportedAndTheServerKeepsServing(string garbage)
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.SendRawAsync(garbage);
        var log = await raw.WaitForAsync(m => (string?)m["method"] == LspMethods.LogMessage && ((string?)m["params"]!["message"])!.Contains("dropped"));
        Assert.Equal(MessageType.Error, (int)log["params"]!["type"]!);
        await raw.RequestAsync(2, "shutdown", null);
        var response = await raw.ResponseAsync(2);
        Assert.Null(response["error"]);
    }

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":1}")]                 // a response to nothing
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":98,\"error\":{\"code\":1,\"message\":\"x\"}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}")]                  // method is not a string
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"textDocument/hover\",\"params\":{}}")]
    [InlineData("{\"jsonrpc\":\"1.0\",\"id\":6,\"method\":\"textDocument/hover\",\"params\":{}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":5}}}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\",\"params\":[1,2,3]}")]
    public async Task OddButWellFormedJsonLeavesTheServerServing(string body)
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        var bytes = Encoding.UTF8.GetBytes(body);
        await raw.SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"), .. bytes]);
        await raw.RequestAsync(2, "shutdown", null);
        var response = await raw.ResponseAsync(2);
        Assert.Null(response["error"]);
        await raw.NotifyAsync("exit", null);
        Assert.Equal(0, await raw.ServerRun.WaitAsync(LspTestClient.Timeout));
    }

    [Fact]
    public async Task UnknownMethodIsMethodNotFound()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await LspAssert.FailsWith(LspErrorCodes.MethodNotFound, () => client.RequestAsync<JsonElement>("textDocument/definitelyNotAMethod", new { }));
        await client.NotifyAsync("$/unknownNotification", new { }); // ignored, no error
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Fact]
    public async Task RequestForAnUnopenedDocumentIsInvalidParams()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        var message = await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///never-opened.md", 0, 0)));
        Assert.Contains("not open", message);
    }

    [Theory]
    [InlineData("textDocument/completion", "{}", "textDocument")]
    [InlineData("textDocument/hover", "{\"textDocument\":{\"uri\":null},\"position\":{\"line\":0,\"character\":0}}", "uri")]
    [InlineData("textDocument/codeAction", "{\"range\":{\"start\":{\"line\":0,\"character\":0},\"end\":{\"line\":0,\"character\":1}}}", "textDocument")]
    [InlineData("textDocument/inlineCompletion", "{\"textDocument\":{\"uri\":\"file:///a.md\"},\"position\":{\"line\":0}}", "character")]
    [InlineData("workspace/executeCommand", "{\"command\":null}", "command")]
    public async Task MissingOrNullRequiredFieldsAreInvalidParamsNamingTheField(string method, string parameters, string field)
    {
        // Issue 13, item 3: these were -32603 with a NullReferenceException's stack trace.
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        var body = $"{{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"{method}\",\"params\":{parameters}}}";
        await raw.SendRawAsync($"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        var error = (await raw.ResponseAsync(5))["error"]!;
        Assert.Equal(LspErrorCodes.InvalidParams, (int)error["code"]!);
        var message = (string)error["message"]!;
        Assert.Contains(field, message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", message);
    }

    [Fact]
    public async Task WrongParamsShapeIsInvalidParams()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.RequestAsync(5, LspMethods.Hover, new { textDocument = 7, position = "here" });
        var response = await raw.ResponseAsync(5);
        Assert.Equal(LspErrorCodes.InvalidParams, (int)response["error"]!["code"]!);
    }

    [Fact]
    public async Task BackwardsRangeIsInvalidParams()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.OpenAsync("file:///t.md", "The ___ sat.");
        var backwards = new { start = new { line = 0, character = 7 }, end = new { line = 0, character = 4 } };
        await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand,
            new { command = LspCommands.FillMask, arguments = new[] { new { textDocument = new { uri = "file:///t.md" }, range = backwards } } }));
        await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.CodeAction,
            new { textDocument = new { uri = "file:///t.md" }, range = backwards, context = new { diagnostics = Array.Empty<object>() } }));
    }

    [Fact]
    public async Task UnknownCommandAndBadCommandArgumentsAreInvalidParams()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.OpenAsync("file:///t.md", "Hello");
        await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new { command = "transformerLsp.nope", arguments = Array.Empty<object>() }));
        await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new { command = LspCommands.NextTokens }));
        await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand,
            new { command = LspCommands.BeamSearch, arguments = new[] { new { textDocument = new { uri = "file:///t.md" }, position = new { line = 0, character = 5 }, width = 100 } } }));
    }

    [Fact]
    public async Task ChangeForAnUnopenedDocumentIsIgnoredAndTheServerKeepsServing()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = "file:///ghost.md", version = 2 }, contentChanges = new[] { new { text = "x" } } });
        await client.NotifyAsync(LspMethods.DidClose, new { textDocument = new { uri = "file:///ghost.md" } });
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Fact]
    public async Task InvalidUtf16AndBinaryContentOpensAsADocument()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        // A lone surrogate escape and control characters, as a binary file opened by mistake would send.
        var body = "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":{\"uri\":\"file:///bin.txt\",\"languageId\":\"plaintext\",\"version\":1,\"text\":\"ab\\ud800c\\u0000\\u0001 ___ end\"}}}";
        var bytes = Encoding.UTF8.GetBytes(body);
        await raw.SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"), .. bytes]);
        var diagnostics = await raw.WaitForAsync(m => (string?)m["method"] == LspMethods.PublishDiagnostics && (string?)m["params"]!["uri"] == "file:///bin.txt");
        var blank = diagnostics["params"]!["diagnostics"]!.AsArray().Single()!;
        Assert.Equal(7, (int)blank["range"]!["start"]!["character"]!);
    }

    [Fact]
    public async Task HugeDocumentIsAcceptedAndFeaturesAnswerWithoutHanging()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ___ \n", 210_000)); // ≈ 10.5 MB
        await client.OpenAsync("file:///huge.md", text);
        var lastLine = 210_000;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///huge.md", lastLine, 0));
        Assert.True(completion.GetProperty("items").GetArrayLength() > 0);
        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = "file:///huge.md", version = 2 }, contentChanges = new[] { new { range = new { start = new { line = lastLine, character = 0 }, end = new { line = lastLine, character = 0 } }, text = "More " } } });
        var hover = await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///huge.md", lastLine, 1));
        Assert.NotNull(hover);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"took {started.Elapsed}");
        // Over maxDocumentSize: no diagnostics, not even the (many) blank hints.
        var published = await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == "file:///huge.md");
        Assert.Empty(published.GetProperty("diagnostics").EnumerateArray());
    }

    [Fact]
    public async Task PositionsPastTheEndAreClampedNotRejected()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "The cat sat on the mat");
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 40, 400));
        foreach (var item in completion.GetProperty("items").EnumerateArray())
            Assert.Equal(22, item.GetProperty("textEdit").GetProperty("range").GetProperty("end").GetProperty("character").GetInt32());
        var hover = await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///t.md", 0, 999));
        Assert.Contains("mat", hover!.Value.GetProperty("contents").GetProperty("value").GetString());
    }

    [Fact]
    public async Task BlankWithNothingAroundItGetsNoCandidatesAndAClearHint()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///blank.md", "  ___  ");
        var published = await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == "file:///blank.md");
        Assert.Contains("nothing to predict", published.GetProperty("diagnostics")[0].GetProperty("message").GetString());
        var fill = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new { command = LspCommands.FillMask, arguments = new[] { new { textDocument = new { uri = "file:///blank.md" }, range = new { start = new { line = 0, character = 2 }, end = new { line = 0, character = 5 } } } } });
        Assert.Empty(fill.GetProperty("candidates").EnumerateArray());
        var hover = await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///blank.md", 0, 3));
        Assert.Contains("no text around", hover!.Value.GetProperty("contents").GetProperty("value").GetString());
    }

    [Fact]
    public async Task ClientDisconnectingMidRequestDoesNotCrashTheServer()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "Once upon a time");
        client.Context.Queue.Pause();
        var pending = client.RequestAsync<JsonElement>(LspMethods.InlineCompletion, LspTestClient.TextPosition("file:///t.md", 0, 16));
        client.Disconnect();
        client.Context.Queue.Resume();
        Assert.Equal(0, await client.ServerRun.WaitAsync(LspTestClient.Timeout));
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }
}
