using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using TransformerLsp.Bench;
using TransformerLsp.Engine;

// The benchmark of issue 6. One command:
//   dotnet run -c Release --project bench/TransformerLsp.Bench -- --quick --json <file>
// Options: --quick, --json FILE, --model FOLDER, --text FILE, --server PATH (transformer-lsp.dll), --threads N,
//          --typing-interval-ms N, --docs DIR (default: the repository's docs/), --no-docs, --micro (BenchmarkDotNet only),
//          --micro-only NAME (the BenchmarkDotNet classes whose name contains NAME: DecodeStep, FillIn, LogSoftmax),
//          --skip-replay, --skip-compare, --skip-lab, --skip-context, --variant NAME=PATH[,NAME=PATH] (graph variants for the lab),
//          --memory (issue 13's memory, soak and load figures only: docs/memory.md and docs/memory-soak.svg;
//          with --from-json FILE, the docs from an earlier run's JSON; --before-json FILE [--before-label TEXT] draws
//          another run's soak curve next to it),
//          --decode (issue 12's decode speed against ONNX Runtime GenAI only: docs/decode.md; --skip-policy leaves out the
//          thread-policy stage; --engine-spin N runs the engine with another spin bound),
//          --publish-kinds NAME=SERVER[,NAME=SERVER...] [--rounds N] (issue 14's startup, first completion, steady latency
//          and size of each way to publish the server only; scripts/publish-kinds.sh publishes them and runs this).
var options = Args.Parse(args);
var log = Console.Out;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var modelFolder = ModelInfo.Resolve(options.Value("--model"));
var info = ModelInfo.Load(modelFolder);
if (options.Has("--micro")) return MicroBenchmarks.Run(modelFolder, options.Has("--quick"), options.Value("--micro-only"));
if (options.Has("--memory")) return await MemoryReport.RunAsync(info, options, modelFolder);
if (options.Has("--decode")) return DecodeBench.Run(info, options);
if (options.Value("--publish-kinds") is not null) return await PublishKinds.RunAsync(info, options);

var quick = options.Has("--quick");
var threads = int.Parse(options.Value("--threads") ?? "0", CultureInfo.InvariantCulture);
var corpus = Corpus.Load(info, options.Value("--text"));
var started = DateTime.UtcNow;
log.WriteLine($"TransformerLsp benchmark ({(quick ? "quick" : "full")}): model {info.Name} at {info.Folder}; text: {corpus.Source}");

var errors = new JsonArray();
var result = new JsonObject
{
    ["timestamp"] = started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
    ["command_args"] = string.Join(' ', args),
    ["quick"] = quick,
    ["machine"] = new JsonObject { ["cpu"] = CpuName(), ["cores"] = Environment.ProcessorCount, ["os"] = RuntimeInformation.OSDescription, ["runtime"] = RuntimeInformation.FrameworkDescription },
    ["model"] = new JsonObject
    {
        ["name"] = info.Name,
        ["folder"] = info.Folder,
        ["n_layer"] = info.Layers,
        ["n_head"] = info.Heads,
        ["n_embd"] = info.Embedding,
        ["n_positions"] = info.Positions,
        ["vocab_size"] = info.Vocab,
        ["onnx_mb"] = Math.Round(new FileInfo(info.OnnxPath).Length / 1e6, 2),
    },
    ["corpus"] = corpus.Source,
};

void Stage(string name, Action action)
{
    log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name}");
    try { action(); }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        var message = $"{name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
        log.WriteLine("  FAILED " + message);
        Console.Error.WriteLine(e);
        errors.Add(message);
    }
}

