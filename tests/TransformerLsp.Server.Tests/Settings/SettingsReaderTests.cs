using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Tests.Settings;

/// <summary>One test per key (a valid value is taken, a bad one is reported and the previous value kept).</summary>
public class SettingsReaderTests
{
    private static (ServerSettings Settings, List<string> Problems) Apply(string json, ServerSettings? current = null)
    {
        var problems = new List<string>();
        var settings = SettingsReader.Apply(current ?? new ServerSettings(), JsonDocument.Parse(json).RootElement, problems);
        return (settings, problems);
    }

    [Fact]
    public void DefaultsMatchTheContract()
    {
        var s = new ServerSettings();
        Assert.Equal("", s.ModelPath);
        Assert.Equal(ExecutionProviderKind.Cpu, s.ExecutionProvider);
        Assert.Equal(0, s.Threads);
        Assert.Equal(4, s.BeamWidth);
        Assert.Equal(16, s.MaxSuggestionTokens);
        Assert.Equal(0, s.Temperature);
        Assert.Equal(["___", "[MASK]"], s.BlankMarkers);
        Assert.Equal(["plaintext", "markdown", "latex", "restructuredtext", "git-commit"], s.Languages);
        Assert.True(s.DiagnosticsEnable);
        Assert.True(s.UserTextOpenDocuments);
    }

    [Fact]
    public void ModelPath()
    {
        Assert.Equal("/models/x", Apply("""{"modelPath":" /models/x "}""").Settings.ModelPath);
        var (s, p) = Apply("""{"modelPath":42}""", new ServerSettings { ModelPath = "/kept" });
        Assert.Equal("/kept", s.ModelPath);
        Assert.Contains(p, x => x.StartsWith("modelPath"));
    }

    [Fact]
    public void ExecutionProvider()
    {
        Assert.Equal(ExecutionProviderKind.Cuda, Apply("""{"executionProvider":"cuda"}""").Settings.ExecutionProvider);
        Assert.Equal(ExecutionProviderKind.DirectMl, Apply("""{"executionProvider":"DirectML"}""").Settings.ExecutionProvider);
        Assert.Equal(ExecutionProviderKind.Auto, Apply("""{"executionProvider":"auto"}""").Settings.ExecutionProvider);
        var (s, p) = Apply("""{"executionProvider":"tpu"}""", new ServerSettings { ExecutionProvider = ExecutionProviderKind.Auto });
        Assert.Equal(ExecutionProviderKind.Auto, s.ExecutionProvider);
        Assert.Contains(p, x => x.StartsWith("executionProvider") && x.Contains("tpu"));
    }

    [Fact]
    public void Threads()
    {
        Assert.Equal(8, Apply("""{"threads":8}""").Settings.Threads);
        var (s, p) = Apply("""{"threads":65}""", new ServerSettings { Threads = 2 });
        Assert.Equal(2, s.Threads);
        Assert.Contains(p, x => x.StartsWith("threads"));
        Assert.Single(Apply("""{"threads":-1}""").Problems);
    }

    [Fact]
    public void BeamWidth()
    {
        Assert.Equal(8, Apply("""{"beamWidth":8}""").Settings.BeamWidth);
        var (s, p) = Apply("""{"beamWidth":0}""");
        Assert.Equal(4, s.BeamWidth);
        Assert.Contains(p, x => x.StartsWith("beamWidth"));
        Assert.Single(Apply("""{"beamWidth":17}""").Problems);
        Assert.Single(Apply("""{"beamWidth":2.5}""").Problems);
    }

    [Fact]
    public void ContextTokens()
    {
        Assert.Equal(ServerSettings.DefaultContextTokens, new ServerSettings().ContextTokens);
        Assert.Equal(0, Apply("""{"contextTokens":0}""").Settings.ContextTokens);
        Assert.Equal(448, Apply("""{"contextTokens":448}""").Settings.ContextTokens);
        var (s, p) = Apply("""{"contextTokens":-1}""", new ServerSettings { ContextTokens = 256 });
        Assert.Equal(256, s.ContextTokens);
        Assert.Contains(p, x => x.StartsWith("contextTokens"));
    }

