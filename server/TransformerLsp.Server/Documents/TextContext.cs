namespace TransformerLsp.Server.Documents;

/// <summary>
/// Cuts the text the engine sees: the left context before a cursor and the right context after a word or blank.
/// </summary>
/// <remarks>
/// The engine windows its input to the model's context itself; we only bound the characters we hand over so that a
/// 10 MB document costs the same as a short one. The left cut starts at a line break found at or after a multiple
/// of <see cref="LeftStride"/> characters, so the start stays put while the user types and the engine's per-document
/// prefix cache keeps hitting.
/// </remarks>
internal static class TextContext
{
    public const int MaxLeftChars = 6000;
    public const int LeftStride = 2048;
    public const int MaxRightChars = 400;

    public static string Left(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        if (offset <= MaxLeftChars) return text[..offset];
        var start = (offset - MaxLeftChars) / LeftStride * LeftStride + LeftStride;
        var lineBreak = text.IndexOf('\n', start, Math.Min(LeftStride / 2, offset - start));
        if (lineBreak >= 0) start = lineBreak + 1;
        if (start > 0 && start < text.Length && char.IsLowSurrogate(text[start])) start++;
        return text[start..offset];
    }

    public static string Right(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var end = Math.Min(text.Length, offset + MaxRightChars);
        if (end < text.Length && end > offset && char.IsHighSurrogate(text[end - 1])) end--;
        return text[offset..end];
    }
}
