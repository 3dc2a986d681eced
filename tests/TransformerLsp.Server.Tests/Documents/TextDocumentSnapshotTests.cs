using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;
using Range = TransformerLsp.Server.Protocol.Range;

namespace TransformerLsp.Server.Tests.Documents;

public class TextDocumentSnapshotTests
{
    private static TextDocumentSnapshot Doc(string text) => new("file:///t.md", "markdown", 1, text);

    [Theory]
    [InlineData("ab|c", 0, 2)]
    [InlineData("line one\nli|ne two", 1, 2)]
    [InlineData("crlf\r\nse|cond", 1, 2)]
    [InlineData("emoji 😀|x", 0, 8)]          // the emoji is two UTF-16 code units
    [InlineData("𝒳𝒴|", 0, 4)]
    public void CaretMarkupRoundTripsBetweenPositionAndOffset(string markup, int line, int character)
    {
        var (text, l, c) = CaretText.Parse(markup);
        Assert.Equal((line, character), (l, c));
        var doc = Doc(text);
        var offset = doc.OffsetAt(new Position(l, c));
        Assert.Equal(markup.IndexOf('|'), offset);
        Assert.Equal(new Position(l, c), doc.PositionAt(offset));
    }

    [Fact]
    public void CarriageReturnAloneIsALineBreak()
    {
        var doc = Doc("cr only\rthird\r\nfourth");
        Assert.Equal(3, doc.LineCount);
        Assert.Equal(10, doc.OffsetAt(new Position(1, 2)));
        Assert.Equal(new Position(2, 1), doc.PositionAt(16));
    }

    [Fact]
    public void ColumnInsideASurrogatePairMovesToThePairStart()
    {
        var doc = Doc("a😀b");
        Assert.Equal(1, doc.OffsetAt(new Position(0, 2)));
        Assert.Equal(3, doc.OffsetAt(new Position(0, 3)));
    }

    [Theory]
    [InlineData(0, 99, 5)]     // past the end of the line: end of that line, before its break
    [InlineData(1, 99, 11)]    // last line: end of the text
    [InlineData(7, 0, 11)]     // past the last line: end of the text
    [InlineData(-1, -5, 0)]    // negative: start
    public void OutOfRangePositionsAreClamped(int line, int character, int expected)
    {
        Assert.Equal(expected, Doc("hello\nworld").OffsetAt(new Position(line, character)));
    }

    [Fact]
    public void IncrementalChangesApplyInOrder()
    {
        var doc = Doc("The cat sat.\nOn a mat.");
        doc = doc.WithChange(new TextDocumentContentChangeEvent { Range = new Range(new(0, 4), new(0, 7)), Text = "dog" }, 2);
        doc = doc.WithChange(new TextDocumentContentChangeEvent { Range = new Range(new(1, 9), new(1, 9)), Text = " 😀" }, 3);
        doc = doc.WithChange(new TextDocumentContentChangeEvent { Range = new Range(new(1, 0), new(1, 2)), Text = "Under" }, 4);
        Assert.Equal("The dog sat.\nUnder a mat. 😀", doc.Text);
        Assert.Equal(4, doc.Version);
        Assert.Equal(2, doc.LineCount);
    }

    [Fact]
    public void ChangeAcrossASurrogatePairKeepsTheTextValid()
    {
        var doc = Doc("x😀y").WithChange(new TextDocumentContentChangeEvent { Range = new Range(new(0, 1), new(0, 3)), Text = "" }, 2);
        Assert.Equal("xy", doc.Text);
    }

    [Fact]
    public void BackwardsChangeRangeIsAppliedWithItsEndsSwapped()
    {
        var range = new Range(new(0, 5), new(0, 0));
        Assert.True(TextDocumentSnapshot.IsBackwards(range));
        var doc = Doc("hello world").WithChange(new TextDocumentContentChangeEvent { Range = range, Text = "HELLO" }, 2);
        Assert.Equal("HELLO world", doc.Text);
    }

