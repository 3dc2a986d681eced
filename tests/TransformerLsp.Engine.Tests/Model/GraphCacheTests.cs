using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>The optimised-graph cache (<see cref="GraphCache"/>): a cached session computes what the model file does,
/// checked against the PyTorch reference logits, and a broken or unwritable cache costs the saving, never the load.</summary>
public sealed class GraphCacheTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("graph-cache").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    private static ModelSession Open(string folder, string? cache) =>
        new(Path.Combine(folder, "model.onnx"), ModelConfig.Read(folder), ExecutionProviderKind.Cpu, 1, 0, cache);

    private string[] Entries() => Directory.GetDirectories(_cache).Select(Path.GetFileName).ToArray()!;

    /// <summary>The worst |difference| between a session's logits and the PyTorch reference of the fixture.</summary>
    private static double WorstAgainstReference(ModelSession s, string folder)
    {
        var (cases, _) = Fixtures.Reference(folder);
        Assert.NotEmpty(cases);
        var worst = 0.0;
        foreach (var c in cases)
        {
            using var empty = s.EmptyCache();
            var logits = s.Run(empty, c.InputIds, 1, c.InputIds.Length, allPositions: true, out var present);
            present.Dispose();
            var expected = c.Logits.SelectMany(r => r).ToArray();
            Assert.Equal(expected.Length, logits.Length);
            for (var i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - logits[i]));
        }
        return worst;
    }

    [Theory]
    [InlineData("tiny-model")]
    [InlineData("tiny-postnorm")]
    public void TheFirstLoadWritesTheGraphAndTheNextReadsItWithThePyTorchLogits(string name)
    {
        var folder = Fixtures.Folder(name);
        using (var first = Open(folder, _cache))
        {
            Assert.Equal("optimised graph written to the cache", first.GraphCacheNote);
            Assert.True(WorstAgainstReference(first, folder) <= 1e-4);
        }
        var entry = Assert.Single(Entries());
        Assert.True(File.Exists(Path.Combine(_cache, entry, "model.onnx")));
        Assert.True(new FileInfo(Path.Combine(_cache, entry, "weights.bin")).Length > 0, "the weights are in a file of their own, which ONNX Runtime maps");

        using var second = Open(folder, _cache);
        Assert.StartsWith("optimised graph read from the cache", second.GraphCacheNote);
        Assert.True(WorstAgainstReference(second, folder) <= 1e-4);
        Assert.Equal([entry], Entries());
    }

    [Fact]
    public void TheDefaultModelsCachedGraphGivesItsLogits()
    {
        // The default model stores float16 weights behind Casts that ONNX Runtime folds: the cached graph holds them folded.
        var folder = Fixtures.DefaultModel;
        int[] ids = [1, 250, 17, 911, 42, 3005, 7, 64, 128, 5];
        float[] Logits(ModelSession s)
        {
            using var empty = s.EmptyCache();
            var logits = s.Run(empty, ids, 1, ids.Length, allPositions: true, out var present);
            present.Dispose();
            return logits;
        }
        float[] expected;
        using (var plain = Open(folder, null)) expected = Logits(plain);
        using (Open(folder, _cache)) { }
        using var cached = Open(folder, _cache);
        Assert.StartsWith("optimised graph read from the cache", cached.GraphCacheNote);
        var actual = Logits(cached);
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4, $"max |difference| {worst}");
    }

    [Fact]
    public void TwoModelFilesHaveTwoEntries()
    {
        using (Open(Fixtures.TinyModel, _cache)) { }
        using (Open(Fixtures.TinyPostNorm, _cache)) { }
        Assert.Equal(2, Entries().Length);
        Assert.Empty(Directory.GetDirectories(_cache, "writing-*"));
    }

    [Theory]
    [InlineData("model.onnx", "cut short")]
    [InlineData("weights.bin", "cut short")]
    [InlineData("weights.bin", "one byte changed")]
    [InlineData("checksums", "deleted")]
    public void ADamagedEntryIsDeletedAndWrittenAgain(string file, string damage)
    {
        var folder = Fixtures.TinyModel;
        using (Open(folder, _cache)) { }
        var entry = Path.Combine(_cache, Assert.Single(Entries()));
        var path = Path.Combine(entry, file);
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "cut short": File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]); break; // a write cut short
            case "one byte changed": bytes[bytes.Length / 2] ^= 0x40; File.WriteAllBytes(path, bytes); break; // a weight that still loads
            default: File.Delete(path); break;
        }

        using var s = Open(folder, _cache);
        Assert.True(WorstAgainstReference(s, folder) <= 1e-4);
        Assert.Contains("is damaged", s.GraphCacheNote);
        Assert.Equal(bytes.Length, new FileInfo(path).Length);

        using var again = Open(folder, _cache);
        Assert.StartsWith("optimised graph read from the cache", again.GraphCacheNote);
        Assert.True(WorstAgainstReference(again, folder) <= 1e-4);
    }

    [Fact]
    public void ACacheFolderThatCannotBeWrittenCostsOnlyTheSaving()
    {
        var notAFolder = Path.Combine(_cache, "a-file");
        File.WriteAllText(notAFolder, "");
        using var s = Open(Fixtures.TinyModel, notAFolder);
        Assert.StartsWith("the optimised graph was not cached", s.GraphCacheNote);
        Assert.True(WorstAgainstReference(s, Fixtures.TinyModel) <= 1e-4);
    }

    [Fact]
    public void WithoutACacheFolderNothingIsWritten()
    {
        using var s = Open(Fixtures.TinyModel, null);
        Assert.Null(s.GraphCacheNote);
        Assert.Empty(Entries());
    }

    [Fact]
    public void OnlyTheEntriesUsedLastAreKept()
    {
        for (var i = 0; i < GraphCache.Keep + 2; i++)
        {
            var old = Directory.CreateDirectory(Path.Combine(_cache, $"old-entry-{i}"));
            Directory.SetLastWriteTimeUtc(old.FullName, DateTime.UtcNow.AddDays(-10 + i));
        }
        var abandoned = Directory.CreateDirectory(Path.Combine(_cache, "writing-abandoned"));
        Directory.SetLastWriteTimeUtc(abandoned.FullName, DateTime.UtcNow.AddDays(-1));

        using (Open(Fixtures.TinyModel, _cache)) { }
        var kept = Entries().Order().ToArray();
        Assert.Equal(GraphCache.Keep, kept.Length);
        Assert.DoesNotContain("writing-abandoned", kept);
        Assert.Equal(GraphCache.Keep - 1, kept.Count(e => e.StartsWith("old-entry-", StringComparison.Ordinal)));
        Assert.Contains($"old-entry-{GraphCache.Keep + 1}", kept); // the newest old ones stay
    }
}
