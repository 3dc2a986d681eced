using System.Diagnostics;
using System.Text.Json;

namespace TransformerLsp.Bench;

/// <summary>One request of the editor workload, kept so other engines can answer the same requests.</summary>
internal sealed record EditorRequest(string Kind, string TextBeforeCursor);

/// <summary>
/// Replays typing through the real server over stdio, as VS Code drives it: didChange on every key, a completion
/// request on every key, an inline-completion request after each word, and $/cancelRequest for requests still running
/// when the next key arrives. Keys follow a fixed cadence, so a slow answer gets cancelled as it would in an editor.
/// Then beam search (k = 4, 16 tokens) and fill-in (16 candidates) at the end of a 2,000- and a 100,000-token document.
/// </summary>
internal sealed class EditorReplay(ModelInfo info, Corpus corpus, string serverPath, bool quick, TextWriter log)
{
    public Samples Completion { get; } = new("completion");
    public Samples Inline { get; } = new("inline");
    public Dictionary<string, Samples> Commands { get; } = new()
    {
        ["beam_doc2k"] = new("beam 2k"),
        ["fillin_doc2k"] = new("fill-in 2k"),
        ["beam_doc100k"] = new("beam 100k"),
        ["fillin_doc100k"] = new("fill-in 100k"),
    };
    public Dictionary<string, double> Figures { get; } = [];
    public List<EditorRequest> Requests { get; } = [];
    public int TypingIntervalMs { get; init; } = 60;

    private int _version;

