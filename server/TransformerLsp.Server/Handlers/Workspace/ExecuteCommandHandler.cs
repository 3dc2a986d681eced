using System.Text.Json;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Handlers.Workspace.Commands;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.Workspace;

/// <summary>workspace/executeCommand: dispatches to the commands the server README lists; an unknown command is -32602.</summary>
internal sealed class ExecuteCommandHandler : IRequestHandler<ExecuteCommandParams, object?>
{
    private readonly Dictionary<string, IWorkspaceCommand> _commands;

    public ExecuteCommandHandler(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model)
    {
        IWorkspaceCommand[] all =
        [
            new BeamSearchCommand(documents, currentSettings, model),
            new FillMaskCommand(documents, currentSettings, model),
            new NextTokensCommand(documents, model),
        ];
        _commands = all.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public string Method => LspMethods.ExecuteCommand;
    public bool MutatesState => false;

    public Task<object?> HandleAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        if (request?.Command is null || !_commands.TryGetValue(request.Command, out var command))
            throw new InvalidParamsException($"unknown command '{request?.Command}'; known: {string.Join(", ", LspCommands.All)}");
        if (request.Arguments is not { Length: > 0 } || request.Arguments[0].ValueKind != JsonValueKind.Object)
            throw new InvalidParamsException($"{command.Name}: expected one argument object");
        return command.ExecuteAsync(request.Arguments[0], cancellationToken);
    }
}
