using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.Workspace.Commands;

/// <summary>
/// transformerLsp.fillMask: ranked candidates for the text in a range (the blank), using both sides. Given a position
/// instead of a range, the server picks the blank near it (<see cref="WordFinder.BlankNear"/>) and returns its range.
/// </summary>
internal sealed class FillMaskCommand(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model) : IWorkspaceCommand
{
    public const int DefaultCount = 5;

    public string Name => LspCommands.FillMask;

    public async Task<object?> ExecuteAsync(JsonElement argument, CancellationToken cancellationToken)
    {
        var args = LspJson.Read<FillMaskArguments>(argument, Name);
        var expected = $"{Name}: expected {{ textDocument: {{ uri }}, range: {{ start, end }} or position: {{ line, character }}, count? }}";
        if (args.TextDocument?.Uri is null || (args.Range is null && args.Position is null)
            || (args.Range is not null && (args.Range.Start is null || args.Range.End is null)))
            throw new InvalidParamsException(expected);
        if (args.Range is not null && args.Position is not null)
            throw new InvalidParamsException($"{Name}: give a range (the text to fill) or a position (fill the blank near it), not both");
        if (args.Range is not null) TextDocumentSnapshot.RequireForwards(args.Range, Name);
        var count = args.Count ?? DefaultCount;
        if (count is < 1 or > 50) throw new InvalidParamsException($"{Name}: count must be from 1 to 50, got {count}");
        var document = documents.GetRequired(args.TextDocument.Uri);
        TextSpan span;
        if (args.Range is not null) span = new TextSpan(document.OffsetAt(args.Range.Start), document.OffsetAt(args.Range.End));
        else if (WordFinder.BlankNear(document.Text, document.OffsetAt(args.Position!), currentSettings().BlankMarkers) is { } blank) span = blank;
        else return new FillMaskResult([]);
        var range = document.RangeOf(span.Start, span.End);
        return await model.RunAsync(document.Uri, LspCommands.FillMask, WorkPriority.Interactive, new FillMaskResult([], range),
            (predictor, token) => new FillMaskResult(Candidates(predictor, document, span, count, token)
                .Select(c => new FillCandidateInfo(c.Text, c.Probability, c.PassageLogLikelihood)).ToArray(), range),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Candidates for the blank <paramref name="blank"/>; none when there is no text around it to predict from.</summary>
    public static IReadOnlyList<FillCandidate> Candidates(TextPredictor predictor, TextDocumentSnapshot document, TextSpan blank, int count, CancellationToken cancellationToken)
    {
        var left = TextContext.Left(document.Text, blank.Start);
        var right = TextContext.Right(document.Text, blank.End);
        if (string.IsNullOrWhiteSpace(left) && string.IsNullOrWhiteSpace(right)) return [];
        return predictor.FillIn(CacheKeys.Point(document.Uri), left, right, count, cancellationToken);
    }
}
