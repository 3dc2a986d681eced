using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tests.Model;

public sealed class ModelSessionTests
{
    public static TheoryData<string> Folders() => new() { "tiny-model", "tiny-postnorm" };

    private static ModelSession Open(string name) => Fixtures.Session(name);

    private static float[] Full(ModelSession s, int[] ids)
    {
        using var empty = s.EmptyCache();
        var logits = s.Run(empty, ids, 1, ids.Length, allPositions: true, out var present);
        present.Dispose();
        return logits;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        for (var i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance, $"{what}: max |difference| {worst} > {tolerance}");
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void LogitsEqualPyTorchReference(string name)
    {
        using var s = Open(name);
        var (cases, _) = Fixtures.Reference(Fixtures.Folder(name));
        Assert.NotEmpty(cases);
        foreach (var c in cases)
            AssertClose(c.Logits.SelectMany(r => r).ToArray(), Full(s, c.InputIds), 1e-4, $"{name} case of {c.InputIds.Length} tokens");
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void PlainCSharpForwardPassEqualsOnnxRuntime(string name)
    {
        using var s = Open(name);
        var reference = new ReferenceTransformer(Fixtures.Folder(name));
        var (cases, _) = Fixtures.Reference(Fixtures.Folder(name));
        foreach (var c in cases.Take(2))
        {
            var expected = reference.Forward(c.InputIds).SelectMany(r => r).Select(v => (float)v).ToArray();
            AssertClose(expected, Full(s, c.InputIds), 1e-4, $"{name} forward pass of {c.InputIds.Length} tokens");
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void PrefixThenOneTokenAtATimeEqualsFullRecompute(string name)
    {
        using var s = Open(name);
        var ids = Fixtures.Reference(Fixtures.Folder(name)).Cases.OrderByDescending(c => c.InputIds.Length).First().InputIds;
        var vocab = s.Config.VocabSize;
        var full = Full(s, ids);
        const int prefix = 7;
        using var empty = s.EmptyCache();
        var logits = s.Run(empty, ids.AsSpan(0, prefix), 1, prefix, allPositions: false, out var kv);
        AssertClose(full.AsSpan((prefix - 1) * vocab, vocab), logits, 1e-4, "after the prefix");
        for (var t = prefix; t < ids.Length; t++)
        {
            logits = s.Run(kv, ids.AsSpan(t, 1), 1, 1, allPositions: false, out var next);
            kv.Dispose();
            kv = next;
            AssertClose(full.AsSpan(t * vocab, vocab), logits, 1e-4, $"position {t}");
        }
        Assert.Equal(ids.Length, kv.Length);
        kv.Dispose();
    }

    /// <summary>The fixtures are exported as the engine's fused graph (models/recipe/fused_graph.py), whose optional
    /// logits_to_keep input lets a prefill compute the last position's logits only: a chunk after a past, batched, gives
    /// the same last-position logits as the full recompute.</summary>
    [Theory]
    [MemberData(nameof(Folders))]
    public void AChunkAfterAPastGivesTheLastPositionsLogitsAlone(string name)
    {
        var folder = Fixtures.Folder(name);
        using (var raw = new Microsoft.ML.OnnxRuntime.InferenceSession(Path.Combine(folder, "model.onnx")))
            Assert.Contains("logits_to_keep", raw.OverridableInitializerMetadata.Keys);
        using var s = Open(name);
        Assert.True(s.HasLogitsToKeep);
        var ids = Fixtures.Reference(folder).Cases.OrderByDescending(c => c.InputIds.Length).First().InputIds;
        var vocab = s.Config.VocabSize;
        var full = Full(s, ids);
        using var empty = s.EmptyCache(2);
        int[] prefix = [.. ids[..4], .. ids[..4]];
        s.Run(empty, prefix, 2, 4, allPositions: false, out var past);
        using (past)
        {
            var chunk = ids.AsSpan(4, ids.Length - 4);
            int[] rows = [.. chunk, .. chunk];
            var last = s.Run(past, rows, 2, chunk.Length, allPositions: false, out var present);
            present.Dispose();
            Assert.Equal(2 * vocab, last.Length);
            for (var r = 0; r < 2; r++)
                AssertClose(full.AsSpan((ids.Length - 1) * vocab, vocab), last.AsSpan(r * vocab, vocab), 1e-4, $"row {r}");
        }
    }

    [Fact]
    public void BatchEqualsEachRowAlone()
    {
        using var s = Open("tiny-model");
        var vocab = s.Config.VocabSize;
        int[] context = [1, 325, 364, 329];
        int[][] rows = [[293, 281, 326], [262, 325, 369], [10, 11, 12]];
        using var empty = s.EmptyCache();
        s.Run(empty, context, 1, context.Length, false, out var ctx);
        using (ctx)
        {
            using var expanded = ctx.Expand(rows.Length);
            var batched = s.Run(expanded, rows.SelectMany(r => r).ToArray(), rows.Length, 3, allPositions: true, out var p);
            p.Dispose();
            for (var i = 0; i < rows.Length; i++)
            {
                var alone = s.Run(ctx, rows[i], 1, 3, allPositions: true, out var q);
                q.Dispose();
                AssertClose(alone, batched.AsSpan(i * 3 * vocab, 3 * vocab), 1e-4, $"row {i}");
                AssertClose(Full(s, [.. context, .. rows[i]]).AsSpan(context.Length * vocab), alone, 1e-4, $"row {i} vs recompute");
            }
        }
    }

    [Fact]
    public void TruncateAndReorderKeepTheCacheConsistent()
    {
        using var s = Open("tiny-model");
        var vocab = s.Config.VocabSize;
        int[] a = [1, 325, 364, 329, 293, 281];
        int[] b = [1, 262, 325, 369, 330, 274];
        using var empty = s.EmptyCache(2);
        s.Run(empty, [.. a, .. b], 2, a.Length, false, out var both);
        using (both)
        {
            // Reorder by beam parent: rows (b, a, a), then one more token each.
            using var reordered = both.Select([1, 0, 0]);
            var step = s.Run(reordered, [7, 7, 9], 3, 1, false, out var p);
            p.Dispose();
            AssertClose(Full(s, [.. b, 7]).AsSpan(b.Length * vocab), step.AsSpan(0, vocab), 1e-4, "row from parent b");
            AssertClose(Full(s, [.. a, 7]).AsSpan(a.Length * vocab), step.AsSpan(vocab, vocab), 1e-4, "row from parent a");
            AssertClose(Full(s, [.. a, 9]).AsSpan(a.Length * vocab), step.AsSpan(2 * vocab, vocab), 1e-4, "second row from parent a");

            // Truncate to a prefix of 3 and continue differently.
            using var cut = both.Truncate(3);
            Assert.Equal(3, cut.Length);
            var again = s.Run(cut, [5, 6, 5, 6], 2, 2, true, out var q);
            q.Dispose();
            AssertClose(Full(s, [.. a[..3], 5, 6]).AsSpan(3 * vocab), again.AsSpan(0, 2 * vocab), 1e-4, "truncated row a");
            AssertClose(Full(s, [.. b[..3], 5, 6]).AsSpan(3 * vocab), again.AsSpan(2 * vocab, 2 * vocab), 1e-4, "truncated row b");
        }
    }

    [Fact]
    public void PositionsPastTheTableAreRefusedNotSilentlyEmpty()
    {
        using var s = Open("tiny-model");
        var n = s.Config.NPositions;
        using var empty = s.EmptyCache();
        var full = s.Run(empty, Enumerable.Repeat(5, n).ToArray(), 1, n, false, out var kv);
        Assert.Equal(s.Config.VocabSize, full.Length);
        using (kv)
            Assert.Throws<InvalidOperationException>(() => s.Run(kv, [5], 1, 1, false, out _));
    }

    /// <summary>The spin policy changes how workers wait, never what they compute: two threads under each policy give
    /// the PyTorch reference's logits, one shape after another through the session's reused input buffers.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(-1)]
    public void EverySpinPolicyGivesTheReferenceLogits(int spin)
    {
        var folder = Fixtures.Folder("tiny-model");
        using var s = new ModelSession(Path.Combine(folder, "model.onnx"), ModelConfig.Read(folder), ExecutionProviderKind.Cpu, 2, spin);
        var (cases, _) = Fixtures.Reference(folder);
        // Longest first, then shorter: a later run must not read what an earlier, larger one left in the buffers.
        foreach (var c in cases.OrderByDescending(c => c.InputIds.Length))
            AssertClose(c.Logits.SelectMany(r => r).ToArray(), Full(s, c.InputIds), 1e-4, $"spin {spin}, case of {c.InputIds.Length} tokens");
    }

    [Fact]
    public void ASpinBelowMinusOneIsRefused()
    {
        var folder = Fixtures.Folder("tiny-model");
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ModelSession(Path.Combine(folder, "model.onnx"), ModelConfig.Read(folder), ExecutionProviderKind.Cpu, 1, -2));
    }
}
