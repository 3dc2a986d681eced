using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Hosting;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;

namespace TransformerLsp.Server.Handlers.Workspace.Commands;

/// <summary>transformerLsp.fillMask: ranked candidates for the text in a range (the blank), using both sides.</summary>
internal sealed class FillMaskCommand(ServerContext context) : IWorkspaceCommand
{
    public const int DefaultCount = 5;

    public string Name => LspCommands.FillMask;

    public async Task<object?> ExecuteAsync(JsonElement argument, CancellationToken cancellationToken)
    {
        var args = LspJson.Read<FillMaskArguments>(argument, Name);
        if (args.TextDocument?.Uri is null || args.Range?.Start is null || args.Range.End is null)
            throw new InvalidParamsException($"{Name}: expected {{ textDocument: {{ uri }}, range: {{ start, end }}, count? }}");
        if (TextDocumentSnapshot.IsBackwards(args.Range))
            throw new InvalidParamsException($"{Name}: range end {args.Range.End.Line}:{args.Range.End.Character} is before its start {args.Range.Start.Line}:{args.Range.Start.Character}");
        int count = args.Count ?? DefaultCount;
        if (count is < 1 or > 50) throw new InvalidParamsException($"{Name}: count must be from 1 to 50, got {count}");
        var document = context.Documents.GetRequired(args.TextDocument.Uri);
        var span = new TextSpan(document.OffsetAt(args.Range.Start), document.OffsetAt(args.Range.End));
        var empty = new FillMaskResult([]);
        return await context.RunModelAsync(document.Uri, "fillMask", WorkPriority.Interactive, empty,
            (predictor, token) => new FillMaskResult(Candidates(predictor, document, span, count, token)
                .Select(c => new FillCandidateInfo(c.Text, c.Probability, c.PassageLogLikelihood)).ToArray()),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Candidates for the blank <paramref name="blank"/>; none when there is no text around it to predict from.</summary>
    public static IReadOnlyList<FillCandidate> Candidates(TextPredictor predictor, TextDocumentSnapshot document, TextSpan blank, int count, CancellationToken cancellationToken)
    {
        string left = TextContext.Left(document.Text, blank.Start);
        string right = TextContext.Right(document.Text, blank.End);
        if (string.IsNullOrWhiteSpace(left) && string.IsNullOrWhiteSpace(right)) return [];
        return predictor.FillIn(CacheKeys.Point(document.Uri), left, right, count, cancellationToken);
    }
}
