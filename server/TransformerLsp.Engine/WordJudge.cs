namespace TransformerLsp.Engine;

/// <summary>The rule behind the improbable-word hints: a word is flagged when its share among the candidates for its
/// position (ranked with both sides) is small and far below the best other candidate.</summary>
internal static class WordJudge
{
    /// <summary>Alternatives scored with the word.</summary>
    public const int Alternatives = 5;
    /// <summary>A word is flagged when its share is below this…</summary>
    public const double MaxFlaggedProbability = 0.05;
    /// <summary>…and the best other candidate is at least this many times likelier.</summary>
    public const double MinRatio = 10;

    public static WordCheck Judge(WordFit fit)
    {
        var word = fit.Word;
        var best = fit.Alternatives.FirstOrDefault(a => a.Text.Trim().Length > 0 && !a.Text.Trim().Equals(word, StringComparison.OrdinalIgnoreCase));
        if (best is null || fit.Probability >= MaxFlaggedProbability || best.Probability < MinRatio * fit.Probability)
            return new WordCheck(word, fit.Probability, null, 0);
        return new WordCheck(word, fit.Probability, best.Text.Trim(), best.Probability);
    }
}
