using System.Text;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine.Tests.Tokenization;

/// <summary>The BPE merge order of libsentencepiece, on hand-built model files.</summary>
public sealed class SentencePieceBpeTests
{
    private static readonly (string Piece, float Score, int Type)[] Pieces =
    [
        ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3),
        ("..", -1, 1), ("▁.", -2, 1), ("▁", -3, 1), (".", -4, 1), ("a", -5, 1), ("b", -6, 1), ("ab", -7, 1), ("▁ab", -8, 1),
        ("<0xC3>", 0, 6), ("<0xA9>", 0, 6),
    ];

    private static SentencePieceBpe Bpe() => new(new SentencePieceModelFile(ModelProto(Pieces)));

    public static TheoryData<string, string[]> Cases() => new()
    {
        // ".." outscores "▁.", so it merges first, as spm_encode does (Microsoft.ML.Tokenizers 2.0.1 gives "▁." "..").
        { "▁...", ["▁", "..", "."] },
        { "▁ab▁..", ["▁ab", "▁", ".."] },
        { "ab.", ["ab", "."] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HighestScoringPairMergesFirst(string text, string[] expected)
    {
        var ids = Bpe().Encode(text);
        Assert.Equal(expected, ids.Select(i => Pieces[i].Piece));
    }

    [Fact]
    public void UnknownCharactersFallBackToBytes()
    {
        var ids = Bpe().Encode("aé");
        Assert.Equal(["a", "<0xC3>", "<0xA9>"], ids.Select(i => Pieces[i].Piece));
    }

    /// <summary>Serializes a ModelProto holding only its pieces (field 1: piece = 1, score = 2, type = 3).</summary>
    private static byte[] ModelProto(IEnumerable<(string Piece, float Score, int Type)> pieces)
    {
        var output = new List<byte>();
        foreach (var (piece, score, type) in pieces)
        {
            var m = new List<byte> { 0x0A };
            var text = Encoding.UTF8.GetBytes(piece);
            Varint(m, (ulong)text.Length);
            m.AddRange(text);
            m.Add(0x15);
            m.AddRange(BitConverter.GetBytes(score));
            m.Add(0x18);
            Varint(m, (ulong)type);
            output.Add(0x0A);
            Varint(output, (ulong)m.Count);
            output.AddRange(m);
        }
        return [.. output];
    }

    private static void Varint(List<byte> to, ulong v)
    {
        while (v >= 0x80) { to.Add((byte)(v | 0x80)); v >>= 7; }
        to.Add((byte)v);
    }
}
