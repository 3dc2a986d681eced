using Microsoft.ML.OnnxRuntime;

namespace TransformerLsp.Bench;

/// <summary>How a raw ONNX Runtime session is configured for an experiment.</summary>
internal sealed record RawSessionOptions(
    GraphOptimizationLevel Level = GraphOptimizationLevel.ORT_ENABLE_ALL,
    int Threads = 0,
    bool AllowSpinning = true,
    string? SaveOptimizedModelTo = null,
    string? ProfilePrefix = null)
{
    public string Label => $"{Level switch { GraphOptimizationLevel.ORT_DISABLE_ALL => "opt=none", GraphOptimizationLevel.ORT_ENABLE_BASIC => "opt=basic", GraphOptimizationLevel.ORT_ENABLE_EXTENDED => "opt=extended", _ => "opt=all" }}, threads={(Threads == 0 ? "auto" : Threads.ToString())}{(AllowSpinning ? "" : ", no spin")}";
}

/// <summary>
/// The model file driven directly through ONNX Runtime, the way a straightforward decoder does it: past key/values
/// fed back as the next step's inputs (the graph concatenates), all outputs allocated by ONNX Runtime each run.
/// The baseline for the engine, and the bench's laboratory for decode-step speedups.
/// </summary>
internal sealed class RawModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _outputNames;
    private readonly string[] _pastNames;
    public ModelInfo Info { get; }
    public double LoadMs { get; }

    public RawModel(string onnxPath, ModelInfo info, RawSessionOptions? options = null)
    {
        options ??= new RawSessionOptions();
        Info = info;
        using var so = new SessionOptions { GraphOptimizationLevel = options.Level, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        if (options.Threads > 0) so.IntraOpNumThreads = options.Threads;
        so.InterOpNumThreads = 1;
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        if (options.SaveOptimizedModelTo is not null) so.OptimizedModelFilePath = options.SaveOptimizedModelTo;
        if (options.ProfilePrefix is not null) { so.EnableProfiling = true; so.ProfileOutputPathPrefix = options.ProfilePrefix; }
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        _session = new InferenceSession(onnxPath, so);
        LoadMs = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        _pastNames = new string[2 * info.Layers];
        _outputNames = new string[1 + 2 * info.Layers];
        _outputNames[0] = "logits";
        for (var l = 0; l < info.Layers; l++)
        {
            _pastNames[2 * l] = $"past_key_values.{l}.key";
            _pastNames[2 * l + 1] = $"past_key_values.{l}.value";
            _outputNames[1 + 2 * l] = $"present.{l}.key";
            _outputNames[2 + 2 * l] = $"present.{l}.value";
        }
    }

    public InferenceSession Session => _session;
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>Empty past tensors ([batch, heads, 0, head_dim]) for a first call.</summary>
    public KvState EmptyPast(int batch)
    {
        var values = new OrtValue[2 * Info.Layers];
        for (var i = 0; i < values.Length; i++)
            values[i] = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [batch, Info.Heads, 0, Info.HeadDim]);
        return new KvState(values, 0, batch, null);
    }

    /// <summary>One forward pass of <paramref name="seq"/> tokens per row over <paramref name="past"/>; returns logits and the new state.</summary>
    public (float[] Logits, KvState State) Forward(long[] ids, int batch, int seq, KvState past, bool keepLogits = true)
    {
        var total = past.Length + seq;
        var mask = new long[batch * total];
        Array.Fill(mask, 1L);
        var positions = new long[batch * seq];
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < seq; t++) positions[b * seq + t] = past.Length + t;
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [batch, seq]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [batch, total]);
        using var posValue = OrtValue.CreateTensorValueFromMemory(positions, [batch, seq]);
        var inputs = new List<OrtValue>(3 + _pastNames.Length) { idsValue, maskValue, posValue };
        inputs.AddRange(past.Values);
        var names = new List<string>(3 + _pastNames.Length) { "input_ids", "attention_mask", "position_ids" };
        names.AddRange(_pastNames);
        var outputs = _session.Run(_runOptions, names, inputs, _outputNames);
        var logits = keepLogits ? outputs[0].GetTensorDataAsSpan<float>().ToArray() : [];
        var present = new OrtValue[_pastNames.Length];
        for (var i = 0; i < present.Length; i++) present[i] = outputs[1 + i];
        return (logits, new KvState(present, total, batch, outputs));
    }

    /// <summary>A state of <paramref name="pastLength"/> tokens per row (a prefill of pseudo-random ids).</summary>
    public KvState Prefill(int batch, int pastLength, int seed = 1)
    {
        using var empty = EmptyPast(batch);
        if (pastLength == 0) return EmptyPast(batch);
        var ids = PseudoText(batch * pastLength, seed);
        return Forward(ids, batch, pastLength, empty, keepLogits: false).State;
    }

    public long[] PseudoText(int count, int seed)
    {
        var rng = new Random(seed);
        var ids = new long[count];
        for (var i = 0; i < count; i++) ids[i] = rng.Next(3, Info.Vocab);
        return ids;
    }

    /// <summary>Greedy decoding of exactly <paramref name="newTokens"/> tokens (EOS masked), from a fresh prompt.</summary>
    public int[] Greedy(IReadOnlyList<int> prompt, int newTokens)
    {
        var result = new int[newTokens];
        var (logits, state) = Forward(prompt.Select(t => (long)t).ToArray(), 1, prompt.Count, EmptyPast(1));
        var offset = (prompt.Count - 1) * Info.Vocab;
        for (var n = 0; n < newTokens; n++)
        {
            var next = ArgMaxExcept(logits.AsSpan(offset, Info.Vocab), Info.EosId);
            result[n] = next;
            if (n == newTokens - 1) break;
            var (l2, s2) = Forward([next], 1, 1, state);
            state.Dispose();
            state = s2; logits = l2; offset = 0;
        }
        state.Dispose();
        return result;
    }

    /// <summary>
    /// Beam search, k beams batched in one forward per step (KV rows gathered by parent beam), exactly
    /// <paramref name="newTokens"/> tokens, EOS masked; score = sum of log-probabilities.
    /// </summary>
    public (int[] Tokens, double Score)[] Beam(IReadOnlyList<int> prompt, int width, int newTokens)
    {
        var v = Info.Vocab;
        var (logits, state) = Forward(prompt.Select(t => (long)t).ToArray(), 1, prompt.Count, EmptyPast(1));
        var first = LogSoftmax(logits.AsSpan((prompt.Count - 1) * v, v));
        var beams = TopK(first, width, Info.EosId).Select(c => (Tokens: new List<int> { c.Token }, Score: (double)c.Value)).ToList();
        // Expand the prompt state to k rows.
        var expanded = state.Gather(Enumerable.Repeat(0, width).ToArray());
        state.Dispose();
        state = expanded;
        for (var n = 1; n < newTokens; n++)
        {
            var ids = beams.Select(b => (long)b.Tokens[^1]).ToArray();
            var (l2, s2) = Forward(ids, width, 1, state);
            state.Dispose();
            var candidates = new List<(int Beam, int Token, double Score)>(width * width);
            for (var b = 0; b < width; b++)
            {
                var lp = LogSoftmax(l2.AsSpan(b * v, v));
                foreach (var c in TopK(lp, width, Info.EosId)) candidates.Add((b, c.Token, beams[b].Score + c.Value));
            }
            var best = candidates.OrderByDescending(c => c.Score).Take(width).ToArray();
            state = s2.Gather(best.Select(c => c.Beam).ToArray());
            s2.Dispose();
            beams = best.Select(c => (Tokens: new List<int>(beams[c.Beam].Tokens) { c.Token }, c.Score)).ToList();
        }
        state.Dispose();
        return beams.Select(b => (b.Tokens.ToArray(), b.Score)).ToArray();
    }

    internal static int ArgMaxExcept(ReadOnlySpan<float> row, int excluded)
    {
        var best = excluded == 0 ? 1 : 0;
        for (var i = 0; i < row.Length; i++)
            if (i != excluded && row[i] > row[best]) best = i;
        return best;
    }

    internal static float[] LogSoftmax(ReadOnlySpan<float> row)
    {
        var max = float.NegativeInfinity;
        foreach (var x in row) max = Math.Max(max, x);
        double sum = 0;
        foreach (var x in row) sum += Math.Exp(x - max);
        var log = max + (float)Math.Log(sum);
        var result = new float[row.Length];
        for (var i = 0; i < row.Length; i++) result[i] = row[i] - log;
        return result;
    }

    internal static (int Token, float Value)[] TopK(float[] row, int k, int excluded)
    {
        var best = new List<(int Token, float Value)>(k + 1);
        for (var i = 0; i < row.Length; i++)
        {
            if (i == excluded) continue;
            if (best.Count == k && row[i] <= best[^1].Value) continue;
            var at = best.FindIndex(b => row[i] > b.Value);
            if (at < 0) best.Add((i, row[i])); else best.Insert(at, (i, row[i]));
            if (best.Count > k) best.RemoveAt(k);
        }
        return best.ToArray();
    }

    public RunOptions RunOptions => _runOptions;

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}

