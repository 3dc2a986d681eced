using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Documents;

/// <summary>
/// textDocument/didClose: forgets the document, its prefix cache and its user text, clears its diagnostics, and has the
/// workspace text indexer read the file from disk again.
/// </summary>
internal sealed class DidCloseHandler(ServerContext context) : INotificationHandler<DidCloseTextDocumentParams>
{
    public string Method => LspMethods.DidClose;
    public bool MutatesState => true;

    public void Handle(DidCloseTextDocumentParams notification)
    {
        if (notification?.TextDocument?.Uri is not { } uri) return;
        context.Queue.CancelDocument(uri);
        context.Documents.Close(uri);
        Forget(context, uri);
    }

    /// <summary>Everything else the server holds for a document that is gone from the store (closed, or out of sync),
    /// once its work in flight is cancelled: user text, ghost-text memory, diagnostics and prefix caches.</summary>
    internal static void Forget(ServerContext context, string uri)
    {
        context.UserText.Remove(uri);
        context.GhostText.Forget(uri);
        context.Diagnostics.OnDocumentClosed(uri);
        _ = context.Queue.RunAsync<bool>(null, null, Scheduling.WorkPriority.Background, _ =>
        {
            foreach (var key in Scheduling.CacheKeys.All(uri)) context.Model.Predictor?.Forget(key);
            return true;
        }).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        // Last: the file on disk is indexed again (when workspace files are on and it is one of them).
        context.WorkspaceText.DocumentClosed(uri);
    }
}
