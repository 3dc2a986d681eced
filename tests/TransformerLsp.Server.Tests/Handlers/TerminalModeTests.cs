using System.Text;
using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Terminal;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Handlers;

/// <summary>The terminal mode prints the same results the editor gets.</summary>
public class TerminalModeTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var stdout = new MemoryStream();
        var code = await TerminalMode.RunAsync(args, stdout);
        return (code, Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public async Task CompleteJsonEqualsTheCompletionTheEditorGets()
    {
        const string text = "The cat sat on the m";
        var (code, output) = await RunAsync("complete", text, "--model", TestModels.TinyModel, "--json");
        Assert.Equal(0, code);
        var terminal = JsonDocument.Parse(output).RootElement;

        await using var client = new LspTestClient();
        await client.InitializeReadyAsync();
        await client.OpenAsync("file:///t.txt", text, "plaintext");
        var editor = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition("file:///t.txt", 0, text.Length));
        Assert.Equal(editor.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString()),
            terminal.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString()));
    }

    [Theory]
    [InlineData("beam", "The cat sat on the", "beams")]
    [InlineData("fill", "The cat ___ on the mat.", "candidates")]
    [InlineData("next", "The cat sat on the", "tokens")]
    public async Task EachVerbPrintsItsResult(string verb, string text, string property)
    {
        var (code, output) = await RunAsync(verb, text, "--model", TestModels.TinyModel, "--json", "--width", "2", "--count", "3");
        Assert.Equal(0, code);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty(property).GetArrayLength() > 0);
        var (plainCode, plain) = await RunAsync(verb, text, "--model", TestModels.TinyModel);
        Assert.Equal(0, plainCode);
        Assert.Contains("%", plain);
    }

    [Fact]
    public async Task FillWithoutABlankAndAMissingModelFailWithAMessage()
    {
        Assert.Equal(2, (await RunAsync("fill", "no blank here", "--model", TestModels.TinyModel)).Code);
        Assert.Equal(1, (await RunAsync("complete", "text", "--model", "/nonexistent/model")).Code);
    }
}
