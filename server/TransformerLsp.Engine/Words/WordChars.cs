using System.Buffers;
using System.Globalization;
using System.Text;

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

    /// <summary>Which bytes of a UTF-8 text (a token's, or several tokens' joined) can be part of a word: ASCII letters and
    /// digits, the apostrophe, and the bytes of a non-ASCII character that is a letter, a digit, a combining mark or the
    /// typographic apostrophe (’). A dash, a curly quote or an ellipsis ends a word ("ago—never" is two words). A piece
    /// of a character the text does not hold whole (a byte-fallback token) counts as a word byte: its character is not
    /// known here.</summary>
    public static bool[] WordByteMask(ReadOnlySpan<byte> utf8)
    {
        var mask = new bool[utf8.Length];
        for (var i = 0; i < utf8.Length;)
        {
            var b = utf8[i];
            if (b < 0x80)
            {
                mask[i++] = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'\'';
                continue;
            }
            var status = Rune.DecodeFromUtf8(utf8[i..], out var rune, out var length);
            var isWord = status != OperationStatus.Done || IsWordRune(rune);
            for (var k = 0; k < length; k++) mask[i + k] = isWord;
            i += Math.Max(1, length);
        }
        return mask;
    }

    private static bool IsWordRune(Rune r) =>
        Rune.IsLetterOrDigit(r) || r.Value == '’' || Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

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
