using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using TransformerLsp.Engine;

namespace TransformerLsp.Bench;

/// <summary>
/// The <c>--decode</c> run (issue 12): how fast the engine decodes against ONNX Runtime GenAI on the same model.onnx and
/// the same libonnxruntime, measured so that it cannot flatter either side.
/// <list type="number">
/// <item>Floors: DRAM bandwidth and the bandwidth over a buffer the size of the weights (cache-resident when they fit in
/// the last-level cache); the floor that applies to this model is the one its weights' size picks.</item>
/// <item>Thread policy: the engine under each spin bound (and on one thread), on a quiet machine and with a busy
/// process per two cores beside it, wall and CPU time per request: the evidence for the engine's default.</item>
/// <item>Head-to-head: engine vs GenAI, fresh greedy 64 + 32, beam 4 × 16 and the first token (prefill), in interleaved
/// rounds with the order flipped each round (<see cref="HeadToHead"/>), wall and CPU time per request.</item>
/// <item>The editor case at two document lengths: typing a paragraph, next words on every key with the engine's prefix
/// cache, against GenAI's next token from scratch on the same window.</item>
/// </list>
/// JSON (<c>--json</c>) and, unless <c>--no-docs</c>, <c>docs/decode.md</c>.
/// </summary>
internal sealed class DecodeBench(ModelInfo info, Corpus corpus, bool quick, int threads, int engineSpin, TextWriter log)
{
    /// <summary>The spin bounds tried (µs; 0 = none, -1 = ONNX Runtime's unbounded count).</summary>
    private static readonly int[] Spins = [0, 100, 500, 1000, 2000, -1];

    private const int GreedyTokens = 32, BeamWidth = 4, BeamTokens = 16, PromptTokens = 64;

    public JsonObject Result { get; } = [];

