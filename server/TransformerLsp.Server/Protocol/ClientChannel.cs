using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace TransformerLsp.Server.Protocol;

/// <summary>
/// Everything the server sends to the client on its own initiative: notifications, showMessage/logMessage, progress,
/// diagnostics and transformerLsp/status. Safe to call before the connection exists and after it is gone (dropped).
/// </summary>
internal sealed class ClientChannel
{
    private readonly ILogger _logger;
    private JsonRpc? _rpc;
    private long _lastLatencyStatusTicks;

    public ClientChannel(ILogger logger) => _logger = logger;

    /// <summary>Minimum time between latency-only status notifications (the server README: at most every 250 ms).</summary>
    public static readonly TimeSpan LatencyStatusInterval = TimeSpan.FromMilliseconds(250);

    public void Attach(JsonRpc connection) => _rpc = connection;

    public void Notify<T>(string method, T argument)
    {
        var connection = _rpc;
        if (connection is null || connection.IsDisposed) return;
        _ = SendAsync(connection, method, argument);
    }

    // StreamJsonRpc marks the untyped-argument overloads RequiresUnreferencedCode because some formatters reflect over the
    // object to make named arguments; SystemTextJsonFormatter writes it whole through LspJsonContext (every argument type
    // the server sends is listed there, and a missing one fails the tests).
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Argument written by SystemTextJsonFormatter from LspJsonContext.")]
    private async Task SendAsync<T>(JsonRpc connection, string method, T argument)
    {
        try
        {
            await connection.NotifyWithParameterObjectAsync(method, argument).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            _logger.LogDebug("Dropped {Method}: connection gone", method);
        }
        catch (Exception e)
        {
            _logger.LogWarning("Could not send {Method}: {Message}", method, e.Message);
        }
    }

    private int _outstandingRequests;

    /// <summary>True while a request of ours waits for its response (the input filter drops unsolicited responses).</summary>
    public bool AwaitingResponses => Volatile.Read(ref _outstandingRequests) > 0;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Argument written by SystemTextJsonFormatter from LspJsonContext (see SendAsync).")]
    public async Task<object?> RequestAsync<T>(string method, T argument, CancellationToken cancellationToken)
    {
        var connection = _rpc ?? throw new InvalidOperationException("not connected");
        Interlocked.Increment(ref _outstandingRequests);
        try
        {
            return await connection.InvokeWithParameterObjectAsync<object?>(method, argument, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _outstandingRequests);
        }
    }

    public void ShowMessage(int type, string message) => Notify(LspMethods.ShowMessage, new ShowMessageParams(type, message));

    public void LogMessage(int type, string message) => Notify(LspMethods.LogMessage, new LogMessageParams(type, message));

    /// <summary>Sends transformerLsp/status: always for a state change, at most every 250 ms for a latency report.</summary>
    public void SendStatus(StatusParams status)
    {
        if (status.LastLatencyMs is not null)
        {
            var now = Stopwatch.GetTimestamp();
            var last = Interlocked.Read(ref _lastLatencyStatusTicks);
            if (last != 0 && Stopwatch.GetElapsedTime(last, now) < LatencyStatusInterval) return;
            if (Interlocked.CompareExchange(ref _lastLatencyStatusTicks, now, last) != last) return;
        }
        Notify(LspMethods.Status, status);
    }
}
