using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Hosting;

public class LifecycleTests
{
    [Fact]
    public async Task InitializeAdvertisesEveryCapabilityWithUtf16Positions()
    {
        await using var client = new LspTestClient();
        var result = await client.InitializeAsync(new { modelPath = "/nonexistent" }, sendInitialized: false);
        var caps = result.GetProperty("capabilities");
        Assert.Equal("utf-16", caps.GetProperty("positionEncoding").GetString());
        Assert.True(caps.GetProperty("textDocumentSync").GetProperty("openClose").GetBoolean());
        Assert.Equal(2, caps.GetProperty("textDocumentSync").GetProperty("change").GetInt32());
        Assert.True(caps.GetProperty("completionProvider").GetProperty("resolveProvider").GetBoolean()); // where a suggestion comes from
        Assert.True(caps.GetProperty("inlineCompletionProvider").GetBoolean());
        Assert.True(caps.GetProperty("hoverProvider").GetBoolean());
        Assert.Equal(["quickfix", "refactor.rewrite"], caps.GetProperty("codeActionProvider").GetProperty("codeActionKinds").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["transformerLsp.beamSearch", "transformerLsp.fillMask", "transformerLsp.nextTokens"],
            caps.GetProperty("executeCommandProvider").GetProperty("commands").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("transformer-lsp", result.GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("serverInfo").GetProperty("version").GetString()));
    }

    [Fact]
    public async Task RequestBeforeInitializeIsServerNotInitialized()
    {
        await using var client = new LspTestClient();
        await LspAssert.FailsWith(LspErrorCodes.ServerNotInitialized, () => client.RequestAsync<JsonElement>(LspMethods.Hover, LspTestClient.TextPosition("file:///a.md", 0, 0)));
    }

