using System.Diagnostics;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.InlineCompletion;

/// <summary>
/// textDocument/inlineCompletion (LSP 3.18): ghost text of up to maxSuggestionTokens tokens, stopping at a sentence end
/// or newline. An automatic request (as the user types) gets one item, the greedy continuation (temperature 0) or one
/// sample (temperature &gt; 0), and typing what the ghost text shows gets the rest of it without a model call. An
/// invoked request (the user asks, or cycles through suggestions, which VS Code does by asking again as invoked) gets
/// the top beams or several independent samples with fixed seeds.
/// </summary>
internal sealed class InlineCompletionHandler(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model, GhostTextMemory ghostText) : IRequestHandler<InlineCompletionParams, InlineCompletionList>
{
    /// <summary>InlineCompletionTriggerKind.Invoked (LSP 3.18); Automatic is 2.</summary>
    public const int Invoked = 1;

    public string Method => LspMethods.InlineCompletion;
    public bool MutatesState => false;

    public async Task<InlineCompletionList> HandleAsync(InlineCompletionParams request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (ServedPosition.Find(documents, currentSettings(), request.TextDocument.Uri, request.Position) is not (var document, var offset, var settings))
            return InlineCompletionList.Empty;
        var invoked = request.Context?.TriggerKind == Invoked;
        var left = TextContext.Left(document.Text, offset);
        if (!invoked && ghostText.Rest(document.Uri, left) is { } rest)
        {
            model.ReportLatency(started);
            return new InlineCompletionList([new InlineCompletionItem(rest, document.RangeOf(offset, offset))]);
        }
        var result = await model.RunAsync(document.Uri, Method, WorkPriority.Interactive, InlineCompletionList.Empty,
            (predictor, token) => Compute(predictor, document, offset, settings, invoked, token), cancellationToken).ConfigureAwait(false);
        if (result.Items.Length > 0) ghostText.Remember(document.Uri, left, result.Items[0].InsertText);
        model.ReportLatency(started);
        return result;
    }

    public static IReadOnlyList<Continuation> Continuations(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, CancellationToken cancellationToken)
    {
        var left = TextContext.Left(document.Text, offset);
        var stop = settings.SuggestionStop;
        if (settings.Temperature <= 0)
            return predictor.BeamSearch(document.Uri, left, new BeamOptions(settings.BeamWidth, stop), cancellationToken);
        var samples = new List<Continuation>();
        for (var seed = 0; seed < settings.BeamWidth; seed++)
            samples.Add(predictor.Sample(document.Uri, left, stop, settings.Temperature, topK: ServerSettings.SamplingTopK, topP: ServerSettings.SamplingTopP, seed, cancellationToken));
        return samples;
    }

    /// <summary>The ghost text at <paramref name="offset"/>: one continuation, or all of <see cref="Continuations"/> when <paramref name="invoked"/>.</summary>
    public static InlineCompletionList Compute(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, bool invoked, CancellationToken cancellationToken)
    {
        var at = document.RangeOf(offset, offset);
        var continuations = invoked ? Continuations(predictor, document, offset, settings, cancellationToken) : [First(predictor, document, offset, settings, cancellationToken)];
        var items = continuations
            .Select(c => c.Text.TrimEnd('\r', '\n'))
            .Where(text => text.Trim().Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(text => new InlineCompletionItem(text, at))
            .ToArray();
        return new InlineCompletionList(items);
    }

    /// <summary>The one continuation of an automatic request: greedy at temperature 0, else the first sample.</summary>
    private static Continuation First(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, CancellationToken cancellationToken)
    {
        var left = TextContext.Left(document.Text, offset);
        var stop = settings.SuggestionStop;
        return settings.Temperature <= 0
            ? predictor.Greedy(document.Uri, left, stop, cancellationToken)
            : predictor.Sample(document.Uri, left, stop, settings.Temperature, topK: ServerSettings.SamplingTopK, topP: ServerSettings.SamplingTopP, seed: 0, cancellationToken);
    }
}
