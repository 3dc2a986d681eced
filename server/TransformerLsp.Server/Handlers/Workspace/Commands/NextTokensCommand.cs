using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;

namespace TransformerLsp.Server.Handlers.Workspace.Commands;

/// <summary>transformerLsp.nextTokens: the next-token distribution at a position, most probable first.</summary>
internal sealed class NextTokensCommand(DocumentStore documents, ModelRunner model) : IWorkspaceCommand
{
    public const int DefaultCount = 10;

    public string Name => LspCommands.NextTokens;

    public async Task<object?> ExecuteAsync(JsonElement argument, CancellationToken cancellationToken)
    {
        var args = LspJson.Read<NextTokensArguments>(argument, Name);
        if (args.TextDocument?.Uri is null || args.Position is null)
            throw new InvalidParamsException($"{Name}: expected {{ textDocument: {{ uri }}, position: {{ line, character }}, count? }}");
        var count = args.Count ?? DefaultCount;
        if (count is < 1 or > 200) throw new InvalidParamsException($"{Name}: count must be from 1 to 200, got {count}");
        var document = documents.GetRequired(args.TextDocument.Uri);
        var offset = document.OffsetAt(args.Position);
        return await model.RunAsync(document.Uri, LspCommands.NextTokens, WorkPriority.Interactive, new NextTokensResult([]),
            (predictor, token) => Compute(predictor, document, offset, count, token), cancellationToken).ConfigureAwait(false);
    }

    public static NextTokensResult Compute(TextPredictor predictor, TextDocumentSnapshot document, int offset, int count, CancellationToken cancellationToken) =>
        new(predictor.NextTokens(document.Uri, TextContext.Left(document.Text, offset), count, cancellationToken)
            .Select(t => new TokenInfo(t.TokenId, t.Text, t.Probability)).ToArray());
}