    [Fact]
    public void FullChangeReplacesTheText()
    {
        var doc = Doc("old").WithChange(new TextDocumentContentChangeEvent { Text = "new\ntext" }, 2);
        Assert.Equal("new\ntext", doc.Text);
        Assert.Equal(2, doc.LineCount);
    }

    [Fact]
    public void LoneSurrogatesBecomeReplacementCharacters()
    {
        Assert.Equal("a\uFFFDb\uFFFD😀", TextSanitizer.Clean("a\uD800b\uDC00😀"));
        var doc = Doc("ok");
        doc = doc.WithChange(new TextDocumentContentChangeEvent { Range = new Range(new(0, 2), new(0, 2)), Text = "\uDBFF" }, 2);
        Assert.Equal("ok\uFFFD", doc.Text);
    }

    [Fact]
    public void TenMegabyteDocumentConvertsPositionsQuickly()
    {
        var line = new string('w', 99) + "\n";
        var text = string.Concat(Enumerable.Repeat(line, 100_000));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var doc = Doc(text);
        doc = doc.WithChange(new TextDocumentContentChangeEvent { Range = new Range(new(50_000, 3), new(50_000, 3)), Text = "x" }, 2);
        Assert.Equal(50_000 * 100 + 3, doc.OffsetAt(new Position(50_000, 3)));
        Assert.Equal(new Position(99_999, 0), doc.PositionAt(99_999 * 100 + 1));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }
}

public class TextContextTests
{
    [Fact]
    public void LeftContextIsBoundedAndStableWhileTyping()
    {
        var text = string.Concat(Enumerable.Repeat("Some words in a line of prose.\n", 2000));
        var a = TextContext.Left(text, 40_000);
        var b = TextContext.Left(text, 40_010);
        Assert.True(a.Length <= TextContext.MaxLeftChars + TextContext.LeftStride);
        Assert.Equal(text[..40_000][^a.Length..], a);
        Assert.StartsWith(a, b); // same start: the engine's prefix cache keeps hitting
    }

    [Fact]
    public void ShortTextIsPassedWhole()
    {
        Assert.Equal("abc", TextContext.Left("abcdef", 3));
        Assert.Equal("def", TextContext.Right("abcdef", 3));
    }
}

public class WordFinderTests
{
    [Theory]
    [InlineData("The qu|", 4, 6)]
    [InlineData("don't stop|", 6, 10)]
    [InlineData("café|", 0, 4)]
    [InlineData("hello |", 6, 6)]
    public void WordStartBeforeCaret(string markup, int start, int caret)
    {
        var (text, _, c) = CaretText.Parse(markup);
        Assert.Equal(caret, c);
        Assert.Equal(start, WordFinder.WordStartBefore(text, c));
    }

    [Fact]
    public void BlankMarkersAreFoundAndLongUnderscoreRunsAreOneBlank()
    {
        var blanks = WordFinder.BlankMarkers("The _____ sat on the [MASK] and ___.", ["___", "[MASK]"]);
        Assert.Equal([new TextSpan(4, 9), new TextSpan(21, 27), new TextSpan(32, 35)], blanks);
        Assert.Equal(new TextSpan(21, 27), WordFinder.BlankAt("The _____ sat on the [MASK] and ___.", 23, ["___", "[MASK]"]));
    }

    // Which blank "Fill blank" fills for a | caret (shown as «blank»): the client asks fillMask with a position.
    private static readonly string[] Markers = ["___", "[MASK]"];

    /// <summary>The markup without its | caret, with the blank near the caret shown as «…»; null when there is none.</summary>
    private static string? BlankNear(string markup, string[]? markers = null)
    {
        var offset = markup.IndexOf('|');
        Assert.True(offset >= 0, "markup needs a | caret");
        var text = markup.Remove(offset, 1);
        return WordFinder.BlankNear(text, offset, markers ?? Markers) is { } b
            ? $"{text[..b.Start]}«{text[b.Start..b.End]}»{text[b.End..]}"
            : null;
    }

