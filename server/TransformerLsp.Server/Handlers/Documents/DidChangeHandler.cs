using Microsoft.Extensions.Logging;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Documents;

/// <summary>
/// textDocument/didChange (incremental): applies the edits, cancels work in flight for the document (its requests
/// answer -32801 ContentModified), updates the user-text index and reschedules diagnostics.
/// </summary>
/// <remarks>
/// <para>A backwards range is applied as if its ends were swapped (and logged); a change for an unopened document is
/// logged and dropped; a version lower than the document's is logged and applied (the editor's text is the truth).</para>
/// <para>A malformed change (say, a range without an end) is one the editor applied and the server cannot, so the
/// server's text would silently drift from the editor's. LSP has no resync request; like clangd, the server then
/// forgets the document, says so (stderr, window/logMessage, one window/showMessage) and answers its requests -32602
/// "out of sync" until the client opens it again.</para>
/// </remarks>
internal sealed class DidChangeHandler(ServerContext context) : INotificationHandler<DidChangeTextDocumentParams>
{
    public string Method => LspMethods.DidChange;
    public bool MutatesState => true;

    public void Handle(DidChangeTextDocumentParams notification)
    {
        if (notification?.TextDocument?.Uri is not { } uri || notification.ContentChanges is null) return;
        var before = context.Documents.Get(uri);
        if (before is null)
        {
            context.Logger.LogWarning("didChange for a document that is not open: {Uri}", uri);
            return;
        }
        var changes = new List<TextDocumentContentChangeEvent>();
        foreach (var (change, problem) in notification.ReadChanges())
        {
            if (problem is not null)
            {
                LoseTrack(uri, problem);
                return;
            }
            changes.Add(change!);
        }
        context.Queue.CancelDocument(uri);
        var changedFrom = int.MaxValue;
        foreach (var change in changes)
        {
            if (change.Range is { } range)
            {
                if (TransformerLsp.Server.Documents.TextDocumentSnapshot.IsBackwards(range))
                    context.Logger.LogWarning("didChange with a backwards range in {Uri}; applying it with its ends swapped", uri);
                changedFrom = Math.Min(changedFrom, Math.Min(before.OffsetAt(range.Start), before.OffsetAt(range.End)));
            }
            else changedFrom = 0;
        }
        var after = context.Documents.Change(notification.TextDocument, changes);
        if (after is null) return;
        // Told after the change is applied, so whoever reads the warning finds the document as it says.
        if (notification.TextDocument.Version < before.Version)
        {
            var message = $"didChange for {uri} goes back from version {before.Version} to {notification.TextDocument.Version}; applied anyway";
            context.Logger.LogWarning("{Message}", message);
            context.Client.LogMessage(MessageType.Warning, "transformer-lsp: " + message);
        }
        context.UserText.Update(after);
        context.Diagnostics.OnDocumentChanged(after, changedFrom == int.MaxValue ? 0 : changedFrom);
    }

    private void LoseTrack(string uri, string problem)
    {
        var why = "a didChange had a malformed change: " + problem;
        context.Logger.LogError("Lost track of {Uri}: {Why}; it is forgotten until the client opens it again", uri, why);
        context.Client.LogMessage(MessageType.Error, $"transformer-lsp lost track of {uri}: {why}");
        context.Client.ShowMessage(MessageType.Warning, $"TransformerLsp lost track of {uri[(uri.LastIndexOf('/') + 1)..]} after an " +
            "edit it could not read; close and reopen the file to get suggestions again.");
        context.Queue.CancelDocument(uri);
        context.Documents.LoseTrack(uri, why);
        DidCloseHandler.Forget(context, uri);
    }
}
