using System.Text;

namespace TransformerLsp.Engine.Tokenization;

/// <summary>
/// The engine's view of a tokenizer: text to ids and every token as the raw UTF-8 bytes it stands for.
/// </summary>
/// <remarks>
/// Working in bytes makes SentencePiece byte-fallback tokens and GPT-2 byte-level tokens uniform: a token's
/// text may be part of a UTF-8 character, so strings are only built from a whole sequence of tokens.
/// A leading space in a token's bytes is the word boundary ("▁" in SentencePiece, "Ġ" in GPT-2).
/// </remarks>
internal abstract class TextTokenizer
{
    private byte[][]? _bytes;

    /// <summary>Number of token ids (the model's vocab_size may be larger; extra ids decode to nothing).</summary>
    public abstract int Count { get; }

    /// <summary>Ids for <paramref name="text"/>. At a document start SentencePiece adds its dummy-prefix space, as spm_encode does;
    /// elsewhere the text is tokenized as it would be inside a longer text that was split at a token boundary here.</summary>
    public abstract int[] Encode(string text, bool atDocumentStart);

    /// <summary>
    /// Whether a space that follows a non-space and precedes a non-space always starts a token, so a text can be
    /// re-encoded from there (true for GPT-2's pre-tokenization; checked on the vocabulary for SentencePiece).
    /// </summary>
    public virtual bool SplitsBeforeWords => true;

    /// <summary>Bytes a document-start encoding adds before the text (SentencePiece's dummy-prefix space).</summary>
    public virtual int DocumentStartPrefixBytes => 0;

    /// <summary>The bytes a token stands for; empty for control tokens (bos, eos, unk).</summary>
    protected abstract byte[] ComputeBytes(int id);

    /// <summary>The bytes of every id in [0, count), computed once.</summary>
    public byte[][] AllTokenBytes(int count)
    {
        if (_bytes is null || _bytes.Length != count)
        {
            var all = new byte[count][];
            for (var i = 0; i < count; i++) all[i] = i < Count ? ComputeBytes(i) : [];
            _bytes = all;
        }
        return _bytes;
    }

    public byte[] TokenBytes(int id) => _bytes is not null && (uint)id < (uint)_bytes.Length ? _bytes[id] : (uint)id < (uint)Count ? ComputeBytes(id) : [];

    /// <summary>Decodes ids by joining their bytes (a SentencePiece document start keeps its dummy-prefix space).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var buffer = new List<byte>();
        foreach (var id in ids) buffer.AddRange(TokenBytes(id));
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
