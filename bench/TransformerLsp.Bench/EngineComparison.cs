using System.Diagnostics;
using TransformerLsp.Engine;

namespace TransformerLsp.Bench;

/// <summary>
/// In one process, on the same model.onnx: our engine with its prefix cache, our engine with the cache dropped
/// before each request, and ONNX Runtime GenAI answering each request from scratch, over the editor replay's requests;
/// then fresh-prompt greedy 32 tokens and beam 4 x 16 (GenAI, our engine, and a plain raw ONNX Runtime loop).
/// Each measurement alternates between the contenders so machine noise falls on both.
/// </summary>
internal sealed class EngineComparison(ModelInfo info, Corpus corpus, IReadOnlyList<EditorRequest> requests, bool quick, int threads, TextWriter log)
{
    /// <summary>
    /// What the server's handlers ask of the engine (server/TransformerLsp.Server/Handlers): completion = NextWords(10)
    /// then a phrase beam of width 3 over at most 10 tokens / 3 words; inline = beam of width 4 over at most 16 tokens.
    /// GenAI's counterpart from a fresh prompt: completion = beam 3 x 10 tokens (the next-word search has no GenAI
    /// equivalent, so GenAI does less work here: the ratio is conservative), inline = beam 4 x 16 tokens.
    /// </summary>
    public const int CompletionTokens = 10, CompletionBeams = 3, InlineTokens = 16, InlineBeams = 4;

    public Dictionary<string, double> Figures { get; } = [];

