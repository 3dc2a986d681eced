using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Diagnostics;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Diagnostics;

public class DiagnosticsServiceTests
{
    private static WordFit Fit(string word, double p, params (string Text, double P)[] alternatives) =>
        new(word, p, alternatives.Select(a => new FillCandidate(a.Text, a.P, Math.Log(a.P))).ToList());

    [Fact]
    public void AWordFarBelowTheBestAlternativeIsFlaggedWithThatAlternative()
    {
        var verdict = DiagnosticsService.Judge(Fit("teh", 0.01, ("the", 0.9), ("teh", 0.01)), "teh");
        Assert.Equal("the", verdict.Replacement);
        Assert.Equal(0.9, verdict.ReplacementProbability);
    }

    [Theory]
    [InlineData(0.2, 0.7)]   // likely enough
    [InlineData(0.04, 0.3)]  // best is not ten times likelier
    public void PlausibleWordsAreNotFlagged(double p, double best)
    {
        Assert.Null(DiagnosticsService.Judge(Fit("cat", p, ("dog", best)), "cat").Replacement);
    }

    [Fact]
    public void TheWordItselfOrACaseVariantIsNotItsOwnReplacement()
    {
        Assert.Null(DiagnosticsService.Judge(Fit("The", 0.001, (" the", 0.99)), "The").Replacement);
    }

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
