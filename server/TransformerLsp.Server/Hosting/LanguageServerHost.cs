using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.VisualStudio.Threading;
using StreamJsonRpc;
using TransformerLsp.Server.Handlers;
using TransformerLsp.Server.Handlers.CodeActions;
using TransformerLsp.Server.Handlers.Completion;
using TransformerLsp.Server.Handlers.Documents;
using TransformerLsp.Server.Handlers.Hover;
using TransformerLsp.Server.Handlers.InlineCompletion;
using TransformerLsp.Server.Handlers.Lifecycle;
using TransformerLsp.Server.Handlers.Workspace;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Session;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Hosting;

/// <summary>
/// Owns the transport: the one place that wires StreamJsonRpc (HeaderDelimitedMessageHandler + SystemTextJsonFormatter)
/// to the handlers, and decides the exit code.
/// </summary>
/// <remarks>
/// <para>Messages are dispatched in arrival order on a non-concurrent synchronization context, and every handler runs
/// under <see cref="HandlerOrder"/>: a handler that declares <see cref="ILspHandler.MutatesState"/> starts after the
/// mutations that arrived before it, and a read handler after those too, so each edit is applied before any later
/// message sees the state. Read handlers take their snapshot when they start and then await the inference queue, so
/// reads run concurrently with later messages.</para>
/// <para>Every request token is linked to shutdown. Errors map to codes here: bad input -32602, cancelled -32800,
/// superseded or stale -32801, before initialize -32002, after shutdown -32600, anything else -32603 for that request
/// only. A disconnect is handled as shutdown followed by exit (code 0).</para>
/// </remarks>
internal sealed class LanguageServerHost : System.IAsyncDisposable
{
    private readonly Stream _input;
    private readonly SerializedOutput _output;
    private readonly ServerContext _context;
    private readonly JsonRpc _rpc;
    private readonly Pipe _filtered = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HandlerOrder _order = new();
    private Task? _filterTask;

    public LanguageServerHost(Stream input, Stream output, ILoggerFactory loggerFactory)
    {
        _input = input;
        _output = new SerializedOutput(output);
        _context = new ServerContext(loggerFactory);
        var handler = new HeaderDelimitedMessageHandler(PipeWriter.Create(_output), _filtered.Reader, CreateFormatter());
        _rpc = new JsonRpc(handler)
        {
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
            CancelLocallyInvokedMethodsWhenConnectionIsClosed = true,
        };
        _context.Client.Attach(_rpc);
        Register();
    }

    public ServerContext Context => _context;

    // StreamJsonRpc 2.26 marks this constructor RequiresUnreferencedCode/RequiresDynamicCode ("a formatter that hasn't
    // been hardened to avoid dynamic code") as a whole. Its own guidance for NativeAOT is this formatter with a
    // source-generated TypeInfoResolver, which LspJson.Configure sets (LspJsonContext, the only resolver), so every
    // user type is read and written from generated metadata; the published binary passes the stdio LSP tests
    // (tests/lsp-e2e, run against it by client/test/run.sh) and the extension's end-to-end test.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Formatter given LspJsonContext as its only resolver; see above.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Formatter given LspJsonContext as its only resolver; see above.")]
    private static SystemTextJsonFormatter CreateFormatter()
    {
        var formatter = new SystemTextJsonFormatter();
        LspJson.Configure(formatter.JsonSerializerOptions);
        return formatter;
    }

