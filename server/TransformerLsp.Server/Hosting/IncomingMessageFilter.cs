using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace TransformerLsp.Server.Hosting;

/// <summary>
/// Sits between stdin and StreamJsonRpc: reads LSP frames leniently and passes on only well-formed JSON-RPC messages,
/// so that bad input costs one message, never the connection.
/// </summary>
/// <remarks>
/// <para>StreamJsonRpc treats a framing or parse error as fatal and disconnects. Here a frame with a missing or bad
/// Content-Length is skipped up to the next "Content-Length:" header; a body that is not a JSON object with a "method"
/// or an "id" is dropped; both are reported (stderr and window/logMessage) through <c>reportDropped</c>.</para>
/// <para>Repairs instead of drops: bytes that are not UTF-8 become U+FFFD, and \u escapes of lone surrogates (invalid
/// UTF-16, which System.Text.Json refuses) become \ufffd, so a document with binary junk still opens.</para>
/// </remarks>
internal sealed class IncomingMessageFilter(Action<string> reportDropped, Func<bool>? awaitingResponses = null)
{
    public const int MaxHeaderBytes = 8 * 1024;
    public const long MaxMessageBytes = 256L * 1024 * 1024;
    private static readonly byte[] ContentLengthName = "Content-Length:"u8.ToArray();

