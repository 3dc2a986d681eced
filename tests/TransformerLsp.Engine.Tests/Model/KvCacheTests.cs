using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tests.Model;

public sealed class KvCacheTests
{
    /// <summary>A cache whose every float names its layer, key/value, row and index, so any misplaced copy shows.</summary>
    private static KvCache Numbered(int batch)
    {
        var kv = new KvCache(layers: 2, heads: 2, headDim: 3, batch, length: 4);
        for (var l = 0; l < kv.Layers; l++)
        {
            var keys = kv.Key(l).Span;
            var values = kv.Value(l).Span;
            for (var i = 0; i < kv.Size; i++)
            {
                keys[i] = l * 100_000 + i;
                values[i] = -(l * 100_000 + i) - 1;
            }
        }
        return kv;
    }

    [Fact]
    public void GatherInPlaceEqualsSelectForEveryParentAssignment()
    {
        const int batch = 3;
        for (var code = 0; code < batch * batch * batch; code++)
        {
            int[] parents = [code % batch, code / batch % batch, code / (batch * batch)];
            using var original = Numbered(batch);
            using var expected = original.Select(parents);
            using var inPlace = Numbered(batch);
            inPlace.GatherInPlace(parents);
            for (var l = 0; l < original.Layers; l++)
            {
                Assert.True(expected.Key(l).Span.SequenceEqual(inPlace.Key(l).Span), $"keys of layer {l} for parents [{string.Join(", ", parents)}]");
                Assert.True(expected.Value(l).Span.SequenceEqual(inPlace.Value(l).Span), $"values of layer {l} for parents [{string.Join(", ", parents)}]");
            }
        }
    }

    [Fact]
    public void GatherInPlaceRejectsAnotherBatchSizeOrARowOutOfRange()
    {
        using var kv = Numbered(2);
        Assert.Throws<ArgumentException>(() => kv.GatherInPlace([0, 0, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => kv.GatherInPlace([0, 2]));
    }
}
