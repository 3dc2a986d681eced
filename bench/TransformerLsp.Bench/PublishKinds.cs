using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TransformerLsp.Bench;

/// <summary>
/// Issue 14's comparison of ways to publish the server (framework-dependent, self-contained trimmed ReadyToRun, Native
/// AOT): each one started cold, in interleaved rounds with the order rotated, so that a load on the machine falls on all
/// of them alike. Per start: process start to the <c>initialize</c> response, process start to the first non-empty
/// completion (model load included: what the user waits for after opening a file), then the steady-state completion
/// latency of a closed typing loop. Per kind: the server folder's size on disk and zipped (a .vsix is a zip), the model
/// folder left out. The first kind is the baseline of the ratios.
/// Each kind has a graph cache of its own (<c>TRANSFORMER_LSP_CACHE</c>, see the server's README); every round starts each
/// kind twice: once with that cache emptied (a user's very first start after installing or updating the model), then
/// once with the graph the first start wrote (every later start). The steady latency is the second start's.
/// </summary>
/// <remarks>Usage: <c>--publish-kinds NAME=SERVER[,NAME=SERVER...] [--rounds N] [--json FILE]</c>, SERVER a
/// transformer-lsp.dll (run with dotnet) or an executable; scripts/publish-kinds.sh publishes the three kinds and runs
/// this.</remarks>
internal sealed class PublishKinds(ModelInfo info, Corpus corpus, TextWriter log)
{
    private sealed class Kind(string name, string server)
    {
        public string Name { get; } = name;
        public string Server { get; } = server;
        public Samples Initialize { get; } = new("initialize");
        public Samples FirstCompletion { get; } = new("first completion");
        public Samples FirstCompletionNoCache { get; } = new("first completion, no graph cache");
        public string Cache { get; } = Directory.CreateTempSubdirectory("publish-kinds-cache").FullName;
        public Samples Steady { get; } = new("steady completion");
        public double DiskMb { get; set; }
        public double ZipMb { get; set; }
    }

