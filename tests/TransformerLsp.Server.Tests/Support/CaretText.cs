namespace TransformerLsp.Server.Tests.Support;

/// <summary>Test input with a caret marker `|` (Roslyn-style markup): the text without it and the caret position.</summary>
internal static class CaretText
{
    public static (string Text, int Line, int Character) Parse(string markup)
    {
        var at = markup.IndexOf('|');
        if (at < 0) throw new ArgumentException("markup needs a | caret");
        var text = markup.Remove(at, 1);
        var before = markup[..at];
        var line = before.Count(c => c == '\n');
        var lineStart = before.LastIndexOf('\n') + 1;
        return (text, line, at - lineStart);
    }
}
