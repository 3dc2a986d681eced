using System.Globalization;

namespace TransformerLsp.Engine.Words;

/// <summary>
/// The one definition of what a word is made of, for the engine (decoding, token healing, the lexicon) and for the
/// server (hover, hints, word ranges). A word is a maximal run of word characters: letters, digits and combining marks,
/// with an apostrophe (' or ’) or a hyphen inside it when a letter is on both sides ("don't", "well-known").
/// </summary>
public static class WordChars
{
    /// <summary>Whether <c>text[i]</c> belongs to a word, looking at its neighbours for apostrophes and hyphens.</summary>
    public static bool IsWordChar(string text, int i)
    {
        ArgumentNullException.ThrowIfNull(text);
        var c = text[i];
        if (char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark) return true;
        if (char.IsSurrogate(c))
        {
            var high = char.IsHighSurrogate(c) ? i : i - 1;
            return high >= 0 && char.IsSurrogatePair(text, high) && char.IsLetter(text, high);
        }
        if (c is '\'' or '’' or '-') return i > 0 && i + 1 < text.Length && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1]);
        return false;
    }

    /// <summary>Whether a character may belong to the word being typed at the end of a text: as <see cref="IsWordChar(string, int)"/>,
    /// with an apostrophe allowed at the end (the user is typing "don'"). Hyphens end the typed word: "well-" completes "known".</summary>
    public static bool IsTypedWordChar(char c) =>
        char.IsLetterOrDigit(c) || c is '\'' or '’' || char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>Whether a byte of a token's UTF-8 text can be part of a word: ASCII letters and digits, the apostrophe, and every
    /// byte of a non-ASCII character. A token whose first byte is one continues the word before it.</summary>
    public static bool IsWordByte(byte b) =>
        b >= 0x80 || b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'\'';

    /// <summary>The words of <paramref name="text"/>, in order.</summary>
    public static IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        while (i < text.Length)
        {
            if (!IsWordChar(text, i)) { i++; continue; }
            var start = i;
            while (i < text.Length && IsWordChar(text, i)) i++;
            yield return text[start..i];
        }
    }
}