/// <summary>Past key/values of a batch: one OrtValue per layer and key/value, <see cref="Length"/> tokens long.</summary>
internal sealed class KvState(OrtValue[] values, int length, int batch, IDisposable? owner) : IDisposable
{
    public OrtValue[] Values { get; } = values;
    public int Length { get; } = length;
    public int Batch { get; } = batch;

    /// <summary>A new state whose row i is row <paramref name="rows"/>[i] of this one (beam reordering).</summary>
    public KvState Gather(int[] rows)
    {
        var result = new OrtValue[Values.Length];
        for (var i = 0; i < Values.Length; i++)
        {
            var shape = Values[i].GetTensorTypeAndShape().Shape;
            var rowSize = shape[1] * shape[2] * shape[3];
            var source = Values[i].GetTensorDataAsSpan<float>();
            var data = new float[rows.Length * rowSize];
            for (var r = 0; r < rows.Length; r++)
                source.Slice((int)(rows[r] * rowSize), (int)rowSize).CopyTo(data.AsSpan((int)(r * rowSize)));
            result[i] = OrtValue.CreateTensorValueFromMemory(data, [rows.Length, shape[1], shape[2], shape[3]]);
        }
        return new KvState(result, Length, rows.Length, null);
    }

    public void Dispose()
    {
        if (owner is not null) owner.Dispose();
        else foreach (var v in Values) v.Dispose();
    }
}
