using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.HybridEval;

/// <summary>
/// The user's text as the engine sees it while a document is written: a <see cref="UserTextIndex"/> holding the document
/// (token i at UTF-16 offset i, so the cursor is a token position) or its siblings. <see cref="Before"/> must be asked
/// for ascending positions: the view's unigram counts (the document's tokens before the position) are kept as a running
/// array, since the index's own per-request recount costs O(V) and this tool asks once per token.
/// </summary>
internal sealed class DocumentMemory : ITokenCounts
{
    private readonly UserTextIndex _index;
    private readonly string? _current;
    private readonly int[] _doc;
    private readonly int[] _unigrams;
    private ITokenCounts _view;
    private int _position;
    private long _total;

    public DocumentMemory(int[] doc, int vocab)
    {
        _index = new UserTextIndex(vocab);
        _index.SetTokens("document", doc);
        _current = "document";
        _doc = doc;
        _unigrams = new int[vocab];
        _view = _index.Counts(_current, 0);
    }

    private DocumentMemory(UserTextIndex index)
    {
        _index = index;
        _doc = [];
        _view = index.Counts(null, 0);
        _unigrams = _view.Unigrams.ToArray();
        _total = _view.Total;
    }

    /// <summary>Every document but <paramref name="except"/>, in full.</summary>
    public static DocumentMemory Siblings(IReadOnlyList<int[]> docs, int except, int vocab)
    {
        var index = new UserTextIndex(vocab);
        for (var d = 0; d < docs.Count; d++) if (d != except) index.SetTokens($"doc{d}", docs[d]);
        return new DocumentMemory(index);
    }

    /// <summary>The view from just before token <paramref name="position"/> of the document.</summary>
    public ITokenCounts Before(int position)
    {
        if (_current is null) return this;
        if (position < _position) throw new InvalidOperationException("positions must ascend");
        for (; _position < position; _position++)
            if (_position >= 1) { _unigrams[_doc[_position]]++; _total++; }
        _view = _index.Counts(_current, position);
        return this;
    }

    public int VocabSize => _unigrams.Length;
    public long Total => _total;
    public ReadOnlySpan<int> Unigrams => _unigrams;
    public IReadOnlyList<TokenCount[]> Continuations(ReadOnlySpan<int> context, int maxLength) => _view.Continuations(context, maxLength);
}
