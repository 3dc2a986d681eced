using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace TransformerLsp.Bench;

/// <summary>BenchmarkDotNet micro benchmarks (--micro): one decode step at past 16 / 256 / full window, batch 1 and 4; a fill-in batch of 16.</summary>
public class DecodeStepBenchmarks
{
    internal static string _modelFolder = "";
    private RawModel? _model;
    private KvState? _state;
    private long[] _ids = [];

    /// <summary>Past length; -1 means the full window (n_positions - 1).</summary>
    [Params(16, 256, -1)]
    public int Past { get; set; }

    [Params(1, 4)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var info = ModelInfo.Load(_modelFolder);
        _model = new RawModel(info.OnnxPath, info);
        _state = _model.Prefill(Batch, Past < 0 ? info.Positions - 1 : Math.Min(Past, info.Positions - 1));
        _ids = new long[Batch];
        Array.Fill(_ids, 42L);
    }

    [Benchmark]
    public void DecodeStep() => _model!.Forward(_ids, Batch, 1, _state!, keepLogits: false).State.Dispose();

    [GlobalCleanup]
    public void Cleanup()
    {
        _state?.Dispose();
        _model?.Dispose();
    }
}

/// <summary>Sixteen fill-in candidates (4 tokens each: candidate + right window) scored in one batch over a shared 256-token past.</summary>
public class FillInBenchmarks
{
    private RawModel? _model;
    private KvState? _past;
    private long[] _ids = [];

    [GlobalSetup]
    public void Setup()
    {
        var info = ModelInfo.Load(DecodeStepBenchmarks._modelFolder);
        _model = new RawModel(info.OnnxPath, info);
        _past = _model.Prefill(16, Math.Min(256, info.Positions - 8));
        _ids = _model.PseudoText(16 * 4, 11);
    }

    [Benchmark]
    public void FillInBatch16() => _model!.Forward(_ids, 16, 4, _past!, keepLogits: false).State.Dispose();

    [GlobalCleanup]
    public void Cleanup()
    {
        _past?.Dispose();
        _model?.Dispose();
    }
}

/// <summary>The log-softmax of one vocabulary row, which a decode step runs on every row: the engine's (vectorized,
/// System.Numerics.Tensors) against the scalar definition in double precision it replaced (the baseline).</summary>
public class LogSoftmaxBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];

    /// <summary>Logits spread over [-Spread, 0]: past 87 a token's e^x is a subnormal float, which x64 computes slowly.</summary>
    [Params(30, 150)]
    public int Spread { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var vocab = ModelInfo.Load(DecodeStepBenchmarks._modelFolder).Vocab;
        var random = new Random(5);
        _x = [.. Enumerable.Range(0, vocab).Select(_ => (float)(-Spread * random.NextDouble()))];
        _y = new float[vocab];
    }

    [Benchmark]
    public void Exp() => System.Numerics.Tensors.TensorPrimitives.Exp(_x, _y);

    [Benchmark(Baseline = true)]
    public void Scalar()
    {
        _x.CopyTo(_y, 0);
        var max = float.NegativeInfinity;
        foreach (var v in _y) if (v > max) max = v;
        double sum = 0;
        foreach (var v in _y) sum += Math.Exp(v - max);
        var logZ = (float)(max + Math.Log(sum));
        for (var i = 0; i < _y.Length; i++) _y[i] -= logZ;
    }

    [Benchmark]
    public void Engine()
    {
        _x.CopyTo(_y, 0);
        TransformerLsp.Engine.Decoding.LogProbMath.LogSoftmax(_y);
    }
}

/// <summary>The hybrid's mixture of one row (a decode step does it for every row): the corpus ∞-gram's continuations
/// after the row's history, and the whole <c>HybridScorer.Mix</c>, over the 32 histories of a greedy continuation of a
/// held-out paragraph (each is the one before plus a token, as decoding asks).</summary>
public class HybridMixBenchmarks
{
    private TransformerLsp.Engine.NGrams.SuffixArrayIndex? _corpus;
    private TransformerLsp.Engine.NGrams.HybridScorer? _scorer;
    private int[][] _histories = [];
    private float[] _logProbs = [];
    private float[] _row = [];
    private int _maxMatch;

