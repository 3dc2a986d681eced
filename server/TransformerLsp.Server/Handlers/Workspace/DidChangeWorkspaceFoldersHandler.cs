using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Handlers.Workspace;

/// <summary>workspace/didChangeWorkspaceFolders: updates the folders; the workspace text index follows (a rescan).</summary>
internal sealed class DidChangeWorkspaceFoldersHandler(ServerContext context) : INotificationHandler<DidChangeWorkspaceFoldersParams>
{
    public string Method => LspMethods.DidChangeWorkspaceFolders;
    public bool MutatesState => true;

    public void Handle(DidChangeWorkspaceFoldersParams notification)
    {
        if (notification?.Event is not { } change) return;
        var removed = (change.Removed ?? []).Select(f => f?.Uri).ToHashSet();
        var added = (change.Added ?? []).Select(f => WorkspaceFolderRef.FromUri(f?.Uri)).OfType<WorkspaceFolderRef>();
        context.WorkspaceFolders = [.. context.WorkspaceFolders.Where(f => !removed.Contains(f.Uri)).Concat(added).DistinctBy(f => f.Uri)];
        context.UpdateWorkspaceText();
    }
}
