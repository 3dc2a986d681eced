using System.Text;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Decoding;

/// <summary>What decoding needs to know about each token: its bytes and its role at word and line boundaries.</summary>
internal sealed class TokenVocabulary
{
    public TokenVocabulary(byte[][] bytes, int eosId)
    {
        Bytes = bytes;
        EosId = eosId;
        WordBytes = [.. bytes.Select(b => WordChars.WordByteMask(b))];
        ContinuesWord = [.. WordBytes.Select(m => m is [true, ..])];
    }

    /// <summary>A vocabulary from token strings (tests and toy models); "" marks a control token.</summary>
    public static TokenVocabulary FromStrings(IReadOnlyList<string> tokens, int eosId) =>
        new([.. tokens.Select(t => Encoding.UTF8.GetBytes(t))], eosId);

    public byte[][] Bytes { get; }
    public int Count => Bytes.Length;
    public int EosId { get; }

    /// <summary>Per token, which of its bytes can be part of a word (<see cref="WordChars.WordByteMask"/>).</summary>
    public bool[][] WordBytes { get; }

    /// <summary>The token's first byte is part of a word: it extends the word before it.</summary>
    public bool[] ContinuesWord { get; }

    /// <summary>Log-probability that the word at the end of a row ends there: the mass of the tokens that do not continue it.</summary>
    public double BoundaryLogProb(ReadOnlySpan<float> logProbs)
    {
        double continuing = 0;
        for (var t = 0; t < logProbs.Length; t++)
            if (ContinuesWord[t]) continuing += Math.Exp(logProbs[t]);
        return Math.Log(Math.Max(1e-12, 1 - continuing));
    }

    public string Decode(IEnumerable<int> ids)
    {
        var buffer = new List<byte>();
        foreach (var id in ids) buffer.AddRange(Bytes[id]);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