    public async Task RunAsync()
    {
        await using var client = LspClient.Start(serverPath, info.Folder);
        await client.Request("initialize", new
        {
            processId = Environment.ProcessId,
            clientInfo = new { name = "transformerlsp-bench" },
            rootUri = (string?)null,
            capabilities = new
            {
                general = new { positionEncodings = new[] { "utf-16" } },
                textDocument = new
                {
                    synchronization = new { didSave = false },
                    completion = new { completionItem = new { snippetSupport = false }, contextSupport = true },
                    inlineCompletion = new { dynamicRegistration = false },
                },
                workspace = new { configuration = true, executeCommand = new { } },
            },
            initializationOptions = new { transformerLsp = new { } },
        });
        client.Notify("initialized", new { });

        // The document the user types into: held-out paragraphs before the cursor, so requests have real context.
        var uri = "file:///bench/replay.txt";
        var text = corpus.Document(quick ? 600 : 1500, skip: 0);
        Open(client, uri, text);

        // Time from process start to the first non-empty completion (model load included).
        var first = Stopwatch.StartNew();
        while (true)
        {
            var items = await Complete(client, uri, text);
            if (items > 0) break;
            if (first.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException("no non-empty completion within 120 s. stderr:\n" + client.StderrTail);
            await Task.WhenAny(client.ModelReady, Task.Delay(10));
        }
        Figures["first_completion_ms"] = Stopwatch.GetElapsedTime(client.StartTimestamp).TotalMilliseconds;
        log.WriteLine($"  first non-empty completion {Figures["first_completion_ms"]:F0} ms after process start");

        // Warm-up: a few requests so the JIT has compiled the paths before timing.
        for (var i = 0; i < 3; i++) await Complete(client, uri, text);

        text = await TypeAsync(client, uri, text);

        Figures["rss_after_typing_mb"] = client.StatusMb("VmRSS");
        Figures["peak_rss_after_typing_mb"] = client.StatusMb("VmHWM");

        await CommandsAtDocumentEnd(client, "doc2k", corpus.Document(2000, skip: 3), quick ? 8 : 25);
        await CommandsAtDocumentEnd(client, "doc100k", corpus.Document(100_000, skip: 5), quick ? 8 : 25);
        Figures["peak_rss_mb"] = client.StatusMb("VmHWM");
        log.WriteLine($"  peak RSS {Figures["peak_rss_mb"]:F0} MB (after typing {Figures["peak_rss_after_typing_mb"]:F0} MB)");
    }

    /// <summary>
    /// Two typing phases over held-out paragraphs. Cadence: keys every <see cref="TypingIntervalMs"/> ms, superseded
    /// requests cancelled as VS Code does; it gives the share of requests answered in time, the cancellations and the CPU
    /// per key, but its latencies only cover the survivors. Closed loop: each key waits for its answers, so every request
    /// is timed; the p50 / p95 / p99 come from it.
    /// </summary>
    private async Task<string> TypeAsync(LspClient client, string uri, string text)
    {
        var typed = corpus.Paragraphs.Skip(corpus.Paragraphs.Count > 8 ? 4 : 0).Take(quick ? 3 : 8).ToList();
        var script = string.Concat(typed.Select(p => "\n\n" + p));
        var cadenceKeys = Math.Min(script.Length / 2, quick ? 300 : 1500);
        var closedKeys = Math.Min(script.Length - cadenceKeys, quick ? 200 : 1500);
        var cadenceCompletion = new Samples("completion (cadence)");
        var cadenceInline = new Samples("inline (cadence)");
        if (TypingIntervalMs > 0)
            text = await TypePhase(client, uri, text, script[..cadenceKeys], TypingIntervalMs, cadenceCompletion, cadenceInline, "cadence");
        text = await TypePhase(client, uri, text, script.Substring(cadenceKeys, closedKeys), 0, Completion, Inline, "closed_loop");
        Figures["cadence_completion_p50_ms"] = cadenceCompletion.Median;
        Figures["cadence_inline_p50_ms"] = cadenceInline.Median;
        return text;
    }

    private async Task<string> TypePhase(LspClient client, string uri, string text, string keysToType, int intervalMs, Samples completions, Samples inlines, string phase)
    {
        var outstanding = new List<Task>();
        (long Id, Task Task)? pendingCompletion = null, pendingInline = null;
        int keys = 0, cancelled = 0, empty = 0, inlineRequests = 0;
        var cpu0 = client.CpuMs();
        var clock = Stopwatch.StartNew();
        for (var c = 0; c < keysToType.Length; c++)
        {
            var key = keysToType[c];
            if (intervalMs == 0)
            {
                // Bounded: a request the server never answers is counted (below) instead of hanging the run.
                if (pendingCompletion is { } w1) await Task.WhenAny(w1.Task, Task.Delay(TimeSpan.FromSeconds(30)));
                if (pendingInline is { } w2) await Task.WhenAny(w2.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            }
            else
            {
                // Keep the cadence: key k goes out at k * interval.
                var due = keys * intervalMs - clock.Elapsed.TotalMilliseconds;
                if (due > 1) await Task.Delay(TimeSpan.FromMilliseconds(due));
            }
            keys++;
            if (keys % 100 == 0) log.WriteLine($"    {phase}: {keys} keys, {completions.Count} completions answered, {cancelled} cancelled, {clock.Elapsed.TotalSeconds:F0} s");
            if (pendingCompletion is { } pc && !pc.Task.IsCompleted) { client.Cancel(pc.Id); cancelled++; }
            if (pendingInline is { } pi && !pi.Task.IsCompleted) { client.Cancel(pi.Id); cancelled++; }
            var position = EndPosition(text);
            text += key;
            client.Notify("textDocument/didChange", new
            {
                textDocument = new { uri, version = ++_version },
                contentChanges = new[] { new { range = new { start = position, end = position }, text = key.ToString() } },
            });
            var end = EndPosition(text);
            Requests.Add(new EditorRequest("completion", text));
            var completion = Timed(client, "textDocument/completion", new
            {
                textDocument = new { uri },
                position = end,
                context = new { triggerKind = 1 },
            }, completions, () => Interlocked.Increment(ref empty));
            pendingCompletion = completion;
            outstanding.Add(completion.Task);
            var wordEnded = key == ' ' && text.Length > 1 && text[^2] != ' ' && text[^2] != '\n';
            if (wordEnded)
            {
                inlineRequests++;
                Requests.Add(new EditorRequest("inline", text));
                var inline = Timed(client, "textDocument/inlineCompletion", new
                {
                    textDocument = new { uri },
                    position = end,
                    context = new { triggerKind = 2 },
                }, inlines, null);
                pendingInline = inline;
                outstanding.Add(inline.Task);
            }
        }
        // LSP: every request gets a response, a cancelled one too (error -32800). Wait a bounded time, then report stragglers.
        var all = Task.WhenAll(outstanding);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all)
        {
            var unanswered = outstanding.Count(t => !t.IsCompleted);
            Figures[$"{phase}_unanswered_requests"] = unanswered;
            log.WriteLine($"  {unanswered} of {outstanding.Count} requests got no response within 60 s of the last key (LSP requires one, even when cancelled)");
        }
        else await all;
        var cpu = client.CpuMs() - cpu0;
        Figures[$"{phase}_keystrokes"] = keys;
        Figures[$"{phase}_cancelled_requests"] = cancelled;
        Figures[$"{phase}_empty_completions"] = empty;
        Figures[$"{phase}_cpu_ms_per_keystroke"] = cpu / keys;
        Figures[$"{phase}_wall_s"] = clock.Elapsed.TotalSeconds;
        Figures[$"{phase}_completion_answered_fraction"] = (double)completions.Count / keys;
        Figures[$"{phase}_inline_requests"] = inlineRequests;
        Figures[$"{phase}_inline_answered"] = inlines.Count;
        if (intervalMs > 0)
        {
            Figures["typing_interval_ms"] = intervalMs;
            Figures["cancelled_requests"] = cancelled;
            Figures["cpu_ms_per_keystroke"] = cpu / keys;
        }
        else if (!Figures.ContainsKey("cpu_ms_per_keystroke")) Figures["cpu_ms_per_keystroke"] = cpu / keys;
        log.WriteLine($"  {phase}: {keys} keys{(intervalMs > 0 ? $" every {intervalMs} ms" : ", each waiting for its answers")}: completion p50 {completions.Median:F1} / p95 {completions.Percentile(95):F1} ms "
            + $"({completions.Count} answered, {empty} empty), inline p50 {inlines.Median:F1} / p95 {inlines.Percentile(95):F1} ms ({inlines.Count} of {inlineRequests}), {cancelled} cancelled, CPU {cpu / keys:F1} ms per key");
        return text;
    }

    /// <summary>Sends a request and records its latency unless it was cancelled (error -32800) or superseded.</summary>
    private static (long Id, Task Task) Timed(LspClient client, string method, object parameters, Samples into, Action? onEmpty)
    {
        var t0 = Stopwatch.GetTimestamp();
        var (id, result) = client.Send(method, parameters);
        var task = result.ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                if (t.Exception?.InnerException is LspError { Code: -32800 or -32801 }) return;
                throw t.Exception!.InnerException!;
            }
            var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            lock (into) into.Add(ms);
            if (onEmpty is not null && CountItems(t.Result) == 0) onEmpty();
        }, TaskScheduler.Default);
        return (id, task);
    }

    private async Task<int> Complete(LspClient client, string uri, string text)
    {
        var result = await client.Request("textDocument/completion", new
        {
            textDocument = new { uri },
            position = EndPosition(text),
            context = new { triggerKind = 1 },
        });
        return CountItems(result);
    }

    internal static int CountItems(JsonElement result) => result.ValueKind switch
    {
        JsonValueKind.Array => result.GetArrayLength(),
        JsonValueKind.Object when result.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array => items.GetArrayLength(),
        _ => 0,
    };

    private void Open(LspClient client, string uri, string text) =>
        client.Notify("textDocument/didOpen", new { textDocument = new { uri, languageId = "plaintext", version = ++_version, text } });

    /// <summary>LSP position (UTF-16 code units, the default encoding) of the end of <paramref name="text"/>.</summary>
    internal static object EndPosition(string text)
    {
        int line = 0, lastBreak = -1;
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1)) { line++; lastBreak = i; }
        return new { line, character = text.Length - lastBreak - 1 };
    }

    /// <summary>Beam search at the end and fill-in of a blank near the end of a long document; each rerun follows a one-word edit at the end.</summary>
    private async Task CommandsAtDocumentEnd(LspClient client, string label, string body, int repeats)
    {
        var uri = $"file:///bench/{label}.txt";
        // The blank sits in the last sentence, with a right-hand context after it.
        var blankLine = "\n\nIt was a ___ day, and everyone in the town went down to the river to watch the boats.";
        var text = body + blankLine + "\n\nThe";
        Open(client, uri, text);
        Figures[$"{label}_tokens"] = corpus.CountTokens(text);
        var blankOffset = body.Length + blankLine.IndexOf("___", StringComparison.Ordinal);
        var (blankLineNo, blankChar) = LineChar(text, blankOffset);
        var beams = Commands[$"beam_{label}"];
        var fills = Commands[$"fillin_{label}"];
        for (var r = 0; r <= repeats; r++)
        {
            if (r > 0)
            {
                var at = EndPosition(text);
                text += " the";
                client.Notify("textDocument/didChange", new
                {
                    textDocument = new { uri, version = ++_version },
                    contentChanges = new[] { new { range = new { start = at, end = at }, text = " the" } },
                });
            }
            var t0 = Stopwatch.GetTimestamp();
            var beam = await client.Request("workspace/executeCommand", new
            {
                command = "transformerLsp.beamSearch",
                arguments = new object[] { new { textDocument = new { uri }, position = EndPosition(text), width = 4, maxTokens = 16 } },
            });
            var beamMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            t0 = Stopwatch.GetTimestamp();
            var fill = await client.Request("workspace/executeCommand", new
            {
                command = "transformerLsp.fillMask",
                arguments = new object[] { new { textDocument = new { uri }, range = new { start = new { line = blankLineNo, character = blankChar }, end = new { line = blankLineNo, character = blankChar + 3 } }, count = 16 } },
            });
            var fillMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (r == 0)
            {
                // The first call pays for the document's prefix (a cold cache): reported on its own.
                Figures[$"beam_{label}_first_ms"] = beamMs;
                Figures[$"fillin_{label}_first_ms"] = fillMs;
                Figures[$"beam_{label}_count"] = beam.ValueKind == JsonValueKind.Object && beam.TryGetProperty("beams", out var b) ? b.GetArrayLength() : 0;
                Figures[$"fillin_{label}_count"] = fill.ValueKind == JsonValueKind.Object && fill.TryGetProperty("candidates", out var f) ? f.GetArrayLength() : 0;
                continue;
            }
            beams.Add(beamMs);
            fills.Add(fillMs);
        }
        client.Notify("textDocument/didClose", new { textDocument = new { uri } });
        log.WriteLine($"  {label} ({Figures[$"{label}_tokens"]:F0} tokens): beam 4x16 p50 {beams.Median:F1} ms (first {Figures[$"beam_{label}_first_ms"]:F0}), fill-in 16 p50 {fills.Median:F1} ms (first {Figures[$"fillin_{label}_first_ms"]:F0})");
    }

    private static (int Line, int Character) LineChar(string text, int offset)
    {
        int line = 0, lastBreak = -1;
        for (var i = text.IndexOf('\n'); i >= 0 && i < offset; i = text.IndexOf('\n', i + 1)) { line++; lastBreak = i; }
        return (line, offset - lastBreak - 1);
    }
}
