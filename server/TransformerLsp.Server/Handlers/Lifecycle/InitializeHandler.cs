using System.Reflection;
using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Handlers.Lifecycle;

/// <summary>
/// initialize: reads settings from initializationOptions, the workspace folders and trust (initializationOptions
/// .workspaceTrusted), and answers the server's capabilities.
/// </summary>
internal sealed class InitializeHandler(ServerContext context) : IRequestHandler<InitializeParams, InitializeResult>
{
    public string Method => LspMethods.Initialize;
    public bool MutatesState => true;

    public static readonly ServerInfo Info = new("transformer-lsp",
        typeof(InitializeHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.1.0");

    public Task<InitializeResult> HandleAsync(InitializeParams request, CancellationToken cancellationToken)
    {
        if (context.Lifecycle != LifecycleState.Created)
            throw new InvalidRequestException("initialize was already called");
        context.ProgressSupported = Probe(request.Capabilities, "window", "workDoneProgress");
        if (request.Trace is { } trace) context.Trace = trace;
        context.WatchedFilesSupported = Probe(request.Capabilities, "workspace", "didChangeWatchedFiles", "dynamicRegistration");
        context.WorkspaceFolders = request.WorkspaceFolders is { } folders
            ? [.. folders.Select(f => WorkspaceFolderRef.FromUri(f?.Uri)).OfType<WorkspaceFolderRef>()]
            : WorkspaceFolderRef.FromUri(request.RootUri) is { } root ? [root] : [];
        if (request.InitializationOptions is { ValueKind: JsonValueKind.Object } options && options.TryGetProperty("workspaceTrusted", out var trusted)
            && trusted.ValueKind is JsonValueKind.True or JsonValueKind.False)
            context.WorkspaceTrusted = trusted.GetBoolean();
        context.ApplySettings(request.InitializationOptions, loadModel: false);
        context.Lifecycle = LifecycleState.Initialized;
        return Task.FromResult(new InitializeResult(new ServerCapabilities(), Info));
    }

    private static bool Probe(JsonElement? root, params string[] path)
    {
        if (root is not { ValueKind: JsonValueKind.Object } e) return false;
        foreach (var name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e)) return false;
        }
        return e.ValueKind == JsonValueKind.True;
    }
}

/// <summary>A request that is not valid in the current lifecycle state: -32600 InvalidRequest.</summary>
internal sealed class InvalidRequestException(string message) : Exception(message);
