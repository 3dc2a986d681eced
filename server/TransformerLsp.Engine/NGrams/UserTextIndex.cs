using System.Collections.Immutable;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// A live index over the user's own text (the open documents): which tokens followed a context, and in which documents a
/// token sequence occurs, so suggestions can offer the user's names, terms and phrases the moment they are typed.
/// </summary>
/// <remarks>
/// <para>One immutable <see cref="UserTextSegment"/> per document (token ids, their UTF-16 offsets, posting lists). An edit
/// (<see cref="Set"/>) only swaps in the document's new text under a lock, with its segment still unbuilt; the segment is
/// built lazily by the first query that needs it (so a burst of keystrokes between two requests costs one build, on the
/// querying thread). A build re-tokenizes only the lines whose text changed, when the tokenizer never merges across a line
/// break (checked on its vocabulary: no token has a line feed before another byte), which makes the per-line encoding equal
/// to the whole-text one.</para>
/// <para>Thread safety: <see cref="Set"/> and <see cref="Remove"/> may run on any thread, concurrently with queries. Each
/// query takes a snapshot (the immutable document map) and never sees a half-applied edit. Building a segment is
/// serialised per document version by <see cref="Lazy{T}"/>; a tokenizer failure indexes that version as empty instead of
/// failing every later query.</para>
/// <para>A document is indexed up to its first <see cref="MaxDocumentChars"/> UTF-16 characters.</para>
/// </remarks>
public sealed class UserTextIndex
{
    /// <summary>Characters of a document that are indexed (the rest is ignored): bounds one build's time and memory.</summary>
    public const int MaxDocumentChars = 1 << 20;

    private readonly Func<string, bool, UserTextSegment.LineTokens>? _encode;
    private readonly bool _splitLines;
    private readonly object _gate = new();
    private ImmutableDictionary<string, Entry> _documents = ImmutableDictionary.Create<string, Entry>(StringComparer.Ordinal);
    private UnigramCache? _unigrams;

    /// <summary>A document's latest text, its segment (built on first use) and the line tokenization to reuse when building it.</summary>
    private sealed class Entry(Lazy<UserTextSegment> segment, IReadOnlyDictionary<string, UserTextSegment.LineTokens>? reuse, string? text = null)
    {
        /// <summary>The indexed text (null for documents given as tokens): where a request's text before the cursor ends in it.</summary>
        public string? Text { get; } = text;
        public Lazy<UserTextSegment> Segment { get; } = segment;
        public IReadOnlyDictionary<string, UserTextSegment.LineTokens>? Reuse { get; } = reuse;
        /// <summary>The text's words, built on first use (none for documents given as tokens).</summary>
        public Lazy<UserTextWords> Words { get; } = new(() => text is null ? UserTextWords.Empty : UserTextWords.Build(text));

        /// <summary>The line tokenization a successor may reuse: this segment's if built, else the one it would reuse itself
        /// (never a chain of unbuilt texts).</summary>
        public IReadOnlyDictionary<string, UserTextSegment.LineTokens>? Lines => Segment.IsValueCreated ? Segment.Value.Lines : Reuse;
    }

    /// <summary>The dense unigram counts of one document map.</summary>
    private sealed record UnigramCache(ImmutableDictionary<string, Entry> Documents, int[] Counts);

    /// <summary>An index that tokenizes with <paramref name="tokenizer"/> the way the context window does (whole text from the
    /// document start).</summary>
    internal UserTextIndex(TextTokenizer tokenizer, int vocabSize) : this(vocabSize)
    {
        var bytes = tokenizer.AllTokenBytes(vocabSize); // the array TextPredictor already computed (cached per count)
        var prefix = tokenizer.DocumentStartPrefixBytes;
        _encode = (text, atStart) =>
        {
            var tokens = tokenizer.Encode(text, atStart);
            return new UserTextSegment.LineTokens(tokens, CharStarts(text, tokens, bytes, atStart ? prefix : 0));
        };
        _splitLines = !bytes.Any(b => b.AsSpan(0, Math.Max(b.Length - 1, 0)).Contains((byte)'\n'));
    }

    /// <summary>An index fed token ids directly (<see cref="SetTokens"/>); for tests.</summary>
    internal UserTextIndex(int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        VocabSize = vocabSize;
    }

    /// <summary>Size of the token-id space.</summary>
    public int VocabSize { get; }

    /// <summary>Whether a build re-tokenizes only changed lines (the tokenizer never merges across a line feed).</summary>
    internal bool SplitsLines => _splitLines;

    /// <summary>Changes whenever a document is added or removed (not when one is edited): results remembered for a context
    /// stay valid while it does not change, since edits reach the results through the context itself.</summary>
    public long Generation => Interlocked.Read(ref _generation);
    private long _generation;

    /// <summary>Documents indexed.</summary>
    public int DocumentCount => _documents.Count;

    /// <summary>Tokens indexed over all documents (builds the segments of documents edited since the last query).</summary>
    public long TokenCount => Segments(Snapshot()).Sum(s => (long)s.Segment.Length);

