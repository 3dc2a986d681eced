using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.Tests.Decoding;

/// <summary>
/// Speculative greedy decoding (guessed tokens checked in one run, <see cref="TokenByToken"/>) against token-by-token
/// greedy decoding, its reference: the same continuation, token for token, whatever the guesses.
/// </summary>
public sealed class SpeculativeDecodingTests
{
    private static readonly TokenVocabulary Vocab = TokenVocabulary.FromStrings(["+", "-", "*", "/", ""], eosId: 4);
    private static readonly StopConditions NoTextStops = new(MaxTokens: 99, AtSentenceEnd: false, AtNewline: false);

    /// <summary>A guesser that knows the argmax chain but gets each token wrong with probability <paramref name="wrong"/>
    /// (and guesses fewer tokens at random): right guesses, wrong ones, and guesses that end early, all in one run.</summary>
    private static Func<IReadOnlyList<int>, int[]> Guesser(Func<IReadOnlyList<int>, double[]> p, double wrong, int seed)
    {
        var random = new Random(seed);
        return seq =>
        {
            var guess = new List<int>();
            var s = seq.ToList();
            var n = random.Next(0, 6);
            for (var i = 0; i < n; i++)
            {
                var probs = p(s);
                var best = Array.IndexOf(probs, probs.Max());
                var t = random.NextDouble() < wrong ? random.Next(Vocab.Count) : best;
                guess.Add(t);
                s.Add(t);
            }
            return [.. guess];
        };
    }

    public static TheoryData<int, double, int> Cases()
    {
        var data = new TheoryData<int, double, int>();
        foreach (var seed in new[] { 1, 2, 3, 4, 5, 6, 7, 8 })
            foreach (var wrong in new[] { 0.0, 0.3, 1.0 })
                foreach (var draft in new[] { 1, 2, 4 })
                    data.Add(seed, wrong, draft);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameContinuationAsTokenByToken(int seed, double wrong, int draftLength)
    {
        var p = ToyDecoderState.Random(Vocab.Count, seed);
        var extender = new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops);
        using var plain = new ToyDecoderState(p, [seed % 4], Vocab.Count);
        using var guessed = new ToyDecoderState(p, [seed % 4], Vocab.Count) { Guess = Guesser(p, wrong, seed) };
        var reference = GreedySearch.Run(plain, extender, 12, default, draftLength: 0);
        var speculative = GreedySearch.Run(guessed, extender, 12, default, draftLength: draftLength);
        Assert.Equal(reference.Tokens, speculative.Tokens);
        Assert.Equal(reference.Sum, speculative.Sum, 5);
        Assert.Equal(reference.End, speculative.End);
    }

    [Fact]
    public void RightGuessesSaveModelRuns()
    {
        // A cycle through the four symbols, the end token unlikely: greedy takes all 12 tokens.
        Func<IReadOnlyList<int>, double[]> cycle = seq => [.. Enumerable.Range(0, Vocab.Count).Select(t => t == seq.Count % 4 ? 0.6 : t == 4 ? 0.01 : 0.13)];
        var extender = new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops);
        using var plain = new ToyDecoderState(cycle, [0], Vocab.Count);
        var reference = GreedySearch.Run(plain, extender, 12, default, draftLength: 0);
        Assert.Equal(12, reference.Tokens.Length);
        // The guesser replays the reference continuation: every guess is right.
        var truth = new[] { 0 }.Concat(reference.Tokens).ToArray();
        int[] Replay(IReadOnlyList<int> seq) => seq.SequenceEqual(truth.Take(seq.Count)) ? truth[seq.Count..] : [];
        using var guessed = new ToyDecoderState(cycle, [0], Vocab.Count) { Guess = Replay };
        var speculative = GreedySearch.Run(guessed, extender, 12, default, draftLength: 4);
        Assert.Equal(reference.Tokens, speculative.Tokens);
        Assert.Equal(11, plain.ModelCalls); // 12 tokens chosen, the last never fed
        Assert.Equal(3, guessed.ModelCalls); // a run feeds a token and 4 right guesses, so 5 choices per run: 1 + 5 + 5 + 1
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 2, 3, 4, 5, 6 })] // right from " ago" on
    [InlineData(new[] { 4, 5, 0, 0 })] // "n", "ever" out of place, then the end
    [InlineData(new[] { 7, 7, 7 })]
    public void WordGateRefusalsAreMadeAgainInTheCheck(int[] guess)
    {
        // BeamSearchTests' chain, where the word gate decides what may follow.
        var (vocab, p, extender) = BeamSearchTests.YearsAgoChain();
        using var plain = new ToyDecoderState(p, [8], 9);
        var reference = GreedySearch.Run(plain, extender, 16, default, draftLength: 0);
        Assert.Equal(" years ago—never mind.", vocab.Decode(reference.Tokens));
        using var guessed = new ToyDecoderState(p, [8], 9) { Guess = _ => guess };
        var speculative = GreedySearch.Run(guessed, extender, 16, default, draftLength: 4);
        Assert.Equal(reference.Tokens, speculative.Tokens);
        Assert.Equal(reference.Sum, speculative.Sum, 5);
    }

    [Fact]
    public void ForcedFirstTokensAreCheckedAsGuesses()
    {
        var p = ToyDecoderState.Random(Vocab.Count, 5);
        var extender = new HypothesisExtender(Vocab, PrefixConstraint.None, NoTextStops);
        int[] first = [2, 2, 1];
        using var plain = new ToyDecoderState(p, [0], Vocab.Count);
        using var guessed = new ToyDecoderState(p, [0], Vocab.Count);
        var reference = GreedySearch.Run(plain, extender, 8, default, first, draftLength: 0);
        var speculative = GreedySearch.Run(guessed, extender, 8, default, first, draftLength: 4);
        Assert.Equal(first, reference.Tokens.Take(3));
        Assert.Equal(reference.Tokens, speculative.Tokens);
        Assert.True(guessed.ModelCalls < plain.ModelCalls, $"{guessed.ModelCalls} runs with the forced tokens fed at once, {plain.ModelCalls} without");
    }
}