    public async Task RunAsync(Stream input, PipeWriter output, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                var header = await ReadHeaderAsync(reader, cancellationToken).ConfigureAwait(false);
                if (header is null) break;
                if (header.Value.Length is not { } length)
                {
                    reportDropped($"bad message header ({header.Value.Problem}); skipped to the next Content-Length header");
                    continue;
                }
                var body = await ReadBodyAsync(reader, length, cancellationToken).ConfigureAwait(false);
                if (body is null) break;
                var clean = Validate(body, awaitingResponses?.Invoke() ?? false, out string? problem);
                if (clean is null)
                {
                    reportDropped(problem ?? "malformed message");
                    continue;
                }
                WriteFrame(output, clean);
                var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The input is gone (closed, disposed, cancelled): that is a disconnect, which the host handles.
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private readonly record struct Header(long? Length, string? Problem);

    /// <summary>Reads up to the blank line after the headers; null at end of input.</summary>
    private static async Task<Header?> ReadHeaderAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            // Skip stray line breaks between messages.
            var seq = new SequenceReader<byte>(buffer);
            while (seq.TryPeek(out byte b) && (b == (byte)'\r' || b == (byte)'\n')) seq.Advance(1);
            buffer = buffer.Slice(seq.Position);

            if (TryFindHeaderEnd(buffer, out var headerEnd, out var afterHeader))
            {
                string text = Encoding.ASCII.GetString(buffer.Slice(0, headerEnd));
                reader.AdvanceTo(afterHeader);
                return ParseHeader(text);
            }
            if (buffer.Length > MaxHeaderBytes || (read.IsCompleted && buffer.Length > 0))
            {
                // Garbage: drop everything up to the next Content-Length header (or all of it).
                long next = IndexOf(buffer.Slice(1), ContentLengthName);
                long skip = next >= 0 ? next + 1 : read.IsCompleted ? buffer.Length : Math.Max(1, buffer.Length - ContentLengthName.Length);
                reader.AdvanceTo(buffer.GetPosition(skip));
                return new Header(null, $"no header end within {Math.Min(buffer.Length, MaxHeaderBytes)} bytes");
            }
            if (read.IsCompleted) { reader.AdvanceTo(buffer.End); return null; }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static Header ParseHeader(string text)
    {
        long? length = null;
        foreach (var line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue; // junk before the header; the Content-Length decides
            string name = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, out long n) || n < 0 || n > MaxMessageBytes) return new Header(null, $"bad Content-Length '{Shorten(value)}'");
                length = n;
            }
        }
        return length is null ? new Header(null, "no Content-Length") : new Header(length, null);
    }

    private static async Task<byte[]?> ReadBodyAsync(PipeReader reader, long length, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAtLeastAsync((int)Math.Min(length, int.MaxValue), cancellationToken).ConfigureAwait(false);
            if (read.Buffer.Length >= length)
            {
                var body = read.Buffer.Slice(0, length).ToArray();
                reader.AdvanceTo(read.Buffer.GetPosition(length));
                return body;
            }
            if (read.IsCompleted) { reader.AdvanceTo(read.Buffer.End); return null; }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>The message to forward (repaired when needed), or null with the reason.</summary>
    /// <param name="awaitingResponses">Whether the server has a request out; a response otherwise answers nothing
    /// (StreamJsonRpc would drop the connection over it).</param>
    internal static byte[]? Validate(byte[] body, bool awaitingResponses, out string? problem)
    {
        problem = null;
        if (!System.Text.Unicode.Utf8.IsValid(body)) body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body));
        if (body.AsSpan().IndexOf("\\u"u8) >= 0) body = RepairSurrogateEscapes(body);
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) { problem = $"message is a JSON {root.ValueKind}, not an object (batches are not part of LSP)"; return null; }
            bool hasMethod = root.TryGetProperty("method", out var method);
            if (hasMethod && method.ValueKind != JsonValueKind.String) { problem = $"message method is a JSON {method.ValueKind}, not a string"; return null; }
            bool hasId = root.TryGetProperty("id", out var id);
            if (hasId && !(id.ValueKind == JsonValueKind.String || (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out _)) || (id.ValueKind == JsonValueKind.Null && !hasMethod)))
            {
                problem = $"message id {Shorten(id.GetRawText())} is neither an integer nor a string";
                return null;
            }
            if (!hasMethod && !hasId) { problem = "message has neither a method nor an id"; return null; }
            if (!hasMethod && !awaitingResponses) { problem = $"response with id {Shorten(id.GetRawText())} answers no request of the server"; return null; }
            if (root.TryGetProperty("params", out var p) && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            {
                problem = $"message params is a JSON {p.ValueKind}; dropped {(hasMethod ? method.GetString() : "")}";
                return null;
            }
            return body;
        }
        catch (JsonException e)
        {
            problem = $"malformed JSON ({e.Message}): {Shorten(Encoding.UTF8.GetString(body))}";
            return null;
        }
    }

    /// <summary>Replaces \uD800-\uDFFF escapes that do not form a pair with \uFFFD.</summary>
    internal static byte[] RepairSurrogateEscapes(byte[] body)
    {
        string s = Encoding.UTF8.GetString(body);
        StringBuilder? sb = null;
        int copied = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length) continue;
            if (s[i + 1] != 'u') { i++; continue; }
            if (!TryHex(s, i + 2, out int unit)) { i++; continue; }
            if (unit is >= 0xD800 and <= 0xDBFF && i + 11 < s.Length + 0 && s[i + 6] == '\\' && s[i + 7] == 'u' && TryHex(s, i + 8, out int low) && low is >= 0xDC00 and <= 0xDFFF)
            {
                i += 11;
                continue;
            }
            if (unit is >= 0xD800 and <= 0xDFFF)
            {
                sb ??= new StringBuilder(s.Length);
                sb.Append(s, copied, i - copied).Append("\\ufffd");
                copied = i + 6;
            }
            i += 5;
        }
        if (sb is null) return body;
        sb.Append(s, copied, s.Length - copied);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static bool TryHex(string s, int at, out int value)
    {
        value = 0;
        if (at + 4 > s.Length) return false;
        return int.TryParse(s.AsSpan(at, 4), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    private static void WriteFrame(PipeWriter output, byte[] body)
    {
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        output.Write(header);
        output.Write(body);
    }

    private static bool TryFindHeaderEnd(ReadOnlySequence<byte> buffer, out long headerEnd, out SequencePosition afterHeader)
    {
        // Accept \r\n\r\n (the standard) and \n\n (lenient).
        long crlf = IndexOf(buffer, "\r\n\r\n"u8.ToArray()), lf = IndexOf(buffer, "\n\n"u8.ToArray());
        if (crlf >= 0 && (lf < 0 || crlf <= lf)) { headerEnd = crlf; afterHeader = buffer.GetPosition(crlf + 4); return true; }
        if (lf >= 0) { headerEnd = lf; afterHeader = buffer.GetPosition(lf + 2); return true; }
        headerEnd = -1;
        afterHeader = default;
        return false;
    }

    private static long IndexOf(ReadOnlySequence<byte> buffer, byte[] needle)
    {
        if (buffer.IsSingleSegment) return buffer.FirstSpan.IndexOf(needle);
        var span = buffer.Slice(0, Math.Min(buffer.Length, MaxHeaderBytes + 64)).ToArray();
        return span.AsSpan().IndexOf(needle);
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80].ReplaceLineEndings(" ") + "…" : s.ReplaceLineEndings(" ");
}
