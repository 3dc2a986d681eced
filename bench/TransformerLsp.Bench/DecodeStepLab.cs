using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace TransformerLsp.Bench;

/// <summary>
/// Raw ONNX Runtime experiments on the model file: one decode step at several past lengths and batch sizes under
/// several session configurations (interleaved so machine noise hits them alike), prefill cost, IoBinding, and an
/// operator profile (kernels per step, time by operator type). The evidence behind the engine recommendations.
/// </summary>
internal sealed class DecodeStepLab(ModelInfo info, bool quick, TextWriter log)
{
    /// <summary>Alternative graphs of the same model (name, path), e.g. from bench/experiments/graph_variants.py.</summary>
    public IReadOnlyList<(string Name, string Path)> Variants { get; init; } = [];

    public sealed record StepResult(string Config, int Batch, int Past, double MedianMs, double CpuMs);
    public sealed record OpShare(string Op, int KernelsPerStep, double MsPerStep, double Share);

    public List<StepResult> Steps { get; } = [];
    public Dictionary<string, double> Figures { get; } = [];
    public Dictionary<string, List<OpShare>> Profiles { get; } = [];

    public int FullPast => info.Positions - 1;

    /// <summary>Median ms of one batch-1 decode step at <paramref name="past"/> with the default configuration.</summary>
    public double DefaultStep(int batch, int past) =>
        Steps.FirstOrDefault(s => s.Config == new RawSessionOptions().Label && s.Batch == batch && s.Past == past)?.MedianMs ?? double.NaN;