    /// <summary>Adds or replaces the text of a document (only its first <see cref="MaxDocumentChars"/> characters are indexed).</summary>
    public void Set(string documentKey, string text)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        ArgumentNullException.ThrowIfNull(text);
        if (_encode is null) throw new InvalidOperationException("this index has no tokenizer; use SetTokens");
        if (text.Length > MaxDocumentChars)
            text = text[..(char.IsHighSurrogate(text[MaxDocumentChars - 1]) ? MaxDocumentChars - 1 : MaxDocumentChars)];
        lock (_gate)
        {
            var reuse = _documents.TryGetValue(documentKey, out var old) ? old.Lines : null;
            if (old is null) Interlocked.Increment(ref _generation);
            _documents = _documents.SetItem(documentKey, new Entry(new Lazy<UserTextSegment>(() => Build(text, reuse)), reuse, text));
        }
    }

    /// <summary>Adds or replaces a document given as token ids; token i spans UTF-16 offsets [i, i + 1). For tests.</summary>
    internal void SetTokens(string documentKey, int[] tokens)
    {
        var segment = new UserTextSegment(tokens, [.. Enumerable.Range(0, tokens.Length + 1)], VocabSize);
        lock (_gate) _documents = _documents.SetItem(documentKey, new Entry(new Lazy<UserTextSegment>(segment), null));
    }

    /// <summary>The indexed tokens of a document (empty when it is not indexed); for tests.</summary>
    internal int[] DocumentTokens(string documentKey) =>
        Snapshot().TryGetValue(documentKey, out var entry) ? entry.Segment.Value.Tokens.ToArray() : [];

    /// <summary>Forgets a document (no-op when it is not indexed).</summary>
    public void Remove(string documentKey)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        lock (_gate)
        {
            if (_documents.ContainsKey(documentKey)) Interlocked.Increment(ref _generation);
            _documents = _documents.Remove(documentKey);
        }
    }

    /// <summary>The documents in which <paramref name="tokens"/> occurs (overlapping occurrences count), most occurrences first,
    /// then by key.</summary>
    public IReadOnlyList<(string DocumentKey, int Count)> Sources(int[] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Length == 0) return [];
        return [.. Segments(Snapshot())
            .Select(d => (DocumentKey: d.Key, Count: d.Segment.Count(tokens)))
            .Where(d => d.Count > 0)
            .OrderByDescending(d => d.Count).ThenBy(d => d.DocumentKey, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The view for a request on <paramref name="requestKey"/> with <paramref name="textBeforeCursor"/>: the indexed document
    /// the request is in is the key itself or, for a key with a '#' suffix naming a separate cache of the same document
    /// ("file:///a.md#diagnostics"), the key before the last '#'; the cursor is where the text before it ends in that
    /// document — at its length when the document starts with it (the usual case), else at its first occurrence (callers
    /// may pass only the last part of a long document's prefix), else nowhere: the whole document is hidden, so the text
    /// after the cursor can never be suggested back.
    /// </summary>
    internal ITokenCounts CountsFor(string? requestKey, string textBeforeCursor)
    {
        if (requestKey is null) return Counts(null, 0);
        var (key, cursor) = Locate(Snapshot(), requestKey, textBeforeCursor);
        return Counts(key, cursor);
    }

    /// <summary>
    /// The user's words that start with <paramref name="typed"/> (ordinal), with their occurrences as a request on
    /// <paramref name="requestKey"/> sees them (the document found as <see cref="CountsFor"/> finds it): every other
    /// document in full, the request's own only where an occurrence ends before the word being typed (the last
    /// <paramref name="typed"/>.Length characters before the cursor), so neither the typed word nor the text after the cursor
    /// counts.
    /// </summary>
    internal Dictionary<string, int> WordCounts(string? requestKey, string textBeforeCursor, string typed)
    {
        ArgumentNullException.ThrowIfNull(textBeforeCursor);
        ArgumentNullException.ThrowIfNull(typed);
        var documents = Snapshot();
        var (current, cursor) = requestKey is null ? (null, 0) : Locate(documents, requestKey, textBeforeCursor);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, entry) in documents)
            entry.Words.Value.AddCounts(counts, typed, key == current ? Math.Max(0, cursor - typed.Length) : int.MaxValue);
        return counts;
    }

    /// <summary>The indexed document a request is in and where its cursor is there (see <see cref="CountsFor"/>).</summary>
    private static (string Key, int Cursor) Locate(ImmutableDictionary<string, Entry> documents, string requestKey, string textBeforeCursor)
    {
        var key = requestKey;
        if (!documents.ContainsKey(key) && key.LastIndexOf('#') is var hash and > 0 && documents.ContainsKey(key[..hash])) key = key[..hash];
        if (!documents.TryGetValue(key, out var entry) || entry.Text is not { } text) return (key, textBeforeCursor.Length);
        if (text.AsSpan().StartsWith(textBeforeCursor, StringComparison.Ordinal)) return (key, textBeforeCursor.Length);
        if (textBeforeCursor.Length > 0 && text.IndexOf(textBeforeCursor, StringComparison.Ordinal) is var at and >= 0) return (key, at + textBeforeCursor.Length);
        return (key, 0);
    }

    /// <summary>
    /// The counts for one request: every document in full, except <paramref name="currentDocument"/>, of which only
    /// occurrences whose context and next token lie wholly before <paramref name="cursorOffset"/> (UTF-16) count, so the text
    /// after the cursor is never suggested back.
    /// </summary>
    internal ITokenCounts Counts(string? currentDocument, int cursorOffset)
    {
        var documents = Snapshot();
        var segments = Segments(documents);
        var limits = new int[segments.Length];
        var current = -1;
        for (var i = 0; i < segments.Length; i++)
        {
            limits[i] = segments[i].Segment.Length;
            if (currentDocument is not null && segments[i].Key == currentDocument)
            {
                current = i;
                limits[i] = segments[i].Segment.TokensBefore(cursorOffset);
            }
        }
        UserTextSegment[] all = [.. segments.Select(s => s.Segment)];
        return new UserTextCounts(VocabSize, all, limits, current, () => AllUnigrams(documents, all));
    }

    private ImmutableDictionary<string, Entry> Snapshot() => Volatile.Read(ref _documents);

    private static (string Key, UserTextSegment Segment)[] Segments(ImmutableDictionary<string, Entry> documents) =>
        [.. documents.Select(d => (d.Key, d.Value.Segment.Value))];

    /// <summary>Dense counts of every token as a next token over all documents of <paramref name="documents"/>, cached per map.</summary>
    private int[] AllUnigrams(ImmutableDictionary<string, Entry> documents, UserTextSegment[] segments)
    {
        if (Volatile.Read(ref _unigrams) is { } cached && ReferenceEquals(cached.Documents, documents)) return cached.Counts;
        var counts = new int[VocabSize];
        foreach (var s in segments) s.AddUnigrams(counts, 0, s.Length, +1);
        Volatile.Write(ref _unigrams, new UnigramCache(documents, counts));
        return counts;
    }

    private UserTextSegment Build(string text, IReadOnlyDictionary<string, UserTextSegment.LineTokens>? reuse)
    {
        try
        {
            var tokens = new List<int>(text.Length / 3 + 1);
            var starts = new List<int>(text.Length / 3 + 2);
            var lines = new Dictionary<string, UserTextSegment.LineTokens>(StringComparer.Ordinal);
            void Append(UserTextSegment.LineTokens line, int offset)
            {
                tokens.AddRange(line.Tokens);
                foreach (var s in line.Starts) starts.Add(offset + s);
            }
            if (!_splitLines) Append(_encode!(text, true), 0);
            else
            {
                // Line by line, each line with its line feed; the first from the document start (not memoised: it alone
                // carries the dummy prefix), the others looked up in the previous build's lines.
                var from = 0;
                while (from < text.Length)
                {
                    var end = text.IndexOf('\n', from);
                    end = end < 0 ? text.Length : end + 1;
                    var line = text[from..end];
                    UserTextSegment.LineTokens encoded;
                    if (from == 0) encoded = _encode!(line, true);
                    else if (!lines.TryGetValue(line, out encoded!) && (reuse is null || !reuse.TryGetValue(line, out encoded!)))
                        encoded = _encode!(line, false);
                    if (from > 0) lines[line] = encoded;
                    Append(encoded, from);
                    from = end;
                }
            }
            starts.Add(text.Length);
            return new UserTextSegment([.. tokens], [.. starts], VocabSize, lines);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new UserTextSegment([], [0], VocabSize);
        }
    }

    /// <summary>
    /// The UTF-16 offset in <paramref name="text"/> where each token starts, from the tokens' UTF-8 bytes (a token that
    /// starts inside a character, as byte-fallback tokens do, starts at that character). <paramref name="prefixBytes"/>
    /// bytes the tokenizer added before the text (SentencePiece's dummy-prefix space) belong to no character.
    /// </summary>
    internal static int[] CharStarts(string text, int[] tokens, byte[][] bytes, int prefixBytes)
    {
        var starts = new int[tokens.Length];
        long at = -prefixBytes; // byte offset of the current token in the text's UTF-8
        var ci = 0;             // the character containing byte `at`
        long charByte = 0;      // byte offset where character ci starts
        for (var t = 0; t < tokens.Length; t++)
        {
            while (ci < text.Length)
            {
                var pair = char.IsSurrogatePair(text, ci);
                var width = pair ? 4 : text[ci] < 0x80 ? 1 : text[ci] < 0x800 ? 2 : 3;
                if (charByte + width > Math.Max(at, 0)) break;
                charByte += width;
                ci += pair ? 2 : 1;
            }
            starts[t] = ci;
            at += (uint)tokens[t] < (uint)bytes.Length ? bytes[tokens[t]].Length : 0;
        }
        return starts;
    }
}
