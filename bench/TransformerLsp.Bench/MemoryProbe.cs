using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TransformerLsp.Bench;

/// <summary>
/// Issue 13's memory and load figures, through the real server over stdio (each part on a fresh server):
/// <list type="bullet">
/// <item>the improbable-word diagnostics pass on documents of 1 KB, 100 KB, 1 MB (the default maxDocumentSize) and 10 MB
/// (above it: no pass, the document store and the user-text index only): RSS when ready, peak (VmHWM) and after;</item>
/// <item>the soak: keys typed one at a time, a completion on every key and an inline completion on every key, RSS every
/// 100 keys, and the trend of its second half in MB per 1,000 keys;</item>
/// <item>the load: completions over 40 documents with edits and cancels sent without waiting, every request's one
/// response counted, then the time a valid request takes to be answered.</item>
/// </list>
/// </summary>
internal sealed class MemoryProbe(ModelInfo info, Corpus corpus, string serverPath, bool quick, TextWriter log)
{
    public JsonObject Result { get; } = [];

    /// <summary>The soak's (keys, RSS MB) samples, for the chart.</summary>
    public List<(int Keys, double RssMb)> Soak { get; } = [];

    public async Task RunAsync()
    {
        var passes = new JsonArray();
        foreach (var chars in quick ? new[] { 1_000, 100_000 } : [1_000, 100_000, 1_000_000, 10_000_000])
            passes.Add(await DiagnosticsPass(chars));
        Result["diagnostics_pass"] = passes;
        Result["soak"] = await SoakAsync(quick ? 600 : 3000);
        Result["load"] = await LoadAsync(documents: 40, completions: quick ? 500 : 2000, edits: quick ? 125 : 500, cancels: quick ? 250 : 1000);
    }

    private async Task<JsonObject> DiagnosticsPass(int chars)
    {
        await using var client = await StartAsync(diagnostics: true);
        var ready = client.StatusMb("VmRSS");
        var uri = $"file:///bench/memory-{chars}.txt";
        var published = new SemaphoreSlim(0);
        var count = 0;
        client.Notification += (method, p) =>
        {
            if (method != "textDocument/publishDiagnostics" || p.GetProperty("uri").GetString() != uri) return;
            count = p.GetProperty("diagnostics").GetArrayLength();
            published.Release();
        };
        var text = Text(chars);
        var clock = Stopwatch.StartNew();
        client.Notify("textDocument/didOpen", new { textDocument = new { uri, languageId = "plaintext", version = 1, text } });
        // The blank-marker hints come at once; the pass's own publish follows it, unless the document is over maxDocumentSize.
        var expected = chars <= 1_000_000 ? 2 : 1;
        for (var i = 0; i < expected; i++)
            if (!await published.WaitAsync(TimeSpan.FromMinutes(10)))
                throw new TimeoutException($"no diagnostics for a {chars}-character document within 10 minutes");
        var seconds = clock.Elapsed.TotalSeconds;
        var row = new JsonObject
        {
            ["chars"] = chars,
            ["pass"] = expected == 2,
            ["pass_s"] = Report.Number(seconds),
            ["diagnostics"] = count,
            ["rss_ready_mb"] = Mb(ready),
            ["peak_rss_mb"] = Mb(client.StatusMb("VmHWM")),
            ["rss_after_mb"] = Mb(client.StatusMb("VmRSS")),
        };
        log.WriteLine($"  diagnostics, {chars:N0} chars: {(expected == 2 ? $"pass in {seconds:F0} s, {count} diagnostics" : "over maxDocumentSize, no pass")}; RSS ready {ready:F0} MB, peak {row["peak_rss_mb"]} MB, after {row["rss_after_mb"]} MB");
        return row;
    }

