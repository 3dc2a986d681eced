namespace TransformerLsp.Engine.Words;

/// <summary>Spellings near a word: the candidates of a noisy-channel spelling corrector (Norvig's edits1, lexicon-filtered).</summary>
internal static class Spelling
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz'";

    /// <summary>Lexicon words one edit (delete, swap of neighbours, replace, insert) from <paramref name="word"/>, keeping its capitalisation.</summary>
    /// <param name="word">The unknown word.</param>
    /// <param name="lexicon">Known words.</param>
    /// <param name="exactCase">Only words listed with exactly this capitalisation ("Congress" for "Congres" inside a sentence,
    /// where a capital marks a name: "Rossum" is no misspelling of "possum").</param>
    public static List<string> Near(string word, Lexicon lexicon, bool exactCase = false)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (lexicon.IsEmpty || word.Length < 2 || word.Length > 30) return [];
        var lower = word.ToLowerInvariant();
        var capital = char.IsUpper(word[0]);
        var found = new HashSet<string>(StringComparer.Ordinal);
        void Try(string candidate)
        {
            if (candidate.Length == 0 || candidate == lower) return;
            var cased = capital ? char.ToUpperInvariant(candidate[0]) + candidate[1..] : candidate;
            if ((exactCase ? lexicon.Lists(cased) : lexicon.Contains(cased)) && !cased.EndsWith('\'')) found.Add(cased);
        }
        for (var i = 0; i <= lower.Length; i++)
        {
            if (i < lower.Length) Try(lower.Remove(i, 1));
            if (i + 1 < lower.Length) Try(string.Concat(lower.AsSpan(0, i), lower.AsSpan(i + 1, 1), lower.AsSpan(i, 1), lower.AsSpan(i + 2)));
            foreach (var c in Letters)
            {
                if (i < lower.Length && c != lower[i]) Try(string.Concat(lower.AsSpan(0, i), c.ToString(), lower.AsSpan(i + 1)));
                Try(lower.Insert(i, c.ToString()));
            }
        }
        return [.. found.Order(StringComparer.Ordinal)];
    }
}
