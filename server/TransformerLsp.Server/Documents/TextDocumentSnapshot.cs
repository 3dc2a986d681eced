using TransformerLsp.Server.Protocol;
using Range = TransformerLsp.Server.Protocol.Range;

namespace TransformerLsp.Server.Documents;

/// <summary>
/// An immutable version of an open document: its text and line starts. All LSP positions (UTF-16 code units) are
/// converted to string offsets here and nowhere else.
/// </summary>
/// <remarks>
/// Positions are clamped, as the LSP specification asks for columns past the end of a line: a line past the end
/// means the end of the document, a column past the end of a line means the end of that line (before its line
/// break), negative numbers mean 0, and a column between the two halves of a surrogate pair moves to the start of
/// the pair so that no edit or context ever splits a character.
/// </remarks>
internal sealed class TextDocumentSnapshot
{
    private readonly int[] _lineStarts;

    public TextDocumentSnapshot(string uri, string languageId, int version, string text)
    {
        Uri = uri;
        LanguageId = languageId;
        Version = version;
        Text = text;
        _lineStarts = ComputeLineStarts(text);
    }

    public string Uri { get; }
    public string LanguageId { get; }
    public int Version { get; }
    public string Text { get; }
    public int LineCount => _lineStarts.Length;

    /// <summary>String offset of a position, clamped (see remarks).</summary>
    public int OffsetAt(Position position)
    {
        if (position.Line < 0) return 0;
        if (position.Line >= _lineStarts.Length) return Text.Length;
        var start = _lineStarts[position.Line];
        var end = LineContentEnd(position.Line);
        var offset = start + Math.Clamp(position.Character, 0, end - start);
        if (offset > 0 && offset < Text.Length && char.IsLowSurrogate(Text[offset]) && char.IsHighSurrogate(Text[offset - 1])) offset--;
        return offset;
    }

    /// <summary>The position of a string offset (clamped to the text).</summary>
    public Position PositionAt(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return new Position(line, offset - _lineStarts[line]);
    }

    public Range RangeOf(int start, int end) => new(PositionAt(start), PositionAt(end));

    /// <summary>True when the range's end is before its start.</summary>
    public static bool IsBackwards(Range range) =>
        range.End.Line < range.Start.Line || (range.End.Line == range.Start.Line && range.End.Character < range.Start.Character);

    /// <summary>A request's range must not be backwards: -32602 naming <paramref name="what"/> and both ends.</summary>
    public static void RequireForwards(Range range, string what)
    {
        if (IsBackwards(range))
            throw new Protocol.InvalidParamsException($"{what}: range end {range.End.Line}:{range.End.Character} is before its start {range.Start.Line}:{range.Start.Character}");
    }

    /// <summary>Applies one incremental (or full, when Range is null) change and returns the new snapshot.</summary>
    public TextDocumentSnapshot WithChange(TextDocumentContentChangeEvent change, int version)
    {
        var newText = change.Text ?? "";
        if (change.Range is null) return new TextDocumentSnapshot(Uri, LanguageId, version, TextSanitizer.Clean(newText));
        int a = OffsetAt(change.Range.Start), b = OffsetAt(change.Range.End);
        if (b < a) (a, b) = (b, a);
        var text = string.Concat(Text.AsSpan(0, a), TextSanitizer.Clean(newText), Text.AsSpan(b));
        return new TextDocumentSnapshot(Uri, LanguageId, version, text);
    }

    /// <summary>Offset just before the line break of <paramref name="line"/> (or the end of the text).</summary>
    private int LineContentEnd(int line)
    {
        var end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : Text.Length;
        if (end > _lineStarts[line] && line + 1 < _lineStarts.Length)
        {
            if (Text[end - 1] == '\n') end--;
            if (end > _lineStarts[line] && Text[end - 1] == '\r') end--;
        }
        return end;
    }

    // LSP line breaks: \n, \r\n and \r.
    private static int[] ComputeLineStarts(string text)
    {
        var starts = new List<int>(Math.Max(16, text.Length / 40)) { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') starts.Add(i + 1);
            else if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                starts.Add(i + 1);
            }
        }
        return [.. starts];
    }
}
