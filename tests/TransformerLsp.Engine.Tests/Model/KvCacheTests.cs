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

    /// <summary>Rows expanded from one context share its positions, and a reordering copies only the positions after
    /// them: the result must still be what copying every row whole (Select) gives.</summary>
    [Fact]
    public void GatherInPlaceAfterASharedPrefixEqualsSelect()
    {
        const int batch = 3;
        for (var code = 0; code < batch * batch * batch; code++)
        {
            int[] parents = [code % batch, code / batch % batch, code / (batch * batch)];
            using var context = Numbered(1);
            using var original = SearchRows(context);
            using var expected = original.Select(parents);
            using var inPlace = SearchRows(context);
            Assert.Equal(2, inPlace.SharedPrefix);
            inPlace.GatherInPlace(parents);
            for (var l = 0; l < original.Layers; l++)
            {
                Assert.True(expected.Key(l).Span.SequenceEqual(inPlace.Key(l).Span), $"keys of layer {l} for parents [{string.Join(", ", parents)}]");
                Assert.True(expected.Value(l).Span.SequenceEqual(inPlace.Value(l).Span), $"values of layer {l} for parents [{string.Join(", ", parents)}]");
            }
        }

        // Three rows that share the context's first 2 positions and differ in the 2 after them, as a search's rows do.
        static KvCache SearchRows(KvCache context)
        {
            using var prefix = context.Truncate(2);
            using var expanded = prefix.Expand(batch, capacity: 4);
            var rows = expanded.Extended(4);
            for (var l = 0; l < rows.Layers; l++)
                for (var b = 0; b < batch; b++)
                    for (var h = 0; h < rows.Heads; h++)
                        for (var p = 2; p < 4; p++)
                            for (var d = 0; d < rows.HeadDim; d++)
                            {
                                var i = ((b * rows.Heads + h) * rows.Capacity + p) * rows.HeadDim + d;
                                rows.Key(l).Span[i] = 1_000_000 + l * 100_000 + i;
                                rows.Value(l).Span[i] = -1_000_000 - l * 100_000 - i;
                            }
            return rows;
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
