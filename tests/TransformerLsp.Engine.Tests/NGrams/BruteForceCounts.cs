using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.Engine.Tests.NGrams;

/// <summary>The ∞-gram semantics by direct counting: the reference the indexes are tested against.</summary>
internal static class BruteForceCounts
{
    public static List<TokenCount[]> Continuations(int[] tokens, int[] context, int maxLength)
    {
        var levels = new List<TokenCount[]>();
        for (var k = 1; k <= Math.Min(maxLength, context.Length); k++)
        {
            var pattern = context.AsSpan(context.Length - k);
            var counts = new SortedDictionary<int, int>();
            for (var i = 0; i + k < tokens.Length; i++)
            {
                if (tokens.AsSpan(i, k).SequenceEqual(pattern))
                    counts[tokens[i + k]] = counts.GetValueOrDefault(tokens[i + k]) + 1;
            }
            if (counts.Count == 0) break;
            levels.Add([.. counts.Select(c => new TokenCount(c.Key, c.Value))]);
        }
        return levels;
    }

    public static long Count(int[] tokens, int[] pattern)
    {
        if (pattern.Length == 0) return tokens.Length; // by convention: one occurrence per position
        long count = 0;
        for (var i = 0; i + pattern.Length <= tokens.Length; i++)
        {
            if (tokens.AsSpan(i, pattern.Length).SequenceEqual(pattern)) count++;
        }
        return count;
    }

    public static int[] Unigrams(int[] tokens, int vocab)
    {
        var counts = new int[vocab];
        for (var i = 1; i < tokens.Length; i++) counts[tokens[i]]++;
        return counts;
    }

    /// <summary>Contexts that occur (taken from the corpus) and contexts that mostly do not (random), up to 9 tokens.</summary>
    public static IEnumerable<int[]> Contexts(int[] tokens, int vocab, Random random, int count)
    {
        for (var c = 0; c < count; c++)
        {
            var length = random.Next(0, 10);
            if (c % 2 == 0 && tokens.Length >= length)
            {
                var start = random.Next(0, tokens.Length - length + 1);
                yield return tokens[start..(start + length)];
            }
            else
            {
                yield return [.. Enumerable.Range(0, length).Select(_ => random.Next(vocab))];
            }
        }
    }

    public static void AssertSame(IReadOnlyList<TokenCount[]> expected, IReadOnlyList<TokenCount[]> actual, int[] context)
    {
        Assert.True(expected.Count == actual.Count, $"context [{string.Join(",", context)}]: {expected.Count} levels expected, {actual.Count} found");
        for (var k = 0; k < expected.Count; k++) Assert.Equal(expected[k], actual[k]);
    }
}