    public void Run(bool engineAvailable)
    {
        using var genai = new GenAiRunner(info, threads);
        Figures["genai_load_ms"] = genai.LoadMs;
        using var raw = new RawModel(info.OnnxPath, info, new RawSessionOptions(Threads: threads));
        TextPredictor? predictor = null;
        if (engineAvailable)
        {
            var t0 = Stopwatch.GetTimestamp();
            predictor = TextPredictor.Load(new ModelOptions(info.Folder, ExecutionProviderKind.Cpu, threads));
            Figures["engine_load_ms"] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        try
        {
            if (predictor is not null) EditorRequests(predictor, genai);
            FreshPrompt(predictor, genai, raw);
        }
        finally
        {
            predictor?.Dispose();
        }
    }

    private List<EditorRequest> Sample()
    {
        // Quick runs answer a subset (every 4th completion, every inline) so GenAI's from-scratch prefills fit the budget.
        var stride = quick ? 4 : 1;
        var completions = 0;
        var chosen = requests.Where(r => r.Kind == "inline" || completions++ % stride == 0).ToList();
        return chosen.Take(quick ? 80 : 1000).ToList();
    }

    private void EditorRequests(TextPredictor predictor, GenAiRunner genai)
    {
        var sample = Sample();
        if (sample.Count == 0) return;
        const string key = "bench-editor";
        double cached = 0, uncached = 0, fresh = 0;
        var inlineOptions = new BeamOptions(InlineBeams, new StopConditions(MaxTokens: InlineTokens, AtSentenceEnd: true, AtNewline: true));
        var phraseOptions = new BeamOptions(CompletionBeams, new StopConditions(MaxTokens: CompletionTokens, AtSentenceEnd: true, AtNewline: true, MaxWords: 3));
        void Answer(EditorRequest r)
        {
            if (r.Kind == "completion")
            {
                predictor.NextWords(key, r.TextBeforeCursor, 10);
                predictor.BeamSearch(key, r.TextBeforeCursor, phraseOptions);
            }
            else predictor.BeamSearch(key, r.TextBeforeCursor, inlineOptions);
        }
        Answer(sample[0]);
        predictor.Forget(key);
        var kinds = new[] { "completion", "inline" };
        var cachedBy = kinds.ToDictionary(k => k, _ => 0.0);
        var uncachedBy = kinds.ToDictionary(k => k, _ => 0.0);
        var freshBy = kinds.ToDictionary(k => k, _ => 0.0);
        // Cached pass: requests in typing order, cache kept, as the server runs them.
        var (reused0, computed0) = CacheStatistics(predictor);
        var allocatedBy = kinds.ToDictionary(k => k, _ => 0L);
        foreach (var r in sample)
        {
            var bytes0 = GC.GetAllocatedBytesForCurrentThread();
            cachedBy[r.Kind] += Time(() => Answer(r));
            allocatedBy[r.Kind] += GC.GetAllocatedBytesForCurrentThread() - bytes0;
        }
        var (reused1, computed1) = CacheStatistics(predictor);
        // Uncached pass: the same requests with the document's prefix cache dropped first.
        foreach (var r in sample)
        {
            predictor.Forget(key);
            uncachedBy[r.Kind] += Time(() => Answer(r));
        }
        var (reused2, computed2) = CacheStatistics(predictor);
        // GenAI: a fresh prompt for every request, cut to the window like ours, N tokens exactly.
        foreach (var r in sample)
        {
            var prompt = info.Window(corpus.Encode(r.TextBeforeCursor), r.Kind == "completion" ? CompletionTokens : InlineTokens);
            freshBy[r.Kind] += r.Kind == "completion"
                ? Time(() => genai.Generate(prompt, CompletionTokens, beams: CompletionBeams))
                : Time(() => genai.Generate(prompt, InlineTokens, beams: InlineBeams));
        }
        cached = cachedBy.Values.Sum();
        uncached = uncachedBy.Values.Sum();
        fresh = freshBy.Values.Sum();
        foreach (var k in kinds)
        {
            var n = sample.Count(r => r.Kind == k);
            if (n == 0) continue;
            Figures[$"{k}_requests"] = n;
            Figures[$"engine_cached_{k}_mean_ms"] = cachedBy[k] / n;
            Figures[$"engine_uncached_{k}_mean_ms"] = uncachedBy[k] / n;
            Figures[$"genai_fresh_{k}_mean_ms"] = freshBy[k] / n;
            Figures[$"genai_editor_ratio_{k}"] = cachedBy[k] / freshBy[k];
            Figures[$"no_cache_ratio_{k}"] = cachedBy[k] / uncachedBy[k];
            // Managed bytes the engine allocates per request (KV caches, logits, hypotheses): GC pressure and RSS growth.
            Figures[$"engine_allocated_mb_per_{k}"] = allocatedBy[k] / 1e6 / n;
        }
        Figures["cached_pass_tokens_reused"] = reused1 - reused0;
        Figures["cached_pass_tokens_computed"] = computed1 - computed0;
        Figures["uncached_pass_tokens_reused"] = reused2 - reused1;
        Figures["uncached_pass_tokens_computed"] = computed2 - computed1;
        log.WriteLine($"  prefix cache: cached pass reused {reused1 - reused0} / computed {computed1 - computed0} context tokens; uncached pass reused {reused2 - reused1} / computed {computed2 - computed1}");
        foreach (var k in kinds.Where(k => Figures.ContainsKey($"{k}_requests")))
            log.WriteLine($"  {k}: engine cached {Figures[$"engine_cached_{k}_mean_ms"]:F1} ms, no cache {Figures[$"engine_uncached_{k}_mean_ms"]:F1}, GenAI fresh {Figures[$"genai_fresh_{k}_mean_ms"]:F1} (n {Figures[$"{k}_requests"]}); engine allocates {Figures[$"engine_allocated_mb_per_{k}"]:F1} MB per request");
        Figures["editor_requests_compared"] = sample.Count;
        Figures["engine_cached_total_ms"] = cached;
        Figures["engine_uncached_total_ms"] = uncached;
        Figures["genai_fresh_total_ms"] = fresh;
        Figures["genai_editor_ratio"] = cached / fresh;
        Figures["no_cache_ratio"] = cached / uncached;
        log.WriteLine($"  editor requests ({sample.Count}): engine cached {cached / sample.Count:F1} ms/request, no cache {uncached / sample.Count:F1}, GenAI from scratch {fresh / sample.Count:F1} "
            + $"-> genai_editor_ratio {cached / fresh:F2}, no_cache_ratio {cached / uncached:F2}");
    }

    /// <summary>TextPredictor.CacheStatistics (reused, computed context tokens) when the engine has it; read by reflection
    /// so the bench builds against an engine without it.</summary>
    private static (long Reused, long Computed) CacheStatistics(TextPredictor predictor) =>
        typeof(TextPredictor).GetProperty("CacheStatistics")?.GetValue(predictor) is ValueTuple<long, long> t ? t : (-1, -1);


    private void FreshPrompt(TextPredictor? predictor, GenAiRunner genai, RawModel raw)
    {
        // A 64-token held-out prompt, as in issue 6's measurements.
        var text = corpus.Paragraphs[^1];
        var ids = corpus.Encode(text);
        var prompt = ids.Take(Math.Min(64, Math.Min(ids.Count, info.Positions - 40))).ToList();
        var promptText = corpus.HasTokenizer ? corpus.PrefixOf(text, prompt.Count) : text;
        var runs = quick ? 5 : 15;
        var g = new Samples("genai greedy"); var r = new Samples("raw greedy");
        var gb = new Samples("genai beam"); var rb = new Samples("raw beam");
        var r1 = new Samples("raw greedy 1 thread"); var rb1 = new Samples("raw beam 1 thread");
        var rns = new Samples("raw greedy no spin"); var rbns = new Samples("raw beam no spin");
        using var raw1 = new RawModel(info.OnnxPath, info, new RawSessionOptions(Threads: 1));
        using var rawNoSpin = new RawModel(info.OnnxPath, info, new RawSessionOptions(AllowSpinning: false));
        const string key = "bench-fresh";
        var greedyStop = new StopConditions(MaxTokens: 32, AtSentenceEnd: false, AtNewline: false);
        var oneStop = new StopConditions(MaxTokens: 1, AtSentenceEnd: false, AtNewline: false);
        var beamOptions = new BeamOptions(4, new StopConditions(MaxTokens: 16, AtSentenceEnd: false, AtNewline: false));
        for (var i = -1; i < runs; i++)
        {
            // i = -1 is the warm-up round.
            void Add(Samples s, double ms) { if (i >= 0) s.Add(ms); }
            Add(g, Time(() => genai.Generate(prompt, 32)));
            Add(r, Time(() => raw.Greedy(prompt, 32)));
            Add(gb, Time(() => genai.Generate(prompt, 16, beams: 4)));
            Add(rb, Time(() => raw.Beam(prompt, 4, 16)));
            // Thread tuning: the same raw loop with one intra-op thread, and with two threads that do not spin.
            Add(r1, Time(() => raw1.Greedy(prompt, 32)));
            Add(rb1, Time(() => raw1.Beam(prompt, 4, 16)));
            Add(rns, Time(() => rawNoSpin.Greedy(prompt, 32)));
            Add(rbns, Time(() => rawNoSpin.Beam(prompt, 4, 16)));
        }
        Figures["prompt_tokens"] = prompt.Count;
        Figures["raw_greedy32_ms"] = r.Median;
        Figures["raw_beam4x16_ms"] = rb.Median;
        Figures["raw_1thread_greedy32_ms"] = r1.Median;
        Figures["raw_1thread_beam4x16_ms"] = rb1.Median;
        Figures["raw_nospin_greedy32_ms"] = rns.Median;
        Figures["raw_nospin_beam4x16_ms"] = rbns.Median;
        log.WriteLine($"  fresh {prompt.Count}-token prompt, in sequence: GenAI greedy 32 {g.Median:F1} ms, beam 4x16 {gb.Median:F1} ms; raw ORT loop {r.Median:F1} / {rb.Median:F1} ms "
            + $"(1 thread {r1.Median:F1} / {rb1.Median:F1}; no spinning {rns.Median:F1} / {rbns.Median:F1})");
        if (predictor is null) return;
        // Engine against GenAI: interleaved rounds, order flipped each round, CPU with each side's spinning tail
        // (HeadToHead, the method of the --decode run). Per token when the engine stopped early, so it cannot flatter us.
        predictor.Forget(key);
        var engineGreedyTokens = predictor.Greedy(key, promptText, greedyStop).Tokens.Count;
        predictor.Forget(key);
        var engineBeamTokens = predictor.BeamSearch(key, promptText, beamOptions).Max(b => b.Tokens.Count);
        var rounds = quick ? 3 : 6;
        var perRound = quick ? 4 : 8;
        var settle = RequestCost.SettleMs(ModelOptions.DefaultSpinMicroseconds);
        Action Fresh(Action<TextPredictor> request) => () => { predictor.Forget(key); request(predictor); };
        var greedy = HeadToHead.Run("greedy 32", new Contender("engine", Fresh(p => p.Greedy(key, promptText, greedyStop)), settle),
            new Contender("GenAI", () => genai.Generate(prompt, 32), RequestCost.UnboundedSettleMs), rounds, perRound, log);
        var beam = HeadToHead.Run("beam 4 x 16", new Contender("engine", Fresh(p => p.BeamSearch(key, promptText, beamOptions)), settle),
            new Contender("GenAI", () => genai.Generate(prompt, 16, beams: 4), RequestCost.UnboundedSettleMs), rounds, perRound, log);
        var one = HeadToHead.Run("first token", new Contender("engine", Fresh(p => p.Greedy(key, promptText, oneStop)), settle),
            new Contender("GenAI", () => genai.Generate(prompt, 1), RequestCost.UnboundedSettleMs), rounds, perRound, log);
        var greedyScale = engineGreedyTokens > 0 && engineGreedyTokens < 32 ? 32.0 / engineGreedyTokens : 1;
        var beamScale = engineBeamTokens > 0 && engineBeamTokens < 16 ? 16.0 / engineBeamTokens : 1;
        Figures["engine_greedy32_ms"] = greedy.A.WallMs;
        Figures["engine_greedy_tokens"] = engineGreedyTokens;
        Figures["engine_beam4x16_ms"] = beam.A.WallMs;
        Figures["engine_beam_tokens"] = engineBeamTokens;
        Figures["genai_greedy32_ms"] = greedy.B.WallMs;
        Figures["genai_beam4x16_ms"] = beam.B.WallMs;
        Figures["engine_greedy32_cpu_ms"] = greedy.A.CpuMs;
        Figures["genai_greedy32_cpu_ms"] = greedy.B.CpuMs;
        Figures["engine_beam4x16_cpu_ms"] = beam.A.CpuMs;
        Figures["genai_beam4x16_cpu_ms"] = beam.B.CpuMs;
        Figures["genai_greedy_ratio"] = greedy.WallRatio * greedyScale;
        Figures["genai_greedy_ratio_worst_round"] = greedy.WorstWallRatio * greedyScale;
        Figures["genai_beam_ratio"] = beam.WallRatio * beamScale;
        Figures["genai_beam_ratio_worst_round"] = beam.WorstWallRatio * beamScale;
        if (engineGreedyTokens > 1) Figures["engine_decode_step_ms"] = (greedy.A.WallMs - one.A.WallMs) / (engineGreedyTokens - 1);
        log.WriteLine($"  engine greedy 32 {greedy.A.WallMs:F1} ms ({engineGreedyTokens} tokens), beam 4x16 {beam.A.WallMs:F1} ms ({engineBeamTokens} tokens) "
            + $"-> genai_greedy_ratio {Figures["genai_greedy_ratio"]:F2} (worst round {Figures["genai_greedy_ratio_worst_round"]:F2}), "
            + $"genai_beam_ratio {Figures["genai_beam_ratio"]:F2} (worst round {Figures["genai_beam_ratio_worst_round"]:F2})");
    }

    private static double Time(Action action)
    {
        var t0 = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }
}
