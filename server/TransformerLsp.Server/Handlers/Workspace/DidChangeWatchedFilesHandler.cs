using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Workspace;

/// <summary>
/// workspace/didChangeWatchedFiles (registered when workspace files are indexed and the client allows it): a created,
/// changed or deleted file is read again or removed from the user-text index; a changed .gitignore rescans.
/// </summary>
internal sealed class DidChangeWatchedFilesHandler(ServerContext context) : INotificationHandler<DidChangeWatchedFilesParams>
{
    public string Method => LspMethods.DidChangeWatchedFiles;
    public bool MutatesState => true;

    public void Handle(DidChangeWatchedFilesParams notification)
    {
        foreach (var change in notification?.Changes ?? [])
        {
            if (change?.Uri is { } uri) context.WorkspaceText.FileChanged(uri);
        }
    }
}
