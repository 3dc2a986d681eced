using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;

namespace TransformerLsp.Server.Handlers.Completion;

/// <summary>
/// completionItem/resolve: says where a selected suggestion comes from — the user's own text ("seen 3× in your text:
/// notes/plan.md"), the bundled corpus, or the model — from the share of its probability each part gives it
/// (<see cref="TextPredictor.Explain"/>). Only document names inside the workspace are shown, never their contents.
/// </summary>
internal sealed class CompletionResolveHandler(DocumentStore documents, ModelRunner model, Func<IEnumerable<string>> workspaceFolderUris) : IRequestHandler<CompletionItem, CompletionItem>
{
    public string Method => LspMethods.CompletionResolve;
    public bool MutatesState => false;

    public async Task<CompletionItem> HandleAsync(CompletionItem request, CancellationToken cancellationToken)
    {
        if (request.Data is not { } data || documents.Get(data.Uri) is not { } document) return request;
        var offset = Math.Clamp(data.Offset, 0, document.Text.Length);
        var source = await model.RunAsync(document.Uri, Method, WorkPriority.Interactive, SuggestionSource.None,
            (predictor, token) => predictor.Explain(document.Uri, TextContext.Left(document.Text, offset), data.Insert, token), cancellationToken).ConfigureAwait(false);
        var text = SourceDescription.Describe(source, key => SourceDescription.DocumentName(key, workspaceFolderUris()));
        return text is null ? request : request with { Documentation = new MarkupContent("markdown", text) };
    }
}
