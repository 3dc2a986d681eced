using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Handlers;

/// <summary>didOpen / didChange / didClose keep the model's user-text index in step with the open documents.</summary>
public class UserTextTests
{
    private static async Task Eventually(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "timed out waiting for " + what);
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task OpenChangeCloseKeepTheIndexInStep()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync();
        // Opened while the model may still be loading: indexed once it is ready.
        await client.OpenAsync("file:///early.md", "Zorblat met the captain.");
        await client.WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() == "ready");
        var index = client.Context.Model.Predictor!.UserText;
        await Eventually(() => index.DocumentCount == 1, "the early document");

        await client.OpenAsync("file:///a.md", "The captain called Zorblat.");
        await client.OpenAsync("file:///code.cs", "class Zorblat {}", languageId: "csharp"); // not a served language
        await Eventually(() => index.DocumentCount == 2, "a.md");
        var before = index.TokenCount;

        await client.NotifyAsync(LspMethods.DidChange, new
        {
            textDocument = new { uri = "file:///a.md", version = 2 },
            contentChanges = new[] { new { range = new { start = new { line = 0, character = 27 }, end = new { line = 0, character = 27 } }, text = " Then Quimby sang a long song." } }
        });
        await Eventually(() => index.TokenCount > before, "the change");

        await client.NotifyAsync(LspMethods.DidClose, new { textDocument = new { uri = "file:///a.md" } });
        await Eventually(() => index.DocumentCount == 1, "the close");
        await client.NotifyAsync(LspMethods.DidClose, new { textDocument = new { uri = "file:///early.md" } });
        await Eventually(() => index.DocumentCount == 0, "the second close");
    }

    [Fact]
    public async Task TheSettingTurnsItOff()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync(new { modelPath = TestModels.TinyModel, userText = new { openDocuments = false } });
        await client.OpenAsync("file:///a.md", "The captain called Zorblat.");
        await client.OpenAsync("file:///b.md", "Quimby sang.");
        var index = client.Context.Model.Predictor!.UserText;
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { userText = new { openDocuments = true } } } });
        await Eventually(() => index.DocumentCount == 2, "the open documents after the setting was turned on");
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { userText = new { openDocuments = false } } } });
        await Eventually(() => index.DocumentCount == 0, "the index emptied after the setting was turned off");
    }
}
