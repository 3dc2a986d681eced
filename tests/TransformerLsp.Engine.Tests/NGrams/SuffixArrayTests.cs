using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.Engine.Tests.NGrams;

public sealed class SuffixArrayTests
{
    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 3 })]
    [InlineData(new[] { 1, 0 })]
    [InlineData(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]             // every suffix a prefix of the one before
    [InlineData(new[] { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 5 })]
    [InlineData(new[] { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 })]
    public void SortsEdgeCasesLikeANaiveSort(int[] tokens) => Assert.Equal(SuffixArray.BuildNaive(tokens), SuffixArray.Build(tokens));

    [Fact]
    public void SortsRandomArraysLikeANaiveSort()
    {
        var random = new Random(20261201);
        for (var trial = 0; trial < 400; trial++)
        {
            var vocab = random.Next(2, 6);
            var tokens = new int[random.Next(0, 301)];
            // Half the trials repeat a short block, so long repeats (deep LMS recursion) are common.
            var period = trial % 2 == 0 ? random.Next(1, 8) : int.MaxValue;
            for (var i = 0; i < tokens.Length; i++)
                tokens[i] = i >= period && random.Next(10) > 0 ? tokens[i - period] : random.Next(vocab);
            Assert.Equal(SuffixArray.BuildNaive(tokens), SuffixArray.Build(tokens));
        }
    }

    [Fact]
    public void RejectsNegativeIds() => Assert.Throws<ArgumentOutOfRangeException>(() => SuffixArray.Build([1, -1, 2]));
}
