using System.Text.RegularExpressions;

namespace TransformerLsp.Engine.Tests.Decoding;

/// <summary>
/// The word-level repeat ban on the default model: with <see cref="StopConditions.NoRepeatNgram"/> on, no continuation
/// has a word twice in a row or a word bigram twice. The prompts are from the modern validation split; with only the
/// three-token ban, greedy decoding repeated words after each of them ("be used to be used to use the same ...").
/// </summary>
[Collection(SharedPredictorCollection.Name)]
public sealed class WordRepeatTests
{
    private readonly TextPredictor _p = Fixtures.Predictor(Fixtures.DefaultModel);

    private static readonly string[] Prompts =
    [
        "The key-function patterns shown above are very common, so ",
        "An issubclass or isinstance test for an interface works in ",
        "It is possible to write a single module which can efficiently ",
        "Depending on the needs of the application, signals may be ",
        "The FileHandler class, located ",
    ];

    /// <summary>Whether a word follows itself or a word bigram occurs twice, ignoring case (the quality benchmark's ghost-repeat rule).</summary>
    private static bool RepeatsWords(string text)
    {
        var words = Regex.Matches(text, @"[\p{L}\p{N}']+").Select(m => m.Value.ToLowerInvariant()).ToList();
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i + 1 < words.Count; i++)
            if (words[i] == words[i + 1] || !seen.Add((words[i], words[i + 1]))) return true;
        return false;
    }

    [Fact]
    public void GreedyAndBeamsNeverRepeatAWordBigramOrAWordAtOnce()
    {
        var banned = new StopConditions(MaxTokens: 24, AtSentenceEnd: false, AtNewline: false, NoRepeatNgram: 3);
        foreach (var text in Prompts)
        {
            var key = nameof(GreedyAndBeamsNeverRepeatAWordBigramOrAWordAtOnce) + text;
            var greedy = _p.Greedy(key, text, banned);
            Assert.False(RepeatsWords(greedy.Text), $"greedy after '{text}': {greedy.Text}");
            Assert.NotEmpty(greedy.Text.Trim());
            foreach (var beam in _p.BeamSearch(key, text, new BeamOptions(3, banned)))
                Assert.False(RepeatsWords(beam.Text), $"beam after '{text}': {beam.Text}");
        }
    }

    [Fact]
    public void TheDefaultModelRepeatsWordsWithoutTheBan()
    {
        // Guards the test above against passing vacuously.
        var free = new StopConditions(MaxTokens: 24, AtSentenceEnd: false, AtNewline: false);
        Assert.Contains(Prompts, t => RepeatsWords(_p.Greedy(nameof(TheDefaultModelRepeatsWordsWithoutTheBan) + t, t, free).Text));
    }
}