// 1. The floor: DRAM bandwidth and the bytes a decode step must read.
var floorMs = double.NaN;
Stage("memory bandwidth probe", () =>
{
    var bw = BandwidthProbe.Measure(passes: quick ? 3 : 6);
    floorMs = info.WeightBytesPerToken / (bw.AllCoresGBps * 1e9) * 1000;
    result["bandwidth"] = new JsonObject
    {
        ["buffer_mb"] = bw.BufferBytes >> 20,
        ["single_thread_gbps"] = Report.Number(bw.SingleThreadGBps),
        ["all_cores_gbps"] = Report.Number(bw.AllCoresGBps),
        ["weight_mb_per_token"] = Report.Number(info.WeightBytesPerToken / 1e6),
        ["floor_ms"] = Report.Number(floorMs),
    };
    log.WriteLine($"  {bw.SingleThreadGBps:F1} GB/s one thread, {bw.AllCoresGBps:F1} GB/s all cores; {info.WeightBytesPerToken / 1e6:F1} MB per token -> floor {floorMs:F2} ms");
});

// 2. Raw ONNX Runtime decode steps, configurations, profile.
DecodeStepLab? lab = null;
if (!options.Has("--skip-lab"))
{
    Stage("raw ONNX Runtime decode-step lab", () =>
    {
        lab = new DecodeStepLab(info, quick, log)
        {
            Variants = (options.Value("--variant") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(v => v.Split('=', 2)).Select(p => (p[0], Path.GetFullPath(p[1]))).ToList(),
        };
        lab.Run();
    });
    if (lab is not null)
    {
        result["decode_steps"] = new JsonArray(lab.Steps.Select(s => (JsonNode)new JsonObject { ["config"] = s.Config, ["batch"] = s.Batch, ["past"] = s.Past, ["ms"] = Report.Number(s.MedianMs), ["cpu_ms"] = Report.Number(s.CpuMs) }).ToArray());
        var labFigures = new JsonObject();
        foreach (var (k, v) in lab.Figures) labFigures[k] = Report.Number(v);
        result["lab"] = labFigures;
        var profiles = new JsonObject();
        foreach (var (label, shares) in lab.Profiles)
            profiles[label] = new JsonArray(shares.Select(s => (JsonNode)new JsonObject { ["op"] = s.Op, ["kernels"] = s.KernelsPerStep, ["ms"] = Report.Number(s.MsPerStep), ["share"] = Report.Number(s.Share) }).ToArray());
        result["profile"] = profiles;
    }
}

// 3. The editor workload through the real server.
EditorReplay? replay = null;
if (!options.Has("--skip-replay"))
{
    Stage("editor replay through the server", () =>
    {
        var server = options.Value("--server") ?? RepoPaths.Find("server/TransformerLsp.Server/bin/Release/net10.0/transformer-lsp.dll")
            ?? throw new FileNotFoundException("transformer-lsp.dll not built: dotnet build -c Release server/TransformerLsp.Server (or pass --server)");
        replay = new EditorReplay(info, corpus, server, quick, log) { TypingIntervalMs = int.Parse(options.Value("--typing-interval-ms") ?? "60", CultureInfo.InvariantCulture) };
        replay.RunAsync().GetAwaiter().GetResult();
    });
}
if (replay is not null)
{
    result["completion"] = Report.Percentiles(replay.Completion);
    result["inline"] = Report.Percentiles(replay.Inline);
    result["beam"] = Report.Percentiles(replay.Commands["beam_doc2k"]);
    result["fillin"] = Report.Percentiles(replay.Commands["fillin_doc2k"]);
    double Fig(string k) => replay.Figures.TryGetValue(k, out var v) ? v : double.NaN;
    result["cpu_ms_per_keystroke"] = Report.Number(Fig("cpu_ms_per_keystroke"));
    result["peak_rss_mb"] = Report.Number(Fig("peak_rss_mb"));
    result["first_completion_ms"] = Report.Number(Fig("first_completion_ms"));
    foreach (var doc in new[] { "doc2k", "doc100k" })
    {
        result[doc] = new JsonObject
        {
            ["tokens"] = Report.Number(Fig($"{doc}_tokens")),
            ["beam_p50_ms"] = Report.Number(replay.Commands[$"beam_{doc}"].Median),
            ["beam_p95_ms"] = Report.Number(replay.Commands[$"beam_{doc}"].Percentile(95)),
            ["fillin_p50_ms"] = Report.Number(replay.Commands[$"fillin_{doc}"].Median),
            ["fillin_p95_ms"] = Report.Number(replay.Commands[$"fillin_{doc}"].Percentile(95)),
            ["beam_first_ms"] = Report.Number(Fig($"beam_{doc}_first_ms")),
            ["fillin_first_ms"] = Report.Number(Fig($"fillin_{doc}_first_ms")),
            ["beams_returned"] = Report.Number(Fig($"beam_{doc}_count")),
            ["candidates_returned"] = Report.Number(Fig($"fillin_{doc}_count")),
        };
    }
    result["doc100k_vs_doc2k"] = new JsonObject
    {
        ["beam"] = Report.Number(replay.Commands["beam_doc100k"].Median / replay.Commands["beam_doc2k"].Median),
        ["fillin"] = Report.Number(replay.Commands["fillin_doc100k"].Median / replay.Commands["fillin_doc2k"].Median),
    };
    var rf = new JsonObject();
    foreach (var (k, v) in replay.Figures) rf[k] = Report.Number(v);
    result["replay"] = rf;
}

// 3b. Quality and cost of the context budget (the server's contextTokens setting).
if (!options.Has("--skip-context"))
{
    Stage("context budget: next-token loss and cost", () =>
    {
        var probe = new ContextLengthProbe(info, corpus, quick, log);
        probe.Run();
        if (probe.Rows.Count > 0)
            result["context_length"] = new JsonArray(probe.Rows.Select(r => (JsonNode)new JsonObject
            {
                ["budget"] = r.Budget,
                ["tokens_seen"] = r.TokensSeen,
                ["nats_per_token"] = Report.Number(r.NatsPerToken),
                ["ms_per_call"] = Report.Number(r.MsPerCall),
                ["spots"] = r.Spots,
            }).ToArray());
    });
}

// 4. Our engine vs ONNX Runtime GenAI vs our engine without its prefix cache, same process, same model.onnx.
if (!options.Has("--skip-compare"))
{
    Stage("engine vs ONNX Runtime GenAI", () =>
    {
        var requests = replay?.Requests is { Count: > 0 } r ? r : SyntheticRequests(corpus, quick);
        var engine = EngineWorks(info, log);
        var cmp = new EngineComparison(info, corpus, requests, quick, threads, log);
        cmp.Run(engine);
        var node = new JsonObject();
        foreach (var (k, v) in cmp.Figures) node[k] = Report.Number(v);
        result["engine_vs_genai"] = node;
        foreach (var key in new[] { "genai_editor_ratio", "genai_greedy_ratio", "genai_beam_ratio", "no_cache_ratio" })
            result[key] = Report.Number(cmp.Figures.TryGetValue(key, out var v) ? v : double.NaN);
        if (!engine) errors.Add("engine: TextPredictor not usable yet; engine ratios not measured");
        if (cmp.Figures.TryGetValue("engine_decode_step_ms", out var step)) result["engine_decode_step_ms"] = Report.Number(step);
    });
}

// decode_floor_ratio: our batch-1 decode step over the floor. The engine's own step (greedy 32 minus greedy 1, per token)
// when measured, else the raw ONNX Runtime step at past 256 with the engine's session settings.
{
    var ours = result["engine_decode_step_ms"] is JsonValue ev && ev.TryGetValue(out double e) ? e : lab?.DefaultStep(1, 256) ?? double.NaN;
    result["decode_step_ms"] = Report.Number(ours);
    result["decode_floor_ratio"] = Report.Number(ours / floorMs);
}
foreach (var key in new[] { "genai_editor_ratio", "genai_greedy_ratio", "genai_beam_ratio", "no_cache_ratio", "cpu_ms_per_keystroke", "peak_rss_mb", "first_completion_ms" })
    result[key] ??= null;
result["targets"] = new JsonArray(Report.Targets(result).Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["key"] = t.Key, ["value"] = Report.Number(t.Value), ["target"] = $"{t.Comparison} {t.Limit}", ["met"] = t.Met }).ToArray());
result["errors"] = errors;
result["duration_s"] = Math.Round((DateTime.UtcNow - started).TotalSeconds, 1);