    public static int Run(ModelInfo info, Args options)
    {
        var log = Console.Out;
        var quick = options.Has("--quick");
        // Two threads unless told otherwise: the comparison of issue 12, and what ONNX Runtime picks on a 2-core machine.
        var threads = int.Parse(options.Value("--threads") ?? "2", CultureInfo.InvariantCulture);
        var corpus = Corpus.Load(info, options.Value("--text"));
        // --engine-spin N: the engine's spin bound in the head-to-head and editor stages (default: the engine's own), to
        // measure another policy (0, the policy before issue 12) against GenAI the same way.
        var engineSpin = int.Parse(options.Value("--engine-spin") ?? ModelOptions.DefaultSpinMicroseconds.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        log.WriteLine($"TransformerLsp decode benchmark ({(quick ? "quick" : "full")}): model {info.Name}, {threads} threads; text: {corpus.Source}");
        var bench = new DecodeBench(info, corpus, quick, threads, engineSpin, log);
        var started = DateTime.UtcNow;
        bench.RunAll(skipPolicy: options.Has("--skip-policy"));
        var r = bench.Result;
        r["timestamp"] = started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        r["command_args"] = "--decode" + (quick ? " --quick" : "") + (options.Has("--skip-policy") ? " --skip-policy" : "")
            + (options.Value("--engine-spin") is { } spin ? " --engine-spin " + spin : "");
        r["machine"] = new JsonObject { ["cores"] = Environment.ProcessorCount, ["os"] = RuntimeInformation.OSDescription, ["runtime"] = RuntimeInformation.FrameworkDescription };
        r["model"] = info.Name;
        r["threads"] = threads;
        r["duration_s"] = Math.Round((DateTime.UtcNow - started).TotalSeconds, 1);
        var jsonPath = options.Value("--json") ?? Path.Combine(Path.GetTempPath(), "transformerlsp-decode.json");
        Report.WriteJson(r, jsonPath);
        log.WriteLine($"wrote {jsonPath}");
        if (!options.Has("--no-docs"))
        {
            var docs = options.Value("--docs") ?? Path.Combine(RepoPaths.Root, "docs");
            File.WriteAllText(Path.Combine(docs, "decode.md"), DecodeMarkdown.Write(r));
            log.WriteLine($"wrote {Path.Combine(docs, "decode.md")}");
        }
        foreach (var t in DecodeMarkdown.Targets(r))
            log.WriteLine($"  {(t.Met is null ? "n/a " : t.Met.Value ? "MET " : "MISS")} {t.Name}: {t.Value:F2} (target {t.Comparison} {t.Limit})");
        return 0;
    }

    public void RunAll(bool skipPolicy)
    {
        Floors();
        if (!skipPolicy) ThreadPolicy();
        using var genai = new GenAiRunner(info, threads);
        using var engine = Load(engineSpin, threads);
        Result["engine_spin_us"] = engineSpin;
        HeadToHeads(engine, genai);
        Floors();
        Editor(engine, genai);
    }

    private TextPredictor Load(int spin, int threadCount) =>
        TextPredictor.Load(new ModelOptions(info.Folder, ExecutionProviderKind.Cpu, threadCount, SpinMicroseconds: spin));

    private readonly List<(BandwidthProbe.Result Dram, BandwidthProbe.Result Resident)> _probes = [];

    /// <summary>
    /// Probes the DRAM and cache-resident read bandwidth and (re)writes the floors from every probe so far. The bench
    /// probes twice, before the thread policy and right after the head-to-head, because on a shared VM the bandwidth a
    /// 20 MB buffer reads at moves from run to run (54, 122 and 41 GB/s on three days): the fastest reading of each
    /// floor is kept, the strictest floor, and every reading is in the JSON.
    /// </summary>
    private void Floors()
    {
        log.WriteLine(_probes.Count == 0 ? "floors: DRAM and cache-resident read bandwidth" : "floors: probed again after the head-to-head");
        var weights = info.WeightBytesPerToken;
        // A buffer the size of the weights, read again and again: from the last-level cache when it fits there.
        _probes.Add((BandwidthProbe.Measure(passes: quick ? 3 : 6), BandwidthProbe.Measure(weights, passes: quick ? 20 : 60)));
        var dram = _probes.Max(p => p.Dram.AllCoresGBps);
        var resident = _probes.Max(p => p.Resident.AllCoresGBps);
        var llc = BandwidthProbe.LastLevelCacheBytes();
        var dramFloor = weights / (dram * 1e9) * 1000;
        var cacheFloor = weights / (resident * 1e9) * 1000;
        // Where sysfs does not say (some VMs), the probe decides: a buffer the size of the weights read clearly faster than
        // DRAM is served by a cache. The lower floor then applies; the higher one would flatter the engine.
        var fits = llc is { } l ? weights <= l : resident > 1.2 * dram;
        Result["floors"] = new JsonObject
        {
            ["weight_mb_per_token"] = Report.Number(weights / 1e6),
            ["last_level_cache_mb"] = llc is null ? null : Report.Number(llc.Value / 1048576.0),
            ["dram_gbps"] = Report.Number(dram),
            ["resident_gbps"] = Report.Number(resident),
            ["dram_gbps_probes"] = new JsonArray(_probes.Select(p => Report.Number(p.Dram.AllCoresGBps)).ToArray()),
            ["resident_gbps_probes"] = new JsonArray(_probes.Select(p => Report.Number(p.Resident.AllCoresGBps)).ToArray()),
            ["dram_floor_ms"] = Report.Number(dramFloor),
            ["cache_floor_ms"] = Report.Number(cacheFloor),
            ["applies"] = fits ? "cache" : "dram",
            ["floor_ms"] = Report.Number(fits ? cacheFloor : dramFloor),
        };
        var last = _probes[^1];
        log.WriteLine($"  {weights / 1e6:F1} MB of weights per token; this probe: DRAM {last.Dram.AllCoresGBps:F1} GB/s, over the weights' size {last.Resident.AllCoresGBps:F1} GB/s; "
            + $"fastest so far -> {dramFloor:F3} / {cacheFloor:F3} ms; last-level cache {(llc is null ? "unknown (the probe decides)" : $"{llc.Value >> 20} MB")}: the {(fits ? "cache-resident" : "DRAM")} floor applies");
        if (Result["engine_decode_step_ms"] is { } stepNode)
        {
            var step = (double)stepNode;
            var floor = fits ? cacheFloor : dramFloor;
            Result["decode_floor_ratio"] = Report.Number(step / floor);
            Result["dram_floor_ratio"] = Report.Number(step / dramFloor);
            log.WriteLine($"  decode step / floor: {step / floor:F2} x the {(fits ? "cache" : "dram")} floor ({floor:F3} ms)");
        }
    }

    private (List<int> Ids, string Text) Prompt()
    {
        // The first 64 tokens of a held-out paragraph long enough to go on after them (from the last paragraph back): a
        // prompt that ends a paragraph would let the engine stop at end of text where GenAI is held to every token.
        var text = corpus.Paragraphs.Reverse().FirstOrDefault(p => corpus.CountTokens(p) >= PromptTokens + GreedyTokens) ?? corpus.Paragraphs[^1];
        // Cut back to a word boundary (after a space), where ghost text is asked for, and give GenAI exactly the ids of
        // that text: the two sides then continue the same prompt from the same place.
        var cut = corpus.PrefixOf(text, PromptTokens);
        var space = cut.LastIndexOf(' ');
        if (space > 0) cut = cut[..(space + 1)];
        return (corpus.Encode(cut), cut);
    }

    private static readonly StopConditions GreedyStop = new(MaxTokens: GreedyTokens, AtSentenceEnd: false, AtNewline: false);
    private static readonly StopConditions FirstTokenStop = new(MaxTokens: 1, AtSentenceEnd: false, AtNewline: false);
    private static readonly BeamOptions Beam = new(BeamWidth, new StopConditions(MaxTokens: BeamTokens, AtSentenceEnd: false, AtNewline: false));

    private static Action Fresh(TextPredictor p, string key, Action<TextPredictor> request) => () => { p.Forget(key); request(p); };

    /// <summary>Engine spin bounds and one thread, each on fresh greedy and beam requests, quiet and beside a load.</summary>
    private void ThreadPolicy()
    {
        log.WriteLine("thread policy: the engine under each spin bound, quiet and loaded");
        var (_, text) = Prompt();
        var policies = Spins.Select(s => (Label: Label(s, threads), Spin: s, Threads: threads)).Append((Label: Label(0, 1), Spin: 0, Threads: 1)).ToList();
        var predictors = policies.Select(p => Load(p.Spin, p.Threads)).ToList();
        var rows = new JsonArray();
        try
        {
            foreach (var loaded in new[] { false, true })
            {
                using var load = loaded ? BusyLoad.Start(Math.Max(1, Environment.ProcessorCount / 2)) : null;
                var rounds = quick ? 2 : 4;
                var runs = quick ? 3 : 6;
                var wall = policies.Select(_ => (Greedy: new List<double>(), Beam: new List<double>())).ToList();
                var cpu = policies.Select(_ => (Greedy: new List<double>(), Beam: new List<double>())).ToList();
                for (var i = 0; i < policies.Count; i++) { predictors[i].Greedy("policy", text, GreedyStop); predictors[i].BeamSearch("policy", text, Beam); }
                // Every request follows the same idle gap, the longest any policy's spin needs (HeadToHead says why).
                var settle = policies.Max(p => RequestCost.SettleMs(p.Spin));
                for (var r = 0; r < rounds; r++)
                    for (var k = 0; k < runs; k++)
                        for (var j = 0; j < policies.Count; j++)
                        {
                            // Rotate the order every run so no policy always follows another's spinning tail.
                            var i = (j + k + r) % policies.Count;
                            var p = predictors[i];
                            var g = RequestCost.Measure(Fresh(p, "policy", q => q.Greedy("policy", text, GreedyStop)), settle);
                            var b = RequestCost.Measure(Fresh(p, "policy", q => q.BeamSearch("policy", text, Beam)), settle);
                            wall[i].Greedy.Add(g.WallMs); cpu[i].Greedy.Add(g.CpuMs);
                            wall[i].Beam.Add(b.WallMs); cpu[i].Beam.Add(b.CpuMs);
                        }
                for (var i = 0; i < policies.Count; i++)
                {
                    var row = new JsonObject
                    {
                        ["condition"] = loaded ? "loaded" : "quiet",
                        ["policy"] = policies[i].Label,
                        ["spin_us"] = policies[i].Spin,
                        ["threads"] = policies[i].Threads,
                        ["greedy_ms"] = Report.Number(HeadToHead.Median(wall[i].Greedy)),
                        ["greedy_cpu_ms"] = Report.Number(HeadToHead.Median(cpu[i].Greedy)),
                        ["beam_ms"] = Report.Number(HeadToHead.Median(wall[i].Beam)),
                        ["beam_cpu_ms"] = Report.Number(HeadToHead.Median(cpu[i].Beam)),
                    };
                    rows.Add(row);
                    log.WriteLine($"  {(loaded ? "loaded" : "quiet "),-6} {policies[i].Label,-22} greedy {row["greedy_ms"]} ms (CPU {row["greedy_cpu_ms"]}), beam {row["beam_ms"]} ms (CPU {row["beam_cpu_ms"]})");
                }
            }
        }
        finally
        {
            foreach (var p in predictors) p.Dispose();
        }
        Result["thread_policy"] = rows;
        Result["default_spin_us"] = ModelOptions.DefaultSpinMicroseconds;
    }

    private static string Label(int spin, int threadCount) =>
        $"{threadCount} thread{(threadCount == 1 ? "" : "s")}, " + (spin switch { 0 => "no spin", < 0 => "unbounded spin", _ => $"spin {spin} µs" });

    /// <summary>Fresh greedy, beam and first-token requests: the engine (its default policy) against GenAI.</summary>
    private void HeadToHeads(TextPredictor engine, GenAiRunner genai)
    {
        log.WriteLine($"head-to-head: engine ({Label(engineSpin, threads)}) vs GenAI ({threads} threads, its default spin)");
        var (ids, text) = Prompt();
        var rounds = quick ? 4 : 10;
        var runs = quick ? 4 : 12;
        var settle = RequestCost.SettleMs(engineSpin);
        const string key = "h2h";
        var greedyRun = engine.Greedy(key, text, GreedyStop);
        var greedyTokens = greedyRun.Tokens.Count;
        log.WriteLine($"  prompt ({ids.Count} tokens) ends \"…{text[Math.Max(0, text.Length - 40)..]}\"; the engine's greedy gives {greedyTokens} tokens: \"{greedyRun.Text}\"");
        engine.Forget(key);
        var beamTokens = engine.BeamSearch(key, text, Beam).Max(b => b.Tokens.Count);
        var cases = new JsonArray();
        void Case(string name, Action<TextPredictor> ours, Action theirs, int tokens, int expected)
        {
            var h = HeadToHead.Run(name, new Contender("engine", Fresh(engine, key, ours), settle),
                new Contender("GenAI", theirs, RequestCost.UnboundedSettleMs), rounds, runs, log);
            // An engine that stopped early did less work: its ratios are then taken per token, so they cannot flatter it.
            var scale = tokens > 0 && tokens < expected ? (double)expected / tokens : 1;
            cases.Add(new JsonObject
            {
                ["case"] = name,
                ["engine_ms"] = Report.Number(h.A.WallMs),
                ["engine_cpu_ms"] = Report.Number(h.A.CpuMs),
                ["genai_ms"] = Report.Number(h.B.WallMs),
                ["genai_cpu_ms"] = Report.Number(h.B.CpuMs),
                ["ratio"] = Report.Number(h.WallRatio * scale),
                ["ratio_best_round"] = Report.Number(h.BestWallRatio * scale),
                ["ratio_worst_round"] = Report.Number(h.WorstWallRatio * scale),
                ["round_ratios"] = new JsonArray(h.WallRatios.Select(x => Report.Number(x * scale)).ToArray()),
                ["cpu_ratio"] = Report.Number(h.CpuRatio * scale),
                ["engine_tokens"] = tokens,
                ["genai_tokens"] = expected,
            });
        }
        Case($"greedy {ids.Count} + {GreedyTokens}", p => p.Greedy(key, text, GreedyStop), () => genai.Generate(ids, GreedyTokens), greedyTokens, GreedyTokens);
        Case($"beam {BeamWidth} × {BeamTokens}", p => p.BeamSearch(key, text, Beam), () => genai.Generate(ids, BeamTokens, beams: BeamWidth), beamTokens, BeamTokens);
        Case($"first token ({ids.Count}-token prefill)", p => p.Greedy(key, text, FirstTokenStop), () => genai.Generate(ids, 1), 1, 1);
        Result["head_to_head"] = cases;
        // The engine's own decode step: greedy 32 less greedy 1, per further token.
        var g32 = (double)cases[0]!["engine_ms"]!;
        var g1 = (double)cases[2]!["engine_ms"]!;
        var genaiStep = ((double)cases[0]!["genai_ms"]! - (double)cases[2]!["genai_ms"]!) / (GreedyTokens - 1);
        var step = greedyTokens > 1 ? (g32 - g1) / (greedyTokens - 1) : double.NaN;
        Result["engine_decode_step_ms"] = Report.Number(step);
        Result["genai_decode_step_ms"] = Report.Number(genaiStep);
        log.WriteLine($"  decode step: engine {step:F3} ms, GenAI {genaiStep:F3} ms (against the floor once it is probed again, below)");
    }

    /// <summary>Typing a paragraph, next words on every key: the engine with its prefix cache against GenAI's next token
    /// from scratch on the same window, after no document and after a 2,000-token one.</summary>
    private void Editor(TextPredictor engine, GenAiRunner genai)
    {
        log.WriteLine("editor: typing a paragraph, next words on every key");
        var paragraph = corpus.Paragraphs.Select(p => p.Trim()).FirstOrDefault(p => p.Length >= 400) ?? corpus.Paragraphs[0];
        var keys = Math.Min(paragraph.Length, quick ? 100 : 400);
        var rows = new JsonArray();
        foreach (var (name, prefix) in new[] { ("paragraph", ""), ("2,000-token document", corpus.Document(2000, skip: 1) + "\n\n") })
        {
            var key = "editor-" + rows.Count;
            engine.Forget(key);
            // Both sides idle the same gap after each key (HeadToHead says why): GenAI's, the longer.
            var gap = Math.Max(RequestCost.SettleMs(engineSpin), RequestCost.UnboundedSettleMs);
            double ew = 0, ec = 0, gw = 0, gc = 0;
            var byKey = KeyKinds.ToDictionary(k => k, _ => (Keys: 0, Ms: 0.0, OrtMs: 0.0));
            var warm = prefix + paragraph[..1];
            engine.NextWords(key, warm, 10);
            genai.Generate(info.Window(corpus.Encode(warm)), 1);
            for (var i = 1; i <= keys; i++)
            {
                var text = prefix + paragraph[..i];
                var prompt = info.Window(corpus.Encode(text));
                Cost e, g;
                var ort0 = engine.ModelRunTime;
                if (i % 2 == 0)
                {
                    e = RequestCost.Measure(() => engine.NextWords(key, text, 10), gap);
                    g = RequestCost.Measure(() => genai.Generate(prompt, 1), gap);
                }
                else
                {
                    g = RequestCost.Measure(() => genai.Generate(prompt, 1), gap);
                    e = RequestCost.Measure(() => engine.NextWords(key, text, 10), gap);
                }
                ew += e.WallMs; ec += e.CpuMs; gw += g.WallMs; gc += g.CpuMs;
                var kind = KindOfKey(paragraph, i);
                byKey[kind] = (byKey[kind].Keys + 1, byKey[kind].Ms + e.WallMs, byKey[kind].OrtMs + (engine.ModelRunTime - ort0).TotalMilliseconds);
            }
            engine.Forget(key);
            rows.Add(new JsonObject
            {
                ["document"] = name,
                ["context_tokens"] = info.Window(corpus.Encode(prefix + paragraph[..keys])).Count,
                ["keys"] = keys,
                ["engine_ms"] = Report.Number(ew),
                ["engine_cpu_ms"] = Report.Number(ec),
                ["genai_ms"] = Report.Number(gw),
                ["genai_cpu_ms"] = Report.Number(gc),
                ["ratio"] = Report.Number(ew / gw),
                ["cpu_ratio"] = Report.Number(ec / gc),
                ["engine_by_key"] = new JsonObject(byKey.Select(k => KeyValuePair.Create(k.Key,
                    (JsonNode?)new JsonObject { ["keys"] = k.Value.Keys, ["engine_ms"] = Report.Number(k.Value.Ms), ["engine_ort_ms"] = Report.Number(k.Value.OrtMs) }))),
            });
            log.WriteLine($"  {name}: {keys} keys, engine {ew:F0} ms (CPU {ec:F0}), GenAI {gw:F0} ms (CPU {gc:F0}) -> {ew / gw:F2}");
        }
        Result["editor"] = rows;
    }

    /// <summary>The keys of the editor case by what the engine does for them: a search for the next word after a space, a
    /// constrained search or a filter after a word's first letter, mostly a filter after its later letters.</summary>
    internal static readonly string[] KeyKinds = ["word start", "first letter", "later letters", "other"];

    /// <summary>The kind of the <paramref name="i"/>-th key typed (1-based) of <paramref name="paragraph"/>.</summary>
    internal static string KindOfKey(string paragraph, int i)
    {
        var c = paragraph[i - 1];
        if (char.IsWhiteSpace(c)) return "word start";
        if (!char.IsLetterOrDigit(c)) return "other";
        return i == 1 || !char.IsLetterOrDigit(paragraph[i - 2]) ? "first letter" : "later letters";
    }
}

/// <summary>Busy processes beside the bench (a shell loop each), killed on dispose: "the laptop is doing something else".</summary>
internal sealed class BusyLoad : IDisposable
{
    private readonly List<Process> _processes = [];

    public static BusyLoad Start(int processes)
    {
        var load = new BusyLoad();
        for (var i = 0; i < processes; i++)
            load._processes.Add(Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })
                ?? throw new InvalidOperationException("could not start /bin/sh for the load"));
        return load;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { p.Kill(); p.WaitForExit(); } catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}
