using Microsoft.Extensions.Logging;
using TransformerLsp.Server.Hosting;
using TransformerLsp.Server.Protocol;

namespace TransformerLsp.Server.Handlers.Documents;

/// <summary>
/// textDocument/didChange (incremental): applies the edits, cancels work in flight for the document (its requests
/// answer -32801 ContentModified), updates the user-text index and reschedules diagnostics.
/// </summary>
/// <remarks>A backwards range is applied as if its ends were swapped (and logged); a change for an unopened document is logged and dropped.</remarks>
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
        context.Queue.CancelDocument(uri);
        int changedFrom = int.MaxValue;
        foreach (var change in notification.ContentChanges)
        {
            if (change?.Range is { } range)
            {
                if (TransformerLsp.Server.Documents.TextDocumentSnapshot.IsBackwards(range))
                    context.Logger.LogWarning("didChange with a backwards range in {Uri}; applying it with its ends swapped", uri);
                var current = context.Documents.Get(uri) ?? before;
                changedFrom = Math.Min(changedFrom, Math.Min(current.OffsetAt(range.Start), current.OffsetAt(range.End)));
            }
            else changedFrom = 0;
        }
        var after = context.Documents.Change(notification.TextDocument, notification.ContentChanges.Where(c => c is not null));
        if (after is null) return;
        context.UserText.Update(after);
        context.Diagnostics.OnDocumentChanged(after, changedFrom == int.MaxValue ? 0 : changedFrom);
    }
}
