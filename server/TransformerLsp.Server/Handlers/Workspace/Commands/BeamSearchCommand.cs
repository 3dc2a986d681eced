using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Handlers.InlineCompletion;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.Workspace.Commands;

/// <summary>transformerLsp.beamSearch: the k best continuations at a position with total and per-token log-probabilities.</summary>
internal sealed class BeamSearchCommand(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model) : IWorkspaceCommand
{
    public string Name => LspCommands.BeamSearch;

    public async Task<object?> ExecuteAsync(JsonElement argument, CancellationToken cancellationToken)
    {
        var args = LspJson.Read<BeamSearchArguments>(argument, Name);
        if (args.TextDocument?.Uri is null || args.Position is null)
            throw new InvalidParamsException($"{Name}: expected {{ textDocument: {{ uri }}, position: {{ line, character }}, width?, maxTokens? }}");
        var settings = currentSettings();
        var width = args.Width ?? settings.BeamWidth;
        var maxTokens = args.MaxTokens ?? settings.MaxSuggestionTokens;
        if (width is < 1 or > 16) throw new InvalidParamsException($"{Name}: width must be from 1 to 16, got {width}");
        if (maxTokens is < 1 or > 64) throw new InvalidParamsException($"{Name}: maxTokens must be from 1 to 64, got {maxTokens}");
        var document = documents.GetRequired(args.TextDocument.Uri);
        var offset = document.OffsetAt(args.Position);
        return await model.RunAsync(document.Uri, LspCommands.BeamSearch, WorkPriority.Interactive, new BeamSearchResult([]),
            (predictor, token) => Compute(predictor, document, offset, width, maxTokens, token), cancellationToken).ConfigureAwait(false);
    }

    public static BeamSearchResult Compute(TextPredictor predictor, TextDocumentSnapshot document, int offset, int width, int maxTokens, CancellationToken cancellationToken)
    {
        var settings = new Settings.ServerSettings { BeamWidth = width, MaxSuggestionTokens = maxTokens };
        var beams = InlineCompletionHandler.Continuations(predictor, document, offset, settings, cancellationToken);
        return new BeamSearchResult(beams.Select(ToInfo).ToArray());
    }

    public static BeamInfo ToInfo(Continuation c) =>
        new(c.Text, Formatting.Exp(c.TotalLogProbability), c.TotalLogProbability, [.. c.Tokens], [.. c.TokenLogProbabilities]);
}
