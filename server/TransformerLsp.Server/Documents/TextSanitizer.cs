using System.Text;

namespace TransformerLsp.Server.Documents;

/// <summary>Makes document text safe to hand to the tokenizer: lone surrogates become U+FFFD.</summary>
/// <remarks>Binary content (NUL and other control characters) is kept as is: positions must keep matching the client's.</remarks>
internal static class TextSanitizer
{
    public static string Clean(string text)
    {
        var bad = FirstLoneSurrogate(text);
        if (bad < 0) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { sb.Append(c).Append(text[++i]); }
            else if (char.IsSurrogate(c)) sb.Append('\uFFFD');
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static int FirstLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            return i;
        }
        return -1;
    }
}
