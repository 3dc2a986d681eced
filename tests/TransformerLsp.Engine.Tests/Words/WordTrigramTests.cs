using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TransformerLsp.Engine.Words;
using Xunit.Abstractions;

namespace TransformerLsp.Engine.Tests.Words;

public sealed class WordTrigramTests(ITestOutputHelper output)
{
    private static readonly double Ln10 = Math.Log(10.0);

    // ---- the real model against libsphinxbase ----------------------------------------------------------------------

    private static readonly Lazy<WordTrigram> Cmu = new(() =>
        WordTrigram.Load(Fixtures.DefaultModel) ?? throw new InvalidOperationException($"no {WordTrigram.FileName} in {Fixtures.DefaultModel}"));

    /// <summary>
    /// tests/fixtures/cmu-trigram/check.json: libsphinxbase's ngram_tg_score on the original en-us.lm.bin for 2,000
    /// queries (existing trigrams, bigram and unigram backoff, sentence starts, unknown words), in natural logs. Each
    /// of ours must be within the stated tolerance: the sum of the three 8-bit codebooks' largest errors and the
    /// blank-bigram threshold (0.30 nats; a query uses at most one value of each kind); the mean error is ~0.01.
    /// </summary>
    [Fact]
    public void MatchesLibsphinxbaseOnTheCheckQueries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Folder("cmu-trigram"), "check.json")));
        var tolerance = doc.RootElement.GetProperty("summary").GetProperty("tolerance_nats").GetDouble();
        Assert.InRange(tolerance, 0.0, 0.35);
        var lm = Cmu.Value;
        double max = 0, sum = 0;
        int n = 0, zeros = 0;
        foreach (var q in doc.RootElement.GetProperty("queries").EnumerateArray())
        {
            string w1 = q[0].GetString()!, w2 = q[1].GetString()!, w3 = q[2].GetString()!;
            var ours = lm.LogProb(lm.WordId(w1), lm.WordId(w2), lm.WordId(w3));
            if (q[3].ValueKind == JsonValueKind.Null)
            {
                Assert.Equal(double.NegativeInfinity, ours);
                zeros++;
                continue;
            }
            var error = Math.Abs(ours - q[3].GetDouble());
            Assert.True(error <= tolerance, $"{w1} {w2} {w3}: ours {ours:F4}, libsphinxbase {q[3].GetDouble():F4}");
            max = Math.Max(max, error);
            sum += error;
            n++;
        }
        output.WriteLine($"{n} scored queries + {zeros} unknown w3: max error {max:F4} nats, mean {sum / n:F5} nats (tolerance {tolerance:F3})");
        Assert.True(n >= 1900);
        Assert.True(sum / n < 0.02, $"mean error {sum / n}");
    }

    [Fact]
    public void TheRealModelHasTheCmuVocabularyAndReadsCaseInsensitively()
    {
        var lm = Cmu.Value;
        Assert.Equal(72547, lm.Words.Count);
        Assert.Equal("<s>", lm.Words[lm.SentenceStart]);
        Assert.Equal("</s>", lm.Words[lm.SentenceEnd]);
        Assert.Equal(lm.WordId("the"), lm.WordId("The"));
        Assert.Equal(lm.WordId("don't"), lm.WordId("Don’t"));
        Assert.Equal(-1, lm.WordId("qwfpgj"));
        // The best continuations of "one of the" are words, and Successors agrees with LogProb.
        int w1 = lm.WordId("one"), w2 = lm.WordId("of");
        var best = lm.Successors(w1, w2).OrderByDescending(s => s.LogProb).Take(5).ToList();
        Assert.Contains(best, s => lm.Words[s.Word] == "the");
        foreach (var (word, logProb) in lm.Successors(w1, w2).Take(2000))
            Assert.Equal(lm.LogProb(w1, w2, word), logProb, 9);
    }

    [Fact]
    public void LoadTimeMemoryAndLookupSpeed()
    {
        var before = GC.GetTotalMemory(true);
        var clock = Stopwatch.StartNew();
        var lm = WordTrigram.Load(Fixtures.DefaultModel)!;
        var load = clock.Elapsed;
        var after = GC.GetTotalMemory(true);
        var rng = new Random(7);
        const int queries = 1_000_000;
        var ids = new int[queries * 3];
        for (var i = 0; i < ids.Length; i++) ids[i] = rng.Next(lm.Words.Count);
        // Real-looking queries too: the first two words of successive trigrams of a sentence.
        var sentence = "<s> the president said that the united states would not be able to".Split(' ').Select(lm.WordId).ToArray();
        double sink = 0;
        for (var i = 0; i < 100_000; i++) sink += lm.LogProb(ids[3 * i], ids[3 * i + 1], ids[3 * i + 2]); // warm-up
        clock.Restart();
        for (var i = 0; i < queries; i++) sink += lm.LogProb(ids[3 * i], ids[3 * i + 1], ids[3 * i + 2]);
        var random = clock.Elapsed.TotalNanoseconds / queries;
        clock.Restart();
        var m = 0;
        for (var k = 0; k < 100_000; k++)
            for (var i = 2; i < sentence.Length; i++, m++) sink += lm.LogProb(sentence[i - 2], sentence[i - 1], sentence[i]);
        var text = clock.Elapsed.TotalNanoseconds / m;
        output.WriteLine($"load {load.TotalMilliseconds:F0} ms, managed heap +{(after - before) / 1e6:F1} MB; " +
                         $"LogProb {random:F0} ns (random ids), {text:F0} ns (sentence trigrams); checksum {sink:E3}");
        Assert.True(double.IsFinite(sink));
    }

    // ---- a hand-written model: the backoff arithmetic ----------------------------------------------------------------

    /// <summary>
    /// Words &lt;s&gt; &lt;/s&gt; a b c (ids 0..4). log10: P(a) -1.0 bo -0.5; P(b) -1.2 bo -0.3; P(c) -0.8 bo 0;
    /// bigrams "a b" -0.4 bo -0.2, "b c" -0.3, "b a" -0.9, "&lt;s&gt; a" -0.6 bo -0.1; trigrams "a b c" -0.1,
    /// "&lt;s&gt; a b" -0.05.
    /// </summary>
    private static TrigramFile Tiny() => new(
        ["<s>", "</s>", "a", "b", "c"],
        [(-99, -0.7), (-1.5, 0), (-1.0, -0.5), (-1.2, -0.3), (-0.8, 0)],
        [(2, 3, -0.4, -0.2), (3, 4, -0.3, 0), (3, 2, -0.9, 0), (0, 2, -0.6, -0.1)],
        [(2, 3, 4, -0.1), (0, 2, 3, -0.05)]);

    [Theory]
    [InlineData(2, 3, 4, -0.1)]                  // trigram a b c
    [InlineData(0, 2, 3, -0.05)]                 // trigram <s> a b
    [InlineData(2, 3, 2, -0.9 - 0.2)]            // P(a | a b): bigram "b a" + bo(a b)
    [InlineData(2, 3, 3, -1.2 - 0.3 - 0.2)]      // P(b | a b): P(b) + bo(b) + bo(a b)
    [InlineData(4, 3, 4, -0.3)]                  // P(c | c b): no bigram "c b", so no backoff weight: P(c | b)
    [InlineData(3, 2, 4, -0.8 - 0.5)]            // P(c | b a): bigram "b a" has bo 0; P(c | a) = P(c) + bo(a)
    [InlineData(0, 2, 4, -0.8 - 0.5 - 0.1)]      // P(c | <s> a) = P(c) + bo(a) + bo(<s> a)
    [InlineData(-1, 3, 4, -0.3)]                 // unknown w1: P(c | b)
    [InlineData(-1, 2, 4, -0.8 - 0.5)]           // unknown w1: P(c | a) by backoff
    [InlineData(2, -1, 4, -0.8)]                 // unknown w2 cuts the history: P(c)
    [InlineData(-1, -1, 3, -1.2)]
    public void BacksOffTheArpaWay(int w1, int w2, int w3, double log10)
    {
        var lm = Tiny().Load();
        Assert.Equal(log10 * Ln10, lm.LogProb(w1, w2, w3), 5);
    }

    [Fact]
    public void AnUnknownWordHasProbabilityZero()
    {
        var lm = Tiny().Load();
        Assert.Equal(double.NegativeInfinity, lm.LogProb(2, 3, -1));
        Assert.Equal(double.NegativeInfinity, lm.LogProb(2, 3, 5));
        Assert.Equal(-1, lm.WordId("d"));
        Assert.Equal(2, lm.WordId("A"));
        Assert.Equal(0, lm.SentenceStart);
        Assert.Equal(1, lm.SentenceEnd);
    }

    [Fact]
    public void SuccessorsListTrigramsThenTheOtherBigramsWithTheirBackoff()
    {
        var lm = Tiny().Load();
        Same(lm.Successors(2, 3), (4, -0.1), (2, -0.9 - 0.2));   // after "a b": the trigram, then "b a" + bo(a b)
        Same(lm.Successors(-1, 3), (2, -0.9), (4, -0.3));        // after "b"
        Same(lm.Successors(4, 3), (2, -0.9), (4, -0.3));         // "c b" is no bigram: no backoff weight
        Same(lm.Successors(0, 2), (3, -0.05));                   // after "<s> a": "a b" is the trigram's
        Assert.Empty(lm.Successors(2, -1));
        Assert.Empty(lm.Successors(2, 4));                       // no bigram starts with c

        static void Same(IEnumerable<(int Word, double LogProb)> actual, params (int Word, double Log10)[] expected) =>
            Assert.Equal(expected.Select(x => (x.Word, Math.Round(x.Log10 * Ln10, 5))), actual.Select(x => (x.Word, Math.Round(x.LogProb, 5))));
    }

    // ---- damaged files ---------------------------------------------------------------------------------------------

    [Fact]
    public void AFolderWithoutTheFileHasNoTrigramAndAFileIsReadFromTheFolder()
    {
        var folder = Directory.CreateTempSubdirectory("no-trigram").FullName;
        try
        {
            Assert.Null(WordTrigram.Load(folder));
            File.WriteAllBytes(Path.Combine(folder, WordTrigram.FileName), Tiny().Bytes());
            Assert.Equal(5, WordTrigram.Load(folder)!.Words.Count);
            File.WriteAllBytes(Path.Combine(folder, WordTrigram.FileName), Tiny().Bytes()[..100]);
            Assert.Contains(Path.Combine(folder, WordTrigram.FileName), Assert.Throws<ModelLoadException>(() => WordTrigram.Load(folder)).Message);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void EveryTruncationIsAModelLoadExceptionNamingTheFile()
    {
        var bytes = Tiny().Bytes();
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<ModelLoadException>(() => TrigramFile.LoadBytes(bytes[..length]));
            Assert.Contains(WordTrigram.FileName, e.Message);
        }
        var longer = bytes.Concat(new byte[] { 0 }).ToArray();
        Assert.Contains("after the trigrams", Assert.Throws<ModelLoadException>(() => TrigramFile.LoadBytes(longer)).Message);
    }

    [Fact]
    public void EveryFlippedByteLoadsOrFailsCleanly()
    {
        var bytes = Tiny().Bytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                var copy = (byte[])bytes.Clone();
                copy[i] ^= flip;
                try
                {
                    var lm = TrigramFile.LoadBytes(copy);
                    for (var w = -1; w <= lm.Words.Count; w++) _ = lm.LogProb(w, w, 2) + lm.Successors(w, 3).Count();
                }
                catch (ModelLoadException) { }
            }
        }
    }

    [Theory]
    [InlineData(0, "TLSPTRI9", "magic")]
    [InlineData(8, "\u0002\0\0\0", "version 2")]
    [InlineData(12, "\u00ff\u00ff\u00ff\u007f", "words")]   // a huge word count
    [InlineData(20, "\u0009\0\0\0", "context bigrams")] // more context bigrams than bigrams
    public void AHeaderOutOfRangeIsRefused(int offset, string patch, string expected)
    {
        var bytes = Tiny().Bytes();
        Encoding.Latin1.GetBytes(patch).CopyTo(bytes, offset);
        Assert.Contains(expected, Assert.Throws<ModelLoadException>(() => TrigramFile.LoadBytes(bytes)).Message);
    }

    /// <summary>Writes the TLSPTRI1 format (see models/recipe/cmu_trigram.py) from an ARPA-like listing in log10; the
    /// codebooks hold the distinct values exactly, so the tests see the backoff arithmetic without quantisation.</summary>
    private sealed record TrigramFile(
        string[] Words,
        (double Prob, double Backoff)[] Unigrams,
        (int W1, int W2, double Prob, double Backoff)[] Bigrams,
        (int W1, int W2, int W3, double Prob)[] Trigrams)
    {
        public WordTrigram Load() => LoadBytes(Bytes());

        public static WordTrigram LoadBytes(byte[] bytes) => WordTrigram.Parse(bytes, Path.Combine("tiny", WordTrigram.FileName));

        public byte[] Bytes()
        {
            var bigrams = Bigrams.OrderBy(b => b.W1).ThenBy(b => b.W2).ToList();
            var trigrams = Trigrams.OrderBy(t => t.W1).ThenBy(t => t.W2).ThenBy(t => t.W3).ToList();
            var context = Enumerable.Range(0, bigrams.Count)
                .Where(i => bigrams[i].Backoff != 0 || trigrams.Any(t => t.W1 == bigrams[i].W1 && t.W2 == bigrams[i].W2)).ToList();
            var bookP = Book(bigrams.Select(b => b.Prob));
            var bookB = Book(context.Select(i => bigrams[i].Backoff).Append(0));
            var bookT = Book(trigrams.Select(t => t.Prob));
            var vocab = Words.SelectMany(w => Encoding.UTF8.GetBytes(w).Append((byte)0)).ToArray();
            var o = new List<byte>();
            o.AddRange(Encoding.ASCII.GetBytes("TLSPTRI1"));
            foreach (var x in new[] { 1, Words.Length, bigrams.Count, context.Count, trigrams.Count, Array.IndexOf(Words, "<s>"), Array.IndexOf(Words, "</s>"), vocab.Length })
                o.AddRange(BitConverter.GetBytes(x));
            o.AddRange(vocab);
            foreach (var (p, _) in Unigrams) o.AddRange(BitConverter.GetBytes((float)p));
            foreach (var (_, b) in Unigrams) o.AddRange(BitConverter.GetBytes((float)b));
            foreach (var book in new[] { bookP, bookB, bookT })
                foreach (var x in book) o.AddRange(BitConverter.GetBytes(x));
            for (var w = 0; w < Words.Length; w++) Varint(o, bigrams.Count(b => b.W1 == w));
            Deltas(o, bigrams.Select(b => (b.W1, b.W2)));
            o.AddRange(bigrams.Select(b => Code(bookP, b.Prob)));
            for (var k = 0; k < context.Count; k++) Varint(o, k == 0 ? context[0] : context[k] - context[k - 1]);
            o.AddRange(context.Select(i => Code(bookB, bigrams[i].Backoff)));
            foreach (var i in context) Varint(o, trigrams.Count(t => t.W1 == bigrams[i].W1 && t.W2 == bigrams[i].W2));
            Deltas(o, trigrams.Select(t => (t.W1 * Words.Length + t.W2, t.W3)));
            o.AddRange(trigrams.Select(t => Code(bookT, t.Prob)));
            return [.. o];
        }

        private static float[] Book(IEnumerable<double> values)
        {
            var distinct = values.Select(v => (float)v).Distinct().Order().ToList();
            while (distinct.Count < 256) distinct.Add(distinct.Count == 0 ? 0 : distinct[^1]);
            return [.. distinct];
        }

        private static byte Code(float[] book, double value) => (byte)Array.IndexOf(book, (float)value);

        private static void Deltas(List<byte> o, IEnumerable<(int Group, int Id)> ids)
        {
            int group = -1, prev = 0;
            foreach (var (g, id) in ids)
            {
                Varint(o, g == group ? id - prev : id);
                (group, prev) = (g, id);
            }
        }

        private static void Varint(List<byte> o, int x)
        {
            for (; x >= 0x80; x >>= 7) o.Add((byte)(x & 0x7F | 0x80));
            o.Add((byte)x);
        }
    }
}