    private async Task<JsonObject> SoakAsync(int keys)
    {
        await using var client = await StartAsync(diagnostics: false);
        var uri = "file:///bench/soak.txt";
        var text = corpus.Document(600, skip: 0);
        var version = 1;
        client.Notify("textDocument/didOpen", new { textDocument = new { uri, languageId = "plaintext", version, text } });
        var script = string.Concat(corpus.Paragraphs.Select(p => "\n\n" + p));
        while (script.Length < keys) script += script;
        Soak.Add((0, client.StatusMb("VmRSS")));
        var clock = Stopwatch.StartNew();
        for (var k = 1; k <= keys; k++)
        {
            var at = EditorReplay.EndPosition(text);
            text += script[k - 1];
            client.Notify("textDocument/didChange", new
            {
                textDocument = new { uri, version = ++version },
                contentChanges = new[] { new { range = new { start = at, end = at }, text = script[k - 1].ToString() } },
            });
            var end = EditorReplay.EndPosition(text);
            await Task.WhenAll(
                client.Request("textDocument/completion", new { textDocument = new { uri }, position = end, context = new { triggerKind = 1 } }),
                client.Request("textDocument/inlineCompletion", new { textDocument = new { uri }, position = end, context = new { triggerKind = 1 } }));
            if (k % 100 == 0)
            {
                Soak.Add((k, client.StatusMb("VmRSS")));
                if (k % 500 == 0) log.WriteLine($"    soak: {k} keys, RSS {Soak[^1].RssMb:F0} MB, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }
        // The trend of the second half (after the caches have filled): least-squares slope in MB per 1,000 keys.
        var half = Soak.Skip(Soak.Count / 2).ToList();
        double mx = half.Average(s => s.Keys), my = half.Average(s => s.RssMb);
        var slope = half.Sum(s => (s.Keys - mx) * (s.RssMb - my)) / half.Sum(s => (s.Keys - mx) * (s.Keys - mx)) * 1000;
        var result = new JsonObject
        {
            ["keys"] = keys,
            ["wall_s"] = Report.Number(clock.Elapsed.TotalSeconds),
            ["rss_start_mb"] = Mb(Soak[0].RssMb),
            ["rss_end_mb"] = Mb(Soak[^1].RssMb),
            ["peak_rss_mb"] = Mb(client.StatusMb("VmHWM")),
            ["second_half_mb_per_1000_keys"] = Report.Number(slope),
            ["rss_mb_every_100_keys"] = new JsonArray(Soak.Select(s => (JsonNode)Mb(s.RssMb)).ToArray()),
        };
        log.WriteLine($"  soak: {keys} keys (completion + inline each): RSS {Soak[0].RssMb:F0} -> {Soak[^1].RssMb:F0} MB, peak {result["peak_rss_mb"]} MB, second half {slope:F1} MB per 1,000 keys");
        return result;
    }

    private async Task<JsonObject> LoadAsync(int documents, int completions, int edits, int cancels)
    {
        await using var client = await StartAsync(diagnostics: false);
        var texts = new string[documents];
        var versions = new int[documents];
        for (var d = 0; d < documents; d++)
        {
            texts[d] = corpus.Document(200, skip: d % 7);
            versions[d] = 1;
            client.Notify("textDocument/didOpen", new { textDocument = new { uri = Uri(d), languageId = "plaintext", version = 1, text = texts[d] } });
        }
        var random = new Random(13);
        var requests = new List<Task<JsonElement>>();
        var ids = new List<long>();
        int editEvery = Math.Max(1, completions / Math.Max(1, edits)), cancelEvery = Math.Max(1, completions / Math.Max(1, cancels));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < completions; i++)
        {
            var d = random.Next(documents);
            if (i % editEvery == 0)
            {
                var at = EditorReplay.EndPosition(texts[d]);
                texts[d] += " the";
                client.Notify("textDocument/didChange", new
                {
                    textDocument = new { uri = Uri(d), version = ++versions[d] },
                    contentChanges = new[] { new { range = new { start = at, end = at }, text = " the" } },
                });
            }
            var (id, task) = client.Send("textDocument/completion", new { textDocument = new { uri = Uri(d) }, position = EditorReplay.EndPosition(texts[d]), context = new { triggerKind = 1 } });
            requests.Add(task);
            ids.Add(id);
            if (i % cancelEvery == 0) client.Cancel(ids[random.Next(ids.Count)]);
        }
        var all = Task.WhenAll(requests.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromMinutes(5)));
        var allAnsweredS = clock.Elapsed.TotalSeconds;
        var answered = requests.Count(t => t.IsCompleted);
        var results = requests.Count(t => t.IsCompletedSuccessfully);
        var errorCodes = requests.Where(t => t.IsFaulted).GroupBy(t => t.Exception?.InnerException is LspError e ? e.Code.ToString(CultureInfo.InvariantCulture) : "other")
            .ToDictionary(g => g.Key, g => g.Count());
        var cancelled = errorCodes.GetValueOrDefault("-32800");
        var otherErrors = requests.Count(t => t.IsFaulted) - cancelled;
        var probe = Stopwatch.StartNew();
        await client.Request("textDocument/completion", new { textDocument = new { uri = Uri(0) }, position = EditorReplay.EndPosition(texts[0]), context = new { triggerKind = 1 } });
        var probeMs = probe.Elapsed.TotalMilliseconds;
        var result = new JsonObject
        {
            ["documents"] = documents,
            ["completions"] = completions,
            ["edits"] = edits,
            ["cancels"] = cancels,
            ["answered"] = answered,
            ["results"] = results,
            ["cancelled"] = cancelled,
            ["other_errors"] = otherErrors,
            ["errors_by_code"] = new JsonObject(errorCodes.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["all_answered_s"] = Report.Number(allAnsweredS),
            ["probe_after_ms"] = Report.Number(probeMs),
            ["peak_rss_mb"] = Mb(client.StatusMb("VmHWM")),
        };
        log.WriteLine($"  load: {completions} completions over {documents} documents with {edits} edits and {cancels} cancels: {answered} answered ({results} results, {cancelled} cancelled, errors by code: {string.Join(", ", errorCodes.Select(kv => $"{kv.Key} x{kv.Value}"))}) in {allAnsweredS:F1} s; a request after: {probeMs:F0} ms");
        return result;
    }

    private static JsonNode Mb(double mb) => JsonValue.Create(Math.Round(mb));

    private static string Uri(int d) => $"file:///bench/load-{d}.txt";

    /// <summary>Text of <paramref name="chars"/> characters: held-out paragraphs, repeated when the corpus is shorter.</summary>
    private string Text(int chars)
    {
        var text = new StringBuilder(chars + 1000);
        while (text.Length < chars)
            foreach (var p in corpus.Paragraphs)
            {
                text.Append(p).Append("\n\n");
                if (text.Length >= chars) break;
            }
        return text.ToString(0, chars);
    }

    private async Task<LspClient> StartAsync(bool diagnostics)
    {
        var client = LspClient.Start(serverPath, info.Folder);
        await client.Request("initialize", new
        {
            processId = Environment.ProcessId,
            clientInfo = new { name = "transformerlsp-bench-memory" },
            rootUri = (string?)null,
            capabilities = new { general = new { positionEncodings = new[] { "utf-16" } } },
            initializationOptions = new { transformerLsp = new { diagnostics = new { enable = diagnostics } } },
        });
        client.Notify("initialized", new { });
        await client.ModelReady.WaitAsync(TimeSpan.FromMinutes(2));
        return client;
    }

    /// <summary>The soak's RSS curve as an SVG line chart (no plotting library needed), with an earlier run's curve
    /// (<paramref name="before"/>, labelled <paramref name="beforeLabel"/>) in grey when given.</summary>
    public string SoakSvg(IReadOnlyList<(int Keys, double RssMb)>? before = null, string beforeLabel = "before")
    {
        before ??= [];
        const int w = 640, h = 260, left = 50, right = 15, top = 25, bottom = 35;
        double maxKeys = Math.Max(1, Soak.Concat(before).Max(s => s.Keys));
        var maxMb = Math.Ceiling(Soak.Concat(before).Max(s => s.RssMb) / 100) * 100 + 100;
        string X(double keys) => (left + keys / maxKeys * (w - left - right)).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double mb) => (top + (1 - mb / maxMb) * (h - top - bottom)).ToString("F1", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine($"<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{left}\" y=\"15\" font-size=\"13\">Server RSS while typing (completion + inline completion on every key)</text>");
        for (double mb = 0; mb <= maxMb; mb += 100)
            svg.AppendLine($"<line x1=\"{left}\" x2=\"{w - right}\" y1=\"{Y(mb)}\" y2=\"{Y(mb)}\" stroke=\"#ddd\"/><text x=\"{left - 5}\" y=\"{Y(mb)}\" text-anchor=\"end\" dy=\"4\">{mb:F0}</text>");
        double step = maxKeys >= 2000 ? 500 : 100;
        for (double k = 0; k <= maxKeys; k += step)
            svg.AppendLine($"<text x=\"{X(k)}\" y=\"{h - bottom + 15}\" text-anchor=\"middle\">{k:F0}</text>");
        svg.AppendLine($"<text x=\"{(left + w - right) / 2}\" y=\"{h - 5}\" text-anchor=\"middle\">keys typed</text>");
        svg.AppendLine($"<text x=\"12\" y=\"{(top + h - bottom) / 2}\" transform=\"rotate(-90 12 {(top + h - bottom) / 2})\" text-anchor=\"middle\">RSS (MB)</text>");
        if (before.Count > 0)
        {
            svg.AppendLine($"<polyline fill=\"none\" stroke=\"#999\" stroke-width=\"2\" stroke-dasharray=\"5,3\" points=\"{string.Join(' ', before.Select(s => $"{X(s.Keys)},{Y(s.RssMb)}"))}\"/>");
            svg.AppendLine($"<text x=\"{X(before[^1].Keys)}\" y=\"{Y(before[^1].RssMb)}\" dy=\"-6\" text-anchor=\"end\" fill=\"#777\">{beforeLabel}</text>");
        }
        svg.AppendLine($"<polyline fill=\"none\" stroke=\"#4c72b0\" stroke-width=\"2\" points=\"{string.Join(' ', Soak.Select(s => $"{X(s.Keys)},{Y(s.RssMb)}"))}\"/>");
        if (before.Count > 0)
            svg.AppendLine($"<text x=\"{X(Soak[^1].Keys)}\" y=\"{Y(Soak[^1].RssMb)}\" dy=\"-6\" text-anchor=\"end\" fill=\"#4c72b0\">now</text>");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
