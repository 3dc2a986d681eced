using CsCheck;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Fuzz;

/// <summary>
/// Issue 13: random edit sequences sent as incremental didChange notifications over the wire and applied to a reference
/// string must agree after every notification, in UTF-16 with surrogate pairs and all three line breaks (LSP: \n, \r\n,
/// \r). Positions are drawn at code-point boundaries, never inside a \r\n; the reference converts them by the LSP rule.
/// </summary>
[Collection(nameof(ProtocolFuzzTests))]
public sealed class DocumentEditFuzzTests
{
    private const string Uri = "file:///fuzz/edits.md";
    private static readonly Gen<string> Inserted = Gen.OneOf(
        Gen.Const(""), Gen.Const("a"), Gen.Const("word "), Gen.Const("😀"), Gen.Const("é"), Gen.Const("\n"), Gen.Const("\r\n"),
        Gen.Const("\r"), Gen.Const("x😀\ny"), Gen.Const("𝔘𝔫𝔦\r\n\r\n"), Gen.String[0, 8]);

    [Fact]
    public async Task IncrementalEditsAgreeWithAReferenceString()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        var pcg = new PCG(7, 20261201);
        T Draw<T>(Gen<T> g) => g.Generate(pcg, null!, out _);
        var reference = "Start 😀 here\r\nsecond line\nthird\rfourth";
        await raw.NotifyAsync(LspMethods.DidOpen, new { textDocument = new { uri = Uri, languageId = "markdown", version = 1, text = reference } });
        var probe = 10_000;
        for (var version = 2; version < 1_500; version++)
        {
            var changes = new List<object>();
            for (var k = Draw(Gen.Int[1, 3]); k > 0; k--)
            {
                int a = Boundary(reference, Draw(Gen.Int[0, reference.Length])), b = Boundary(reference, Draw(Gen.Int[0, reference.Length]));
                (a, b) = (Math.Min(a, b), Math.Max(a, b));
                if (Draw(Gen.Int[0, 4]) > 0 && b - a > 12) b = Boundary(reference, a + 12); // mostly small edits, as typing is
                var text = Draw(Inserted);
                changes.Add(new { range = new { start = PositionOf(reference, a), end = PositionOf(reference, b) }, text });
                reference = reference[..a] + text + reference[b..];
            }
            await raw.NotifyAsync(LspMethods.DidChange, new { textDocument = new { uri = Uri, version }, contentChanges = changes });
            // A request after the notification: when it is answered, the notification has been applied (in order).
            await raw.RequestAsync(++probe, LspMethods.Hover, new { textDocument = new { uri = "file:///probe.md" }, position = new { line = 0, character = 0 } });
            await raw.ResponseAsync(probe);
            var server = raw.Host.Context.Documents.Get(Uri)!.Text;
            Assert.True(server == reference, $"after version {version}: server {Show(server)} != reference {Show(reference)}");
        }
    }

    /// <summary>The nearest offset at or before <paramref name="offset"/> that is neither inside a surrogate pair nor
    /// between the \r and \n of a line break.</summary>
    private static int Boundary(string s, int offset)
    {
        offset = Math.Clamp(offset, 0, s.Length);
        while (offset > 0 && offset < s.Length &&
               ((char.IsLowSurrogate(s[offset]) && char.IsHighSurrogate(s[offset - 1])) || (s[offset] == '\n' && s[offset - 1] == '\r')))
            offset--;
        return offset;
    }

    /// <summary>LSP's position of an offset: lines end at \n, \r\n or \r; the character is in UTF-16 code units.</summary>
    private static object PositionOf(string s, int offset)
    {
        int line = 0, lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= s.Length || s[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new { line, character = offset - lineStart };
    }

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s.Length > 200 ? s[..200] : s);
}
