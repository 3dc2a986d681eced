using System.Diagnostics;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Hosting;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.InlineCompletion;

/// <summary>
/// textDocument/inlineCompletion (LSP 3.18): ghost text of up to maxSuggestionTokens tokens, stopping at a sentence end
/// or newline. Items are the top beams (temperature 0) or independent samples with fixed seeds (temperature &gt; 0).
/// </summary>
internal sealed class InlineCompletionHandler(ServerContext context) : IRequestHandler<InlineCompletionParams, InlineCompletionList>
{
    public string Method => LspMethods.InlineCompletion;
    public bool MutatesState => false;

    public async Task<InlineCompletionList> HandleAsync(InlineCompletionParams request, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var document = context.Documents.GetRequired(request.TextDocument.Uri);
        var settings = context.Settings;
        if (!settings.IsLanguageEnabled(document.LanguageId)) return InlineCompletionList.Empty;
        int offset = document.OffsetAt(request.Position);
        var result = await context.RunModelAsync(document.Uri, "inlineCompletion", WorkPriority.Interactive, InlineCompletionList.Empty,
            (predictor, token) => Compute(predictor, document, offset, settings, token), cancellationToken).ConfigureAwait(false);
        context.ReportLatency(started);
        return result;
    }

    public static IReadOnlyList<Continuation> Continuations(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, CancellationToken cancellationToken)
    {
        string left = TextContext.Left(document.Text, offset);
        var stop = new StopConditions(MaxTokens: settings.MaxSuggestionTokens, AtSentenceEnd: true, AtNewline: true);
        if (settings.Temperature <= 0)
            return predictor.BeamSearch(document.Uri, left, new BeamOptions(settings.BeamWidth, stop), cancellationToken);
        var samples = new List<Continuation>();
        for (int seed = 0; seed < settings.BeamWidth; seed++)
            samples.Add(predictor.Sample(document.Uri, left, stop, settings.Temperature, topK: 40, topP: 0.95, seed, cancellationToken));
        return samples;
    }

    public static InlineCompletionList Compute(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, CancellationToken cancellationToken)
    {
        var at = document.RangeOf(offset, offset);
        var items = Continuations(predictor, document, offset, settings, cancellationToken)
            .Select(c => c.Text.TrimEnd('\r', '\n'))
            .Where(text => text.Trim().Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Select(text => new InlineCompletionItem(text, at))
            .ToArray();
        return new InlineCompletionList(items);
    }
}
