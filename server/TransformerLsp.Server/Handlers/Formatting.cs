using System.Globalization;

namespace TransformerLsp.Server.Handlers;

/// <summary>How probabilities and suggestions are shown to people (editor and terminal alike).</summary>
internal static class Formatting
{
    public static string Percent(double probability)
    {
        var p = probability * 100;
        if (double.IsNaN(p)) return "?%";
        if (p >= 10) return p.ToString("0", CultureInfo.InvariantCulture) + "%";
        if (p >= 0.1) return p.ToString("0.0", CultureInfo.InvariantCulture) + "%";
        return "<0.1%";
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
