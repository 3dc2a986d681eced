using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace TransformerLsp.Engine.Tokenization;

/// <summary>SentencePiece BPE (spm_train with identity normalization and byte fallback) via Microsoft.ML.Tokenizers.</summary>
internal sealed class SentencePieceTextTokenizer : TextTokenizer
{
    private const char Space = '\u2581'; // "▁", SentencePiece's escaped space
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly string[] _pieces;
    private readonly bool _addDummyPrefix;
    private readonly SentencePieceBpe _bpe;

    public SentencePieceTextTokenizer(byte[] model)
    {
        // Microsoft.ML.Tokenizers reads the model (vocabulary, special ids, normalizer flags); encoding uses spm's own
        // merge order (SentencePieceBpe). BOS is added by the engine per config.json (add_bos), never by the tokenizer.
        _tokenizer = SentencePieceTokenizer.Create(new MemoryStream(model), addBeginningOfSentence: false, addEndOfSentence: false);
        _bpe = new SentencePieceBpe(new SentencePieceModelFile(model));
        var vocab = _tokenizer.Vocabulary;
        _pieces = new string[vocab.Values.Max() + 1];
        foreach (var (piece, id) in vocab) _pieces[id] = piece;
        _addDummyPrefix = _tokenizer.AddDummyPrefix;
        // A piece with "▁" after another character would let a token span a word boundary.
        _splitsBeforeWords = !_pieces.Any(p => p is not null && p.TrimStart(Space).Contains(Space));
    }

    private readonly bool _splitsBeforeWords;

    public override bool SplitsBeforeWords => _splitsBeforeWords;

    public override int DocumentStartPrefixBytes => _addDummyPrefix ? 1 : 0;

    public override int Count => _pieces.Length;

    public override int[] Encode(string text, bool atDocumentStart)
    {
        if (text.Length == 0) return [];
        // Normalization is ours: identity rules, spaces escaped to "▁", the dummy prefix only at a document start
        // (spm_encode adds it to every input; inside a document the split point is a token boundary instead).
        var escaped = new StringBuilder(text.Length + 1);
        if (atDocumentStart && _addDummyPrefix) escaped.Append(Space);
        foreach (var c in text) escaped.Append(c == ' ' ? Space : c);
        return [.. _bpe.Encode(escaped.ToString())];
    }

    protected override byte[] ComputeBytes(int id)
    {
        var piece = _pieces[id];
        if (piece is null || id == _tokenizer.BeginningOfSentenceId || id == _tokenizer.EndOfSentenceId || id == _tokenizer.UnknownId)
            return [];
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>'))
            return [byte.Parse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)];
        if (piece.Length > 2 && piece[0] == '<' && piece[^1] == '>' && !piece.Contains(Space))
            return []; // other control / user-defined markers such as <pad>
        return Encoding.UTF8.GetBytes(piece.Replace(Space, ' '));
    }
}
