namespace TransformerLsp.Server.Hosting;

/// <summary>
/// The server's output stream, shared by two writers: StreamJsonRpc, which writes a frame and then flushes, and
/// <see cref="IncomingMessageFilter"/>, which answers messages StreamJsonRpc never sees. What StreamJsonRpc writes is
/// held until its flush and then written as one piece, under the same lock as <see cref="WriteFrameAsync"/>, so two
/// frames never interleave.
/// </summary>
internal sealed class SerializedOutput(Stream inner) : Stream
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MemoryStream _pending = new();

    /// <summary>Writes one whole message (header and body) between the other writer's frames.</summary>
    public async Task WriteFrameAsync(byte[] body)
    {
        var header = IncomingMessageFilter.FrameHeader(body.Length);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await inner.WriteAsync(header).ConfigureAwait(false);
            await inner.WriteAsync(body).ConfigureAwait(false);
            await inner.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _pending.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pending.Length > 0)
            {
                await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken).ConfigureAwait(false);
                _pending.SetLength(0);
            }
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _pending.Dispose();
            _gate.Dispose();
        }
        base.Dispose(disposing);
    }
}
