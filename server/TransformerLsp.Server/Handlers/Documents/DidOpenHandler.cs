using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Documents;

/// <summary>textDocument/didOpen: stores the document (every language; features check the languages setting) and indexes its text.</summary>
internal sealed class DidOpenHandler(ServerContext context) : INotificationHandler<DidOpenTextDocumentParams>
{
    public string Method => LspMethods.DidOpen;
    public bool MutatesState => true;

    public void Handle(DidOpenTextDocumentParams notification)
    {
        if (notification?.TextDocument?.Uri is null) return;
        // Before the document's live text reaches the user-text index: from now on the file on disk is not read for it.
        context.WorkspaceText.DocumentOpened(notification.TextDocument.Uri);
        context.Queue.CancelDocument(notification.TextDocument.Uri);
        var snapshot = context.Documents.Open(notification.TextDocument);
        context.UserText.Update(snapshot);
        context.Diagnostics.OnDocumentChanged(snapshot, changedFrom: 0);
    }
}
