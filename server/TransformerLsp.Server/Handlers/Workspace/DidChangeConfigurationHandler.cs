using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Workspace;

/// <summary>workspace/didChangeConfiguration: overlays the new `transformerLsp` settings (bad values are reported and ignored).</summary>
internal sealed class DidChangeConfigurationHandler(ServerContext context) : INotificationHandler<DidChangeConfigurationParams>
{
    public string Method => LspMethods.DidChangeConfiguration;
    public bool MutatesState => true;

    public void Handle(DidChangeConfigurationParams notification) => context.ApplySettings(notification?.Settings, loadModel: false);
}
