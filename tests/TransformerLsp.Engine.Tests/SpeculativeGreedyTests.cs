namespace TransformerLsp.Engine.Tests;

/// <summary>
/// Speculative greedy decoding on the default model, with its corpus ∞-gram guessing, against token-by-token greedy
/// decoding of the same model: the same continuations, in fewer model runs.
/// </summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class SpeculativeGreedyTests
{
    private static readonly Lazy<TextPredictor> TokenByToken = new(() => TextPredictor.Load(new ModelOptions(Fixtures.DefaultModel, Threads: 1, SpeculativeTokens: 0)));

    public static TheoryData<string> Prompts() =>
    [
        "It was the best of times, it was the worst of times, it was the age of",
        "The committee will meet again on Tuesday to discuss the",
        "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, and",
        "Fellow-Citizens of the Senate and of the House of Representatives:\n\nThe United States of",
        "To install the package, run the following command in a terminal and",
        "She opened the door slowly, looked down the dark hall, and",
        "In the beginning of the year the government of the",
        "Thank you for your letter of the",
    ];

    [Theory]
    [MemberData(nameof(Prompts))]
    public void SameContinuationInFewerRuns(string prompt)
    {
        var speculative = Fixtures.Predictor(Fixtures.DefaultModel);
        var plain = TokenByToken.Value;
        foreach (var stop in new[] { new StopConditions(MaxTokens: 32, AtSentenceEnd: false, AtNewline: false), new StopConditions(MaxTokens: 16, NoRepeatNgram: 3) })
        {
            var key = "speculative-" + prompt.GetHashCode() + stop.MaxTokens;
            speculative.Forget(key);
            plain.Forget(key);
            // Prefill first, so that the runs counted below are the decoding's alone.
            speculative.NextWords(key, prompt, 1);
            plain.NextWords(key, prompt, 1);
            var (runsBefore, plainBefore) = (speculative.ModelRuns, plain.ModelRuns);
            var expected = plain.Greedy(key, prompt, stop);
            var actual = speculative.Greedy(key, prompt, stop);
            Assert.Equal(expected.Text, actual.Text);
            Assert.Equal(expected.Tokens, actual.Tokens);
            Assert.Equal(expected.TotalLogProbability, actual.TotalLogProbability, 3);
            Assert.True(speculative.ModelRuns - runsBefore <= plain.ModelRuns - plainBefore,
                $"{speculative.ModelRuns - runsBefore} runs speculating, {plain.ModelRuns - plainBefore} token by token");
        }
    }

    [Fact]
    public void GuessesHalveTheRunsOnTextTheCorpusKnows()
    {
        // The State of the Union's opening formula is in the corpus index, so most guesses are right.
        const string prompt = "Fellow-Citizens of the Senate and House of";
        var speculative = Fixtures.Predictor(Fixtures.DefaultModel);
        var plain = TokenByToken.Value;
        var stop = new StopConditions(MaxTokens: 24, AtSentenceEnd: false, AtNewline: false);
        speculative.Forget("formula");
        plain.Forget("formula");
        speculative.NextWords("formula", prompt, 1);
        plain.NextWords("formula", prompt, 1);
        var (runsBefore, plainBefore) = (speculative.ModelRuns, plain.ModelRuns);
        Assert.Equal(plain.Greedy("formula", prompt, stop).Text, speculative.Greedy("formula", prompt, stop).Text);
        var (runs, plainRuns) = (speculative.ModelRuns - runsBefore, plain.ModelRuns - plainBefore);
        Assert.True(2 * runs <= plainRuns, $"{runs} runs speculating against {plainRuns} token by token");
    }
}
