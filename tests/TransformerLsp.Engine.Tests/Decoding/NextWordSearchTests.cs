using TransformerLsp.Engine.Decoding;
using Lexicon = TransformerLsp.Engine.Words.Lexicon;

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
        return NextWordSearch.Run(state, vocab, constraint, WordGate.Open, 10, 8, 6, default).ToDictionary(w => w.Text.Trim(), w => w.Probability);
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
    public void TypedPrefixConstrainsWithoutRenormalising()
    {
        // Each word keeps its real probability under the model; the typed prefix is conditioned on once, by the caller.
        var words = Words(new PrefixConstraint(" whal"u8.ToArray()));
        Assert.Equal(["whale", "whal", "whales"], words.OrderByDescending(w => w.Value).Select(w => w.Key));
        Assert.Equal(0.28, words["whale"], 6);
        Assert.Equal(0.075, words["whal"], 6);
        Assert.Equal(0.07, words["whales"], 6);
    }

    /// <summary>Longest-match tokenizer over the toy vocabulary: its spelling of " whale" is the one token " whale".</summary>
    private static int[] LongestMatch(string text)
    {
        var ids = new List<int>();
        for (var i = 0; i < text.Length;)
        {
            var best = Enumerable.Range(1, 8).Where(t => text.AsSpan(i).StartsWith(Vocab.Decode([t]))).MaxBy(t => Vocab.Decode([t]).Length);
            ids.Add(best);
            i += Vocab.Decode([best]).Length;
        }
        return [.. ids];
    }

    [Fact]
    public void OnlyTheTokenizersOwnSpellingOfAWordCounts()
    {
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(10, Table), [9], 10);
        var vocab = TokenVocabulary.FromStrings([.. Enumerable.Range(0, 9).Select(i => Vocab.Decode([i])), "<ctx>"], 0);
        var gate = new WordGate(Lexicon.Empty, LongestMatch, [], "");
        var words = NextWordSearch.Run(state, vocab, new PrefixConstraint(" whal"u8.ToArray()), gate, 10, 8, 6, default).ToDictionary(w => w.Text, w => w.Probability);
        Assert.Equal(0.2 * 0.8, words["whale"], 6); // " wh" "ale" is not how the tokenizer spells " whale"
        Assert.Equal(0.2 * 0.2, words["whales"], 6);
        Assert.Equal(0.3 * 0.25, words["whal"], 6); // " wh" "al" is its spelling of " whal"
    }

    [Fact]
    public void WordsOutsideTheLexiconAreNotSuggestedUnlessTheUserWroteThem()
    {
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(10, Table), [9], 10);
        var vocab = TokenVocabulary.FromStrings([.. Enumerable.Range(0, 9).Select(i => Vocab.Decode([i])), "<ctx>"], 0);
        var lexicon = new Lexicon(["the", "whale", "dog"]);
        var words = NextWordSearch.Run(state, vocab, PrefixConstraint.None, new WordGate(lexicon, null, [], ""), 10, 8, 6, default).Select(w => w.Text).ToList();
        Assert.Equal(["dog", "whale", "the"], words); // "wh", "whales" (not listed) are gone; "whale's" would pass as a possessive
        using var again = new ToyDecoderState(ToyDecoderState.ByLastToken(10, Table), [9], 10);
        var mine = NextWordSearch.Run(again, vocab, PrefixConstraint.None, new WordGate(lexicon, null, [], "Two whales swam."), 10, 8, 6, default).Select(w => w.Text);
        Assert.Contains("whales", mine);
    }

    [Fact]
    public void PunctuationAfterALoneSpaceIsNoWord()
    {
        // 0 eos, 1 " ", 2 "[", 3 " dog", 4 "."
        var vocab = TokenVocabulary.FromStrings(["", " ", "[", " dog", ".", "<ctx>"], 0);
        var table = new Dictionary<int, Dictionary<int, double>>
        {
            [5] = new() { [1] = 0.6, [3] = 0.4 },
            [1] = new() { [2] = 1.0 },
            [2] = new() { [4] = 1.0 },
            [3] = new() { [4] = 1.0 },
        };
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(6, table), [5], 6);
        var words = NextWordSearch.Run(state, vocab, PrefixConstraint.None, WordGate.Open, 10, 8, 6, default);
        Assert.Equal(["dog"], words.Select(w => w.Text));
    }

    [Fact]
    public void ADashOrACurlyQuoteEndsTheWordBeforeIt()
    {
        // 0 eos, 1 " ago", 2 "—", 3 "”", 4 "ny", 5 "."; "ago—never" and "ago”" end the word "ago" (bytes of punctuation are
        // no word bytes, though they are not ASCII), so P(ago) = 0.5 + 0.2 + 0.1, and only "agony" goes on.
        var vocab = TokenVocabulary.FromStrings(["", " ago", "—", "”", "ny", ".", "<ctx>"], 0);
        var table = new Dictionary<int, Dictionary<int, double>>
        {
            [6] = new() { [1] = 1.0 },
            [1] = new() { [2] = 0.5, [3] = 0.2, [5] = 0.1, [4] = 0.2 },
            [4] = new() { [5] = 1.0 },
        };
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(7, table), [6], 7);
        var words = NextWordSearch.Run(state, vocab, PrefixConstraint.None, WordGate.Open, 10, 8, 6, default).ToDictionary(w => w.Text, w => w.Probability);
        Assert.Equal(0.8, words["ago"], 6);
        Assert.Equal(0.2, words["agony"], 6);
        Assert.Equal(2, words.Count);
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
