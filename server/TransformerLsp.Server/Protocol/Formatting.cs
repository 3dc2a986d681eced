using System.Globalization;

namespace TransformerLsp.Server.Protocol;

/// <summary>How probabilities and suggestions are shown to people (editor and terminal alike).</summary>
internal static class Formatting
{
    /// <summary>
    /// "37%", "3.7%", "&lt;0.1%", "0%"; "–" for what is not a probability. The VS Code client's formatProbability
    /// (client/src/format.ts) shows probabilities the same way: both are tested on tests/fixtures/probability-format.
    /// </summary>
    public static string Percent(double probability)
    {
        if (!double.IsFinite(probability) || probability < 0) return "–";
        var percent = probability * 100;
        if (percent >= 9.95) return percent.ToString("0", CultureInfo.InvariantCulture) + "%";
        if (percent >= 0.05) return percent.ToString("0.0", CultureInfo.InvariantCulture) + "%";
        return probability == 0 ? "0%" : "<0.1%";
    }

    /// <summary>Shortens a suggestion for a title, keeping it on one line.</summary>
    public static string Short(string text, int max = 60)
    {
        var oneLine = text.Replace("\r", "").Replace('\n', '⏎').Trim();
        return oneLine.Length <= max ? oneLine : oneLine[..(max - 1)] + "…";
    }

    /// <summary>Escapes text for a markdown table cell or inline code.</summary>
    public static string Markdown(string text) => text.Replace("|", "\\|").Replace("`", "'").Replace("\n", " ").Replace("\r", "");

    public static double Exp(double logProbability) => double.IsFinite(logProbability) ? Math.Exp(logProbability) : 0;
}
