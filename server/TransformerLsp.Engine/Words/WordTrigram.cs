using System.Buffers.Binary;
using System.Text;

namespace TransformerLsp.Engine.Words;

/// <summary>
/// A word trigram model with ARPA backoff: the model folder's optional <c>cmu-trigram.bin</c>, the CMU Sphinx US
/// English trigram (72,547 words, 2.0 M bigrams, 1.67 M trigrams) converted by <c>models/recipe/cmu_trigram.py</c>.
/// </summary>
/// <remarks>
/// <para>File format TLSPTRI1 version 1 (little-endian; the converter's docstring is the specification): header,
/// vocabulary (NUL-terminated UTF-8), unigram log10 prob and backoff (float32), three 256-entry log10 codebooks
/// (bigram prob, bigram backoff, trigram prob), bigrams grouped by first word, the context
/// bigrams (those with a backoff or trigrams) with their backoff codes and trigram counts, trigrams grouped by bigram.
/// Word ids within a group are delta-coded varints; the whole file is read and decoded into arrays once (a few hundred
/// milliseconds and ~28 MB for the CMU model), and every count, id and sum is checked, so a damaged file is a
/// <see cref="ModelLoadException"/> naming it, never a crash or a hang.</para>
/// <para>Scores follow libsphinxbase's <c>ngram_tg_score</c> (which the tests check against): P(w3 | w1 w2) is the
/// trigram's if listed, else bo(w1 w2) + P(w3 | w2); P(w3 | w2) is the bigram's, else bo(w2) + P(w3). An unknown
/// history word (-1) cuts the history there, as the model has no &lt;UNK&gt;: unknown w2 gives P(w3), unknown w1
/// P(w3 | w2); an unknown w3 has probability 0. &lt;s&gt; is an ordinary word: use <see cref="SentenceStart"/> as
/// w1 or w2 at the start of a sentence.</para>
/// <para>Case: the CMU vocabulary is lowercase ("the", "i", "don't"). <see cref="WordId"/> tries the word as written,
/// then in lower case ("The", "NASA", "I"), with the typographic apostrophe read as '.</para>
/// <para>Immutable after loading: safe to share between threads.</para>
/// </remarks>
internal sealed class WordTrigram
{
    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "cmu-trigram.bin";

    private const string Magic = "TLSPTRI1";
    private const int Version = 1;
    private const int CodebookSize = 256;
    private const int HeaderBytes = 8 + 8 * 4;
    private const int MaxWordId = (1 << 21) - 1; // varints of at most 3 bytes
    private const long MaxFileBytes = 512L << 20;

    private readonly string[] _words;
    private readonly Dictionary<string, int> _ids;
    private readonly double[] _unigram;        // ln P(w)
    private readonly double[] _unigramBackoff; // ln bo(w)
    private readonly double[] _bigramBook, _backoffBook, _trigramBook; // ln, 256 each
    private readonly int[] _bigramStart;       // [V + 1]: bigrams whose first word is w: _bigramStart[w] .. [w + 1]
    private readonly int[] _bigramWord;        // [B] second word, ascending within a group
    private readonly byte[] _bigramProb;       // [B] code into _bigramBook
    private readonly int[] _contextBigram;     // [C] ascending bigram indices with a backoff or trigrams
    private readonly int[] _contextStart;      // [V + 1]: the context bigrams among w's bigrams: _contextStart[w] .. [w + 1]
    private readonly byte[] _contextBackoff;   // [C] code into _backoffBook
    private readonly int[] _trigramStart;      // [C + 1]: trigrams under context bigram c
    private readonly int[] _trigramWord;       // [T] third word, ascending within a group
    private readonly byte[] _trigramProb;      // [T] code into _trigramBook

