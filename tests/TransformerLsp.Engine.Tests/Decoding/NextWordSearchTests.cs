using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

public sealed class NextWordSearchTests
{
    // 0 eos, 1 " the", 2 " wh", 3 "ale", 4 " whale", 5 "al", 6 " dog", 7 ".", 8 "s"
    private static readonly TokenVocabulary Vocab = TokenVocabulary.FromStrings(["", " the", " wh", "ale", " whale", "al", " dog", ".", "s"], eosId: 0);
    private static readonly Dictionary<int, Dictionary<int, double>> Table = new()
    {
        [9] = new() { [4] = 0.2, [2] = 0.3, [6] = 0.4, [1] = 0.1 },   // 9 = the context
        [2] = new() { [3] = 0.5, [5] = 0.25, [1] = 0.25 },
        [3] = new() { [8] = 0.2, [7] = 0.5, [0] = 0.3 },
        [4] = new() { [8] = 0.2, [7] = 0.5, [0] = 0.3 },
        [5] = new() { [1] = 1.0 },
        [1] = new() { [6] = 1.0 },
        [6] = new() { [7] = 1.0 },
        [8] = new() { [7] = 1.0 },
    };

    private static Dictionary<string, double> Words(PrefixConstraint constraint)
    {
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(10, Table), [9], 10);
        var vocab = TokenVocabulary.FromStrings([.. Enumerable.Range(0, 9).Select(i => Vocab.Decode([i])), "<ctx>"], 0);
        return NextWordSearch.Run(state, vocab, constraint, 10, 8, 6, default).ToDictionary(w => w.Text.Trim(), w => w.Probability);
    }

    [Fact]
    public void WholeWordsJoinSubwordsAndSumTokenizations()
    {
        var words = Words(PrefixConstraint.None);
        // whale = " whale" then a boundary (0.2 × 0.8) + " wh" "ale" then a boundary (0.3 × 0.5 × 0.8)
        Assert.Equal(0.28, words["whale"], 6);
        Assert.Equal(0.07, words["whales"], 6);
        Assert.Equal(0.4, words["dog"], 6);
        Assert.Equal(0.075, words["wh"], 6);
        Assert.Equal(1.0, words.Values.Sum(), 6);
        Assert.Equal("dog", words.MaxBy(w => w.Value).Key);
    }

    [Fact]
    public void TypedPrefixConstrainsAndRenormalizes()
    {
        var words = Words(new PrefixConstraint(" whal"u8.ToArray()));
        Assert.Equal(["whale", "whal", "whales"], words.OrderByDescending(w => w.Value).Select(w => w.Key));
        Assert.Equal(0.64, words["whale"], 6);
        Assert.Equal(1.0, words.Values.Sum(), 6);
    }

    [Fact]
    public void HealingBacksOffToTheTokenBoundaryBeforeTheTypedWord()
    {
        var healed = TokenHealing.Heal([1, 2, 5], Vocab, "the whal");
        Assert.Equal("whal", healed.TypedPrefix);
        Assert.Equal([1], healed.Context);
        Assert.Equal(" whal"u8.ToArray(), healed.Constraint.Required);
        Assert.Equal(1, healed.LeadBytes);

    }
}
