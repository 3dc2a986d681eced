using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.Engine.Tests.NGrams;

public sealed class SuffixArrayIndexTests
{
    [Fact]
    public void AnswersLikeBruteForceOnRandomCorpora()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 150; trial++)
        {
            var vocab = random.Next(2, 7);
            var tokens = RandomCorpus(random, vocab, random.Next(0, 200));
            var index = new SuffixArrayIndex(tokens, vocab);

            Assert.Equal(BruteForceCounts.Unigrams(tokens, vocab), index.Unigrams.ToArray());
            Assert.Equal(Math.Max(0, tokens.Length - 1), index.Total);
            foreach (var context in BruteForceCounts.Contexts(tokens, vocab, random, 30))
            {
                var maxLength = random.Next(0, 12);
                BruteForceCounts.AssertSame(BruteForceCounts.Continuations(tokens, context, maxLength), index.Continuations(context, maxLength), context);
                Assert.Equal(BruteForceCounts.Count(tokens, context), index.Count(context));
            }
        }
    }

    [Fact]
    public void CachedLevelsGiveTheSameAnswers()
    {
        // Vocabulary 3 over 4000 tokens: the ranges of short patterns exceed the cache threshold.
        var random = new Random(11);
        var tokens = RandomCorpus(random, 3, 4000);
        var index = new SuffixArrayIndex(tokens, 3);
        var contexts = BruteForceCounts.Contexts(tokens, 3, random, 60).ToList();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var context in contexts)
                BruteForceCounts.AssertSame(BruteForceCounts.Continuations(tokens, context, 9), index.Continuations(context, 9), context);
        }
    }

    [Fact]
    public void AContextGrowingOneTokenAtATimeAnswersLikeBruteForce()
    {
        // As in decoding: each query is the last one plus a token, so the longer patterns are found by narrowing the
        // remembered range of the pattern without its last token; the token follows the corpus or is drawn at random.
        var random = new Random(23);
        for (var trial = 0; trial < 40; trial++)
        {
            var vocab = random.Next(2, 6);
            var tokens = RandomCorpus(random, vocab, random.Next(1, 3000));
            var index = new SuffixArrayIndex(tokens, vocab);
            var start = random.Next(tokens.Length);
            var context = new List<int> { tokens[start] };
            for (var step = 0; step < 40; step++)
            {
                var at = start + context.Count;
                context.Add(random.Next(4) > 0 && at < tokens.Length ? tokens[at] : random.Next(vocab));
                int[] c = [.. context];
                var maxLength = random.Next(1, 16);
                BruteForceCounts.AssertSame(BruteForceCounts.Continuations(tokens, c, maxLength), index.Continuations(c, maxLength), c);
                Assert.Equal(BruteForceCounts.Count(tokens, c[^Math.Min(c.Length, 6)..]), index.Count(c[^Math.Min(c.Length, 6)..]));
            }
        }
    }

    [Fact]
    public void StopsAtTheFirstSuffixWithoutAContinuation()
    {
        // "2 0" occurs only at the end of the text: level 1 (after 0) exists, level 2 does not, so level 3 is never asked.
        int[] tokens = [0, 1, 0, 1, 2, 0];
        var index = new SuffixArrayIndex(tokens, 3);
        var levels = index.Continuations([1, 2, 0], 8);
        Assert.Single(levels);
        Assert.Equal([new TokenCount(1, 2)], levels[0]);
    }

    [Fact]
    public void UnknownTokensAndEmptyInputsMatchNothing()
    {
        var index = new SuffixArrayIndex([0, 1, 0, 1], 2);
        Assert.Empty(index.Continuations([5], 4));
        Assert.Empty(index.Continuations([-1], 4));
        Assert.Single(index.Continuations([7, 0], 4));   // level 1 after 0; level 2 "7 0" is unknown
        Assert.Empty(index.Continuations([], 4));
        Assert.Empty(index.Continuations([0], 0));
        Assert.Equal(0, index.Count([9, 0]));
        Assert.Equal(4, index.Count([]));

        var empty = new SuffixArrayIndex([], 3);
        Assert.Equal(0, empty.Total);
        Assert.Empty(empty.Continuations([0, 1], 4));
        Assert.Equal([0, 0, 0], empty.Unigrams.ToArray());
    }

    [Fact]
    public void RejectsTokensOutsideTheVocabulary() =>
        Assert.Throws<ArgumentException>(() => new SuffixArrayIndex([0, 3], 3));

    internal static int[] RandomCorpus(Random random, int vocab, int length)
    {
        // Skewed ids (like text), a third copied from 7 tokens back so long contexts occur more than once.
        var tokens = new int[length];
        for (var i = 0; i < length; i++)
        {
            tokens[i] = i >= 7 && random.Next(3) == 0
                ? tokens[i - 7]
                : Math.Min(vocab - 1, (int)(vocab * random.NextDouble() * random.NextDouble()));
        }
        return tokens;
    }
}
