using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Handlers.Lifecycle;

/// <summary>initialized: the client is ready for our requests, so the model starts loading (with progress) now.</summary>
internal sealed class InitializedHandler(ServerContext context) : INotificationHandler<JsonElement?>
{
    public string Method => LspMethods.Initialized;
    public bool MutatesState => true;

    public void Handle(JsonElement? notification)
    {
        if (context.Lifecycle != LifecycleState.Initialized) return;
        context.ApplySettings(null, loadModel: true);
    }
}
