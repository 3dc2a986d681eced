using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nerdbank.Streams;
using TransformerLsp.Server.Hosting;

namespace TransformerLsp.Server.Tests.Support;

/// <summary>
/// Byte-level access to an in-process server, for input no well-behaved JSON-RPC library would send (bad headers,
/// malformed JSON) and for reading exact error codes.
/// </summary>
internal sealed class RawLspConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly List<JsonObject> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reader;

    public RawLspConnection()
    {
        var (client, server) = FullDuplexStream.CreatePair();
        _stream = client;
        Host = new LanguageServerHost(server, server, NullLoggerFactory.Instance);
        ServerRun = Task.Run(() => Host.RunAsync());
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Called on the reader thread with every message the server sends, as it arrives.</summary>
    public Action<JsonObject>? Observer { get; set; }

    public LanguageServerHost Host { get; }
    public Task<int> ServerRun { get; }

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public Task SendAsync(object message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        return SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);
    }

    public Task RequestAsync(int id, string method, object? parameters) => SendAsync(new { jsonrpc = "2.0", id, method, @params = parameters });

    public Task NotifyAsync(string method, object? parameters) => SendAsync(new { jsonrpc = "2.0", method, @params = parameters });

    /// <summary>The response to request <paramref name="id"/>.</summary>
    public Task<JsonObject> ResponseAsync(int id) => WaitForAsync(m => m["id"] is JsonValue v && v.TryGetValue<int>(out var got) && got == id && m["method"] is null);

    /// <summary>The messages received so far that match.</summary>
    public List<JsonObject> Received(Func<JsonObject, bool> match)
    {
        lock (_received) return _received.Where(match).ToList();
    }

    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match)
    {
        using var timeout = new CancellationTokenSource(LspTestClient.Timeout);
        var seen = 0;
        while (true)
        {
            lock (_received)
            {
                for (; seen < _received.Count; seen++)
                    if (match(_received[seen])) return _received[seen];
            }
            await _arrived.WaitAsync(timeout.Token);
        }
    }

    /// <summary>initialize + initialized with the given settings (no model by default, so nothing loads).</summary>
    public async Task InitializeAsync(object? settings = null)
    {
        await RequestAsync(1, "initialize", new { processId = (int?)null, capabilities = new { }, initializationOptions = settings ?? new { modelPath = "/nonexistent/model" } });
        await ResponseAsync(1);
        await NotifyAsync("initialized", new { });
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(chunk);
                if (n == 0) return;
                buffer.Write(chunk, 0, n);
                while (TryTakeMessage(buffer, out var message))
                {
                    Observer?.Invoke(message);
                    lock (_received) _received.Add(message);
                    _arrived.Release();
                }
            }
        }
        catch (Exception) { }
    }

    private static bool TryTakeMessage(MemoryStream buffer, out JsonObject message)
    {
        message = null!;
        var data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0) return false;
        var header = Encoding.ASCII.GetString(data[..headerEnd]);
        var length = int.Parse(header.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
        if (data.Length < headerEnd + 4 + length) return false;
        message = JsonNode.Parse(data.Slice(headerEnd + 4, length))!.AsObject();
        var rest = data[(headerEnd + 4 + length)..].ToArray();
        buffer.SetLength(0);
        buffer.Write(rest);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stream.Dispose();
        try { await ServerRun.WaitAsync(LspTestClient.Timeout); } catch { }
        await Host.DisposeAsync();
        try { await _reader; } catch { }
    }
}