    [Fact]
    public void MaxSuggestionTokens()
    {
        Assert.Equal(32, Apply("""{"maxSuggestionTokens":32}""").Settings.MaxSuggestionTokens);
        var (s, p) = Apply("""{"maxSuggestionTokens":"many"}""");
        Assert.Equal(16, s.MaxSuggestionTokens);
        Assert.Contains(p, x => x.StartsWith("maxSuggestionTokens"));
        Assert.Single(Apply("""{"maxSuggestionTokens":65}""").Problems);
    }

    [Fact]
    public void Temperature()
    {
        Assert.Equal(0.7, Apply("""{"temperature":0.7}""").Settings.Temperature);
        var (s, p) = Apply("""{"temperature":2.5}""", new ServerSettings { Temperature = 1 });
        Assert.Equal(1, s.Temperature);
        Assert.Contains(p, x => x.StartsWith("temperature"));
    }

    [Fact]
    public void BlankMarkers()
    {
        Assert.Equal(["<blank>"], Apply("""{"blankMarkers":["<blank>"]}""").Settings.BlankMarkers);
        var (s, p) = Apply("""{"blankMarkers":"___"}""");
        Assert.Equal(["___", "[MASK]"], s.BlankMarkers);
        Assert.Contains(p, x => x.StartsWith("blankMarkers"));
        Assert.Single(Apply("""{"blankMarkers":["ok", ""]}""").Problems);
    }

    [Fact]
    public void Languages()
    {
        var s = Apply("""{"languages":["plaintext"]}""").Settings;
        Assert.Equal(["plaintext"], s.Languages);
        Assert.True(s.IsLanguageEnabled("plaintext"));
        Assert.False(s.IsLanguageEnabled("markdown"));
        var (kept, p) = Apply("""{"languages":[1,2]}""");
        Assert.True(kept.IsLanguageEnabled("markdown"));
        Assert.Contains(p, x => x.StartsWith("languages"));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("tex")]
    [InlineData("rst")]
    [InlineData("gitcommit")]
    [InlineData("Markdown")]
    public void OtherEditorsLanguageIdsCountAsTheDefaults(string languageId)
    {
        Assert.True(new ServerSettings().IsLanguageEnabled(languageId));
        Assert.False(new ServerSettings().IsLanguageEnabled("csharp"));
    }

    [Fact]
    public void DiagnosticsEnable()
    {
        Assert.False(Apply("""{"diagnostics":{"enable":false}}""").Settings.DiagnosticsEnable);
        Assert.False(Apply("""{"diagnostics.enable":false}""").Settings.DiagnosticsEnable);
        var (s, p) = Apply("""{"diagnostics":{"enable":"no"}}""");
        Assert.True(s.DiagnosticsEnable);
        Assert.Contains(p, x => x.StartsWith("diagnostics.enable"));
        Assert.Single(Apply("""{"diagnostics":true}""").Problems);
    }

    [Fact]
    public void UserTextOpenDocuments()
    {
        Assert.False(Apply("""{"userText":{"openDocuments":false}}""").Settings.UserTextOpenDocuments);
        Assert.False(Apply("""{"userText.openDocuments":false}""").Settings.UserTextOpenDocuments);
        var (s, p) = Apply("""{"userText":{"openDocuments":1}}""");
        Assert.True(s.UserTextOpenDocuments);
        Assert.Contains(p, x => x.StartsWith("userText.openDocuments"));
        Assert.Single(Apply("""{"userText":true}""").Problems);
    }

    [Fact]
    public void MaxDocumentSize()
    {
        Assert.Equal(50_000, Apply("""{"maxDocumentSize":50000}""").Settings.MaxDocumentSize);
        var (s, p) = Apply("""{"maxDocumentSize":10}""");
        Assert.Equal(1_000_000, s.MaxDocumentSize);
        Assert.Contains(p, x => x.StartsWith("maxDocumentSize"));
    }