var jsonPath = options.Value("--json") ?? Path.Combine(Path.GetTempPath(), "transformerlsp-bench.json");
Report.WriteJson(result, jsonPath);
log.WriteLine($"wrote {jsonPath}");
if (!options.Has("--no-docs"))
{
    var docs = options.Value("--docs") ?? Path.Combine(RepoPaths.Root, "docs");
    Directory.CreateDirectory(docs);
    var png = Path.Combine(docs, "benchmarks.png");
    var chart = Report.TryDrawChart(Path.GetFullPath(jsonPath), png, log);
    Report.WriteMarkdown(result, Path.Combine(docs, "benchmarks.md"), chart ? png : null);
    log.WriteLine($"wrote {Path.Combine(docs, "benchmarks.md")}" + (chart ? $" and {png}" : ""));
}
foreach (var t in Report.Targets(result))
    log.WriteLine($"  {(t.Met is null ? "n/a " : t.Met.Value ? "MET " : "MISS")} {t.Name}: {t.Value:F2} (target {t.Comparison} {t.Limit})");
log.WriteLine($"done in {(DateTime.UtcNow - started).TotalSeconds:F0} s" + (errors.Count > 0 ? $"; {errors.Count} stage(s) failed" : ""));
return errors.Count > 0 ? 1 : 0;

