using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Lifecycle;

/// <summary>$/setTrace: off | messages | verbose; with tracing on, each request is reported in $/logTrace.</summary>
internal sealed class SetTraceHandler(ServerContext context) : INotificationHandler<SetTraceParams>
{
    public string Method => LspMethods.SetTrace;
    public bool MutatesState => true;

    public void Handle(SetTraceParams notification)
    {
        if (notification?.Value is "off" or "messages" or "verbose") context.Trace = notification.Value;
    }
}
