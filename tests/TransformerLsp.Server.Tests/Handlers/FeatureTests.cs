using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Settings;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Handlers;

/// <summary>Every feature through the protocol, with the tiny fixture model; inputs use a | caret marker.</summary>
public class FeatureTests
{
    private const string Uri = "file:///doc.md";

    private static async Task<(LspTestClient Client, int Line, int Character)> OpenAsync(string markup, object? settings = null, string languageId = "markdown")
    {
        var client = new LspTestClient();
        await client.InitializeReadyAsync(settings);
        var (text, line, character) = CaretText.Parse(markup);
        await client.OpenAsync(Uri, text, languageId);
        return (client, line, character);
    }

    [Theory]
    [InlineData("The cat sat on the m|")]
    [InlineData("Once upon a |")]
    [InlineData("emoji 😀 then wo|")]
    public async Task CompletionReplacesThePartialWordAndRanksByProbability(string markup)
    {
        var (client, line, character) = await OpenAsync(markup);
        await using var lease = client;
        var list = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition(Uri, line, character));
        Assert.True(list.GetProperty("isIncomplete").GetBoolean());
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        var typed = markup[..markup.IndexOf('|')].Split(' ')[^1];
        var sortTexts = items.Select(i => i.GetProperty("sortText").GetString()!).ToList();
        Assert.Equal(sortTexts.Order(StringComparer.Ordinal), sortTexts);
        var probabilities = new List<double>();
        foreach (var item in items)
        {
            Assert.Equal(1, item.GetProperty("insertTextFormat").GetInt32()); // plain text, never snippets
            var edit = item.GetProperty("textEdit");
            var range = edit.GetProperty("range");
            Assert.Equal(character - typed.Length, range.GetProperty("start").GetProperty("character").GetInt32());
            Assert.Equal(character, range.GetProperty("end").GetProperty("character").GetInt32());
            Assert.StartsWith(typed, edit.GetProperty("newText").GetString());
            var description = item.GetProperty("labelDetails").GetProperty("description").GetString()!;
            Assert.EndsWith("%", description);
            Assert.Contains("%", item.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task CompletionOffersMultiWordPhrasesFromBeamSearch()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |");
        await using var lease = client;
        var list = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition(Uri, line, character));
        var phrases = list.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("detail").GetString()!.Contains("phrase")).ToList();
        Assert.InRange(phrases.Count, 0, 3);
        foreach (var p in phrases) Assert.Contains(" ", p.GetProperty("label").GetString()!.Trim());
    }

    [Fact]
    public async Task InlineCompletionGivesTopBeamsWithoutNewlines()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |", new { modelPath = TestModels.TinyModel, beamWidth = 3, maxSuggestionTokens = 8 });
        await using var lease = client;
        var list = await client.RequestAsync<JsonElement>(LspMethods.InlineCompletion,
            new { textDocument = new { uri = Uri }, position = new { line, character }, context = new { triggerKind = 1 } });
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(items.Count, 1, 3);
        foreach (var item in items)
        {
            var text = item.GetProperty("insertText").GetString()!;
            Assert.DoesNotContain("\n", text);
            Assert.Equal(character, item.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
        }
    }

    [Fact]
    public async Task InlineCompletionAsYouTypeIsTheGreedyContinuationAndInvokedIsTheBeams()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |", new { modelPath = TestModels.TinyModel, beamWidth = 3, maxSuggestionTokens = 8 });
        await using var lease = client;
        using var engine = TextPredictor.Load(new ModelOptions(TestModels.TinyModel, Threads: 1, ContextTokens: 160));
        var stop = new StopConditions(MaxTokens: 8, AtSentenceEnd: true, AtNewline: true, NoRepeatNgram: ServerSettings.NoRepeatNgram);
        engine.UserText.Set("reference", "The cat sat on the "); // the open document is the user's text, as in the server

        var automatic = await InlineAsync(client, line, character, triggerKind: 2);
        // (The tiny fixture's greedy text here may be only spaces, which is shown as nothing.)
        Assert.Equal(new[] { engine.Greedy("reference", "The cat sat on the ", stop).Text }.Where(t => t.Trim().Length > 0), automatic);

        var invoked = await InlineAsync(client, line, character, triggerKind: 1);
        var beams = engine.BeamSearch("reference", "The cat sat on the ", new BeamOptions(3, stop)).Select(b => b.Text).Where(t => t.Trim().Length > 0).Distinct().ToList();
        Assert.Equal(beams, invoked);
    }

    [Fact]
    public async Task TypingWhatTheGhostTextShowsGetsTheRestOfIt()
    {
        var (client, line, character) = await OpenAsync("The Congress of the |", new { modelPath = TestModels.TinyModel, maxSuggestionTokens = 12 });
        await using var lease = client;
        var shown = Assert.Single(await InlineAsync(client, line, character, triggerKind: 2));
        Assert.True(shown.Length >= 3 && shown[1..].Trim().Length > 0, $"the fixture's ghost text \"{shown}\" is too short for this test");

        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new[] { new { range = new { start = new { line, character }, end = new { line, character } }, text = shown[..1] } } });
        Assert.Equal([shown[1..]], await InlineAsync(client, line, character + 1, triggerKind: 2));

        // Typing something else asks the model again: the answer continues the new text, not the old suggestion.
        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version = 3 }, contentChanges = new[] { new { range = new { start = new { line, character }, end = new { line, character = character + 1 } }, text = "Zq" } } });
        var after = await InlineAsync(client, line, character + 2, triggerKind: 2);
        Assert.True(after.Count <= 1);
        if (after.Count == 1) Assert.NotEqual(shown[2..], after[0]);
    }

    private static async Task<List<string>> InlineAsync(LspTestClient client, int line, int character, int triggerKind)
    {
        var list = await client.RequestAsync<JsonElement>(LspMethods.InlineCompletion,
            new { textDocument = new { uri = Uri }, position = new { line, character }, context = new { triggerKind } });
        return [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("insertText").GetString()!)];
    }

    [Fact]
    public async Task InlineCompletionSamplesWhenTemperatureIsAboveZero()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |", new { modelPath = TestModels.TinyModel, temperature = 0.8, beamWidth = 2 });
        await using var lease = client;
        var list = await client.RequestAsync<JsonElement>(LspMethods.InlineCompletion, LspTestClient.TextPosition(Uri, line, character));
        Assert.InRange(list.GetProperty("items").GetArrayLength(), 0, 2);
    }

    [Fact]
    public async Task HoverOnAWordShowsItsProbabilityAndAlternatives()
    {
        var (client, line, character) = await OpenAsync("The cat s|at on the mat.");
        await using var lease = client;
        var hover = await client.RequestAsync<JsonElement>(LspMethods.Hover, LspTestClient.TextPosition(Uri, line, character));
        var contents = hover.GetProperty("contents");
        Assert.Equal("markdown", contents.GetProperty("kind").GetString());
        Assert.StartsWith("**sat**", contents.GetProperty("value").GetString());
        Assert.Contains("% in context", contents.GetProperty("value").GetString());
        Assert.Equal(8, hover.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
        Assert.Equal(11, hover.GetProperty("range").GetProperty("end").GetProperty("character").GetInt32());
    }

    [Fact]
    public async Task HoverOnABlankListsRankedCandidates()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the _|__ and slept.");
        await using var lease = client;
        var hover = await client.RequestAsync<JsonElement>(LspMethods.Hover, LspTestClient.TextPosition(Uri, line, character));
        var value = hover.GetProperty("contents").GetProperty("value").GetString()!;
        Assert.StartsWith("**Blank**", value);
        Assert.Contains("| 1 |", value);
    }

    [Fact]
    public async Task HoverOnWhitespaceIsNull()
    {
        var (client, line, character) = await OpenAsync("The cat  |  sat");
        await using var lease = client;
        var hover = await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition(Uri, line, character));
        Assert.True(hover is null || hover.Value.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task CodeActionsOnABlankFillItWithWorkspaceEdits()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the [MA|SK] and slept.");
        await using var lease = client;
        var actions = await client.RequestAsync<JsonElement>(LspMethods.CodeAction, new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line, character }, end = new { line, character } },
            context = new { diagnostics = Array.Empty<object>() },
        });
        var list = actions.EnumerateArray().ToList();
        Assert.NotEmpty(list);
        foreach (var action in list)
        {
            Assert.Matches(@"^Fill blank with '.*' \(.*%\)$", action.GetProperty("title").GetString());
            Assert.Equal("quickfix", action.GetProperty("kind").GetString());
            var edit = action.GetProperty("edit").GetProperty("changes").GetProperty(Uri)[0];
            Assert.Equal(19, edit.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
            Assert.Equal(25, edit.GetProperty("range").GetProperty("end").GetProperty("character").GetInt32());
        }
    }

    [Fact]
    public async Task CodeActionsAtTheCursorOfferContinuations()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |", new { modelPath = TestModels.TinyModel, beamWidth = 2 });
        await using var lease = client;
        var actions = await client.RequestAsync<JsonElement>(LspMethods.CodeAction, new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line, character }, end = new { line, character } },
            context = new { diagnostics = Array.Empty<object>() },
        });
        var list = actions.EnumerateArray().ToList();
        Assert.InRange(list.Count, 1, 2);
        Assert.All(list, a => Assert.StartsWith("Continue: ", a.GetProperty("title").GetString()));
        Assert.All(list, a => Assert.Equal("refactor.rewrite", a.GetProperty("kind").GetString()));
        // Asking only for quick fixes leaves the continuations out.
        var quickFixesOnly = await client.RequestAsync<JsonElement>(LspMethods.CodeAction, new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line, character }, end = new { line, character } },
            context = new { diagnostics = Array.Empty<object>(), only = new[] { "quickfix" } },
        });
        Assert.Empty(quickFixesOnly.EnumerateArray());
        // Automatic requests (sent on every cursor move) do not run a beam search.
        var automatic = await client.RequestAsync<JsonElement>(LspMethods.CodeAction, new
        {
            textDocument = new { uri = Uri },
            range = new { start = new { line, character }, end = new { line, character } },
            context = new { diagnostics = Array.Empty<object>(), triggerKind = 2 },
        });
        Assert.Empty(automatic.EnumerateArray());
    }

    [Fact]
    public async Task ImprobableWordQuickFixReplacesTheWord()
    {
        var (client, _, _) = await OpenAsync("The cat sat|.");
        await using var lease = client;
        var diagnostic = new
        {
            range = new { start = new { line = 0, character = 8 }, end = new { line = 0, character = 11 } },
            severity = 3,
            code = "improbable-word",
            source = "transformer-lsp",
            message = "'sat' is unlikely here",
            data = new { replacement = "slept" },
        };
        var actions = await client.RequestAsync<JsonElement>(LspMethods.CodeAction, new
        {
            textDocument = new { uri = Uri },
            range = diagnostic.range,
            context = new { diagnostics = new[] { diagnostic }, only = new[] { "quickfix" } },
        });
        var fix = actions.EnumerateArray().Single();
        Assert.Equal("Replace 'sat' with 'slept'", fix.GetProperty("title").GetString());
        Assert.Equal("slept", fix.GetProperty("edit").GetProperty("changes").GetProperty(Uri)[0].GetProperty("newText").GetString());
    }

    [Fact]
    public async Task BeamSearchCommandReturnsBeamsWithLogProbabilities()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |");
        await using var lease = client;
        var result = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new
        {
            command = LspCommands.BeamSearch,
            arguments = new[] { new { textDocument = new { uri = Uri }, position = new { line, character }, width = 3, maxTokens = 5 } },
        });
        var beams = result.GetProperty("beams").EnumerateArray().ToList();
        Assert.InRange(beams.Count, 1, 3);
        foreach (var beam in beams)
        {
            var logp = beam.GetProperty("logProbability").GetDouble();
            Assert.Equal(Math.Exp(logp), beam.GetProperty("probability").GetDouble(), 6);
            var tokens = beam.GetProperty("tokens").EnumerateArray().ToList();
            var tokenLogps = beam.GetProperty("tokenLogProbabilities").EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.Equal(tokens.Count, tokenLogps.Count);
            Assert.InRange(tokens.Count, 1, 5);
            Assert.Equal(logp, tokenLogps.Sum(), 4);
        }
        var logps = beams.Select(b => b.GetProperty("logProbability").GetDouble()).ToList();
        Assert.Equal(logps.OrderByDescending(x => x), logps);
    }

    [Fact]
    public async Task FillMaskCommandRanksCandidatesForARange()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |___ and slept.");
        await using var lease = client;
        var result = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new
        {
            command = LspCommands.FillMask,
            arguments = new[] { new { textDocument = new { uri = Uri }, range = new { start = new { line, character }, end = new { line, character = character + 3 } }, count = 4 } },
        });
        var candidates = result.GetProperty("candidates").EnumerateArray().ToList();
        Assert.InRange(candidates.Count, 1, 4);
        var p = candidates.Select(c => c.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(p.OrderByDescending(x => x), p);
        Assert.All(candidates, c => Assert.True(c.TryGetProperty("logLikelihood", out _)));
    }

    [Fact]
    public async Task FillMaskCommandWithAPositionFillsTheBlankNearItAndReturnsItsRange()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the ___ and sle|pt.\nA [MASK] here.");
        await using var lease = client;
        var result = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new
        {
            command = LspCommands.FillMask,
            arguments = new[] { new { textDocument = new { uri = Uri }, position = new { line, character }, count = 3 } },
        });
        // The caret is on no blank: the nearest on its line wins over the one on the next line.
        var range = result.GetProperty("range");
        Assert.Equal((0, 19), (range.GetProperty("start").GetProperty("line").GetInt32(), range.GetProperty("start").GetProperty("character").GetInt32()));
        Assert.Equal((0, 22), (range.GetProperty("end").GetProperty("line").GetInt32(), range.GetProperty("end").GetProperty("character").GetInt32()));
        Assert.InRange(result.GetProperty("candidates").GetArrayLength(), 1, 3);

        // A range argument is echoed.
        var echoed = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new
        {
            command = LspCommands.FillMask,
            arguments = new[] { new { textDocument = new { uri = Uri }, range = new { start = new { line = 1, character = 2 }, end = new { line = 1, character = 8 } } } },
        });
        Assert.Equal(8, echoed.GetProperty("range").GetProperty("end").GetProperty("character").GetInt32());

        // No blank anywhere: no range, no candidates.
        await client.OpenAsync("file:///none.md", "Nothing to fill here.");
        var none = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new
        {
            command = LspCommands.FillMask,
            arguments = new[] { new { textDocument = new { uri = "file:///none.md" }, position = new { line = 0, character = 3 } } },
        });
        Assert.False(none.TryGetProperty("range", out var noRange) && noRange.ValueKind != JsonValueKind.Null);
        Assert.Equal(0, none.GetProperty("candidates").GetArrayLength());
    }

    [Fact]
    public async Task FillMaskCommandNeedsExactlyOneOfRangeAndPosition()
    {
        var (client, line, character) = await OpenAsync("The |___ sat.");
        await using var lease = client;
        var position = new { line, character };
        var range = new { start = position, end = new { line, character = character + 3 } };
        var both = await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand,
            new { command = LspCommands.FillMask, arguments = new[] { new { textDocument = new { uri = Uri }, range, position } } }));
        Assert.Contains("not both", both);
        await LspAssert.FailsWith(LspErrorCodes.InvalidParams, () => client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand,
            new { command = LspCommands.FillMask, arguments = new[] { new { textDocument = new { uri = Uri } } } }));
    }

    [Fact]
    public async Task NextTokensCommandReturnsTheDistribution()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |");
        await using var lease = client;
        var result = await client.RequestAsync<JsonElement>(LspMethods.ExecuteCommand, new
        {
            command = LspCommands.NextTokens,
            arguments = new[] { new { textDocument = new { uri = Uri }, position = new { line, character }, count = 7 } },
        });
        var tokens = result.GetProperty("tokens").EnumerateArray().ToList();
        Assert.Equal(7, tokens.Count);
        var p = tokens.Select(t => t.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(p.OrderByDescending(x => x), p);
        Assert.All(tokens, t => Assert.True(t.GetProperty("id").GetInt32() >= 0));
        Assert.InRange(p.Sum(), 0, 1.0001);
    }

    [Fact]
    public async Task BlankMarkersGetHintDiagnosticsThatAreClearedOnClose()
    {
        var (client, _, _) = await OpenAsync("A ___ and a [MASK] here.|");
        await using var lease = client;
        var published = await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == Uri);
        var blanks = published.GetProperty("diagnostics").EnumerateArray().Where(d => d.GetProperty("code").GetString() == "blank").ToList();
        Assert.Equal(2, blanks.Count);
        Assert.All(blanks, d => Assert.Equal(4, d.GetProperty("severity").GetInt32()));
        Assert.Equal(2, blanks[0].GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
        Assert.Equal(12, blanks[1].GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
        await client.NotifyAsync(LspMethods.DidClose, new { textDocument = new { uri = Uri } });
        await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == Uri && p.GetProperty("diagnostics").GetArrayLength() == 0);
    }

    [Fact]
    public async Task AMisspellingAndAWrongWordGetHintsWithTheirCorrectionAndCleanWordsDoNot()
    {
        const string text = "The President of the Untied States has the honor to transmit to the Congres a report of the Secretary of State.";
        var (client, _, _) = await OpenAsync(text + "|", new { modelPath = TestModels.DefaultModel });
        await using var lease = client;
        client.Context.Diagnostics.Debounce = TimeSpan.Zero;
        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new[] { new { text } } });
        var published = await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p =>
            p.GetProperty("uri").GetString() == Uri && p.GetProperty("version").GetInt32() == 2 && client.Context.Queue.PendingCount == 0
            && p.GetProperty("diagnostics").EnumerateArray().Count(d => d.GetProperty("code").GetString() == "improbable-word") >= 2);
        var hints = published.GetProperty("diagnostics").EnumerateArray()
            .ToDictionary(d => text.Substring(d.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32(),
                d.GetProperty("range").GetProperty("end").GetProperty("character").GetInt32() - d.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32()));
        Assert.Equal(["Congres", "Untied"], hints.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Congress", hints["Congres"].GetProperty("data").GetProperty("replacement").GetString());
        Assert.Contains("misspelt", hints["Congres"].GetProperty("message").GetString());
        Assert.Equal("United", hints["Untied"].GetProperty("data").GetProperty("replacement").GetString());
        Assert.Contains("unlikely here", hints["Untied"].GetProperty("message").GetString());
        Assert.All(hints.Values, d => Assert.Equal(3, d.GetProperty("severity").GetInt32()));
    }

    [Fact]
    public async Task DiagnosticsOffPublishesOnlyBlankHints()
    {
        var (client, _, _) = await OpenAsync("A ___ here. Zqxv purple the the.|", new { modelPath = TestModels.TinyModel, diagnostics = new { enable = false } });
        await using var lease = client;
        var published = await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == Uri);
        Assert.All(published.GetProperty("diagnostics").EnumerateArray(), d => Assert.Equal("blank", d.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task LanguagesOutsideTheSettingGetNothing()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |", languageId: "csharp");
        await using var lease = client;
        var list = await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition(Uri, line, character));
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        var hover = await client.RequestAsync<JsonElement?>(LspMethods.Hover, LspTestClient.TextPosition(Uri, line, 5));
        Assert.True(hover is null || hover.Value.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task IncrementalEditsAreSeenByFeatures()
    {
        var (client, _, _) = await OpenAsync("The cat sat.|");
        await using var lease = client;
        // Insert an emoji (two UTF-16 units) and a blank after it; the blank's range must count the pair as 2.
        await client.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version = 2 }, contentChanges = new[] { new { range = new { start = new { line = 0, character = 12 }, end = new { line = 0, character = 12 } }, text = " 😀 ___" } } });
        var published = await client.WaitForNotificationAsync(LspMethods.PublishDiagnostics, p => p.GetProperty("uri").GetString() == Uri && p.GetProperty("version").GetInt32() == 2);
        var blank = published.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("code").GetString() == "blank");
        Assert.Equal(16, blank.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
        Assert.Equal(19, blank.GetProperty("range").GetProperty("end").GetProperty("character").GetInt32());
    }

    [Fact]
    public async Task StatusReportsLatencyAfterCompletion()
    {
        var (client, line, character) = await OpenAsync("The cat sat on the |");
        await using var lease = client;
        await client.RequestAsync<JsonElement>(LspMethods.Completion, LspTestClient.TextPosition(Uri, line, character));
        var status = await client.WaitForNotificationAsync(LspMethods.Status, p => p.TryGetProperty("lastLatencyMs", out _));
        Assert.Equal("ready", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("lastLatencyMs").GetDouble() >= 0);
    }
}
