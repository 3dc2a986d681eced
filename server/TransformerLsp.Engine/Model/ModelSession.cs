using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// The only code that touches ONNX Runtime: one InferenceSession over model.onnx, checked against config.json at load,
/// run on [batch, seq] token blocks after a <see cref="KvCache"/>.
/// </summary>
/// <remarks>
/// <b>Invariant:</b> no call feeds a position ≥ n_positions (an export here once returned logits of shape [1, 0, vocab]
/// silently past its position table). Outputs are bound to buffers of the expected shape, so ONNX Runtime itself rejects
/// any output of another shape. Rows of a batch share one past length; rows of different lengths are right-padded, which
/// causal attention makes harmless to the real positions (their padded logits are simply not read).
/// </remarks>
internal sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _modelPath;
    private readonly bool _hasPositionIds;
    private readonly string[] _outputNames;
    private readonly RunOptions _runOptions = new();
    private float[] _logits = [];
    private int _running; // 1 while a run is in progress: a second, concurrent one is refused, not raced
    private long[] _ids = [], _positions = [], _mask = [];
    private readonly long[] _keepLast = [1];
    private readonly bool[] _exactPast = [false];
    private readonly string[] _inputNames = [];
    private readonly string[] _inputNamesWithBias = []; // _inputNames and attention_bias, for a run that feeds it
    private readonly OrtValue[] _inputValues = [], _inputValuesWithBias = [];
    private readonly OrtValue[] _outputValues = [];

    /// <param name="modelPath">model.onnx.</param>
    /// <param name="config">config.json, which the graph is checked against.</param>
    /// <param name="provider">The execution provider asked for (CPU when it is not available).</param>
    /// <param name="threads">Intra-op threads; 0 lets ONNX Runtime choose.</param>
    /// <param name="spinMicroseconds">Idle intra-op workers spin this long before sleeping; 0 = never, -1 = ONNX Runtime's
    /// unbounded default (see <see cref="ModelOptions.SpinMicroseconds"/>).</param>
    /// <param name="graphCacheFolder">Where optimised graphs are cached (<see cref="GraphCache"/>); null = not cached.</param>
    public ModelSession(string modelPath, ModelConfig config, ExecutionProviderKind provider, int threads, int spinMicroseconds, string? graphCacheFolder = null)
    {
        Config = config;
        _modelPath = modelPath;
        if (!File.Exists(modelPath))
            throw new ModelLoadException($"{modelPath}: missing; expected the ONNX decoder exported for config.json ({config.NLayer} layers, vocab {config.VocabSize}).");
        string? providerName = null, providerNote = null;
        SessionOptions NewOptions(GraphOptimizationLevel level)
        {
            // Errors only: the fused graph's optional logits_to_keep makes ONNX Runtime warn at every load that an
            // initializer is also an input, which is exactly what an optional input is.
            var options = new SessionOptions { GraphOptimizationLevel = level, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            if (threads > 0) options.IntraOpNumThreads = threads;
            SpinPolicy.Apply(options, spinMicroseconds);
            (providerName, providerNote) = ExecutionProviders.Configure(options, provider);
            return options;
        }

        // Only CPU graphs are cached: another provider's optimised graph depends on its device.
        var cache = graphCacheFolder is not null && provider == ExecutionProviderKind.Cpu ? GraphCache.For(graphCacheFolder, modelPath) : null;
        _session = (cache is null ? null : OpenCached(cache)) ?? OpenOriginal(cache);
        ProviderName = providerName!;
        ProviderNote = providerNote;

        InferenceSession? OpenCached(GraphCache cache)
        {
            if (cache.CachedModel is not { } cached) return null;
            if (cache.Damage() is { } damage) return Damaged(damage);
            // Optimised again at the model file's level, which costs nothing on a graph already optimised (0.13 s either
            // way), so the two sessions cannot differ (loaded with optimisations off, an A/B read 3–6% slower, within
            // this VM's noise).
            using var options = NewOptions(GraphOptimizationLevel.ORT_ENABLE_ALL);
            try
            {
                var session = new InferenceSession(cached, options);
                cache.Touch();
                GraphCacheNote = $"optimised graph read from the cache ({cached})";
                return session;
            }
            catch (OnnxRuntimeException e)
            {
                return Damaged($"ONNX Runtime could not load it: {e.Message.Trim()}");
            }

            InferenceSession? Damaged(string why)
            {
                cache.Discard();
                GraphCacheNote = $"the cached graph {cached} is damaged ({why}); deleted and written again";
                return null;
            }
        }

        InferenceSession OpenOriginal(GraphCache? cache)
        {
            using var options = NewOptions(cache is null ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_ENABLE_EXTENDED);
            var (staging, cannotWrite) = cache?.PrepareWrite(options) ?? (null, null);
            if (cannotWrite is not null) GraphCacheNote = $"the optimised graph was not cached ({cannotWrite})";
            InferenceSession session;
            try
            {
                session = new InferenceSession(modelPath, options);
            }
            catch (OnnxRuntimeException e)
            {
                if (staging is not null) GraphCache.Abandon(staging);
                throw new ModelLoadException($"{modelPath}: ONNX Runtime could not load it as a model ({e.Message.Trim()}); expected a valid ONNX decoder (opset 17).", e);
            }
            if (staging is not null)
                GraphCacheNote = cache!.Commit(staging) is { } problem ? $"the optimised graph was not cached ({problem})" : (GraphCacheNote ?? "optimised graph written to the cache");
            return session;
        }
        _outputNames = ["logits", .. Enumerable.Range(0, config.NLayer).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" })];
        try
        {
            (_hasPositionIds, HasLogitsToKeep, _hasExactPast, _hasAttentionBias) = Validate();
            SharesPastAndPresent = _session.ModelMetadata.CustomMetadataMap.TryGetValue(ShareBuffer, out var share) && share == "true";
            _inputNames = ["input_ids", "attention_mask", .. _hasPositionIds ? ["position_ids"] : Array.Empty<string>(),
                .. Enumerable.Range(0, config.NLayer).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" }),
                .. HasLogitsToKeep ? [LogitsToKeep] : Array.Empty<string>(),
                .. _hasExactPast ? [ExactPast] : Array.Empty<string>()];
            _inputNamesWithBias = [.. _inputNames, AttentionBias];
            _inputValues = new OrtValue[_inputNames.Length];
            _inputValuesWithBias = new OrtValue[_inputNamesWithBias.Length];
            _outputValues = new OrtValue[_outputNames.Length];
            ProbeLastPosition();
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }
    }

    public ModelConfig Config { get; }
    public string ProviderName { get; }
    public string? ProviderNote { get; }

    /// <summary>Whether the graph computes a prefill's last logits alone (it has logits_to_keep).</summary>
    public bool HasLogitsToKeep { get; }

    /// <summary>Whether one buffer may be both a layer's past and its present (fused_graph.py's GroupQueryAttention, which
    /// the file's metadata says): a run then writes only its new positions, where another graph copies the whole past
    /// into a new present. See <see cref="KvCache"/>.</summary>
    public bool SharesPastAndPresent { get; }

    /// <summary>The metadata entry of <see cref="SharesPastAndPresent"/>.</summary>
    internal const string ShareBuffer = "past_present_share_buffer";

    /// <summary>The fused graph's optional switch (default false) to its MultiHeadAttention layers, which read past caches
    /// of the exact lengths and take several rows of several tokens after a past; its shared-buffer attention
    /// (GroupQueryAttention) takes such a run one row at a time.</summary>
    private const string ExactPast = "exact_past";
    private readonly bool _hasExactPast;

    /// <summary>The fused graph's optional additive bias on its shared-buffer layers' attention scores, [1, 1, seq, total]
    /// (default 0): with it, one row's new positions can be the nodes of a tree (<see cref="RunTree"/>).</summary>
    private const string AttentionBias = "attention_bias";
    private readonly bool _hasAttentionBias;

    /// <summary>Whether <see cref="RunTree"/> is available: the shared-buffer graph with position ids and an attention bias.</summary>
    public bool RunsTrees => SharesPastAndPresent && _hasAttentionBias && _hasPositionIds;

    /// <summary>Whether a run of several rows of several tokens after a past is one run (else one run per row).</summary>
    public bool BatchesRowsAfterPast => !SharesPastAndPresent || (_hasExactPast && UseExactPast);

    /// <summary>Whether the graph's exact-past layers take several rows of several tokens after a past (tests turn it off
    /// to check the one-row-at-a-time runs a graph without them gets).</summary>
    internal bool UseExactPast { get; set; } = true;

    /// <summary>Runs since load.</summary>
    public long Runs { get; private set; }

    /// <summary>Time spent inside ONNX Runtime's run since load, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long RunTicks { get; private set; }

    /// <summary>What the graph cache did for this session (read, written, or why not); null when none is used.</summary>
    public string? GraphCacheNote { get; private set; }

    /// <summary>The optional input of the fused export (models/recipe/fused_graph.py): 0 (its default) computes the logits
    /// of every position, k those of the last k only. A prefill needs only the last position's, and the language-model
    /// head is about 40% of a prefill's multiply-adds.</summary>
    private const string LogitsToKeep = "logits_to_keep";

    /// <summary>Checks input and output names, element types and fixed dimensions against config.json; returns whether
    /// position_ids, logits_to_keep, exact_past and attention_bias are inputs.</summary>
    private (bool PositionIds, bool LogitsToKeep, bool ExactPast, bool AttentionBias) Validate()
    {
        var c = Config;
        var inputs = _session.InputMetadata;
        var outputs = _session.OutputMetadata;
        string Shape(NodeMetadata m) => "[" + string.Join(", ", m.Dimensions.Select((d, i) => d >= 0 ? d.ToString() : (m.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?"))) + "]";
        ModelLoadException Error(string what) => new($"{_modelPath}: {what} (config.json: n_layer {c.NLayer}, n_head {c.NHead}, n_embd {c.NEmbd}, vocab_size {c.VocabSize}).");

        void Expect(IReadOnlyDictionary<string, NodeMetadata> set, string kind, string name, TensorElementType type, int rank, params (int Dim, int Value, string Meaning)[] fixedDims)
        {
            if (!set.TryGetValue(name, out var m))
                throw Error($"expected {kind} '{name}', found {kind}s {string.Join(", ", set.Keys.Select(k => $"'{k}'"))}");
            if (m.ElementDataType != type)
                throw Error($"{kind} '{name}' has element type {m.ElementDataType}, expected {type}");
            if (m.Dimensions.Length != rank)
                throw Error($"{kind} '{name}' has shape {Shape(m)}, expected rank {rank}");
            foreach (var (dim, value, meaning) in fixedDims)
                if (m.Dimensions[dim] >= 0 && m.Dimensions[dim] != value)
                    throw Error($"{kind} '{name}' has shape {Shape(m)}, expected {value} ({meaning}) at dimension {dim}");
        }

        Expect(inputs, "input", "input_ids", TensorElementType.Int64, 2);
        Expect(inputs, "input", "attention_mask", TensorElementType.Int64, 2);
        var hasPositions = inputs.ContainsKey("position_ids");
        if (hasPositions) Expect(inputs, "input", "position_ids", TensorElementType.Int64, 2);
        Expect(outputs, "output", "logits", TensorElementType.Float, 3, (2, c.VocabSize, "vocab_size"));
        for (var i = 0; i < c.NLayer; i++)
            foreach (var kv in new[] { "key", "value" })
            {
                Expect(inputs, "input", $"past_key_values.{i}.{kv}", TensorElementType.Float, 4, (1, c.NHead, "n_head"), (3, c.HeadDim, "head_dim = n_embd / n_head"));
                Expect(outputs, "output", $"present.{i}.{kv}", TensorElementType.Float, 4, (1, c.NHead, "n_head"), (3, c.HeadDim, "head_dim = n_embd / n_head"));
            }
        var pastInputs = inputs.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal));
        if (pastInputs != 2 * c.NLayer)
            throw Error($"has {pastInputs} past_key_values inputs, expected {2 * c.NLayer} (key and value for each of n_layer {c.NLayer} layers)");
        // An input with a default is listed among the overridable initializers, not the inputs.
        var optional = _session.OverridableInitializerMetadata;
        var hasLogitsToKeep = optional.ContainsKey(LogitsToKeep);
        if (hasLogitsToKeep) Expect(optional, "input", LogitsToKeep, TensorElementType.Int64, 0);
        var hasExactPast = optional.ContainsKey(ExactPast);
        if (hasExactPast) Expect(optional, "input", ExactPast, TensorElementType.Bool, 0);
        var hasAttentionBias = optional.ContainsKey(AttentionBias);
        if (hasAttentionBias) Expect(optional, "input", AttentionBias, TensorElementType.Float, 4);
        var known = new HashSet<string>(["input_ids", "attention_mask", "position_ids", LogitsToKeep, ExactPast, AttentionBias]);
        var unknown = inputs.Keys.Where(k => !known.Contains(k) && !k.StartsWith("past_key_values.", StringComparison.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw Error($"has inputs the engine cannot feed: {string.Join(", ", unknown)}");
        return (hasPositions, hasLogitsToKeep, hasExactPast, hasAttentionBias);
    }

    /// <summary>config.json's n_positions must not exceed the export's position table, which the metadata does not show:
    /// one token at the last position must run (a millisecond, on a past of zeros).</summary>
    private void ProbeLastPosition()
    {
        var c = Config;
        using var past = new KvCache(c.NLayer, c.NHead, c.HeadDim, 1, c.NPositions - 1, capacity: c.NPositions);
        try
        {
            Run(past, [c.BosTokenId], 1, 1, allPositions: false, out var present);
            present.Dispose();
        }
        catch (InvalidOperationException e)
        {
            throw new ModelLoadException($"{_modelPath}: cannot run position {c.NPositions - 1} although config.json says n_positions " +
                $"{c.NPositions}; the export's position table is probably smaller: set n_positions to the context length it was exported with ({e.InnerException?.Message.Trim() ?? e.Message}).", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="batch"/> rows of <paramref name="seq"/> tokens (row-major in <paramref name="tokens"/>) after
    /// <paramref name="past"/>, whose batch must equal <paramref name="batch"/>. Returns the logits [batch, seq, vocab]
    /// (or [batch, 1, vocab] of the last position when <paramref name="allPositions"/> is false) and the new cache.
    /// </summary>
    public float[] Run(KvCache past, ReadOnlySpan<int> tokens, int batch, int seq, bool allPositions, out KvCache present)
    {
        var lastOnly = !allPositions && seq > 1 && HasLogitsToKeep;
        var logits = RunOnce(past, tokens, batch, seq, lastOnly, out present);
        var vocab = Config.VocabSize;
        if (allPositions || seq == 1 || lastOnly) return logits.ToArray();
        var last = new float[batch * vocab];
        for (var b = 0; b < batch; b++)
            logits.Slice((b * seq + seq - 1) * vocab, vocab).CopyTo(last.AsSpan(b * vocab, vocab));
        return last;
    }

    /// <summary>
    /// <see cref="Run"/> without the copy: the logits [batch, seq, vocab] of every position, in the session's own output
    /// buffer, valid only until the next run. For callers that read them once (a decode step, scoring continuations),
    /// so that a step does not become a large-object-heap array.
    /// </summary>
    public ReadOnlySpan<float> RunShared(KvCache past, ReadOnlySpan<int> tokens, int batch, int seq, out KvCache present)
        => RunOnce(past, tokens, batch, seq, lastOnly: false, out present);

    /// <summary>
    /// One row of <paramref name="tokens"/> after <paramref name="past"/>, each at its own position id
    /// (<paramref name="positions"/>) and with <paramref name="bias"/> [tokens, past + tokens] added to its attention scores
    /// on top of the causal mask: a large negative entry hides a position from a token. A search's candidates run so, as
    /// the nodes of a tree that each see the context and their own ancestors (<see cref="TreeDecoderState"/>), and read the
    /// context's cache once instead of once per row. Returns the logits [1, tokens, vocab] (valid until the next run).
    /// </summary>
    public ReadOnlySpan<float> RunTree(KvCache past, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, Memory<float> bias, out KvCache present)
    {
        if (!RunsTrees) throw new InvalidOperationException($"{_modelPath}: the graph has no attention_bias input for shared-buffer runs; tree runs need fused_graph.py's graph");
        if (past.Batch != 1 || positions.Length != tokens.Length || bias.Length != tokens.Length * (past.Length + tokens.Length))
            throw new ArgumentException($"a tree run takes one row: {tokens.Length} tokens, {positions.Length} positions, a bias of {bias.Length} = tokens × (past {past.Length} + tokens) floats");
        foreach (var p in positions)
            if ((uint)p >= (uint)Config.NPositions) throw new ArgumentOutOfRangeException(nameof(positions), $"position {p} outside the model's {Config.NPositions}");
        return RunOnce(past, tokens, 1, tokens.Length, lastOnly: false, out present, positions, bias);
    }

    private ReadOnlySpan<float> RunOnce(KvCache past, ReadOnlySpan<int> tokens, int batch, int seq, bool lastOnly, out KvCache present,
        ReadOnlySpan<int> positions = default, Memory<float> bias = default)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
            throw new InvalidOperationException("ModelSession is not thread-safe: a run was started while another was in progress; callers serialise their runs (the server through its inference queue)");
        try
        {
            return RunExclusive(past, tokens, batch, seq, lastOnly, out present, positions, bias);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary><see cref="RunShared"/>; with <c>lastOnly</c>, only the last position's logits, [batch, 1, vocab] (the graph has logits_to_keep).</summary>
    private ReadOnlySpan<float> RunExclusive(KvCache past, ReadOnlySpan<int> tokens, int batch, int seq, bool lastOnly, out KvCache present,
        ReadOnlySpan<int> positions, Memory<float> bias)
    {
        var c = Config;
        if (past.Batch != batch) throw new ArgumentException($"past batch {past.Batch} != {batch}", nameof(past));
        if (tokens.Length != batch * seq || seq <= 0) throw new ArgumentException($"{tokens.Length} tokens for [{batch}, {seq}]", nameof(tokens));
        var total = past.Length + seq;
        if (total > c.NPositions)
            throw new InvalidOperationException($"positions up to {total - 1} requested, but the model's position table has {c.NPositions} rows (n_positions); the context window must be enforced by the caller");

        // Inputs live in buffers reused across runs (a decode step must not allocate): ids and positions for this run,
        // and an attention mask that is all ones (rows of a batch share one length, see the class remarks).
        var n = batch * seq;
        if (_ids.Length < n) { _ids = new long[n]; _positions = new long[n]; }
        if (_mask.Length < batch * total) { _mask = new long[Math.Max(batch * total, 2 * _mask.Length)]; Array.Fill(_mask, 1L); }
        for (var i = 0; i < n; i++)
        {
            var t = tokens[i];
            if ((uint)t >= (uint)c.VocabSize) throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {t} outside vocab_size {c.VocabSize}");
            _ids[i] = t;
            _positions[i] = positions.IsEmpty ? past.Length + i % seq : positions[i];
        }
        var logitsSeq = lastOnly ? 1 : seq;
        var logitsSize = batch * logitsSeq * c.VocabSize;
        // The ORT output buffer is reused across calls (a 128-token prefill chunk is 4 MB of logits at vocab 8000);
        // callers get fresh arrays of only the positions they asked for.
        if (_logits.Length < logitsSize) _logits = new float[logitsSize];

        // Shared: the run writes its positions into the past's own buffers (a copy with room when they have none, or
        // when another view owns the positions after it). Otherwise: an exact past, and a new present. ONNX Runtime's
        // shared-buffer attention refuses several rows of several tokens after a past: the graph's exact-past layers
        // take them, or (a graph without them) one row at a time.
        var severalAfterPast = batch > 1 && seq > 1 && past.Length > 0;
        var shared = SharesPastAndPresent && !(severalAfterPast && _hasExactPast && UseExactPast);
        _exactPast[0] = !shared;
        var from = shared
            ? past.Writable(total) ? past : past.Copy(Math.Min(c.NPositions, total + (batch == 1 ? Growth : BatchGrowth)))
            : past.Capacity == past.Length ? past : past.Copy(past.Length);
        var to = shared ? from : new KvCache(c.NLayer, c.NHead, c.HeadDim, batch, total);
        try
        {
            if (shared && severalAfterPast)
                for (var b = 0; b < batch; b++) RunRows(from, to, b, 1, seq, total, logitsSeq, lastOnly, bias: default);
            else RunRows(from, to, 0, batch, seq, total, logitsSeq, lastOnly, bias);
            present = shared ? to.Extended(total) : to;
        }
        catch
        {
            if (!shared) to.Dispose();
            throw;
        }
        finally
        {
            if (!ReferenceEquals(from, past)) from.Dispose();
        }
        return _logits.AsSpan(0, logitsSize);
    }

    /// <summary>Positions a batch-1 cache gets room for beyond a run that needs new buffers (a document's cache grows
    /// as it is typed), and a batch's (a search's rows take a few steps).</summary>
    private const int Growth = 64, BatchGrowth = 16;

    /// <summary>One ONNX Runtime run of rows [<paramref name="first"/>, first + <paramref name="rows"/>): inputs and
    /// outputs bound to those rows of the run's buffers.</summary>
    private void RunRows(KvCache past, KvCache present, int first, int rows, int seq, int total, int logitsSeq, bool lastOnly, Memory<float> bias)
    {
        var withBias = !bias.IsEmpty;
        var c = Config;
        var mem = OrtMemoryInfo.DefaultInstance;
        // Every slot is set before Run and cleared in finally, so a failed run leaves nothing behind for the next one.
        var inputs = withBias ? _inputValuesWithBias : _inputValues;
        var outputs = _outputValues;
        try
        {
            var k = 0;
            inputs[k++] = OrtValue.CreateTensorValueFromMemory(mem, _ids.AsMemory(first * seq, rows * seq), [rows, seq]);
            inputs[k++] = OrtValue.CreateTensorValueFromMemory(mem, _mask.AsMemory(0, rows * total), [rows, total]);
            if (_hasPositionIds) inputs[k++] = OrtValue.CreateTensorValueFromMemory(mem, _positions.AsMemory(first * seq, rows * seq), [rows, seq]);
            long[] pastShape = [rows, c.NHead, past.Capacity, c.HeadDim];
            long[] presentShape = [rows, c.NHead, present.Capacity, c.HeadDim];
            Memory<float> Rows(Memory<float> tensor, KvCache cache) => tensor.Slice(first * cache.RowSize, rows * cache.RowSize);
            for (var l = 0; l < c.NLayer; l++)
            {
                inputs[k++] = past.Capacity == 0
                    ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, pastShape)
                    : OrtValue.CreateTensorValueFromMemory(mem, Rows(past.Key(l), past), pastShape);
                inputs[k++] = past.Capacity == 0
                    ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, pastShape)
                    : OrtValue.CreateTensorValueFromMemory(mem, Rows(past.Value(l), past), pastShape);
            }
            if (HasLogitsToKeep)
            {
                _keepLast[0] = lastOnly ? 1 : 0;
                inputs[k++] = OrtValue.CreateTensorValueFromMemory(mem, _keepLast.AsMemory(), []);
            }
            if (_hasExactPast) inputs[k++] = OrtValue.CreateTensorValueFromMemory(mem, _exactPast.AsMemory(), []);
            if (withBias) inputs[k++] = OrtValue.CreateTensorValueFromMemory(mem, bias, [1, 1, seq, total]);
            var rowLogits = logitsSeq * c.VocabSize;
            outputs[0] = OrtValue.CreateTensorValueFromMemory(mem, _logits.AsMemory(first * rowLogits, rows * rowLogits), [rows, logitsSeq, c.VocabSize]);
            for (var l = 0; l < c.NLayer; l++)
            {
                outputs[1 + 2 * l] = OrtValue.CreateTensorValueFromMemory(mem, Rows(present.Key(l), present), presentShape);
                outputs[2 + 2 * l] = OrtValue.CreateTensorValueFromMemory(mem, Rows(present.Value(l), present), presentShape);
            }
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            _session.Run(_runOptions, withBias ? _inputNamesWithBias : _inputNames, inputs, _outputNames, outputs);
            RunTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
            Runs++;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"{_modelPath}: inference failed for [{rows}, {seq}] tokens after {total - seq} past positions: {e.Message}", e);
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++) { inputs[i]?.Dispose(); inputs[i] = null!; }
            for (var i = 0; i < outputs.Length; i++) { outputs[i]?.Dispose(); outputs[i] = null!; }
        }
    }

    /// <summary>An empty cache (past length 0) for <paramref name="batch"/> rows.</summary>
    public KvCache EmptyCache(int batch = 1) => new(Config.NLayer, Config.NHead, Config.HeadDim, batch, 0);

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
