using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Lifecycle;

/// <summary>exit: ends the process with code 0 after shutdown, 1 without (LSP specification).</summary>
internal sealed class ExitHandler(ServerContext context) : INotificationHandler
{
    public string Method => LspMethods.Exit;
    public bool MutatesState => true;

    public void Handle()
    {
        var code = context.Lifecycle == LifecycleState.ShuttingDown ? 0 : 1;
        context.Lifecycle = LifecycleState.Exited;
        context.Exit.TrySetResult(code);
    }
}
