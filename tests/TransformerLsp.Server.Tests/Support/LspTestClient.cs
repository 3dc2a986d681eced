using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Nerdbank.Streams;
using StreamJsonRpc;
using TransformerLsp.Server.Hosting;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Session;

namespace TransformerLsp.Server.Tests.Support;

/// <summary>
/// An in-process server and a real StreamJsonRpc client over a full-duplex in-memory stream. Records every
/// notification the server sends and lets tests wait for one (no fixed sleeps).
/// </summary>
internal sealed class LspTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Stream _clientStream;
    private readonly List<(string Method, JsonElement Params)> _notifications = [];
    private readonly List<(string Method, TaskCompletionSource<JsonElement> Done, Func<JsonElement, bool> Match)> _waiters = [];

    public LspTestClient()
    {
        var (client, server) = FullDuplexStream.CreatePair();
        _clientStream = client;
        Host = new LanguageServerHost(server, server, NullLoggerFactory.Instance);
        ServerRun = Task.Run(() => Host.RunAsync());
        var formatter = new SystemTextJsonFormatter();
        LspJson.Configure(formatter.JsonSerializerOptions);
        // This side plays the editor and sends anonymous objects: reflection may serve what LspJsonContext does not.
        // The server's side keeps LspJsonContext as its only resolver, so a server type missing there still fails.
        formatter.JsonSerializerOptions.TypeInfoResolver = JsonTypeInfoResolver.Combine(LspJsonContext.Default, new DefaultJsonTypeInfoResolver());
        Rpc = new JsonRpc(new HeaderDelimitedMessageHandler(client, client, formatter));
        foreach (var method in new[] { LspMethods.Status, LspMethods.PublishDiagnostics, LspMethods.ShowMessage, LspMethods.LogMessage, LspMethods.Progress, LspMethods.LogTrace })
        {
            var name = method;
            Action<JsonElement> record = p => Record(name, p);
            Rpc.AddLocalRpcMethod(record.Method, record.Target, new JsonRpcMethodAttribute(name) { UseSingleObjectParameterDeserialization = true });
        }
        Func<JsonElement, object?> create = p => { Record(LspMethods.WorkDoneProgressCreate, p); return null; };
        Rpc.AddLocalRpcMethod(create.Method, create.Target, new JsonRpcMethodAttribute(LspMethods.WorkDoneProgressCreate) { UseSingleObjectParameterDeserialization = true });
        Rpc.StartListening();
    }

    public LanguageServerHost Host { get; }
    public ServerContext Context => Host.Context;
    public Task<int> ServerRun { get; }
    public JsonRpc Rpc { get; }

    /// <summary>initialize (+ initialized unless told not to) with the tiny model unless settings say otherwise.</summary>
    public async Task<JsonElement> InitializeAsync(object? settings = null, bool progress = false, bool sendInitialized = true)
    {
        settings ??= new { modelPath = TestModels.TinyModel };
        var capabilities = progress ? (object)new { window = new { workDoneProgress = true } } : new { };
        var result = await RequestAsync<JsonElement>(LspMethods.Initialize, new { processId = (int?)null, capabilities, initializationOptions = new { transformerLsp = settings } });
        if (sendInitialized) await NotifyAsync(LspMethods.Initialized, new { });
        return result;
    }

    /// <summary>Initializes with the tiny model and waits for status "ready".</summary>
    public async Task InitializeReadyAsync(object? settings = null)
    {
        await InitializeAsync(settings);
        var status = await WaitForNotificationAsync(LspMethods.Status, p => p.GetProperty("state").GetString() is "ready" or "error");
        Assert.True(status.GetProperty("state").GetString() == "ready", "model did not load: " + status);
    }

    public Task<T> RequestAsync<T>(string method, object? argument, CancellationToken cancellationToken = default) =>
        Rpc.InvokeWithParameterObjectAsync<T>(method, argument, cancellationToken).WaitAsync(Timeout, cancellationToken);

    public Task NotifyAsync(string method, object? argument) => Rpc.NotifyWithParameterObjectAsync(method, argument);

    public async Task OpenAsync(string uri, string text, string languageId = "markdown", int version = 1) =>
        await NotifyAsync(LspMethods.DidOpen, new { textDocument = new { uri, languageId, version, text } });

    public static object Position(int line, int character) => new { line, character };

    public static object TextPosition(string uri, int line, int character) => new { textDocument = new { uri }, position = new { line, character } };

    /// <summary>The first notification of <paramref name="method"/> (already received or future) that matches.</summary>
    public Task<JsonElement> WaitForNotificationAsync(string method, Func<JsonElement, bool>? match = null)
    {
        match ??= _ => true;
        lock (_notifications)
        {
            foreach (var (m, p) in _notifications)
                if (m == method && match(p)) return Task.FromResult(p);
            var done = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((method, done, match));
            return done.Task.WaitAsync(Timeout);
        }
    }

    public List<JsonElement> Notifications(string method)
    {
        lock (_notifications) return _notifications.Where(n => n.Method == method).Select(n => n.Params).ToList();
    }

    private void Record(string method, JsonElement parameters)
    {
        var copy = parameters.Clone();
        lock (_notifications)
        {
            _notifications.Add((method, copy));
            foreach (var w in _waiters.Where(w => w.Method == method && w.Match(copy)).ToList())
            {
                _waiters.Remove(w);
                w.Done.TrySetResult(copy);
            }
        }
    }

    /// <summary>shutdown + exit; returns the server's exit code.</summary>
    public async Task<int> ShutdownAndExitAsync()
    {
        await RequestAsync<JsonElement?>(LspMethods.Shutdown, null);
        await NotifyAsync(LspMethods.Exit, null);
        return await ServerRun.WaitAsync(Timeout);
    }

    /// <summary>Cuts the connection, as a crashed or killed client does.</summary>
    public void Disconnect() => _clientStream.Dispose();

    public async ValueTask DisposeAsync()
    {
        Rpc.Dispose();
        _clientStream.Dispose();
        try { await ServerRun.WaitAsync(Timeout); } catch { }
        await Host.DisposeAsync();
    }
}
