using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

public sealed class PassageRankerTests
{
    // 0 eos, 1 " The", 2 " dog", 3 " cat", 4 " barked", 5 " meowed"
    private static readonly TokenVocabulary Vocab = TokenVocabulary.FromStrings(["", " The", " dog", " cat", " barked", " meowed"], eosId: 0);
    private static readonly Dictionary<int, Dictionary<int, double>> Table = new()
    {
        [1] = new() { [2] = 0.45, [3] = 0.55 },       // the left side alone prefers "cat"
        [2] = new() { [4] = 0.9, [5] = 0.1 },
        [3] = new() { [4] = 0.05, [5] = 0.95 },
        [4] = new() { [0] = 1 },
        [5] = new() { [0] = 1 },
    };

    [Theory]
    [InlineData(4, "dog")]
    [InlineData(5, "cat")]
    public void RightContextDecidesTheBlank(int rightToken, string expected)
    {
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(6, Table), [1], 6);
        var candidates = NextWordSearch.Run(state, Vocab, PrefixConstraint.None, WordGate.Open, 2, 4, 4, default);
        Assert.Equal("cat", candidates[0].Text.Trim()); // left-only ranking

        using var fresh = new ToyDecoderState(ToyDecoderState.ByLastToken(6, Table), [1], 6);
        var passages = candidates.Select(c => (int[])[.. c.Tokens, rightToken]).ToList();
        var ranked = PassageRanker.Rank(fresh, passages, default);
        Assert.Equal(expected, candidates[ranked[0].Index].Text.Trim());
        Assert.Equal(1, fresh.ModelCalls); // all candidates in one batched call
        Assert.Equal(1.0, ranked.Sum(r => r.Probability), 6);
        var dog = ranked.Single(r => candidates[r.Index].Text.Trim() == "dog");
        Assert.Equal(Math.Log(0.45 * (rightToken == 4 ? 0.9 : 0.1)), dog.LogLikelihood, 5);
    }

    [Fact]
    public void SplittingTheBatchChangesNothingButTheNumberOfCalls()
    {
        int[][] passages = [[2, 4], [3, 5], [2, 5], [3, 4]];
        using var whole = new ToyDecoderState(ToyDecoderState.ByLastToken(6, Table), [1], 6);
        using var split = new ToyDecoderState(ToyDecoderState.ByLastToken(6, Table), [1], 6);
        var a = PassageRanker.Rank(whole, passages, default);
        var b = PassageRanker.Rank(split, passages, default, maxBatch: 3);
        Assert.Equal(a.Select(r => (r.Index, Math.Round(r.LogLikelihood, 6), Math.Round(r.Probability, 6))), b.Select(r => (r.Index, Math.Round(r.LogLikelihood, 6), Math.Round(r.Probability, 6))));
        Assert.Equal(1, whole.ModelCalls);
        Assert.Equal(2, split.ModelCalls);
    }
}
