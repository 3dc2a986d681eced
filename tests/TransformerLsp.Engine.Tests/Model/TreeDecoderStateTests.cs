using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>
/// A search's rows as the nodes of a tree in the context's own cache (<see cref="TreeDecoderState"/>): every row's
/// next-token distribution must be the plain C# forward pass's (<see cref="ReferenceTransformer"/>) over the context and
/// the row's own path, whatever the other rows are, and the context's cache must be left as it was.
/// </summary>
public sealed class TreeDecoderStateTests
{
    private static ModelSession Open(string name) => Fixtures.Session(name);

    [Theory]
    [InlineData("tiny-model", 1)]
    [InlineData("tiny-model", 2)]
    [InlineData("tiny-postnorm", 3)]
    public void RandomTreesGiveEveryRowTheDistributionOfItsOwnPath(string name, int seed)
    {
        using var session = Open(name);
        Assert.True(session.RunsTrees);
        var reference = new ReferenceTransformer(Fixtures.Folder(name));
        var vocab = session.Config.VocabSize;
        var rng = new Random(seed);
        int Token() => rng.Next(3, vocab);
        using var cache = new PrefixCache(session);
        int[] context = [1, .. Enumerable.Range(0, rng.Next(2, 12)).Select(_ => Token())];
        const int maxRows = 5;
        using (var tree = cache.OpenTree("doc", context, maxRows, CancellationToken.None))
        {
            List<int[]> paths = [[]];
            Check(tree, paths, "the context");
            for (var step = 0; step < 6; step++)
            {
                // Rows branch (a parent chosen twice), die (a parent not chosen) and grow, as a search's do.
                var n = rng.Next(1, maxRows + 1);
                var parents = Enumerable.Range(0, n).Select(_ => rng.Next(tree.Rows)).ToArray();
                var tokens = Enumerable.Range(0, n).Select(_ => Token()).ToArray();
                if (step == 3)
                {
                    // A step refused half-way (its second parent is no row) takes nothing with it: the next steps are right.
                    var rows = tree.Rows;
                    Assert.Throws<ArgumentOutOfRangeException>(() => tree.Advance([0, rows], [Token(), Token()], CancellationToken.None));
                    Check(tree, paths, "after a refused step");
                }
                tree.Advance(parents, tokens, CancellationToken.None);
                paths = [.. parents.Select((p, i) => (int[])[.. paths[p], tokens[i]])];
                Check(tree, paths, $"step {step}");
            }
        }
        // The tree wrote after the context's positions only: the context, and the document typed on, are as they were.
        using var again = cache.Open("doc", context, CancellationToken.None);
        Check(again, [[]], "the context after the tree");
        int[] typedOn = [.. context, Token(), Token()];
        using var after = cache.Open("doc", typedOn, CancellationToken.None);
        Assert.Equal(typedOn.Length, context.Length + 2);
        CheckRow(after.LogProbs(0), typedOn, "the document typed on after the tree");

        void Check(Engine.Decoding.IDecoderState state, List<int[]> paths, string what)
        {
            Assert.Equal(paths.Count, state.Rows);
            for (var r = 0; r < paths.Count; r++) CheckRow(state.LogProbs(r), [.. context, .. paths[r]], $"{what}, row {r}");
        }

        void CheckRow(ReadOnlySpan<float> got, int[] sequence, string what)
        {
            var logits = reference.Forward(sequence)[^1];
            var max = logits.Max();
            var logZ = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            var worst = 0.0;
            for (var v = 0; v < vocab; v++) worst = Math.Max(worst, Math.Abs(logits[v] - logZ - got[v]));
            Assert.True(worst <= 1e-4, $"{what}: max |difference| {worst} from the plain forward pass");
        }
    }

    [Fact]
    public void NextWordsAndBeamsAreTheSameFromATreeAsFromABatchOfRows()
    {
        if (!Fixtures.HasDefaultModel) return;
        using var tree = TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1));
        using var rows = TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1));
        rows.UseTrees = false;
        foreach (var text in new[] { "The committee will meet again next ", "Thank you for your letter of the 4th. I am sorry to h", "It was the best of times, it was the " })
        {
            var a = tree.NextWords("doc", text, 10).Words;
            var b = rows.NextWords("doc", text, 10).Words;
            Assert.Equal(b.Select(w => w.Word), a.Select(w => w.Word));
            Assert.Equal(b.Select(w => w.Probability), a.Select(w => w.Probability), (x, y) => Math.Abs(x - y) <= 1e-4 * Math.Max(x, y));
            var beamsA = tree.BeamSearch("doc", text, new BeamOptions());
            var beamsB = rows.BeamSearch("doc", text, new BeamOptions());
            Assert.Equal(beamsB.Select(c => c.Text), beamsA.Select(c => c.Text));
            Assert.Equal(beamsB.Select(c => c.TotalLogProbability), beamsA.Select(c => c.TotalLogProbability), (x, y) => Math.Abs(x - y) <= 1e-3);
        }
    }
}
