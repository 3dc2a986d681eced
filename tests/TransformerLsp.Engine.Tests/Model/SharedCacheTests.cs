using System.Runtime.InteropServices;
using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>
/// The fused graph binds one buffer as a layer's past and present, and caches share buffers as views
/// (<see cref="KvCache"/>). Checked against the plain C# forward pass (<see cref="ReferenceTransformer"/>), which knows
/// nothing of caches: random runs, truncations, reorderings and disposals, with older views kept alive so that the rule
/// for writing after a view is exercised, must give every row the logits of its whole token sequence.
/// </summary>
public sealed class SharedCacheTests
{
    private static ModelSession Open(string name) => Fixtures.Session(name);

    [Fact]
    public void TheFusedGraphSharesPastAndPresentAndAStepWritesInPlace()
    {
        using var s = Open("tiny-model");
        Assert.True(s.SharesPastAndPresent);
        using var empty = s.EmptyCache();
        s.Run(empty, [1, 325, 364], 1, 3, false, out var prefix);
        using (prefix)
        {
            s.Run(prefix, [329], 1, 1, false, out var step);
            using (step)
            {
                Assert.Equal(4, step.Length);
                Assert.Equal(3, prefix.Length);
                Assert.True(SameArray(prefix.Key(0), step.Key(0)), "the step wrote into the prefix's buffers");
                // A shorter view cannot write after itself while the longer one lives: the next run gets a copy.
                using var cut = prefix.Truncate(2);
                Assert.False(cut.Writable(3));
                s.Run(cut, [7], 1, 1, false, out var other);
                using (other) Assert.False(SameArray(prefix.Key(0), other.Key(0)), "the run after a shorter view copied");
            }
        }
    }

    /// <summary>With <paramref name="exactPast"/> false, several rows of several tokens after a past run one row at a
    /// time in the shared buffers (what a graph without the exact-past layers gets); with it, in the exact-past layers.</summary>
    [Theory]
    [InlineData("tiny-model", 1, true)]
    [InlineData("tiny-model", 2, true)]
    [InlineData("tiny-postnorm", 3, true)]
    [InlineData("tiny-model", 4, false)]
    [InlineData("tiny-postnorm", 5, false)]
    public void RandomRunsTruncationsAndReorderingsMatchThePlainForwardPass(string name, int seed, bool exactPast)
    {
        using var s = Open(name);
        s.UseExactPast = exactPast;
        Assert.Equal(exactPast, s.BatchesRowsAfterPast);
        var reference = new ReferenceTransformer(Fixtures.Folder(name));
        var vocab = s.Config.VocabSize;
        var rng = new Random(seed);
        int Token() => rng.Next(3, vocab);
        var live = new List<(KvCache Kv, List<int[]> Rows)>();
        try
        {
            using (var empty = s.EmptyCache())
            {
                int[] first = [1, Token(), Token()];
                Check(Run(empty, first, 1, 3, out var kv), [[]], [first], "prefill");
                live.Add((kv, [first]));
            }
            for (var op = 0; op < 80; op++)
            {
                var (kv, rows) = live[rng.Next(live.Count)];
                switch (rng.Next(4))
                {
                    case 0 when kv.Length + 3 < s.Config.NPositions: // one to three tokens per row
                        var seq = rng.Next(1, 4);
                        var added = rows.Select(_ => Enumerable.Range(0, seq).Select(_ => Token()).ToArray()).ToList();
                        var logits = Run(kv, [.. added.SelectMany(a => a)], kv.Batch, seq, out var next);
                        Check(logits, rows, added, $"op {op}: {kv.Batch} rows of {seq} after {kv.Length}");
                        live.Add((next, [.. rows.Zip(added, (r, a) => (int[])[.. r, .. a])]));
                        break;
                    case 1 when kv.Length > 1:
                        var length = rng.Next(1, kv.Length);
                        live.Add((kv.Truncate(length), [.. rows.Select(r => r[..length])]));
                        break;
                    case 2:
                        var parents = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(kv.Batch)).ToArray();
                        live.Add((kv.Select(parents), [.. parents.Select(p => rows[p])]));
                        break;
                    case 3 when live.Count > 1:
                        var gone = rng.Next(live.Count);
                        live[gone].Kv.Dispose();
                        live.RemoveAt(gone);
                        break;
                }
            }
        }
        finally
        {
            foreach (var (kv, _) in live) kv.Dispose();
        }

        float[] Run(KvCache past, int[] tokens, int batch, int seq, out KvCache present) =>
            s.Run(past, tokens, batch, seq, allPositions: true, out present);

        // Row r's logits at its new positions are the plain forward pass's over the row's whole sequence.
        void Check(float[] logits, List<int[]> rows, List<int[]> added, string what)
        {
            var seq = added[0].Length;
            for (var r = 0; r < rows.Count; r++)
            {
                int[] whole = [.. rows[r], .. added[r]];
                var expected = reference.Forward(whole);
                for (var j = 0; j < seq; j++)
                {
                    var got = logits.AsSpan((r * seq + j) * vocab, vocab);
                    var want = expected[rows[r].Length + j];
                    var worst = 0.0;
                    for (var v = 0; v < vocab; v++) worst = Math.Max(worst, Math.Abs(want[v] - got[v]));
                    Assert.True(worst <= 1e-4, $"{what}: row {r} position {rows[r].Length + j}: max |difference| {worst}");
                }
            }
        }
    }

    private static bool SameArray(Memory<float> a, Memory<float> b) =>
        MemoryMarshal.TryGetArray<float>(a, out var x) && MemoryMarshal.TryGetArray<float>(b, out var y) && ReferenceEquals(x.Array, y.Array);
}
