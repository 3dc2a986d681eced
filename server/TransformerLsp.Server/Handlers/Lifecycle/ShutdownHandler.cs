using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Lifecycle;

/// <summary>shutdown: cancels all work, clears published diagnostics, and waits for exit.</summary>
internal sealed class ShutdownHandler(ServerContext context) : IRequestHandler<object?>
{
    public string Method => LspMethods.Shutdown;
    public bool MutatesState => true;

    public Task<object?> HandleAsync(CancellationToken cancellationToken)
    {
        context.BeginShutdown();
        return Task.FromResult<object?>(null);
    }
}