    private WordTrigram(string path, byte[] data)
    {
        var r = new Reader(path, data);
        if (data.Length < HeaderBytes || Encoding.ASCII.GetString(data, 0, 8) != Magic)
            throw r.Fail($"not a word trigram file (expected the magic \"{Magic}\")");
        r.Position = 8;
        var version = r.U32();
        if (version != Version) throw r.Fail($"format version {version}, this engine reads version {Version}");
        int v = r.Count("word", MaxWordId + 1), b = r.Count("bigram"), c = r.Count("context bigram"), t = r.Count("trigram");
        if (v == 0) throw r.Fail("no words");
        if (c > b) throw r.Fail($"{c} context bigrams but only {b} bigrams");
        SentenceStart = r.Id(v, "<s> id", allowNone: true);
        SentenceEnd = r.Id(v, "</s> id", allowNone: true);
        var vocabBytes = r.Count("vocabulary byte");

        _words = new string[v];
        _ids = new Dictionary<string, int>(v, StringComparer.Ordinal);
        var vocab = r.Bytes(vocabBytes, "vocabulary");
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (int i = 0, start = 0; i < v; i++)
        {
            var end = Array.IndexOf(vocab, (byte)0, start);
            if (end < 0) throw r.Fail($"the vocabulary block holds {i} words, the header says {v}");
            try { _words[i] = utf8.GetString(vocab, start, end - start); }
            catch (DecoderFallbackException) { throw r.Fail($"word {i} is not valid UTF-8"); }
            if (_words[i].Length == 0 || !_ids.TryAdd(_words[i], i)) throw r.Fail($"word {i} is empty or listed twice (\"{_words[i]}\")");
            start = end + 1;
            if (i == v - 1 && start != vocab.Length) throw r.Fail($"the vocabulary block holds more than the header's {v} words");
        }

        _unigram = r.Log10Floats(v, "unigram prob", nonPositive: true);
        _unigramBackoff = r.Log10Floats(v, "unigram backoff", nonPositive: false);
        _bigramBook = r.Log10Floats(CodebookSize, "bigram prob codebook", nonPositive: true);
        _backoffBook = r.Log10Floats(CodebookSize, "backoff codebook", nonPositive: false);
        _trigramBook = r.Log10Floats(CodebookSize, "trigram prob codebook", nonPositive: true);

        _bigramStart = r.Starts(v, b, "bigram group sizes");
        _bigramWord = r.GroupedIds(_bigramStart, v, "bigram words");
        _bigramProb = r.Bytes(b, "bigram probs");
        _contextBigram = new int[c];
        for (int i = 0, prev = -1; i < c; i++)
        {
            var delta = r.Varint();
            if (i > 0 && delta == 0) throw r.Fail("context bigrams not strictly ascending");
            prev = i == 0 ? delta : prev + delta;
            if (prev >= b) throw r.Fail($"context bigram index {prev} out of range ({b} bigrams)");
            _contextBigram[i] = prev;
        }
        _contextStart = new int[v + 1];
        for (int w = 0, k = 0; w <= v; w++)
        {
            while (k < c && _contextBigram[k] < _bigramStart[w]) k++;
            _contextStart[w] = k;
        }
        _contextBackoff = r.Bytes(c, "context backoffs");
        _trigramStart = r.Starts(c, t, "trigram counts");
        _trigramWord = r.GroupedIds(_trigramStart, v, "trigram words");
        _trigramProb = r.Bytes(t, "trigram probs");
        if (r.Position != data.Length) throw r.Fail($"{data.Length - r.Position} bytes after the trigrams");
    }