static string CpuName()
{
    try { return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"; }
    catch (IOException) { return "unknown CPU"; }
}

static bool EngineWorks(ModelInfo info, TextWriter log)
{
    try
    {
        using var p = TextPredictor.Load(new ModelOptions(info.Folder));
        p.NextWords("probe", "The", 1);
        return true;
    }
    catch (NotImplementedException)
    {
        log.WriteLine("  engine not implemented yet: GenAI and raw ONNX Runtime only");
        return false;
    }
}

// The replay's request sequence without a server: completion on every key, inline after each word.
static List<EditorRequest> SyntheticRequests(Corpus corpus, bool quick)
{
    var list = new List<EditorRequest>();
    var text = corpus.Document(quick ? 600 : 1500);
    foreach (var p in corpus.Paragraphs.Skip(corpus.Paragraphs.Count > 8 ? 4 : 0).Take(quick ? 2 : 6))
    {
        var chunk = "\n\n" + p;
        for (var c = 0; c < chunk.Length && list.Count < (quick ? 600 : 3600); c++)
        {
            text += chunk[c];
            list.Add(new EditorRequest("completion", text));
            if (chunk[c] == ' ' && c > 0 && chunk[c - 1] != ' ') list.Add(new EditorRequest("inline", text));
        }
    }
    return list;
}

internal sealed class Args
{
    private readonly Dictionary<string, string?> _values = [];
    private static readonly HashSet<string> Flags = ["--quick", "--micro", "--no-docs", "--skip-replay", "--skip-compare", "--skip-lab", "--skip-context", "--memory", "--decode", "--skip-policy"];

    public static Args Parse(string[] args)
    {
        var a = new Args();
        for (var i = 0; i < args.Length; i++)
        {
            if (Flags.Contains(args[i])) a._values[args[i]] = null;
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) a._values[args[i]] = args[++i];
            else throw new ArgumentException($"unknown argument {args[i]}");
        }
        return a;
    }

    public bool Has(string flag) => _values.ContainsKey(flag);
    public string? Value(string key) => _values.TryGetValue(key, out var v) ? v : null;
}
