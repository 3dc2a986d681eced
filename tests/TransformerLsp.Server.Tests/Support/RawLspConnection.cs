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
    private readonly Stream stream;
    private readonly List<JsonObject> received = [];
    private readonly SemaphoreSlim arrived = new(0);
    private readonly Task reader;

    public RawLspConnection()
    {
        var (client, server) = FullDuplexStream.CreatePair();
        stream = client;
        Host = new LanguageServerHost(server, server, NullLoggerFactory.Instance);
        ServerRun = Task.Run(() => Host.RunAsync());
        reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Called on the reader thread with every message the server sends, as it arrives.</summary>
    public Action<JsonObject>? Observer { get; set; }

    public LanguageServerHost Host { get; }
    public Task<int> ServerRun { get; }

    public async Task SendRawAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public Task SendAsync(object message)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(message);
        return SendRawAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);
    }

    public Task RequestAsync(int id, string method, object? parameters) => SendAsync(new { jsonrpc = "2.0", id, method, @params = parameters });

    public Task NotifyAsync(string method, object? parameters) => SendAsync(new { jsonrpc = "2.0", method, @params = parameters });

    /// <summary>The response to request <paramref name="id"/>.</summary>
    public Task<JsonObject> ResponseAsync(int id) => WaitForAsync(m => m["id"] is JsonValue v && v.TryGetValue<int>(out int got) && got == id && m["method"] is null);

    /// <summary>The messages received so far that match.</summary>
    public List<JsonObject> Received(Func<JsonObject, bool> match)
    {
        lock (received) return received.Where(match).ToList();
    }

    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match)
    {
        using var timeout = new CancellationTokenSource(LspTestClient.Timeout);
        int seen = 0;
        while (true)
        {
            lock (received)
            {
                for (; seen < received.Count; seen++)
                    if (match(received[seen])) return received[seen];
            }
            await arrived.WaitAsync(timeout.Token);
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
                int n = await stream.ReadAsync(chunk);
                if (n == 0) return;
                buffer.Write(chunk, 0, n);
                while (TryTakeMessage(buffer, out var message))
                {
                    Observer?.Invoke(message);
                    lock (received) received.Add(message);
                    arrived.Release();
                }
            }
        }
        catch (Exception) { }
    }

    private static bool TryTakeMessage(MemoryStream buffer, out JsonObject message)
    {
        message = null!;
        var data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        int headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0) return false;
        string header = Encoding.ASCII.GetString(data[..headerEnd]);
        int length = int.Parse(header.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim());
        if (data.Length < headerEnd + 4 + length) return false;
        message = JsonNode.Parse(data.Slice(headerEnd + 4, length))!.AsObject();
        var rest = data[(headerEnd + 4 + length)..].ToArray();
        buffer.SetLength(0);
        buffer.Write(rest);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        stream.Dispose();
        try { await ServerRun.WaitAsync(LspTestClient.Timeout); } catch { }
        await Host.DisposeAsync();
        try { await reader; } catch { }
    }
}