    [GlobalSetup]
    public void Setup()
    {
        var folder = DecodeStepBenchmarks._modelFolder;
        var info = ModelInfo.Load(folder);
        var config = TransformerLsp.Engine.Model.ModelConfig.Read(folder);
        var weights = TransformerLsp.Engine.NGrams.HybridWeights.Read(config.Json, config.FilePath)
            ?? throw new InvalidOperationException($"{folder}: config.json has no hybrid section");
        _corpus = TransformerLsp.Engine.NGrams.SuffixArrayIndex.Open(Path.Combine(folder, weights.CorpusIndex));
        _scorer = new TransformerLsp.Engine.NGrams.HybridScorer(weights, _corpus, null);
        _maxMatch = weights.MaxMatch;
        var corpus = Corpus.Load(info, null);
        var tokens = corpus.Encode(corpus.Paragraphs[0]).ToArray();
        var start = Math.Max(1, Math.Min(64, tokens.Length - 32));
        _histories = [.. Enumerable.Range(0, Math.Min(32, tokens.Length - start)).Select(i => tokens[Math.Max(0, start + i - _maxMatch)..(start + i)])];
        var random = new Random(3);
        _logProbs = [.. Enumerable.Range(0, info.Vocab).Select(_ => (float)(12 * random.NextDouble()))];
        TransformerLsp.Engine.Decoding.LogProbMath.LogSoftmax(_logProbs);
        _row = new float[info.Vocab];
    }

    [Benchmark]
    public int Continuations()
    {
        var levels = 0;
        foreach (var h in _histories) levels += _corpus!.Continuations(h, _maxMatch).Count;
        return levels;
    }

    [Benchmark]
    public void Mix()
    {
        foreach (var h in _histories)
        {
            _logProbs.CopyTo(_row, 0);
            _scorer!.Mix(h, _row);
        }
    }

    private readonly float[] _weights = new float[24 << 18]; // 24 MB: about what a decode step of the default model reads

    /// <summary>Reads a buffer the size of the model's weights, as ONNX Runtime does between two mixes in decoding.</summary>
    [Benchmark]
    public float Evict()
    {
        var sum = 0f;
        foreach (var h in _histories) sum += System.Numerics.Tensors.TensorPrimitives.Sum(_weights);
        return sum;
    }

    /// <summary><see cref="Mix"/> with <see cref="Evict"/>'s read before each row: less <see cref="Evict"/>, a mix with cold caches.</summary>
    [Benchmark]
    public float MixAfterEviction()
    {
        var sum = 0f;
        foreach (var h in _histories)
        {
            sum += System.Numerics.Tensors.TensorPrimitives.Sum(_weights);
            _logProbs.CopyTo(_row, 0);
            _scorer!.Mix(h, _row);
        }
        return sum;
    }

    [GlobalCleanup]
    public void Cleanup() => _corpus?.Dispose();
}

internal static class MicroBenchmarks
{
    public static int Run(string modelFolder, bool quick, string? only = null)
    {
        DecodeStepBenchmarks._modelFolder = modelFolder;
        // In-process toolchain: no second build of this project, which on a 2-core machine costs more than the benchmarks.
        var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessNoEmitToolchain.Instance);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
        Type[] all = [typeof(DecodeStepBenchmarks), typeof(FillInBenchmarks), typeof(LogSoftmaxBenchmarks), typeof(HybridMixBenchmarks)];
        var chosen = only is null ? all : [.. all.Where(t => t.Name.Contains(only, StringComparison.OrdinalIgnoreCase))];
        if (chosen.Length == 0) throw new ArgumentException($"--micro-only {only}: no benchmark class {string.Join(", ", all.Select(t => t.Name))} matches");
        var summaries = BenchmarkRunner.Run(chosen, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