    public void Run()
    {
        var configs = new List<RawSessionOptions> { new() };
        if (!quick)
        {
            configs.Add(new RawSessionOptions(Threads: 1));
            configs.Add(new RawSessionOptions(AllowSpinning: false));
            configs.Add(new RawSessionOptions(Level: GraphOptimizationLevel.ORT_ENABLE_BASIC));
            configs.Add(new RawSessionOptions(Level: GraphOptimizationLevel.ORT_DISABLE_ALL));
        }
        else
        {
            configs.Add(new RawSessionOptions(Threads: 1));
            configs.Add(new RawSessionOptions(AllowSpinning: false));
        }
        var models = configs.Select(c => new RawModel(info.OnnxPath, info, c)).ToList();
        try
        {
            for (var i = 0; i < configs.Count; i++) Figures[$"load_ms[{configs[i].Label}]"] = models[i].LoadMs;
            int[] pasts = [16, 256, FullPast];
            int[] batches = [1, 4];
            var runs = quick ? 15 : 60;
            foreach (var batch in batches)
            {
                foreach (var past in pasts)
                {
                    var states = models.Select(m => m.Prefill(batch, past)).ToList();
                    var samples = configs.Select(c => new Samples(c.Label)).ToList();
                    var cpuSamples = configs.Select(c => new Samples(c.Label)).ToList();
                    var ids = new long[batch];
                    Array.Fill(ids, 42L);
                    for (var w = 0; w < 3; w++)
                        for (var i = 0; i < models.Count; i++) models[i].Forward(ids, batch, 1, states[i], keepLogits: false).State.Dispose();
                    for (var r = 0; r < runs; r++)
                    {
                        for (var i = 0; i < models.Count; i++)
                        {
                            var (m, st) = (models[i], states[i]);
                            Timing.Measure(() => m.Forward(ids, batch, 1, st, keepLogits: false).State.Dispose(), samples[i], cpuSamples[i]);
                        }
                    }
                    for (var i = 0; i < models.Count; i++)
                    {
                        Steps.Add(new StepResult(configs[i].Label, batch, past, samples[i].Median, cpuSamples[i].Median));
                        states[i].Dispose();
                    }
                    log.WriteLine($"  decode step batch {batch} past {past}: " + string.Join("; ", configs.Select((c, i) => $"{c.Label} {samples[i].Median:F2} ms (CPU {cpuSamples[i].Median:F2})")));
                }
            }
            var main = models[0];
            // Prefill of a 256-token prompt: the LM head runs for all 256 positions although a completion needs the last one.
            var prefill = Math.Min(256, info.Positions);
            var prompt = main.PseudoText(prefill, 7);
            Figures["prefill_256_ms"] = Timing.MedianMs(() => { using var e = main.EmptyPast(1); main.Forward(prompt, 1, prefill, e, keepLogits: false).State.Dispose(); }, 2, quick ? 5 : 15);
            log.WriteLine($"  prefill {prefill} tokens: {Figures["prefill_256_ms"]:F1} ms");
            using (var single = new RawModel(info.OnnxPath, info, new RawSessionOptions(Threads: 1))) MeasureIoBinding(single, runs);
            Figures["fillin_batch16_ms"] = FillInBatch(main, quick ? 8 : 25);
            log.WriteLine($"  fill-in batch of 16 (4 tokens each over a 256-token past): {Figures["fillin_batch16_ms"]:F2} ms");
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
        foreach (var (name, path) in Variants) CompareVariant(name, path);
        Profile(GraphOptimizationLevel.ORT_ENABLE_ALL, "opt=all");
        if (!quick) Profile(GraphOptimizationLevel.ORT_DISABLE_ALL, "opt=none");
        MeasureOptimizedModelCache();
    }

    /// <summary>Sixteen candidate rows of 4 tokens (candidate + right window) scored in one forward over a shared 256-token past.</summary>
    internal static double FillInBatch(RawModel model, int runs)
    {
        using var past = model.Prefill(16, 256);
        var ids = model.PseudoText(16 * 4, 11);
        return Timing.MedianMs(() => model.Forward(ids, 16, 4, past, keepLogits: false).State.Dispose(), 2, runs);
    }

    /// <summary>The same decode step with inputs bound once and outputs bound to CPU memory (OrtIoBinding); one thread, so CPU time is comparable.</summary>
    private void MeasureIoBinding(RawModel model, int runs)
    {
        foreach (var past in new[] { 16, 256 })
        {
            using var state = model.Prefill(1, past);
            var ids = new long[] { 42 };
            var mask = new long[past + 1];
            Array.Fill(mask, 1L);
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [1, 1]);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [1, past + 1]);
            using var posValue = OrtValue.CreateTensorValueFromMemory(new long[] { past }, [1, 1]);
            using var binding = model.Session.CreateIoBinding();
            binding.BindInput("input_ids", idsValue);
            binding.BindInput("attention_mask", maskValue);
            binding.BindInput("position_ids", posValue);
            for (var l = 0; l < info.Layers; l++)
            {
                binding.BindInput($"past_key_values.{l}.key", state.Values[2 * l]);
                binding.BindInput($"past_key_values.{l}.value", state.Values[2 * l + 1]);
            }
            // Preallocated outputs: logits and presents written into buffers we own, no allocation per run.
            var outputs = new List<OrtValue>();
            var logits = OrtValue.CreateTensorValueFromMemory(new float[info.Vocab], [1, 1, info.Vocab]);
            outputs.Add(logits);
            binding.BindOutput("logits", logits);
            for (var l = 0; l < info.Layers; l++)
            {
                foreach (var kind in new[] { "key", "value" })
                {
                    var v = OrtValue.CreateTensorValueFromMemory(new float[info.Heads * (past + 1) * info.HeadDim], [1, info.Heads, past + 1, info.HeadDim]);
                    outputs.Add(v);
                    binding.BindOutput($"present.{l}.{kind}", v);
                }
            }
            var ro = model.RunOptions;
            var bw = new Samples("bound"); var bc = new Samples("bound cpu"); var pw = new Samples("plain"); var pc = new Samples("plain cpu");
            for (var r = -3; r < runs; r++)
            {
                Timing.Measure(() => model.Session.RunWithBinding(ro, binding), r >= 0 ? bw : null, r >= 0 ? bc : null);
                Timing.Measure(() => model.Forward(ids, 1, 1, state, keepLogits: false).State.Dispose(), r >= 0 ? pw : null, r >= 0 ? pc : null);
            }
            double bound = bw.Median, plain = pw.Median;
            Figures[$"iobinding_step_past{past}_cpu_ms"] = bc.Median;
            Figures[$"plain_step_past{past}_cpu_ms"] = pc.Median;
            foreach (var o in outputs) o.Dispose();
            Figures[$"iobinding_step_past{past}_ms"] = bound;
            Figures[$"plain_step_past{past}_ms"] = plain;
            log.WriteLine($"  IoBinding (preallocated outputs) past {past}: {bound:F2} ms (CPU {bc.Median:F2}) vs plain Run {plain:F2} ms (CPU {pc.Median:F2})");
        }
    }

    /// <summary>Kernels per decode step and time by operator type, from ONNX Runtime's profiler.</summary>
    private void Profile(GraphOptimizationLevel level, string label)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"bench-profile-{Environment.ProcessId}-{label.Replace('=', '-')}");
        var steps = 20;
        string file;
        // The prefill runs in a second, unprofiled session (past tensors are plain tensors, valid in any session of
        // the model), so the profile holds decode steps only.
        using var prefiller = new RawModel(info.OnnxPath, info);
        using var state = prefiller.Prefill(1, Math.Min(256, info.Positions - steps - 1));
        using (var model = new RawModel(info.OnnxPath, info, new RawSessionOptions(Level: level, ProfilePrefix: prefix)))
        {
            for (var i = 0; i < steps; i++) model.Forward([42], 1, 1, state, keepLogits: false).State.Dispose();
            file = model.Session.EndProfiling();
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var byOp = new Dictionary<string, (int Count, double Us)>();
            var runs = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (!e.TryGetProperty("cat", out var cat)) continue;
                var name = e.GetProperty("name").GetString() ?? "";
                if (cat.GetString() == "Session" && name == "model_run") runs++;
                if (cat.GetString() != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                var op = e.GetProperty("args").GetProperty("op_name").GetString() ?? "?";
                var us = e.GetProperty("dur").GetDouble();
                byOp[op] = byOp.TryGetValue(op, out var c) ? (c.Count + 1, c.Us + us) : (1, us);
            }
            var decodeRuns = runs > 0 ? runs : steps;
            var total = byOp.Values.Sum(v => v.Us);
            var shares = byOp.OrderByDescending(kv => kv.Value.Us)
                .Select(kv => new OpShare(kv.Key, (int)Math.Round((double)kv.Value.Count / decodeRuns), kv.Value.Us / decodeRuns / 1000, kv.Value.Us / total))
                .ToList();
            Profiles[label] = shares;
            var kernels = shares.Sum(s => s.KernelsPerStep);
            Figures[$"kernels_per_step[{label}]"] = kernels;
            log.WriteLine($"  profile {label}: ~{kernels} kernels per run; top: " + string.Join(", ", shares.Take(6).Select(s => $"{s.Op} {s.Share:P0} ({s.KernelsPerStep})")));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Prefill of 256 tokens and a decode step at past 256: the model file against a variant graph, interleaved.</summary>
    private void CompareVariant(string name, string path)
    {
        // One intra-op thread: then process CPU time is the work itself, steady even when other jobs share the cores.
        using var baseline = new RawModel(info.OnnxPath, info, new RawSessionOptions(Threads: 1));
        using var variant = new RawModel(path, info, new RawSessionOptions(Threads: 1));
        var prefill = Math.Min(256, info.Positions);
        var prompt = baseline.PseudoText(prefill, 7);
        var sb = new Samples("base prefill"); var sv = new Samples("variant prefill");
        var db = new Samples("base step"); var dv = new Samples("variant step");
        var csb = new Samples("base prefill cpu"); var csv = new Samples("variant prefill cpu");
        var cdb = new Samples("base step cpu"); var cdv = new Samples("variant step cpu");
        using var stateB = baseline.Prefill(1, 256);
        using var stateV = variant.Prefill(1, 256);
        var runs = quick ? 6 : 20;
        for (var r = -1; r < runs; r++)
        {
            Samples? Keep(Samples s) => r >= 0 ? s : null;
            Timing.Measure(() => { using var e = baseline.EmptyPast(1); baseline.Forward(prompt, 1, prefill, e, keepLogits: false).State.Dispose(); }, Keep(sb), Keep(csb));
            Timing.Measure(() => { using var e = variant.EmptyPast(1); variant.Forward(prompt, 1, prefill, e, keepLogits: false).State.Dispose(); }, Keep(sv), Keep(csv));
            for (var k = 0; k < 5; k++)
            {
                Timing.Measure(() => baseline.Forward([42], 1, 1, stateB, keepLogits: false).State.Dispose(), Keep(db), Keep(cdb));
                Timing.Measure(() => variant.Forward([42], 1, 1, stateV, keepLogits: false).State.Dispose(), Keep(dv), Keep(cdv));
            }
        }
        Figures[$"variant[{name}]_prefill_256_ms"] = sv.Median;
        Figures[$"variant[{name}]_base_prefill_256_ms"] = sb.Median;
        Figures[$"variant[{name}]_step_past256_ms"] = dv.Median;
        Figures[$"variant[{name}]_base_step_past256_ms"] = db.Median;
        Figures[$"variant[{name}]_prefill_256_cpu_ms"] = csv.Median;
        Figures[$"variant[{name}]_base_prefill_256_cpu_ms"] = csb.Median;
        Figures[$"variant[{name}]_step_past256_cpu_ms"] = cdv.Median;
        Figures[$"variant[{name}]_base_step_past256_cpu_ms"] = cdb.Median;
        log.WriteLine($"  variant {name} (1 thread): prefill 256 {sv.Median:F1} ms (CPU {csv.Median:F1}) vs base {sb.Median:F1} ms (CPU {csb.Median:F1}); "
            + $"decode step past 256 {dv.Median:F2} ms (CPU {cdv.Median:F2}) vs {db.Median:F2} ms (CPU {cdb.Median:F2})");
    }

    /// <summary>Session creation with full optimisation versus loading a model already optimised and saved (ORT's optimized-model cache).</summary>
    private void MeasureOptimizedModelCache()
    {
        var optimized = Path.Combine(Path.GetTempPath(), $"bench-optimized-{Environment.ProcessId}.onnx");
        try
        {
            using (var m = new RawModel(info.OnnxPath, info, new RawSessionOptions(SaveOptimizedModelTo: optimized))) { }
            var fresh = Timing.MedianMs(() => new RawModel(info.OnnxPath, info).Dispose(), 0, 3);
            var cached = Timing.MedianMs(() => new RawModel(optimized, info, new RawSessionOptions(Level: GraphOptimizationLevel.ORT_DISABLE_ALL)).Dispose(), 0, 3);
            Figures["session_create_ms"] = fresh;
            Figures["session_create_from_optimized_ms"] = cached;
            log.WriteLine($"  session creation: {fresh:F0} ms (optimise at load) vs {cached:F0} ms (pre-optimised file, optimisations off)");
        }
        finally
        {
            File.Delete(optimized);
        }
    }
}