    [Fact]
    public void UserTextWorkspaceFiles()
    {
        Assert.False(new ServerSettings().UserTextWorkspaceFiles); // opt-in
        Assert.True(Apply("""{"userText":{"workspaceFiles":true}}""").Settings.UserTextWorkspaceFiles);
        Assert.True(Apply("""{"userText.workspaceFiles":true}""").Settings.UserTextWorkspaceFiles);
        var (s, p) = Apply("""{"userText":{"workspaceFiles":"yes"}}""");
        Assert.False(s.UserTextWorkspaceFiles);
        Assert.Contains(p, x => x.StartsWith("userText.workspaceFiles"));
        Assert.Single(Apply("""{"userText":true}""").Problems);
    }

    [Fact]
    public void UserTextExtensions()
    {
        Assert.Equal([".md", ".markdown", ".txt", ".text", ".rst", ".tex", ".adoc", ".asciidoc", ".org"], new ServerSettings().UserTextExtensions);
        Assert.Equal([".md", ".wiki"], Apply("""{"userText":{"extensions":[".MD", "wiki"]}}""").Settings.UserTextExtensions);
        var (s, p) = Apply("""{"userText":{"extensions":["*.md"]}}""");
        Assert.Equal(new ServerSettings().UserTextExtensions, s.UserTextExtensions);
        Assert.Contains(p, x => x.StartsWith("userText.extensions"));
        Assert.Single(Apply("""{"userText":{"extensions":[]}}""").Problems);
        Assert.Single(Apply("""{"userText.extensions":"md"}""").Problems);
    }

    [Fact]
    public void UserTextMaxFiles()
    {
        Assert.Equal(2000, new ServerSettings().UserTextMaxFiles);
        Assert.Equal(50, Apply("""{"userText":{"maxFiles":50}}""").Settings.UserTextMaxFiles);
        var (s, p) = Apply("""{"userText":{"maxFiles":0}}""");
        Assert.Equal(2000, s.UserTextMaxFiles);
        Assert.Contains(p, x => x.StartsWith("userText.maxFiles"));
    }

    [Fact]
    public void UserTextMaxFileSizeKb()
    {
        Assert.Equal(512, new ServerSettings().UserTextMaxFileSizeKb);
        Assert.Equal(64, Apply("""{"userText":{"maxFileSizeKb":64}}""").Settings.UserTextMaxFileSizeKb);
        var (s, p) = Apply("""{"userText":{"maxFileSizeKb":20000}}""");
        Assert.Equal(512, s.UserTextMaxFileSizeKb);
        Assert.Contains(p, x => x.StartsWith("userText.maxFileSizeKb"));
    }

    [Fact]
    public void UserTextMaxTotalMb()
    {
        Assert.Equal(8, new ServerSettings().UserTextMaxTotalMb);
        Assert.Equal(32, Apply("""{"userText":{"maxTotalMb":32}}""").Settings.UserTextMaxTotalMb);
        var (s, p) = Apply("""{"userText":{"maxTotalMb":1.5}}""");
        Assert.Equal(8, s.UserTextMaxTotalMb);
        Assert.Contains(p, x => x.StartsWith("userText.maxTotalMb"));
    }

    [Theory]
    [InlineData("""{"transformerLsp":{"beamWidth":2}}""")]
    [InlineData("""{"beamWidth":2}""")]
    [InlineData("""{"settings":{"transformerLsp":{"beamWidth":2}}}""")]
    public void AcceptsTheWrappedAndBareForms(string json)
    {
        var (s, p) = Apply(json);
        Assert.Equal(2, s.BeamWidth);
        Assert.Empty(p);
    }

    [Fact]
    public void UnknownKeysAreIgnoredAndOtherKeysKeepTheirValues()
    {
        var (s, p) = Apply("""{"trace":{"server":"verbose"},"somethingNew":1,"beamWidth":3}""", new ServerSettings { Threads = 3 });
        Assert.Empty(p);
        Assert.Equal(3, s.BeamWidth);
        Assert.Equal(3, s.Threads);
    }
}
