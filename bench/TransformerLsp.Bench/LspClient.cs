using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TransformerLsp.Bench;

/// <summary>
/// A minimal LSP client over a child process's stdio (Content-Length framing, JSON-RPC 2.0): what an editor does,
/// nothing more. Server-to-client requests get an empty answer; notifications are offered to <see cref="Notification"/>.
/// </summary>
internal sealed class LspClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Task _readerTask;
    private readonly Task _errorTask;
    private readonly Queue<string> _stderrTail = new();
    private long _nextId;

    public event Action<string, JsonElement>? Notification;
    public DateTime StartedAt { get; }
    public long StartTimestamp { get; }
    public int ProcessId => _process.Id;

    private readonly TaskCompletionSource _modelReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the server reports its model ready (transformerLsp/status); faults when it reports an error.</summary>
    public Task ModelReady => _modelReady.Task;

    private LspClient(Process process, long startTimestamp)
    {
        Notification += (method, p) =>
        {
            if (method != "transformerLsp/status" || p.ValueKind != JsonValueKind.Object || !p.TryGetProperty("state", out var s)) return;
            if (s.GetString() == "ready") _modelReady.TrySetResult();
            else if (s.GetString() == "error") _modelReady.TrySetException(new InvalidOperationException("server reported a model error: " + p.GetRawText()));
        };
        _process = process;
        StartTimestamp = startTimestamp;
        StartedAt = DateTime.UtcNow;
        _input = process.StandardInput.BaseStream;
        _readerTask = Task.Run(ReadLoop);
        _errorTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
                lock (_stderrTail) { _stderrTail.Enqueue(line); if (_stderrTail.Count > 40) _stderrTail.Dequeue(); }
        });
    }

    /// <summary>Starts <c>dotnet serverDll --stdio</c> (or an executable) with the model folder in TRANSFORMER_LSP_MODEL,
    /// and <paramref name="environment"/> added to its environment.</summary>
    public static LspClient Start(string serverPath, string modelFolder, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = serverPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo("dotnet") { ArgumentList = { serverPath, "--stdio" } }
            : new ProcessStartInfo(serverPath) { ArgumentList = { "--stdio" } };
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["TRANSFORMER_LSP_MODEL"] = modelFolder;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        var t0 = Stopwatch.GetTimestamp();
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + serverPath);
        return new LspClient(p, t0);
    }

    public string StderrTail { get { lock (_stderrTail) return string.Join('\n', _stderrTail); } }

    /// <summary>Sends a request; returns its id and the task of its result (faults with <see cref="LspError"/> on an error response).</summary>
    public (long Id, Task<JsonElement> Result) Send(string method, object? parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        Write(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = ToNode(parameters) });
        return (id, tcs.Task);
    }

    /// <summary>A request awaited at most two minutes (TimeoutException), so a lost response cannot hang the benchmark.</summary>
    public Task<JsonElement> Request(string method, object? parameters) => Send(method, parameters).Result.WaitAsync(TimeSpan.FromMinutes(2));

    public void Notify(string method, object? parameters) =>
        Write(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = ToNode(parameters) });

    public void Cancel(long id) => Notify("$/cancelRequest", new { id });

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node,
        _ => JsonSerializer.SerializeToNode(value),
    };

    private void Write(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        _writeLock.Wait();
        try
        {
            _input.Write(header);
            _input.Write(body);
            _input.Flush();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoop()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 16];
        var filled = 0;
        try
        {
            while (true)
            {
                int headerEnd;
                while ((headerEnd = IndexOfHeaderEnd(buffer, filled)) < 0)
                {
                    if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    var n = await stream.ReadAsync(buffer.AsMemory(filled));
                    if (n == 0) return;
                    filled += n;
                }
                var header = Encoding.ASCII.GetString(buffer, 0, headerEnd);
                var length = 0;
                foreach (var line in header.Split("\r\n"))
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
                var total = headerEnd + 4 + length;
                if (buffer.Length < total) Array.Resize(ref buffer, Math.Max(total, buffer.Length * 2));
                while (filled < total)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled));
                    if (n == 0) return;
                    filled += n;
                }
                using (var doc = JsonDocument.Parse(buffer.AsMemory(headerEnd + 4, length)))
                    Dispatch(doc.RootElement);
                Buffer.BlockCopy(buffer, total, buffer, 0, filled - total);
                filled -= total;
            }
        }
        finally
        {
            foreach (var tcs in _pending.Values) tcs.TrySetException(new IOException("server closed its output. stderr:\n" + StderrTail));
        }
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int filled)
    {
        for (var i = 0; i + 3 < filled; i++)
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        return -1;
    }

    private void Dispatch(JsonElement message)
    {
        var hasMethod = message.TryGetProperty("method", out var method);
        var hasId = message.TryGetProperty("id", out var id);
        if (hasMethod && hasId)
        {
            // A server-to-client request (workspace/configuration, client/registerCapability, ...): answer it plainly.
            object? result = method.GetString() == "workspace/configuration" ? new JsonArray(new JsonObject()) : null;
            Write(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonNode.Parse(id.GetRawText()), ["result"] = ToNode(result) });
        }
        else if (hasMethod)
        {
            Notification?.Invoke(method.GetString() ?? "", message.TryGetProperty("params", out var p) ? p.Clone() : default);
        }
        else if (hasId && id.ValueKind == JsonValueKind.Number && _pending.TryRemove(id.GetInt64(), out var tcs))
        {
            if (message.TryGetProperty("error", out var error))
                tcs.TrySetException(new LspError(error.GetProperty("code").GetInt32(), error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : ""));
            else
                tcs.TrySetResult(message.TryGetProperty("result", out var r) ? r.Clone() : default);
        }
    }

    /// <summary>CPU time (user + system) of the server process so far, from /proc.</summary>
    public double CpuMs()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name; clock ticks are 100 per second on Linux.
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10.0;
    }

    /// <summary>A field of /proc/pid/status in MB (VmHWM = peak resident set, VmRSS = current).</summary>
    public double StatusMb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
        return double.NaN;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                var shutdown = Request("shutdown", null);
                await Task.WhenAny(shutdown, Task.Delay(5000));
                Notify("exit", null);
                using var cts = new CancellationTokenSource(5000);
                try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { }
            }
        }
        catch (IOException) { }
        finally
        {
            if (!_process.HasExited) _process.Kill();
            await Task.WhenAny(_readerTask, Task.Delay(2000));
            await Task.WhenAny(_errorTask, Task.Delay(2000));
            _process.Dispose();
        }
    }
}

internal sealed class LspError(int code, string message) : Exception($"LSP error {code}: {message}")
{
    public int Code { get; } = code;
}