    public static async Task<int> RunAsync(ModelInfo info, Args options)
    {
        var kinds = (options.Value("--publish-kinds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Select(p => new Kind(p[0], Path.GetFullPath(p[1]))).ToList();
        if (kinds.Count == 0) throw new ArgumentException("--publish-kinds NAME=SERVER[,NAME=SERVER...]");
        foreach (var k in kinds.Where(k => !File.Exists(k.Server))) throw new FileNotFoundException("no server at " + k.Server);
        var rounds = int.Parse(options.Value("--rounds") ?? "5", CultureInfo.InvariantCulture);
        var bench = new PublishKinds(info, Corpus.Load(info, options.Value("--text")), Console.Out);
        var json = await bench.RunAsync(kinds, rounds);
        if (options.Value("--json") is { } file) await File.WriteAllTextAsync(file, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private async Task<JsonObject> RunAsync(List<Kind> kinds, int rounds)
    {
        log.WriteLine($"publish kinds: {string.Join(", ", kinds.Select(k => $"{k.Name} ({k.Server})"))}; model {info.Name}; {rounds} rounds");
        foreach (var k in kinds) (k.DiskMb, k.ZipMb) = Sizes(Path.GetDirectoryName(k.Server)!);
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < kinds.Count; i++)
            {
                var k = kinds[(i + round) % kinds.Count];
                Directory.Delete(k.Cache, recursive: true);
                await OneStart(k, cached: false);
                await OneStart(k, cached: true);
                log.WriteLine($"  round {round + 1} {k.Name,-12} initialize {k.Initialize.Values[^1],6:F0} ms, first completion {k.FirstCompletion.Values[^1],6:F0} ms ({k.FirstCompletionNoCache.Values[^1],6:F0} ms with no graph cache)");
            }
        }
        foreach (var k in kinds) Directory.Delete(k.Cache, recursive: true);
        var baseline = kinds[0];
        var table = new StringBuilder();
        table.AppendLine($"| publish kind | server folder on disk (MB) | zipped (MB) | start → `initialize` response (ms, median) | start → first completion (ms, median) | the same, graph cache empty (first start) | steady completion p50 / p95 (ms) | ratios to {baseline.Name}: initialize, first completion, steady p50 |");
        table.AppendLine("|---|---|---|---|---|---|---|---|");
        var result = new JsonObject { ["model"] = info.Name, ["rounds"] = rounds, ["cores"] = Environment.ProcessorCount };
        var array = new JsonArray();
        foreach (var k in kinds)
        {
            string Ratio(double a, double b) => (a / b).ToString("0.00", CultureInfo.InvariantCulture);
            table.AppendLine(CultureInfo.InvariantCulture, $"| {k.Name} | {k.DiskMb:F1} | {k.ZipMb:F1} | {k.Initialize.Median:F0} | {k.FirstCompletion.Median:F0} | {k.FirstCompletionNoCache.Median:F0} | {k.Steady.Median:F1} / {k.Steady.Percentile(95):F1} | {Ratio(k.Initialize.Median, baseline.Initialize.Median)}, {Ratio(k.FirstCompletion.Median, baseline.FirstCompletion.Median)}, {Ratio(k.Steady.Median, baseline.Steady.Median)} |");
            array.Add(new JsonObject
            {
                ["kind"] = k.Name,
                ["server"] = k.Server,
                ["disk_mb"] = Report.Number(k.DiskMb),
                ["zip_mb"] = Report.Number(k.ZipMb),
                ["initialize_ms"] = Report.Number(k.Initialize.Median),
                ["initialize_ms_all"] = new JsonArray(k.Initialize.Values.Select(v => (JsonNode)Report.Number(v)!).ToArray()),
                ["first_completion_ms"] = Report.Number(k.FirstCompletion.Median),
                ["first_completion_ms_all"] = new JsonArray(k.FirstCompletion.Values.Select(v => (JsonNode)Report.Number(v)!).ToArray()),
                ["first_completion_no_graph_cache_ms"] = Report.Number(k.FirstCompletionNoCache.Median),
                ["first_completion_no_graph_cache_ms_all"] = new JsonArray(k.FirstCompletionNoCache.Values.Select(v => (JsonNode)Report.Number(v)!).ToArray()),
                ["steady_completion_p50_ms"] = Report.Number(k.Steady.Median),
                ["steady_completion_p95_ms"] = Report.Number(k.Steady.Percentile(95)),
            });
        }
        result["kinds"] = array;
        log.WriteLine();
        log.Write(table.ToString());
        return result;
    }

    /// <summary>One cold start: initialize, the first non-empty completion, then (with the graph cache) a closed typing loop of 60 keys.</summary>
    private async Task OneStart(Kind k, bool cached)
    {
        await using var client = LspClient.Start(k.Server, info.Folder, new Dictionary<string, string> { ["TRANSFORMER_LSP_CACHE"] = k.Cache });
        await client.Request("initialize", new { processId = Environment.ProcessId, rootUri = (string?)null, capabilities = new { }, initializationOptions = new { transformerLsp = new { } } });
        if (cached) k.Initialize.Add(Stopwatch.GetElapsedTime(client.StartTimestamp).TotalMilliseconds);
        client.Notify("initialized", new { });
        const string uri = "file:///bench/publish-kinds.txt";
        var text = corpus.Document(600, skip: 0);
        var version = 1;
        client.Notify("textDocument/didOpen", new { textDocument = new { uri, languageId = "plaintext", version, text } });
        var waited = Stopwatch.StartNew();
        while (await Complete(client, uri, text) == 0)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"{k.Name}: no completion within 120 s. stderr:\n{client.StderrTail}");
            await Task.WhenAny(client.ModelReady, Task.Delay(10));
        }
        (cached ? k.FirstCompletion : k.FirstCompletionNoCache).Add(Stopwatch.GetElapsedTime(client.StartTimestamp).TotalMilliseconds);
        if (!cached) return;
        var typed = corpus.Paragraphs[Math.Min(4, corpus.Paragraphs.Count - 1)];
        for (var i = 0; i < Math.Min(60, typed.Length); i++)
        {
            var key = typed[i].ToString();
            client.Notify("textDocument/didChange", new
            {
                textDocument = new { uri, version = ++version },
                contentChanges = new[] { new { range = new { start = EditorReplay.EndPosition(text), end = EditorReplay.EndPosition(text) }, text = key } },
            });
            text += key;
            var t0 = Stopwatch.GetTimestamp();
            await Complete(client, uri, text);
            if (i >= 5) k.Steady.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds); // the first keys warm the paths
        }
    }

    private static async Task<int> Complete(LspClient client, string uri, string text) => EditorReplay.CountItems(await client.Request("textDocument/completion", new
    {
        textDocument = new { uri },
        position = EditorReplay.EndPosition(text),
        context = new { triggerKind = 1 },
    }));

    /// <summary>The folder's bytes on disk and zipped (deflate, as vsce packs a .vsix), without the model folder.</summary>
    private static (double DiskMb, double ZipMb) Sizes(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).StartsWith("model" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => !f.EndsWith(".xml", StringComparison.Ordinal) && !f.EndsWith(".pdb", StringComparison.Ordinal) && !f.EndsWith(".dbg", StringComparison.Ordinal))
            .ToList();
        var disk = files.Sum(f => new FileInfo(f).Length);
        using var zipped = new MemoryStream();
        using (var zip = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var f in files) zip.CreateEntryFromFile(f, Path.GetRelativePath(folder, f), CompressionLevel.Optimal);
        return (disk / 1e6, zipped.Length / 1e6);
    }
}
