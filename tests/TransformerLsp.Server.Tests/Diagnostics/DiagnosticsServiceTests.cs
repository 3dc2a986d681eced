using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Diagnostics;

public class DiagnosticsServiceTests
{
    [Fact]
    public async Task ShutdownClearsPublishedDiagnostics()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.OpenAsync("file:///b.md", "A ___ here.");
        await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("diagnostics").GetArrayLength() == 1);
        await client.RequestAsync<JsonElement?>(LspMethods.Shutdown, null);
        await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == "file:///b.md" && p.GetProperty("diagnostics").GetArrayLength() == 0);
    }

    [Fact]
    public async Task TurningALanguageOffClearsItsDiagnostics()
    {
        await using var client = new LspTestClient();
        await client.InitializeAsync(new { modelPath = "/nonexistent" });
        await client.OpenAsync("file:///b.md", "A ___ here.");
        await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("diagnostics").GetArrayLength() == 1);
        await client.NotifyAsync(LspMethods.DidChangeConfiguration, new { settings = new { transformerLsp = new { languages = new[] { "plaintext" } } } });
        await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("diagnostics").GetArrayLength() == 0);
    }
}
