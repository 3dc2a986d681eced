using System.Text.Json;
using Microsoft.Extensions.Logging;
using TransformerLsp.Server.Diagnostics;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Session;

/// <summary>Where the server is in the LSP lifecycle.</summary>
internal enum LifecycleState { Created, Initialized, ShuttingDown, Exited }

/// <summary>
/// The state every handler shares: settings, documents, the model, the inference queue, the client channel and the
/// lifecycle. Handlers get it in their constructor and keep no state of their own.
/// </summary>
internal sealed class ServerContext : IDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private volatile ServerSettings _settings = new();
    private volatile LifecycleState _lifecycle = LifecycleState.Created;

    public ServerContext(ILoggerFactory loggerFactory)
    {
        Logger = loggerFactory.CreateLogger("transformer-lsp");
        Client = new ClientChannel(Logger);
        Queue = new InferenceQueue();
        Model = new ModelService(Queue, Client, Logger);
        Runner = new ModelRunner(Model, Queue, Client);
        Diagnostics = new DiagnosticsService(Documents, Model, Queue, Client, () => _settings, Logger, _shutdown.Token);
        UserText = new UserTextFeed(Documents, Model, () => _settings);
        // Workspace files go to the loaded model's index (thread-safe); a newly loaded model starts with an empty index,
        // so it gets the open documents again and the workspace files are read again.
        WorkspaceSink = new LoadedModelUserTextSink(Model);
        WorkspaceText = new WorkspaceTextIndexer((key, text) => WorkspaceSink.Set(key, text), key => WorkspaceSink.Remove(key), line =>
        {
            Logger.LogInformation("{Line}", line);
            Client.LogMessage(MessageType.Info, "Transformer LSP: " + line);
        });
        Model.PredictorLoaded += () =>
        {
            UserText.Resync();
            WorkspaceText.Reload();
        };
    }

    public ILogger Logger { get; }
    public DocumentStore Documents { get; } = new();
    /// <summary>The ghost text last shown per document (inline completion answers typing into it without the model).</summary>
    public GhostTextMemory GhostText { get; } = new();
    public InferenceQueue Queue { get; }
    public ClientChannel Client { get; }
    public ModelService Model { get; }
    /// <summary>What read handlers need of the model: queued work with the loaded predictor, latency reports.</summary>
    public ModelRunner Runner { get; }
    public DiagnosticsService Diagnostics { get; }
    /// <summary>Keeps the model's index of the user's text in step with the open documents.</summary>
    public UserTextFeed UserText { get; }
    public ServerSettings Settings => _settings;

    /// <summary>Where workspace files go: the loaded model's user-text index (tests substitute a recorder).</summary>
    public IUserTextSink WorkspaceSink { get; set; }
    /// <summary>Feeds <see cref="WorkspaceSink"/> the workspace's text files when userText.workspaceFiles is on.</summary>
    public WorkspaceTextIndexer WorkspaceText { get; }
    /// <summary>The workspace folders (initialize's workspaceFolders, else rootUri; then didChangeWorkspaceFolders).</summary>
    public IReadOnlyList<WorkspaceFolderRef> WorkspaceFolders { get; set; } = [];
    /// <summary>
    /// initializationOptions.workspaceTrusted (the VS Code client sends vscode.workspace.isTrusted). Null when the
    /// editor does not say: then the workspace counts as trusted, because files are read only after the user turned
    /// userText.workspaceFiles on.
    /// </summary>
    public bool? WorkspaceTrusted { get; set; }
    /// <summary>The client can register workspace/didChangeWatchedFiles dynamically.</summary>
    public bool WatchedFilesSupported { get; set; }
    private bool _watchedFilesRegistered;

    /// <summary>Gives the workspace text indexer the current settings, folders and trust (it rescans only on a change).</summary>
    public void UpdateWorkspaceText()
    {
        if (Lifecycle != LifecycleState.Initialized) return;
        var s = _settings;
        var scope = new WorkspaceScope(s.UserTextWorkspaceFiles, WorkspaceTrusted ?? true, WorkspaceFolders, ScanLimits.From(s));
        if (s.UserTextWorkspaceFiles && !scope.Trusted)
            Logger.LogInformation("Workspace text for suggestions: the workspace is not trusted; open documents only");
        WorkspaceText.Update(scope);
        if (scope.Active && WatchedFilesSupported && !_watchedFilesRegistered)
        {
            _watchedFilesRegistered = true;
            _ = RegisterWatchedFilesAsync(s.UserTextExtensions);
        }
    }

    // Registered once, when workspace files are first indexed, so editors watch nothing for users who did not opt in.
    // Extensions added later are picked up by the rescan their setting change causes, not by the watcher.
    private async Task RegisterWatchedFilesAsync(IReadOnlyList<string> extensions)
    {
        var glob = "**/*.{" + string.Join(",", extensions.Select(e => e.TrimStart('.'))) + "}";
        var registration = new Registration("transformerLsp.userText.watchedFiles", LspMethods.DidChangeWatchedFiles,
            new DidChangeWatchedFilesRegistrationOptions([new Protocol.FileSystemWatcher(glob), new Protocol.FileSystemWatcher("**/.gitignore")]));
        try
        {
            await Client.RequestAsync(LspMethods.RegisterCapability, new RegistrationParams([registration]), ShutdownToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Logger.LogInformation("Could not watch workspace files ({Message}); files saved outside the editor are re-read at the next rescan", e.Message);
        }
    }
    public LifecycleState Lifecycle { get => _lifecycle; set => _lifecycle = value; }

    /// <summary>Fires on shutdown; every request token is linked to it.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>The client asked for window/workDoneProgress.</summary>
    public bool ProgressSupported { get; set; }

    /// <summary>$/setTrace value: off, messages or verbose.</summary>
    public string Trace { get; set; } = "off";

    /// <summary>Set by the exit notification (0 after shutdown, 1 without) or by a disconnect.</summary>
    public TaskCompletionSource<int> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Overlays settings, reports bad values, and reloads the model when its settings changed.</summary>
    public void ApplySettings(JsonElement? raw, bool loadModel)
    {
        var problems = new List<string>();
        var before = _settings;
        var after = SettingsReader.Apply(before, raw, problems);
        _settings = after;
        foreach (var problem in problems)
        {
            Logger.LogWarning("Setting ignored: {Problem}", problem);
            Client.ShowMessage(MessageType.Warning, $"Transformer LSP: setting transformerLsp.{problem}; keeping the previous value.");
        }
        var modelChanged = before.ModelPath != after.ModelPath || before.ExecutionProvider != after.ExecutionProvider || before.Threads != after.Threads || before.ContextTokens != after.ContextTokens;
        if (loadModel || (modelChanged && Lifecycle == LifecycleState.Initialized))
            _ = Model.LoadAsync(after, ProgressSupported);
        if (!loadModel && !ReferenceEquals(before, after)) Diagnostics.RefreshAll();
        if (before.UserTextOpenDocuments != after.UserTextOpenDocuments || !before.Languages.SequenceEqual(after.Languages)) UserText.Resync();
        UpdateWorkspaceText();
    }

    public void BeginShutdown()
    {
        if (Lifecycle < LifecycleState.ShuttingDown) Lifecycle = LifecycleState.ShuttingDown;
        Diagnostics.ClearAll();
        WorkspaceText.Dispose();
        try { _shutdown.Cancel(); } catch (ObjectDisposedException) { }
        Queue.Dispose();
    }

    public void Dispose()
    {
        BeginShutdown();
        Diagnostics.Dispose();
        Model.Dispose();
        _shutdown.Dispose();
    }
}
