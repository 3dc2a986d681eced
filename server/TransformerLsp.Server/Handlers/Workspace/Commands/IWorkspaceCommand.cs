using System.Text.Json;

namespace TransformerLsp.Server.Handlers.Workspace.Commands;

/// <summary>One command of workspace/executeCommand; it reads its first argument object.</summary>
internal interface IWorkspaceCommand
{
    string Name { get; }

    Task<object?> ExecuteAsync(JsonElement argument, CancellationToken cancellationToken);
}
