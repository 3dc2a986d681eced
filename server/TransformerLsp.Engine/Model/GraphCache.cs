using System.IO.Hashing;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace TransformerLsp.Engine.Model;

/// <summary>
/// A per-user cache of ONNX Runtime's optimised graph for a model.onnx, so that a load after the first skips the graph
/// optimisation and maps the weights from a file instead of decoding them.
/// </summary>
/// <remarks>
/// <para>Why: the default model stores its weights as float16 with a Cast that ONNX Runtime folds at every load, and
/// building a session spends its time copying and converting 20 MB of weights (0.31 s on 2 cores). The optimised graph
/// with its float32 weights in a separate file, which ONNX Runtime memory-maps, loads in 0.11 s and runs as fast
/// (docs/benchmarks.md, "Publish kinds").</para>
/// <para>An entry is a folder named by a hash of the model file's bytes, the ONNX Runtime version and
/// <see cref="FormatVersion"/>, holding <c>model.onnx</c>, <c>weights.bin</c> and <c>checksums</c> (XxHash128 of the two).
/// A writer has ONNX Runtime save the graph into a folder of its own and renames it into place, so a reader never sees half
/// an entry; two servers that write at once both succeed and one entry stays. A reader checks both files against their
/// checksums first (about 10 ms for the default model's 30 MB), since a damaged graph could load and compute wrong
/// numbers; an entry that fails the check, or that ONNX Runtime cannot load, is deleted and written again. Only
/// CPU sessions are cached: other providers' graphs depend on the device. The <see cref="Keep"/> entries used last are
/// kept; older ones are deleted.</para>
/// <para>Graphs are saved at <see cref="GraphOptimizationLevel.ORT_ENABLE_EXTENDED"/>, which holds no layout
/// transformation tied to this CPU's instruction set (the "all" level adds only NCHWc layouts for convolutions, which this
/// decoder has none of).</para>
/// </remarks>
internal sealed class GraphCache
{
    /// <summary>Raise when what an entry holds changes, so old entries are not read.</summary>
    public const int FormatVersion = 2;

    /// <summary>Entries kept (one per model file a user loads).</summary>
    public const int Keep = 4;

    private const string ModelName = "model.onnx";
    private const string WeightsName = "weights.bin";
    private const string ChecksumsName = "checksums";
    private static readonly TimeSpan StaleWriteAge = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly string _entry;

    private GraphCache(string root, string key)
    {
        _root = root;
        _entry = Path.Combine(root, key);
    }

    /// <summary>The cache for <paramref name="modelPath"/> under <paramref name="root"/>; null (no caching) when the
    /// model file cannot be read, which the session load then reports.</summary>
    public static GraphCache? For(string root, string modelPath)
    {
        try
        {
            var key = XxHash128.Hash(Encoding.UTF8.GetBytes($"{Checksum(modelPath)}|{OrtEnv.Instance().GetVersionString()}|{FormatVersion}"));
            return new GraphCache(root, Convert.ToHexStringLower(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The cached graph's path when there is an entry (check it with <see cref="Damage"/>), else null.</summary>
    public string? CachedModel => Directory.Exists(_entry) ? Path.Combine(_entry, ModelName) : null;

    /// <summary>Why the entry is not the one written (a file missing, or not matching its checksum); null when it is.</summary>
    public string? Damage()
    {
        try
        {
            if (new[] { ModelName, WeightsName, ChecksumsName }.FirstOrDefault(f => !File.Exists(Path.Combine(_entry, f))) is { } missing)
                return $"{missing} is missing";
            var expected = File.ReadAllText(Path.Combine(_entry, ChecksumsName)).Trim();
            var actual = Checksums(_entry);
            return expected == actual ? null : $"its files do not match their checksums ({actual}, written {expected})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"its files cannot be read ({e.Message})";
        }
    }

    private static string Checksums(string folder) => $"{Checksum(Path.Combine(folder, ModelName))} {Checksum(Path.Combine(folder, WeightsName))}";

    private static string Checksum(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var hash = new XxHash128();
        hash.Append(stream);
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>Marks the entry as used now, so pruning keeps it.</summary>
    public void Touch() => Try(() => Directory.SetLastWriteTimeUtc(_entry, DateTime.UtcNow));

    /// <summary>Deletes the entry (a damaged one, see <see cref="Damage"/>, or one ONNX Runtime could not load).</summary>
    public void Discard() => Try(() => Directory.Delete(_entry, recursive: true));

    /// <summary>
    /// Sets <paramref name="options"/> to save the optimised graph into a new folder of its own, and returns that
    /// folder; <see cref="Commit"/> it after the session is made. Null, with the reason, when the cache folder cannot be
    /// written.
    /// </summary>
    public (string? Staging, string? Problem) PrepareWrite(SessionOptions options)
    {
        try
        {
            var staging = Path.Combine(_root, "writing-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(staging);
            options.OptimizedModelFilePath = Path.Combine(staging, ModelName);
            options.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", WeightsName);
            options.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            return (staging, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Moves a written graph into place (unless another writer was first), then prunes old entries. Returns
    /// why it could not, or null.</summary>
    public string? Commit(string staging)
    {
        string? problem = null;
        try
        {
            if (!File.Exists(Path.Combine(staging, ModelName)) || !File.Exists(Path.Combine(staging, WeightsName)))
                problem = "ONNX Runtime did not write the optimised graph";
            else if (!Directory.Exists(_entry))
            {
                File.WriteAllText(Path.Combine(staging, ChecksumsName), Checksums(staging));
                Directory.Move(staging, _entry);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!Directory.Exists(_entry)) problem = e.Message; // else another server wrote the same entry first
        }
        Try(() => { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); });
        Prune();
        return problem;
    }

    /// <summary>Deletes a staging folder whose session failed: nothing from a failed load goes into the cache.</summary>
    public static void Abandon(string staging) => Try(() => Directory.Delete(staging, recursive: true));

    /// <summary>Deletes all but the <see cref="Keep"/> entries used last, and writes abandoned by a process that died.</summary>
    private void Prune()
    {
        Try(() =>
        {
            var now = DateTime.UtcNow;
            var folders = new DirectoryInfo(_root).GetDirectories();
            foreach (var stale in folders.Where(d => d.Name.StartsWith("writing-", StringComparison.Ordinal) && now - d.LastWriteTimeUtc > StaleWriteAge))
                Try(() => stale.Delete(recursive: true));
            foreach (var old in folders.Where(d => !d.Name.StartsWith("writing-", StringComparison.Ordinal)).OrderByDescending(d => d.LastWriteTimeUtc).Skip(Keep))
                Try(() => old.Delete(recursive: true)); // a file another server has mapped may refuse (Windows): next time
        });
    }

    /// <summary>The cache is best effort: a folder that cannot be written or deleted costs the saving, never the load.</summary>
    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