    /// <summary>Reads <c>cmu-trigram.bin</c> from <paramref name="modelFolder"/>; null when there is none.</summary>
    /// <exception cref="ModelLoadException">The file is damaged, truncated or of another format; the message names it.</exception>
    public static WordTrigram? Load(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path)) return null;
        byte[] data;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > MaxFileBytes) throw new ModelLoadException($"{path}: {length >> 20} MB; at most {MaxFileBytes >> 20} MB was expected.");
            data = File.ReadAllBytes(path);
        }
        catch (IOException e) { throw new ModelLoadException($"{path}: cannot be read ({e.Message}).", e); }
        catch (UnauthorizedAccessException e) { throw new ModelLoadException($"{path}: cannot be read ({e.Message}).", e); }
        return new WordTrigram(path, data);
    }

    /// <summary>Parses the bytes of a <c>cmu-trigram.bin</c>; <paramref name="path"/> names it in errors (for tests).</summary>
    internal static WordTrigram Parse(byte[] data, string path) => new(path, data);

    /// <summary>The vocabulary; a word's id is its index.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The id of &lt;s&gt;, the history at a sentence start; -1 if the model has none.</summary>
    public int SentenceStart { get; }

    /// <summary>The id of &lt;/s&gt;; -1 if the model has none.</summary>
    public int SentenceEnd { get; }

    /// <summary>The id of <paramref name="word"/> as written, else in lower case (see the remarks); -1 when unknown.</summary>
    public int WordId(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (_ids.TryGetValue(word, out var id)) return id;
        var normal = word.Replace('’', '\'').ToLowerInvariant();
        return _ids.TryGetValue(normal, out id) ? id : -1;
    }

    /// <summary>Natural-log P(w3 | w1 w2) with ARPA backoff; -1 (or any id out of range) is an unknown word (see the
    /// remarks); an unknown <paramref name="w3"/> gives negative infinity.</summary>
    public double LogProb(int w1, int w2, int w3)
    {
        var v = _words.Length;
        if ((uint)w3 >= (uint)v) return double.NegativeInfinity;
        if ((uint)w2 >= (uint)v) return _unigram[w3];
        var b23 = FindBigram(w2, w3);
        var p2 = b23 >= 0 ? _bigramBook[_bigramProb[b23]] : _unigram[w3] + _unigramBackoff[w2];
        if ((uint)w1 >= (uint)v) return p2;
        var c = Context(w1, w2);
        if (c < 0) return p2; // no bigram w1 w2, or one with backoff 0 and no trigrams
        var t = Find(_trigramWord, _trigramStart[c], _trigramStart[c + 1], w3);
        return t >= 0 ? _trigramBook[_trigramProb[t]] : p2 + _backoffBook[_contextBackoff[c]];
    }

    /// <summary>
    /// The words listed after (w1, w2), each with its <see cref="LogProb"/>: first the trigrams w1 w2 x, then the
    /// bigrams w2 x not among them (bigram probability + bo(w1 w2)). Unordered beyond that (by word id within each
    /// part); empty when w2 is unknown. Words only reachable through the unigram backoff are not listed.
    /// </summary>
    public IEnumerable<(int Word, double LogProb)> Successors(int w1, int w2)
    {
        var v = _words.Length;
        if ((uint)w2 >= (uint)v) yield break;
        var c = (uint)w1 < (uint)v ? Context(w1, w2) : -1;
        int t0 = c >= 0 ? _trigramStart[c] : 0, t1 = c >= 0 ? _trigramStart[c + 1] : 0;
        var backoff = c >= 0 ? _backoffBook[_contextBackoff[c]] : 0.0;
        for (var t = t0; t < t1; t++) yield return (_trigramWord[t], _trigramBook[_trigramProb[t]]);
        // Merge walk: both lists ascend by word id.
        for (int b = _bigramStart[w2], end = _bigramStart[w2 + 1], t = t0; b < end; b++)
        {
            var w = _bigramWord[b];
            while (t < t1 && _trigramWord[t] < w) t++;
            if (t < t1 && _trigramWord[t] == w) continue;
            yield return (w, _bigramBook[_bigramProb[b]] + backoff);
        }
    }

    /// <summary>Index of the bigram (w1, w2); -1 if not listed.</summary>
    private int FindBigram(int w1, int w2) => Find(_bigramWord, _bigramStart[w1], _bigramStart[w1 + 1], w2);

    /// <summary>Index in the context bigrams of (w1, w2); -1 if it is not one.</summary>
    private int Context(int w1, int w2)
    {
        var b = FindBigram(w1, w2);
        if (b < 0) return -1;
        return Find(_contextBigram, _contextStart[w1], _contextStart[w1 + 1], b);
    }

    private static int Find(int[] ids, int start, int end, int id)
    {
        var i = Array.BinarySearch(ids, start, end - start, id);
        return i >= 0 ? i : -1;
    }

    /// <summary>Bounds-checked little-endian reading; every failure names the file.</summary>
    private sealed class Reader(string path, byte[] data)
    {
        public int Position;

        public ModelLoadException Fail(string what) => new($"{path}: {what} (at byte {Position}); rebuild it with models/recipe/cmu_trigram.py.");

        private void Need(long bytes, string what)
        {
            if (bytes < 0 || Position + bytes > data.Length)
                throw Fail($"truncated: {what} needs {bytes} bytes, {data.Length - Position} are left");
        }

        public uint U32()
        {
            Need(4, "a header field");
            var x = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(Position));
            Position += 4;
            return x;
        }

        /// <summary>A count, at most the file's length (each entry takes at least a byte) and <paramref name="max"/>.</summary>
        public int Count(string what, long max = int.MaxValue)
        {
            var x = U32();
            if (x > data.Length || x > max) throw Fail($"{x} {what}s cannot fit in a file of {data.Length} bytes");
            return (int)x;
        }

        public int Id(int words, string what, bool allowNone)
        {
            var x = (int)U32();
            if (x >= words || x < (allowNone ? -1 : 0)) throw Fail($"{what} {x} out of range ({words} words)");
            return x;
        }

        public byte[] Bytes(int count, string what)
        {
            Need(count, what);
            var x = data.AsSpan(Position, count).ToArray();
            Position += count;
            return x;
        }

        /// <summary>float32 log10 values as natural logs; NaN and infinities (and positive probabilities) are refused.</summary>
        public double[] Log10Floats(int count, string what, bool nonPositive)
        {
            Need(4L * count, what);
            var x = new double[count];
            for (var i = 0; i < count; i++, Position += 4)
            {
                var f = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(Position));
                if (!float.IsFinite(f) || (nonPositive && f > 0)) throw Fail($"{what} {i} is {f}");
                x[i] = f * Math.Log(10.0);
            }
            return x;
        }

        /// <summary>A LEB128 varint of at most 3 bytes (values below 2^21).</summary>
        public int Varint()
        {
            var x = 0;
            for (var shift = 0; shift < 21; shift += 7)
            {
                if (Position >= data.Length) throw Fail("truncated inside a varint");
                var b = data[Position++];
                x |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return x;
            }
            throw Fail("a varint longer than 3 bytes");
        }

        /// <summary>Group sizes (one varint per group) as start offsets [groups + 1] summing to exactly <paramref name="total"/>.</summary>
        public int[] Starts(int groups, int total, string what)
        {
            var starts = new int[groups + 1];
            long sum = 0;
            for (var g = 0; g < groups; g++)
            {
                sum += Varint();
                if (sum > total) throw Fail($"{what} add up to more than {total}");
                starts[g + 1] = (int)sum;
            }
            if (sum != total) throw Fail($"{what} add up to {sum}, the header says {total}");
            return starts;
        }

        /// <summary>Word ids per group, delta-coded, strictly ascending within a group and below <paramref name="words"/>.</summary>
        public int[] GroupedIds(int[] starts, int words, string what)
        {
            var ids = new int[starts[^1]];
            for (var g = 0; g + 1 < starts.Length; g++)
            {
                for (int i = starts[g], prev = -1; i < starts[g + 1]; i++)
                {
                    var delta = Varint();
                    if (prev >= 0 && delta == 0) throw Fail($"{what}: ids not strictly ascending in group {g}");
                    prev = prev < 0 ? delta : prev + delta;
                    if (prev >= words) throw Fail($"{what}: word id {prev} out of range ({words} words)");
                    ids[i] = prev;
                }
            }
            return ids;
        }
    }
}
