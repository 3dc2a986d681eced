using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Tests.Decoding;

public sealed class BeamSearchTests
{
    // Toy vocabulary: three symbols and an end-of-sequence token (id 3, no text). Symbols are no words, so the rule that a
    // continuation never ends inside a word (tested below) does not cut these searches.
    private static readonly TokenVocabulary Vocab = TokenVocabulary.FromStrings(["+", "-", "*", ""], eosId: 3);
    private static readonly StopConditions NoTextStops = new(MaxTokens: 99, AtSentenceEnd: false, AtNewline: false);

    public static TheoryData<int, int> Seeds() => new() { { 1, 2 }, { 2, 2 }, { 3, 3 }, { 4, 3 }, { 5, 4 } };

    /// <summary>With k at least V^(T-1) no hypothesis is ever dropped, so beam search is exhaustive search (k = V for T = 2).</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void WideBeamEqualsExhaustiveSearch(int seed, int maxTokens)
    {
        var p = ToyDecoderState.Random(Vocab.Count, seed);
        var width = (int)Math.Pow(Vocab.Count, maxTokens - 1);
        using var state = new ToyDecoderState(p, [0], Vocab.Count);
        var beams = BeamSearch.Run(state, new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops), width, maxTokens, 0, default);

        var all = Exhaustive(p, [0], maxTokens).OrderByDescending(s => s.Score).Take(width).ToList();
        Assert.Equal(all.Count, beams.Count);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal(all[i].Tokens, beams[i].Tokens);
            Assert.Equal(all[i].Score, beams[i].Sum, 4);
        }
    }

    /// <summary>With GNMT length normalisation the early stop must still be exact: a live hypothesis is bounded by its sum
    /// normalised at the longest length, so the best k by normalised score are those of exhaustive search.</summary>
    [Theory]
    [InlineData(1, 3, 0.6)]
    [InlineData(2, 3, 1.0)]
    [InlineData(5, 4, 0.6)]
    public void LengthNormalisedBeamEqualsExhaustiveSearch(int seed, int maxTokens, double alpha)
    {
        var p = ToyDecoderState.Random(Vocab.Count, seed);
        var width = (int)Math.Pow(Vocab.Count, maxTokens - 1);
        using var state = new ToyDecoderState(p, [0], Vocab.Count);
        var beams = BeamSearch.Run(state, new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops), width, maxTokens, alpha, default);
        var all = Exhaustive(p, [0], maxTokens).OrderByDescending(s => Hypothesis.Rank(s.Score, s.Tokens.Length, alpha)).Take(width).ToList();
        Assert.Equal(all.Select(a => a.Tokens), beams.Select(b => b.Tokens));
    }

    [Fact]
    public void AContinuationCutByTheTokenLimitNeverEndsInsideAWord()
    {
        // " the" " wh" "ale" " swam": a limit of 3 tokens would end in "whale" or not — unknown, so the word is dropped.
        var vocab = TokenVocabulary.FromStrings(["", " the", " wh", "ale", " swam"], eosId: 0);
        var chain = new Dictionary<int, Dictionary<int, double>> { [0] = new() { [1] = 1 }, [1] = new() { [2] = 1 }, [2] = new() { [3] = 1 }, [3] = new() { [4] = 1 }, [4] = new() { [0] = 1 } };
        foreach (var limit in new[] { 2, 3 })
        {
            using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(5, chain), [0], 5);
            var best = BeamSearch.Run(state, new HypothesisExtender(vocab, PrefixConstraint.None, NoTextStops), 2, limit, 0, default)[0];
            Assert.Equal(" the", vocab.Decode(best.Tokens));
            using var again = new ToyDecoderState(ToyDecoderState.ByLastToken(5, chain), [0], 5);
            Assert.Equal(" the", vocab.Decode(GreedySearch.Run(again, new HypothesisExtender(vocab, PrefixConstraint.None, NoTextStops), limit, default).Tokens));
        }
    }

    [Fact]
    public void ADashBetweenTwoWordsEndsTheFirst()
    {
        // " years" " ago" "—" "n" "ever" " mind" ".", each 0.7 (else the end): the gate knows "years", "ago", "never", "mind".
        // Before the dash ended a word, "ago—never" was one word that no list holds and the model gives only 0.7^4, greedy
        // could finish nothing and cut back to " years".
        var (vocab, p, extender) = YearsAgoChain();
        using var state = new ToyDecoderState(p, [8], 9);
        Assert.Equal(" years ago—never mind.", vocab.Decode(GreedySearch.Run(state, extender, 16, default).Tokens));
    }

    /// <summary>" years" " ago" "—" "n" "ever" " mind" ".", each 0.7 (else the end) after the context token 8, with a word
    /// gate that knows "years", "ago", "never" and "mind".</summary>
    internal static (TokenVocabulary Vocab, Func<IReadOnlyList<int>, double[]> P, HypothesisExtender Extender) YearsAgoChain()
    {
        var vocab = TokenVocabulary.FromStrings(["", " years", " ago", "—", "n", "ever", " mind", ".", "<ctx>"], eosId: 0);
        var chain = new Dictionary<int, Dictionary<int, double>>
        {
            [8] = new() { [1] = 0.7, [0] = 0.3 },
            [1] = new() { [2] = 0.7, [0] = 0.3 },
            [2] = new() { [3] = 0.7, [0] = 0.3 },
            [3] = new() { [4] = 0.7, [0] = 0.3 },
            [4] = new() { [5] = 0.7, [0] = 0.3 },
            [5] = new() { [6] = 0.7, [0] = 0.3 },
            [6] = new() { [7] = 0.7, [0] = 0.3 },
            [7] = new() { [0] = 1 },
        };
        var gate = new WordGate(new Lexicon(["years", "ago", "never", "mind"]), null, [], "");
        return (vocab, ToyDecoderState.ByLastToken(9, chain), new HypothesisExtender(vocab, PrefixConstraint.None, new StopConditions(MaxTokens: 16), gate));
    }

    [Fact]
    public void VocabularyWidthEqualsExhaustiveSearchForTwoTokens()
    {
        var p = ToyDecoderState.Random(Vocab.Count, 42);
        using var state = new ToyDecoderState(p, [1], Vocab.Count);
        var best = BeamSearch.Run(state, new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops), Vocab.Count, 2, 0, default);
        var truth = Exhaustive(p, [1], 2).OrderByDescending(s => s.Score).Take(Vocab.Count).ToList();
        Assert.Equal(truth.Select(t => t.Tokens), best.Select(b => b.Tokens));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void WidthOneEqualsGreedy(int seed)
    {
        var p = ToyDecoderState.Random(Vocab.Count, seed);
        var extender = new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops);
        using var s1 = new ToyDecoderState(p, [2], Vocab.Count);
        using var s2 = new ToyDecoderState(p, [2], Vocab.Count);
        var beam = Assert.Single(BeamSearch.Run(s1, extender, 1, 8, 0, default));
        var greedy = GreedySearch.Run(s2, extender, 8, default);
        Assert.Equal(greedy.Tokens, beam.Tokens);
        Assert.Equal(greedy.Sum, beam.Sum, 5);
    }

    [Fact]
    public void EveryHypothesisIsExtendedByItsKBestAndTheKBestAreKept()
    {
        // Course-notes example shape: the best two-token sequence starts with the second-best first token.
        var table = new Dictionary<int, Dictionary<int, double>>
        {
            [3] = new() { [0] = 0.5, [1] = 0.4, [2] = 0.1 },
            [0] = new() { [0] = 0.4, [1] = 0.3, [2] = 0.3 },
            [1] = new() { [0] = 0.9, [1] = 0.05, [2] = 0.05 },
            [2] = new() { [0] = 1.0 },
        };
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(4, table), [3], 4);
        var beams = BeamSearch.Run(state, new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops), 2, 2, 0, default);
        Assert.Equal([[1, 0], [0, 0]], beams.Select(b => b.Tokens));
        Assert.Equal(Math.Log(0.36), beams[0].Sum, 5);
        Assert.Equal(Math.Log(0.2), beams[1].Sum, 5);
        Assert.Equal(1, state.ModelCalls); // one batched step for both beams
    }

    [Fact]
    public void EndOfSequenceFinishesAHypothesis()
    {
        var table = new Dictionary<int, Dictionary<int, double>>
        {
            [0] = new() { [3] = 0.6, [1] = 0.4 },
            [1] = new() { [2] = 0.5, [1] = 0.5 },
            [2] = new() { [3] = 1.0 },
            [3] = new() { [3] = 1.0 },
        };
        using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(4, table), [0], 4);
        var beams = BeamSearch.Run(state, new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops), 2, 10, 0, default);
        Assert.Equal([3], beams[0].Tokens);
        Assert.Equal(EndReason.EndOfSequence, beams[0].End);
    }

    [Fact]
    public void LengthPenaltyFavoursLongerHypotheses()
    {
        var table = new Dictionary<int, Dictionary<int, double>>
        {
            [0] = new() { [3] = 0.5, [1] = 0.5 },
            [1] = new() { [1] = 0.9, [3] = 0.1 },
            [3] = new() { [3] = 1.0 },
        };
        var stops = NoTextStops with { MaxTokens = 4 };
        using var s1 = new ToyDecoderState(ToyDecoderState.ByLastToken(4, table), [0], 4);
        var plain = BeamSearch.Run(s1, new HypothesisExtender(Vocab, PrefixConstraint.None, stops), 2, 4, 0, default);
        using var s2 = new ToyDecoderState(ToyDecoderState.ByLastToken(4, table), [0], 4);
        var normalized = BeamSearch.Run(s2, new HypothesisExtender(Vocab, PrefixConstraint.None, stops), 2, 4, 1.0, default);
        Assert.Equal([3], plain[0].Tokens);
        Assert.Equal([1, 1, 1, 1], normalized[0].Tokens); // log(0.5 · 0.9³) / ((5 + 4) / 6) beats log(0.5) / ((5 + 1) / 6)
    }

    public static TheoryData<string, StopConditions, string> StopCases() => new()
    {
        { "newline", new StopConditions(MaxTokens: 20, AtSentenceEnd: false, AtNewline: true), " one two.\n" },
        { "sentence", new StopConditions(MaxTokens: 20, AtSentenceEnd: true, AtNewline: true), " one two." },
        { "words", new StopConditions(MaxTokens: 20, AtSentenceEnd: false, AtNewline: false, MaxWords: 1), " one" },
        { "tokens", new StopConditions(MaxTokens: 3, AtSentenceEnd: false, AtNewline: false), " one two." },
    };

    [Theory]
    [MemberData(nameof(StopCases))]
    public void StopConditionsEndTheText(string name, StopConditions stop, string expected)
    {
        _ = name;
        // A deterministic chain: " one" " two" "." "\n" " three" ...
        var vocab = TokenVocabulary.FromStrings(["", " one", " two", ".", "\n", " three"], eosId: 0);
        var chain = new Dictionary<int, Dictionary<int, double>>
        {
            [0] = new() { [1] = 1 },
            [1] = new() { [2] = 1 },
            [2] = new() { [3] = 1 },
            [3] = new() { [4] = 1 },
            [4] = new() { [5] = 1 },
            [5] = new() { [0] = 1 },
        };
        foreach (var width in new[] { 1, 3 })
        {
            using var state = new ToyDecoderState(ToyDecoderState.ByLastToken(6, chain), [0], 6);
            var best = BeamSearch.Run(state, new HypothesisExtender(vocab, PrefixConstraint.None, stop), width, stop.MaxTokens, 0, default)[0];
            Assert.Equal(expected, vocab.Decode(best.Tokens));
        }
    }

    /// <summary>All sequences from <paramref name="context"/> that end with eos or reach <paramref name="maxTokens"/>.</summary>
    private static List<(int[] Tokens, double Score)> Exhaustive(Func<IReadOnlyList<int>, double[]> p, int[] context, int maxTokens)
    {
        var result = new List<(int[], double)>();
        void Walk(List<int> seq, List<int> generated, double score)
        {
            var probs = p(seq);
            for (var t = 0; t < probs.Length; t++)
            {
                var s = score + Math.Log(probs[t]);
                var g = generated.Append(t).ToList();
                if (t == Vocab.EosId || g.Count == maxTokens) result.Add(([.. g], s));
                else Walk([.. seq, t], g, s);
            }
        }
        Walk([.. context], [], 0);
        return result;
    }
}
