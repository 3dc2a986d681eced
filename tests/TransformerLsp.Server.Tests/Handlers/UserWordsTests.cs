using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Handlers;

/// <summary>The user's own words, end to end on the default model: a made-up name typed earlier in a document is offered
/// later in it, and the completion item says where it comes from.</summary>
public class UserWordsTests
{
    private const string Uri = "file:///notes/plan.md";
    private const string Text = "Our new colleague Zorblat joined the team today. Everyone welcomed Zorblat warmly, and tomorrow Zorblat will present the plan.\n\nAt the meeting, Zor|";

    [Fact]
    public async Task AMadeUpNameTypedEarlierIsOfferedLaterAndSaysItComesFromYourText()
    {
        await using var client = new LspTestClient();
        await client.InitializeReadyAsync(new { modelPath = TestModels.DefaultModel });
        var (text, line, character) = CaretText.Parse(Text);
        await client.OpenAsync(Uri, text, "markdown");

        var list = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition(Uri, line, character));
        var items = list.GetProperty("items").EnumerateArray().ToList();
        var zorblat = items.FirstOrDefault(i => i.GetProperty("label").GetString() == "Zorblat");
        Assert.True(zorblat.ValueKind == JsonValueKind.Object, "offered: " + string.Join(", ", items.Select(i => i.GetProperty("label").GetString())));

        var resolved = await client.RequestAsync<JsonElement>(LspMethods.CompletionResolve, zorblat);
        var documentation = resolved.GetProperty("documentation").GetProperty("value").GetString()!;
        Assert.Contains("From your text", documentation, StringComparison.Ordinal);
        Assert.Contains("seen 3× in plan.md", documentation, StringComparison.Ordinal);

        // Without the document's text (userText.openDocuments off) the model alone cannot know the name.
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { userText = new { openDocuments = false } } } });
        var without = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition(Uri, line, character));
        Assert.DoesNotContain(without.GetProperty("items").EnumerateArray(), i => i.GetProperty("label").GetString() == "Zorblat");
    }
}