    [Fact]
    public void EveryMarkerOfEveryKindIsFound() =>
        Assert.Equal([new TextSpan(2, 5), new TextSpan(8, 14)], WordFinder.BlankMarkers("a ___ b [MASK] c", Markers));

    [Fact]
    public void ALongerRunOfARepeatedCharacterMarkerIsOneBlank()
    {
        Assert.Equal([new TextSpan(2, 7)], WordFinder.BlankMarkers("x _____ y", Markers));
        Assert.Empty(WordFinder.BlankMarkers("x __ y", Markers));
        Assert.Equal([new TextSpan(2, 7)], WordFinder.BlankMarkers("x ***** y", ["***"]));
        Assert.Equal("x «_________» y", BlankNear("x ____|_____ y"));
    }

    [Theory]
    [InlineData("[___]", new[] { "___", "[___]" }, 0, 5)]   // the match that starts first wins
    [InlineData("[___]", new[] { "[___]", "___" }, 0, 5)]
    [InlineData("[MASK]", new[] { "[MASK", "[MASK]" }, 0, 6)] // same start: the longer wins
    [InlineData("[MASK]", new[] { "[MASK]", "[MASK" }, 0, 6)]
    public void OverlappingMarkersKeepOneBlank(string text, string[] markers, int start, int end) =>
        Assert.Equal([new TextSpan(start, end)], WordFinder.BlankMarkers(text, markers));

    [Fact]
    public void MarkersMatchLiterallyAndEmptyOnesAreIgnored()
    {
        Assert.Equal([new TextSpan(2, 8)], WordFinder.BlankMarkers("a [MASK] b MASK", ["[MASK]"]));
        Assert.Equal([new TextSpan(1, 3)], WordFinder.BlankMarkers("a.*b", [".*"]));
        Assert.Empty(WordFinder.BlankMarkers("abc", [""]));
    }

    [Theory]
    [InlineData("The ___ sat on the [M|ASK].", "The ___ sat on the «[MASK]».")]
    [InlineData("The |___ sat on the [MASK].", "The «___» sat on the [MASK].")]   // touching the start counts
    [InlineData("The ___| sat on the [MASK].", "The «___» sat on the [MASK].")]   // touching the end counts
    public void TheBlankUnderTheCaretWins(string markup, string expected) => Assert.Equal(expected, BlankNear(markup));

    [Theory]
    [InlineData("The ___ sat | on the [MASK].", "The «___» sat  on the [MASK].")]
    [InlineData("The ___ sat on t|he [MASK].", "The ___ sat on the «[MASK]».")]
    [InlineData("a ___\nb|                     ___", "a ___\nb                     «___»")] // the caret's line beats a nearer blank
    [InlineData("a ___\r\nb|                     ___", "a ___\r\nb                     «___»")]
    [InlineData("___ab|cd___", "«___»abcd___")]                                                 // a tie goes to the earlier blank
    public void ElseTheNearestOnTheCaretsLineWins(string markup, string expected) => Assert.Equal(expected, BlankNear(markup));

    [Theory]
    [InlineData("one ___\ntwo\nthree\nfour|\nfive ___", "one ___\ntwo\nthree\nfour\nfive «___»")]
    [InlineData("one ___\nthree|\nfour\nfive\nsix ___", "one «___»\nthree\nfour\nfive\nsix ___")]
    [InlineData("|\none [MASK]", "\none «[MASK]»")]
    public void ElseTheNearestInTheDocumentWins(string markup, string expected) => Assert.Equal(expected, BlankNear(markup));

    [Theory]
    [InlineData("Nothing| to fill here.")]
    [InlineData("|")]
    [InlineData("only __ two|")]
    public void NoBlankAnywhereIsNull(string markup) => Assert.Null(BlankNear(markup));
}
