using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using TransformerLsp.Server.Protocol;

namespace TransformerLsp.Server.Hosting;

/// <summary>
/// Sits between stdin and StreamJsonRpc: reads LSP frames leniently and passes on only well-formed JSON-RPC messages,
/// so that bad input costs one message, never the connection, and every request whose id can be read gets an answer.
/// </summary>
/// <remarks>
/// <para>StreamJsonRpc treats a framing or parse error as fatal and disconnects. Here:</para>
/// <list type="bullet">
/// <item>A header block without a usable Content-Length is dropped; the body that followed it becomes junk in front of
/// the next header, which is found by its "Content-Length:" wherever it starts, so the stream resynchronises on the
/// next frame. Junk that is a whole JSON request is answered (-32600, with its id).</item>
/// <item>A Content-Length that overstates the body (the next "Content-Length:" follows a complete JSON object inside
/// the declared length) frames only that object: it is answered (-32600) and the next frame is read from where it
/// starts. One that understates it leaves a body that is not JSON: -32700, then the rest is junk as above.</item>
/// <item>A body that is not JSON is answered -32700 with id null; one that is not a JSON-RPC request, notification or
/// awaited response is answered -32600 with its id when one can be read, else id null (JSON-RPC 2.0 §5.1), except a
/// notification, which is never answered, and a response, which answers nothing. Batches (arrays) are not part of
/// LSP: -32600, id null.</item>
/// </list>
/// <para>Each drop is reported (stderr and window/logMessage) through <c>reportDropped</c>; answers go through
/// <c>respond</c>, which writes a whole frame to the output between StreamJsonRpc's messages.</para>
/// <para>Repairs instead of drops: bytes that are not UTF-8 become U+FFFD, and \u escapes of lone surrogates (invalid
/// UTF-16, which System.Text.Json refuses) become \ufffd, so a document with binary junk still opens.</para>
/// </remarks>
internal sealed class IncomingMessageFilter(Action<string> reportDropped, Func<bool>? awaitingResponses = null,
    Func<byte[], Task>? respond = null)
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
                if (header.Value.Junk is { } junk) await HandleJunkAsync(junk).ConfigureAwait(false);
                if (header.Value.Length is not { } length)
                {
                    reportDropped($"bad message header ({header.Value.Problem}); skipped to the next Content-Length header");
                    continue;
                }
                var body = await ReadBodyAsync(reader, length, cancellationToken).ConfigureAwait(false);
                if (body is null) break;
                var verdict = Classify(body.Value.Bytes, awaitingResponses?.Invoke() ?? false);
                if (body.Value.Overstated)
                {
                    // A whole JSON object came with a Content-Length that reached into the next frame.
                    var problem = $"Content-Length {length} overstates the message ({body.Value.Bytes.Length} bytes before the next header)";
                    verdict = verdict.Forward is { } whole ? Reject(whole, problem) : verdict with { Problem = problem + "; " + verdict.Problem };
                }
                if (verdict.Forward is { } clean)
                {
                    WriteFrame(output, clean);
                    var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (flush.IsCompleted) break;
                    continue;
                }
                reportDropped(verdict.Problem ?? "malformed message");
                if (verdict.Response is { } response && respond is not null) await respond(response).ConfigureAwait(false);
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

    /// <summary>What to do with one message: forward it (repaired when needed), or drop it for a reason and perhaps
    /// answer it with an error response.</summary>
    internal readonly record struct Verdict(byte[]? Forward, string? Problem, byte[]? Response);

    internal readonly record struct Header(long? Length, string? Problem, byte[]? Junk);

    private readonly record struct Body(byte[] Bytes, bool Overstated);

    /// <summary>Bytes that came with no frame of their own (the body of a frame without Content-Length, the tail of a
    /// body whose Content-Length was too short): reported, and answered when they are a whole request.</summary>
    private async Task HandleJunkAsync(byte[] junk)
    {
        var verdict = Classify(junk, awaitingResponses: false);
        if (verdict.Forward is { } message)
        {
            reportDropped($"a message without a Content-Length header ({junk.Length} bytes) was not run");
            if (Reject(message, "the message had no Content-Length header and was not run").Response is { } answer && respond is not null)
                await respond(answer).ConfigureAwait(false);
            return;
        }
        reportDropped($"skipped {junk.Length} bytes outside any frame: {Shorten(Encoding.UTF8.GetString(junk))}");
    }

    /// <summary>Reads up to the blank line after the headers; null at end of input.</summary>
    private static async Task<Header?> ReadHeaderAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            // Skip stray line breaks between messages.
            var seq = new SequenceReader<byte>(buffer);
            while (seq.TryPeek(out var b) && (b == (byte)'\r' || b == (byte)'\n')) seq.Advance(1);
            buffer = buffer.Slice(seq.Position);

            if (TryFindHeaderEnd(buffer, out var headerEnd, out var afterHeader))
            {
                var block = buffer.Slice(0, headerEnd).ToArray();
                reader.AdvanceTo(afterHeader);
                return ParseHeader(block);
            }
            if (buffer.Length > MaxHeaderBytes || (read.IsCompleted && buffer.Length > 0))
            {
                // Garbage: drop everything up to the next Content-Length header (or all of it).
                var next = IndexOf(buffer.Slice(1), ContentLengthName);
                var skip = next >= 0 ? next + 1 : read.IsCompleted ? buffer.Length : Math.Max(1, buffer.Length - ContentLengthName.Length);
                reader.AdvanceTo(buffer.GetPosition(skip));
                return new Header(null, $"no header end within {Math.Min(buffer.Length, MaxHeaderBytes)} bytes", null);
            }
            if (read.IsCompleted) { reader.AdvanceTo(buffer.End); return null; }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The Content-Length of a header block. The last "Content-Length:" in the block counts, wherever it starts:
    /// what stands before it on its line, and any earlier line that is not a "Name: value" header, is junk left over
    /// from a broken frame (returned, to be reported).</summary>
    internal static Header ParseHeader(byte[] block)
    {
        // Latin-1 maps each byte to one char, so indices into the text are indices into the bytes.
        var text = Encoding.Latin1.GetString(block);
        var at = text.LastIndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return new Header(null, "no Content-Length", null);
        var lineStart = text.LastIndexOf('\n', at) + 1;
        var junk = new StringBuilder();
        foreach (var line in text[..lineStart].Split('\n'))
        {
            if (!IsHeaderLine(line)) junk.Append(line).Append('\n');
        }
        junk.Append(text, lineStart, at - lineStart);
        var junkText = junk.ToString().Trim();
        var junkBytes = junkText.Length > 0 ? Encoding.Latin1.GetBytes(junkText) : null;
        var lineEnd = text.IndexOf('\n', at);
        var value = text[(at + "Content-Length:".Length)..(lineEnd < 0 ? text.Length : lineEnd)].Trim();
        if (!long.TryParse(value, System.Globalization.NumberStyles.None, null, out var n) || n > MaxMessageBytes)
            return new Header(null, $"bad Content-Length '{Shorten(value)}'", junkBytes);
        return new Header(n, null, junkBytes);
    }

    private static bool IsHeaderLine(string line)
    {
        var t = line.TrimEnd('\r');
        if (t.Length == 0) return true;
        var colon = t.IndexOf(':');
        if (colon <= 0) return false;
        foreach (var c in t.AsSpan(0, colon)) if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        return true;
    }

    /// <summary>The body of a frame, or null at end of input. When a "Content-Length:" inside the declared length
    /// follows a complete JSON object, the Content-Length was too large: the body ends there (Overstated) and the
    /// next frame is read from the header, so the stream resynchronises without waiting for bytes that never come.</summary>
    private static async Task<Body?> ReadBodyAsync(PipeReader reader, long length, CancellationToken cancellationToken)
    {
        long scanned = 0;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            // A header that starts inside the declared length may end past it: look a header name's length further.
            var window = buffer.Slice(0, Math.Min(buffer.Length, length + ContentLengthName.Length));
            var cut = FindHeaderAfterObject(window, ref scanned);
            if (cut > 0 && cut < length)
            {
                var prefix = buffer.Slice(0, cut).ToArray();
                reader.AdvanceTo(buffer.GetPosition(cut));
                return new Body(prefix, Overstated: true);
            }
            if (buffer.Length >= length)
            {
                var body = buffer.Slice(0, length).ToArray();
                reader.AdvanceTo(buffer.GetPosition(length));
                return new Body(body, Overstated: false);
            }
            if (read.IsCompleted) { reader.AdvanceTo(buffer.End); return null; }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The offset of a "Content-Length:" that follows a complete JSON object at the start of the bytes, or -1.
    /// Only the bytes after <paramref name="scanned"/> are searched (a long body arrives in many reads).</summary>
    internal static long FindHeaderAfterObject(ReadOnlySequence<byte> bytes, ref long scanned)
    {
        var from = Math.Max(0, scanned - ContentLengthName.Length);
        scanned = bytes.Length;
        var seq = new SequenceReader<byte>(bytes.Slice(from));
        while (seq.TryAdvanceTo((byte)'C', advancePastDelimiter: false))
        {
            var at = from + seq.Consumed;
            if (seq.IsNext(ContentLengthName) && at > 0 && IsJsonObject(bytes.Slice(0, at))) return at;
            seq.Advance(1);
        }
        return -1;
    }

    private static bool IsJsonObject(ReadOnlySequence<byte> bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What to do with one message body (see the class remarks).</summary>
    /// <param name="body">The message body, as read (UTF-8 JSON, or not).</param>
    /// <param name="awaitingResponses">Whether the server has a request out; a response otherwise answers nothing
    /// (StreamJsonRpc would drop the connection over it).</param>
    internal static Verdict Classify(byte[] body, bool awaitingResponses)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body)) body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body));
        if (body.AsSpan().IndexOf("\\u"u8) >= 0) body = RepairSurrogateEscapes(body);
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return Invalid(null, "a batch (JSON array) of messages; batches are not part of LSP");
            if (root.ValueKind != JsonValueKind.Object)
                return Invalid(null, $"message is a JSON {root.ValueKind}, not an object");
            var hasMethod = root.TryGetProperty("method", out var method);
            var hasId = root.TryGetProperty("id", out var id);
            // An id that can be echoed back: a string or a number (a fraction is valid JSON-RPC, if discouraged).
            var idRaw = hasId && id.ValueKind is JsonValueKind.String or JsonValueKind.Number ? id.GetRawText() : null;
            var rpcId = id.ValueKind == JsonValueKind.String || (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out _));
            if (!hasMethod && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _)))
            {
                // A response: never answered. It passes only while the server awaits one.
                if (!awaitingResponses) return new Verdict(null, $"response with id {Shorten(id.GetRawText())} answers no request of the server", null);
                if (!rpcId && id.ValueKind != JsonValueKind.Null) return new Verdict(null, $"response id {Shorten(id.GetRawText())} is neither an integer nor a string", null);
                return new Verdict(body, null, null);
            }
            if (!hasMethod)
                return Invalid(idRaw, "message has no method and is not a response");
            if (method.ValueKind != JsonValueKind.String)
                return Invalid(idRaw, $"message method is a JSON {method.ValueKind}, not a string");
            if (hasId && !rpcId)
                return Invalid(idRaw, $"message id {Shorten(id.GetRawText())} is neither an integer nor a string");
            if (root.TryGetProperty("params", out var p) && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            {
                var problem = $"{method.GetString()}: params is a JSON {p.ValueKind}, not an object or array";
                // A notification is never answered, whatever is wrong with it.
                return hasId ? Invalid(idRaw, problem) : new Verdict(null, "notification dropped: " + problem, null);
            }
            return new Verdict(body, null, null);
        }
        catch (JsonException e)
        {
            var problem = $"malformed JSON ({e.Message}): {Shorten(Encoding.UTF8.GetString(body))}";
            return new Verdict(null, problem, ErrorResponse(null, LspErrorCodes.ParseError, "Parse error: " + problem));
        }
    }

    /// <summary>A forwardable request turned away for a reason: answered -32600 with its id.</summary>
    private static Verdict Reject(byte[] request, string problem)
    {
        using var doc = JsonDocument.Parse(request);
        var idRaw = doc.RootElement.TryGetProperty("id", out var id) ? id.GetRawText() : null;
        return new Verdict(null, problem, idRaw is null ? null : ErrorResponse(idRaw, LspErrorCodes.InvalidRequest, "Invalid Request: " + problem));
    }

    private static Verdict Invalid(string? idRaw, string problem) =>
        new(null, problem, ErrorResponse(idRaw, LspErrorCodes.InvalidRequest, "Invalid Request: " + problem));

    /// <summary>A JSON-RPC error response; <paramref name="idRaw"/> is the request's id as JSON text, or null.</summary>
    internal static byte[] ErrorResponse(string? idRaw, int code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            json.WritePropertyName("id");
            if (idRaw is null) json.WriteNullValue(); else json.WriteRawValue(idRaw);
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Replaces \uD800-\uDFFF escapes that do not form a pair with \uFFFD.</summary>
    internal static byte[] RepairSurrogateEscapes(byte[] body)
    {
        var s = Encoding.UTF8.GetString(body);
        StringBuilder? sb = null;
        var copied = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 >= s.Length) continue;
            if (s[i + 1] != 'u') { i++; continue; }
            if (!TryHex(s, i + 2, out var unit)) { i++; continue; }
            if (unit is >= 0xD800 and <= 0xDBFF && i + 11 < s.Length + 0 && s[i + 6] == '\\' && s[i + 7] == 'u' && TryHex(s, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
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

    /// <summary>The LSP header of a body of <paramref name="length"/> bytes (the only header the server writes).</summary>
    internal static byte[] FrameHeader(int length) => Encoding.ASCII.GetBytes($"Content-Length: {length}\r\n\r\n");

    private static void WriteFrame(PipeWriter output, byte[] body)
    {
        output.Write(FrameHeader(body.Length));
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