    /// <summary>Serves until exit or disconnect; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var filter = new IncomingMessageFilter(problem =>
        {
            _context.Logger.LogWarning("Dropped a message: {Problem}", problem);
            _context.Client.LogMessage(MessageType.Error, "transformer-lsp dropped a message: " + problem);
        }, () => _context.Client.AwaitingResponses, _output.WriteFrameAsync);
        _filterTask = Task.Run(() => filter.RunAsync(_input, _filtered.Writer, linked.Token), CancellationToken.None);
        _rpc.StartListening();
        var completed = await Task.WhenAny(_context.Exit.Task, _rpc.Completion.ContinueWith(_ => 0, TaskScheduler.Default)).ConfigureAwait(false);
        int code;
        if (completed == _context.Exit.Task)
        {
            code = await _context.Exit.Task.ConfigureAwait(false);
        }
        else
        {
            _context.Logger.LogInformation("Client disconnected; shutting down");
            _context.Lifecycle = LifecycleState.ShuttingDown;
            _context.Exit.TrySetResult(0);
            code = 0;
        }
        _context.BeginShutdown();
        return code;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _context.Dispose();
        _rpc.Dispose();
        if (_filterTask is not null)
        {
            // A read of stdin cannot be cancelled once started: do not wait for it long (the process is ending).
            try { await _filterTask.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false); }
            catch (Exception e) { _context.Logger.LogDebug("Input pump ended: {Message}", e.Message); }
        }
        _stop.Dispose();
    }

    private void Register()
    {
        Add(new InitializeHandler(_context));
        Add(new InitializedHandler(_context));
        Add(new ShutdownHandler(_context));
        Add(new ExitHandler(_context));
        Add(new SetTraceHandler(_context));
        Add(new DidOpenHandler(_context));
        Add(new DidChangeHandler(_context));
        Add(new DidCloseHandler(_context));
        Add(new DidChangeConfigurationHandler(_context));
        Add(new DidChangeWorkspaceFoldersHandler(_context));
        Add(new DidChangeWatchedFilesHandler(_context));
        // Read handlers get only what they read: the documents, the current settings and the model runner.
        var documents = _context.Documents;
        Func<ServerSettings> settings = () => _context.Settings;
        var model = _context.Runner;
        Add(new ExecuteCommandHandler(documents, settings, model));
        Add(new CompletionHandler(documents, settings, model));
        Add(new CompletionResolveHandler(documents, model, () => _context.WorkspaceFolders.Select(f => f.Uri)));
        Add(new InlineCompletionHandler(documents, settings, model, _context.GhostText));
        Add(new HoverHandler(documents, settings, model));
        Add(new CodeActionHandler(documents, settings, model));
        // Accepted and ignored, so clients that send them see no errors in their logs.
        AddIgnored<JsonElement?>(LspMethods.DidSave);
    }

    // Params arrive as raw JSON and are read here, so that a wrong shape is -32602 InvalidParams with the reason
    // (StreamJsonRpc's own binding answers a generic -32000).
    private void Add<TParams, TResult>(IRequestHandler<TParams, TResult> handler)
    {
        Func<JsonElement, CancellationToken, Task<TResult>> invoke = (raw, cancellationToken) =>
            _order.Run(handler, () => InvokeAsync(handler, cancellationToken, token => handler.HandleAsync(ReadParams<TParams>(handler.Method, raw), token)));
        AddMethod(handler.Method, invoke);
    }

    private static TParams ReadParams<TParams>(string method, JsonElement raw)
    {
        if (raw.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            if (default(TParams) is null && typeof(TParams) != typeof(JsonElement?)) throw new InvalidParamsException($"{method}: params are required");
            return default!;
        }
        try
        {
            return raw.Deserialize(LspJson.IncomingInfo<TParams>()) ?? throw new InvalidParamsException($"{method}: params are required");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new InvalidParamsException($"{method}: invalid params: {e.Message}");
        }
    }

    private void Add<TResult>(IRequestHandler<TResult> handler)
    {
        Func<CancellationToken, Task<TResult>> invoke = cancellationToken => _order.Run(handler, () => InvokeAsync(handler, cancellationToken, handler.HandleAsync));
        AddMethod(handler.Method, invoke);
    }

    private void Add<TParams>(INotificationHandler<TParams> handler)
    {
        Action<JsonElement> invoke = raw => _order.Run(handler, () => Notify(handler, () => handler.Handle(ReadParams<TParams>(handler.Method, raw))));
        AddMethod(handler.Method, invoke);
    }

    private void Add(INotificationHandler handler)
    {
        Action invoke = () => _order.Run(handler, () => Notify(handler, handler.Handle));
        AddMethod(handler.Method, invoke);
    }

    private void AddIgnored<TParams>(string method)
    {
        Action<TParams> ignore = _ => { };
        AddMethod(method, ignore);
    }

    private void AddMethod(string method, Delegate handler)
    {
        _rpc.AddLocalRpcMethod(handler.Method, handler.Target, new JsonRpcMethodAttribute(method) { UseSingleObjectParameterDeserialization = true });
    }

    private void Notify(ILspHandler handler, Action handle)
    {
        var state = _context.Lifecycle;
        var allowed = handler.Method == LspMethods.Exit
            || (state == LifecycleState.Initialized && handler.Method != LspMethods.Initialize)
            || (state == LifecycleState.ShuttingDown && handler.Method == LspMethods.SetTrace);
        if (!allowed)
        {
            _context.Logger.LogDebug("Ignored {Method} in state {State}", handler.Method, state);
            return;
        }
        try
        {
            handle();
            Trace(handler.Method, null);
        }
        catch (InvalidParamsException e)
        {
            _context.Logger.LogWarning("Ignored {Method}: {Message}", handler.Method, e.Message);
            _context.Client.LogMessage(MessageType.Error, $"transformer-lsp ignored {handler.Method}: {e.Message}");
        }
        catch (Exception e)
        {
            _context.Logger.LogError(e, "{Method} failed", handler.Method);
            _context.Client.LogMessage(MessageType.Error, $"transformer-lsp: {handler.Method} failed: {e.Message}");
        }
    }

    private async Task<TResult> InvokeAsync<TResult>(ILspHandler handler, CancellationToken requestToken, Func<CancellationToken, Task<TResult>> handle)
    {
        var state = _context.Lifecycle;
        if (state == LifecycleState.Created && handler.Method != LspMethods.Initialize)
            throw Error(LspErrorCodes.ServerNotInitialized, $"{handler.Method}: the server is not initialized yet (send initialize first)");
        if (state >= LifecycleState.ShuttingDown)
            throw Error(LspErrorCodes.InvalidRequest, $"{handler.Method}: the server is shutting down");

        var started = Stopwatch.GetTimestamp();
        CancellationTokenSource linked;
        try { linked = CancellationTokenSource.CreateLinkedTokenSource(requestToken, _context.ShutdownToken); }
        catch (ObjectDisposedException) { throw Error(LspErrorCodes.InvalidRequest, $"{handler.Method}: the server is shutting down"); }
        using (linked)
        {
            try
            {
                var result = await handle(linked.Token).ConfigureAwait(false);
                Trace(handler.Method, started);
                return result;
            }
            catch (InvalidParamsException e) { throw Error(LspErrorCodes.InvalidParams, e.Message); }
            catch (InvalidRequestException e) { throw Error(LspErrorCodes.InvalidRequest, e.Message); }
            catch (WorkCancelledException e) when (e.Reason is CancelReason.Superseded or CancelReason.ContentModified)
            {
                throw Error(LspErrorCodes.ContentModified, e.Reason == CancelReason.Superseded
                    ? $"{handler.Method}: superseded by a newer request for the same document"
                    : $"{handler.Method}: the document changed");
            }
            catch (OperationCanceledException)
            {
                throw Error(LspErrorCodes.RequestCancelled, $"{handler.Method}: cancelled");
            }
            catch (LocalRpcException) { throw; }
            catch (Exception e)
            {
                _context.Logger.LogError(e, "{Method} failed", handler.Method);
                throw Error(LspErrorCodes.InternalError, $"{handler.Method} failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private void Trace(string method, long? started)
    {
        if (_context.Trace == "off") return;
        var message = started is { } s ? $"handled {method} in {Stopwatch.GetElapsedTime(s).TotalMilliseconds:0.0} ms" : $"handled {method}";
        _context.Client.Notify(LspMethods.LogTrace, new LogTraceParams(message));
    }

    private static LocalRpcException Error(int code, string message) => new(message) { ErrorCode = code };
}
