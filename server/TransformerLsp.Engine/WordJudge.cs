namespace TransformerLsp.Engine;

/// <summary>
/// The rule behind the improbable-word hints, meant to flag what a proof-reader would: a misspelling or a wrong word,
/// not a rare one. Shares are among the candidates for the position, ranked with both sides of it.
/// </summary>
/// <remarks>
/// <para>A misspelling is a word outside the lexicon (and the rest of the text) with a spelling one edit away that the
/// model finds at least <see cref="MinSpellingRatio"/> times likelier in context: flagged with that spelling. Acronyms and
/// capitalised words inside a sentence are names, not misspellings (the caller decides which words are candidates).</para>
/// <para>A wrong word is a known word the model finds far less likely than an alternative it predicts with near certainty:
/// share below <see cref="MaxFlaggedProbability"/> and the best other candidate at least <see cref="MinConfidence"/> (so
/// five thousand times likelier). A rare but possible word (a name, "snow" where "rain" was expected) is left alone.</para>
/// <para>The thresholds were fitted with <c>bench/TransformerLsp.Quality --only hints --dump-checks</c> on the modern
/// held-out passages so that clean text gets at most one hint per 200 words (docs/quality.md). With today's default model
/// the wrong-word rule almost never fires: on modern prose a fifth of correct words get a share below 10⁻⁶ and the model's
/// confident alternatives are wrong ("been" for "is"); a model that knows the text (issues 10 and 11) is what it waits for.
/// The earlier rule (share &lt; 5 %, ratio 10) flagged 47 to 69 words in every hundred.</para>
/// </remarks>
internal static class WordJudge
{
    /// <summary>Alternatives scored with the word.</summary>
    public const int Alternatives = 5;
    /// <summary>A known word is flagged only when its share is below this…</summary>
    public const double MaxFlaggedProbability = 1e-4;
    /// <summary>…and the best other candidate has at least this share.</summary>
    public const double MinConfidence = 0.98;
    /// <summary>A near spelling must be at least this many times likelier than the unknown word to call it a misspelling.</summary>
    public const double MinSpellingRatio = 1000;

    /// <param name="fit">The word's share and the ranked candidates (near spellings included).</param>
    /// <param name="known">The word is in the lexicon or elsewhere in the text.</param>
    /// <param name="near">Lexicon spellings one edit from an unknown word.</param>
    public static WordCheck Judge(WordFit fit, bool known = true, IReadOnlyCollection<string>? near = null)
    {
        var word = fit.Word;
        bool Other(FillCandidate a) => a.Text.Trim().Length > 0 && !a.Text.Trim().Equals(word, StringComparison.OrdinalIgnoreCase);
        var best = fit.Alternatives.FirstOrDefault(Other);
        var none = new WordCheck(word, fit.Probability, null, 0, false, best?.Text.Trim(), best?.Probability ?? 0);
        if (!known)
        {
            var spelling = fit.Alternatives.FirstOrDefault(a => Other(a) && (near?.Contains(a.Text.Trim()) ?? false));
            return spelling is not null && spelling.Probability >= MinSpellingRatio * fit.Probability
                ? none with { Suggestion = spelling.Text.Trim(), SuggestionProbability = spelling.Probability, Misspelling = true }
                : none;
        }
        if (best is null || fit.Probability >= MaxFlaggedProbability || best.Probability < MinConfidence)
            return none;
        return none with { Suggestion = best.Text.Trim(), SuggestionProbability = best.Probability };
    }
}