    [Fact]
    public async Task SecondInitializeIsInvalidRequest()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" }, sendInitialized: false);
        await LspAssert.FailsWith(LspErrorCodes.InvalidRequest, () => client.InitializeAsync(new { modelPath = "/nonexistent" }, sendInitialized: false));
    }

    [Fact]
    public async Task ShutdownThenExitEndsWithCodeZero()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        Assert.Equal(0, await client.ShutdownAndExitAsync());
    }

    [Fact]
    public async Task ExitWithoutShutdownEndsWithCodeOne()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.NotifyAsync(LspMethods.Exit, null);
        Assert.Equal(1, await client.ServerRun.WaitAsync(LspTestClient.Timeout));
    }

    [Fact]
    public async Task RequestsAfterShutdownAreInvalidRequest()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.RequestAsync<JsonElement?>(LspMethods.Shutdown, null);
        await LspAssert.FailsWith(LspErrorCodes.InvalidRequest, () => client.RequestAsync<JsonElement>(LspMethods.Hover, LspTestClient.TextPosition("file:///a.md", 0, 0)));
    }

    [Fact]
    public async Task ADisconnectIsShutdownAndExit()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        client.Disconnect();
        Assert.Equal(0, await client.ServerRun.WaitAsync(LspTestClient.Timeout));
    }

    [Fact]
    public async Task SetTraceVerboseReportsEachRequestInLogTrace()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.NotifyAsync(LspMethods.SetTrace, new { value = "verbose" });
        await client.OpenAsync("file:///t.md", "Hello there");
        await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///t.md", 0, 2));
        var trace = await client.WaitForNotificationAsync(LspMethods.LogTrace, p => p.GetProperty("message").GetString()!.Contains("textDocument/hover"));
        Assert.Contains("ms", trace.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ModelLoadReportsProgressThenReady()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = TestModels.TinyModel }, progress: true);
        var ready = await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() is "ready" or "error");
        Assert.Equal("ready", ready.GetProperty("state").GetString());
        Assert.Equal("cpu", ready.GetProperty("provider").GetString());
        Assert.False(string.IsNullOrEmpty(ready.GetProperty("model").GetString()));
        Assert.Equal("loading", client.Notifications(LspMethods.Status)[0].GetProperty("state").GetString());
        var create = await client.WaitForNotificationAsync(LspMethods.WorkDoneProgressCreate);
        var token = create.GetProperty("token").GetString()!;
        await client.WaitForNotificationAsync(LspMethods.Progress, p => p.GetProperty("token").GetString() == token && p.GetProperty("value").GetProperty("kind").GetString() == "begin");
        await client.WaitForNotificationAsync(LspMethods.Progress, p => p.GetProperty("token").GetString() == token && p.GetProperty("value").GetProperty("kind").GetString() == "end");
    }

    [Fact]
    public async Task ChangingModelPathReloadsTheModelAndFeaturesKeepWorking()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "The cat sat on the ");
        var other = Path.Combine(TestModels.RepositoryRoot, "tests", "fixtures", "tiny-postnorm");
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { modelPath = other } } });
        var ready = await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() == "ready" && p.GetProperty("message").GetString()!.Contains("tiny-postnorm"));
        Assert.Equal("tiny-postnorm", ready.GetProperty("model").GetString());
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 19));
        Assert.True(completion.GetProperty("items").GetArrayLength() > 0);
    }

    [Theory]
    [InlineData("/nonexistent/model-folder", "does not exist")]
    [InlineData("/tmp/model\0folder", "NUL")]
    public async Task ABadNewModelPathKeepsTheWorkingModelServingAndSaysSo(string badPath, string reason)
    {
        // Issue 13, item 5: a bad new path once switched off a working model (and a NUL left the status at "loading").
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.md", "The cat sat on the ");
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { modelPath = badPath } } });
        var kept = await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("message").GetString()!.Contains("kept"));
        Assert.Equal("ready", kept.GetProperty("state").GetString());
        Assert.Contains(reason, kept.GetProperty("message").GetString());
        var warning = await client.WaitForNotificationAsync(LspMethods.ShowMessage, p => p.GetProperty("type").GetInt32() == MessageType.Warning);
        Assert.Contains("Still using", warning.GetProperty("message").GetString());
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 19));
        Assert.True(completion.GetProperty("items").GetArrayLength() > 0);
    }

    [Fact]
    public async Task MissingModelStaysUpTellsTheUserOnceAndFeaturesReturnEmpty()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent/model-folder" });
        var status = await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() == "error");
        Assert.Contains("/nonexistent/model-folder", status.GetProperty("message").GetString());
        var shown = await client.WaitForNotificationAsync(LspMethods.ShowMessage, p => p.GetProperty("type").GetInt32() == MessageType.Error);
        Assert.Contains("/nonexistent/model-folder", shown.GetProperty("message").GetString());

        await client.OpenAsync("file:///t.md", "The cat sat on the ");
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 19));
        Assert.Empty(completion.GetProperty("items").EnumerateArray());
        var inline = await client.RequestAsync<JsonElement>(LspMethods.InlineCompletion, LspTestClient.TextPosition("file:///t.md", 0, 19));
        Assert.Empty(inline.GetProperty("items").EnumerateArray());
        var hover = await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///t.md", 0, 5));
        Assert.True(hover is null || hover.Value.ValueKind == JsonValueKind.Null);
        var beams = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new { command = LspCommands.BeamSearch, arguments = new[] { LspTestClient.TextPosition("file:///t.md", 0, 19) } });
        Assert.Empty(beams.GetProperty("beams").EnumerateArray());
        // Once: the same problem again (a settings change that reloads) is not shown a second time.
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { modelPath = "/nonexistent/model-folder", threads = 2 } } });
        await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() == "error" && client.Notifications(LspMethods.Status).Count(s => s.GetProperty("state").GetString() == "error") >= 2);
        await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition("file:///t.md", 0, 5));
        Assert.Single(client.Notifications(LspMethods.ShowMessage), p => p.GetProperty("type").GetInt32() == MessageType.Error);
    }

    [Fact]
    public async Task CorruptModelFolderIsReportedWithItsPath()
    {
        var folder = Directory.CreateTempSubdirectory("corrupt-model").FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), "{ this is not json");
        File.WriteAllText(Path.Combine(folder, "model.onnx"), "garbage");
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = folder });
        var status = await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() == "error");
        var shown = await client.WaitForNotificationAsync(LspMethods.ShowMessage);
        Assert.Contains(folder, shown.GetProperty("message").GetString() + status.GetProperty("message").GetString());
        await client.OpenAsync("file:///t.md", "Still up");
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 8));
        Assert.Empty(completion.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task RequestsBeforeTheModelIsReadyGetEmptyResults()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(sendInitialized: false); // the model loads after initialized
        await client.OpenAsync("file:///t.md", "The cat sat on the ");
        var completion = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.md", 0, 19));
        Assert.True(completion.GetProperty("isIncomplete").GetBoolean());
        Assert.Empty(completion.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task BadSettingIsShownAndThePreviousValueKept()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent", beamWidth = 3 });
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { beamWidth = 99 } } });
        var shown = await client.WaitForNotificationAsync(LspMethods.ShowMessage, p => p.GetProperty("message").GetString()!.Contains("beamWidth"));
        Assert.Equal(MessageType.Warning, shown.GetProperty("type").GetInt32());
        Assert.Equal(3, client.Context.Settings.BeamWidth);
    }
}
