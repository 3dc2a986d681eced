using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine;

// The user's own words mixed into the next words at word level: a cache model (Kuhn and De Mori, 1990) over the open
// documents, so a name typed earlier is offered again however sure the transformer is of other words.
public sealed partial class TextPredictor
{
    /// <summary>The user's most frequent words that continue the typed prefix, added to the candidates.</summary>
    private const int UserWordCandidates = 12;

    /// <summary>κ and the rest of config.json's "user_words" section; weight 0 when the n-grams are off
    /// (<see cref="ModelOptions.NGrams"/>: the transformer alone).</summary>
    private UserWordsSettings UserWordsPart { get; init; } = UserWordsSettings.Default;

    /// <summary>A next word with its final probability and the part of it that the user's word counts give.</summary>
    internal readonly record struct UserMixedWord(string Word, double Probability, double FromUserWords);

    /// <summary>
    /// p(w) = (1 − κ) p(w) + κ c(w) / C: the next-word distribution (conditioned on the typed prefix) mixed with the user's
    /// word counts (<see cref="UserWordParts"/>; the arithmetic is <see cref="WordFusion.MixUserWords"/>). Both parts are
    /// distributions over the words that continue the prefix, so the mixture is one: nothing is renormalised. When no word
    /// of the user's continues the prefix (C = 0) the distribution is unchanged, and so it is before the word's first letter.
    /// </summary>
    private List<UserMixedWord> WithUserWords(List<(string Word, double P, double User)> parts) =>
        [.. WordFusion.MixUserWords(parts, UserWordsPart.NextWordWeight).Select(w => new UserMixedWord(w.Word, w.Probability, w.FromUser))];

    /// <summary>
    /// The candidates with both parts: p(w) from <paramref name="words"/> (0 for a word only the user has) and c(w) / C, c(w)
    /// the occurrences of w in the open documents as the request sees them (<see cref="NGrams.UserTextIndex.WordCounts"/>) and
    /// C those of every word that continues the typed prefix (all 0 when C = 0). Candidates: the given words and the user's
    /// <see cref="UserWordCandidates"/> most frequent ones.
    /// </summary>
    private List<(string Word, double P, double User)> UserWordParts(string documentKey, string textBeforeCursor, string typed, IReadOnlyList<(string Word, double P)> words)
    {
        // Only while a word is typed: before its first letter the counts are the document's unigram, which on the fit's
        // validation positions did not help (top-5 0.406 both ways on the classic set, 0.55 -> 0.52 on the modern one)
        // and in a short document echoes the words just written ("Machine learning models require large amounts of" ->
        // "Machine", "amounts").
        var counts = typed.Length > 0 ? UserText.WordCounts(documentKey, textBeforeCursor, typed) : new Dictionary<string, int>();
        double total = counts.Values.Sum();
        var result = new List<(string, double, double)>(words.Count + UserWordCandidates);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (word, p) in words)
            if (seen.Add(word)) result.Add((word, p, total > 0 ? counts.GetValueOrDefault(word) / total : 0));
        foreach (var (word, c) in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(UserWordCandidates))
            if (seen.Add(word)) result.Add((word, 0, c / total));
        return result;
    }

    /// <summary>For fitting κ (models/eval/TransformerLsp.WordFusionEval): every candidate next word with its probability
    /// before the user's words are mixed in (with the word trigram at <paramref name="trigramWeight"/>, the μ just fitted) and
    /// its share of the user's counts.</summary>
    internal List<(string Word, double P, double User)> NextWordUserParts(string documentKey, string textBeforeCursor, int count, double trigramWeight, CancellationToken cancellationToken = default)
    {
        var (typed, words) = EngineNextWords(documentKey, textBeforeCursor, count, mayRunModel: true, cancellationToken, trigramWeight);
        return UserWordParts(documentKey, textBeforeCursor, typed, words);
    }

    /// <summary>The share of a next word's probability that its user counts give (0 when it is not among the remembered
    /// next words at this cursor: no model call is made).</summary>
    private double UserWordShare(string documentKey, string textBeforeCursor, string word)
    {
        var (_, words) = NextWordMixture(documentKey, textBeforeCursor, 3, mayRunModel: false, CancellationToken.None);
        return words.FirstOrDefault(w => w.Word == word) is { Probability: > 0 } hit ? hit.FromUserWords / hit.Probability : 0;
    }
}
