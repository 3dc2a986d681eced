using System.Text;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Handlers.Workspace.Commands;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.Hover;

/// <summary>
/// textDocument/hover: on a word, its probability in context and the best alternatives for that position (ranked with
/// both sides); on a blank marker, the ranked candidates. Markdown.
/// </summary>
internal sealed class HoverHandler(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model) : IRequestHandler<HoverParams, Protocol.Hover?>
{
    public const int Alternatives = 5;

    public string Method => LspMethods.Hover;
    public bool MutatesState => false;

    public async Task<Protocol.Hover?> HandleAsync(HoverParams request, CancellationToken cancellationToken)
    {
        if (ServedPosition.Find(documents, currentSettings(), request.TextDocument.Uri, request.Position) is not (var document, var offset, var settings))
            return null;
        return await model.RunAsync<Protocol.Hover?>(document.Uri, Method, WorkPriority.Interactive, null,
            (predictor, token) => Compute(predictor, document, offset, settings, token), cancellationToken).ConfigureAwait(false);
    }

    public static Protocol.Hover? Compute(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, CancellationToken cancellationToken)
    {
        if (WordFinder.BlankAt(document.Text, offset, settings.BlankMarkers) is { } blank)
        {
            var candidates = FillMaskCommand.Candidates(predictor, document, blank, Alternatives, cancellationToken);
            var text = new StringBuilder("**Blank**");
            if (candidates.Count == 0) text.Append(" — no text around it to predict from.");
            else
            {
                text.Append(" — most likely fills (both sides of the blank):\n\n| # | fill | p |\n|---|---|---|\n");
                var rank = 1;
                foreach (var c in candidates) text.Append($"| {rank++} | {Formatting.Markdown(c.Text)} | {Formatting.Percent(c.Probability)} |\n");
            }
            return new Protocol.Hover(MarkupContent.Markdown(text.ToString()), document.RangeOf(blank.Start, blank.End));
        }

        if (WordFinder.WordAt(document.Text, offset) is not { } span) return null;
        var word = document.Text[span.Start..span.End];
        var left = TextContext.Left(document.Text, span.Start);
        var right = TextContext.Right(document.Text, span.End);
        var fit = predictor.ScoreWord(CacheKeys.Point(document.Uri), left, word, right, Alternatives, cancellationToken);
        var md = new StringBuilder($"**{Formatting.Markdown(word)}** — {Formatting.Percent(fit.Probability)} in context");
        var alternatives = fit.Alternatives.Where(a => !string.IsNullOrWhiteSpace(a.Text)).Take(Alternatives).ToList();
        if (alternatives.Count > 0)
        {
            md.Append("\n\n| alternative | p |\n|---|---|\n");
            foreach (var a in alternatives)
            {
                var self = a.Text.Trim().Equals(word, StringComparison.Ordinal);
                md.Append($"| {(self ? "**" + Formatting.Markdown(a.Text.Trim()) + "**" : Formatting.Markdown(a.Text.Trim()))} | {Formatting.Percent(a.Probability)} |\n");
            }
        }
        return new Protocol.Hover(MarkupContent.Markdown(md.ToString()), document.RangeOf(span.Start, span.End));
    }
}
