namespace TransformerLsp.Server.Tests.Support;

/// <summary>Test input with a caret marker `|` (Roslyn-style markup): the text without it and the caret position.</summary>
internal static class CaretText
{
    public static (string Text, int Line, int Character) Parse(string markup)
    {
        int at = markup.IndexOf('|');
        if (at < 0) throw new ArgumentException("markup needs a | caret");
        string text = markup.Remove(at, 1);
        string before = markup[..at];
        int line = before.Count(c => c == '\n');
        int lineStart = before.LastIndexOf('\n') + 1;
        return (text, line, at - lineStart);
    }
}
