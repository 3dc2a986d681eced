using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine.Tests.NGrams;

public sealed class UserTextIndexTests
{
    /// <summary>Level k: counts of the token after each occurrence of the context's last k tokens, summed over documents;
    /// only positions p with p + 1 below the document's limit count. Stops at the first empty level.</summary>
    private static List<TokenCount[]> BruteForce(IEnumerable<(int[] Tokens, int Limit)> documents, int[] context, int maxLength)
    {
        var levels = new List<TokenCount[]>();
        for (var k = 1; k <= Math.Min(maxLength, context.Length); k++)
        {
            var suffix = context.AsSpan(context.Length - k);
            var counts = new SortedDictionary<int, int>();
            foreach (var (tokens, limit) in documents)
                for (var p = k - 1; p + 1 < Math.Min(limit, tokens.Length); p++)
                    if (tokens.AsSpan(p - k + 1, k).SequenceEqual(suffix)) counts[tokens[p + 1]] = counts.GetValueOrDefault(tokens[p + 1]) + 1;
            if (counts.Count == 0) break;
            levels.Add([.. counts.Select(c => new TokenCount(c.Key, c.Value))]);
        }
        return levels;
    }

    private static void AssertSame(List<TokenCount[]> expected, IReadOnlyList<TokenCount[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var k = 0; k < expected.Count; k++) Assert.Equal(expected[k], actual[k]);
    }

    private static int[] RandomTokens(Random rng, int length, int vocab) => [.. Enumerable.Range(0, length).Select(_ => rng.Next(vocab))];

    /// <summary>Contexts that occur (suffixes of document prefixes, sometimes with a changed first token) and random ones.</summary>
    private static IEnumerable<int[]> Contexts(Random rng, IReadOnlyList<int[]> documents, int vocab)
    {
        for (var i = 0; i < 40; i++)
        {
            var doc = documents[rng.Next(documents.Count)];
            if (doc.Length == 0 || rng.Next(4) == 0) { yield return RandomTokens(rng, rng.Next(1, 8), vocab); continue; }
            var end = rng.Next(1, doc.Length + 1);
            var context = doc[Math.Max(0, end - rng.Next(1, 12))..end];
            if (rng.Next(3) == 0) context[0] = rng.Next(vocab);
            yield return context;
        }
    }

    [Fact]
    public void ContinuationsEqualBruteForceAtEveryLength()
    {
        var rng = new Random(7);
        for (var round = 0; round < 60; round++)
        {
            var vocab = rng.Next(2, 7);
            var documents = Enumerable.Range(0, rng.Next(1, 5)).Select(_ => RandomTokens(rng, rng.Next(0, 50), vocab)).ToList();
            var index = new UserTextIndex(vocab);
            for (var d = 0; d < documents.Count; d++) index.SetTokens($"doc{d}", documents[d]);
            var counts = index.Counts(null, 0);
            Assert.Equal(documents.Sum(d => (long)Math.Max(d.Length - 1, 0)), counts.Total);
            var unigrams = new int[vocab];
            foreach (var d in documents) foreach (var t in d.Skip(1)) unigrams[t]++;
            Assert.Equal(unigrams, counts.Unigrams.ToArray());
            foreach (var context in Contexts(rng, documents, vocab))
                foreach (var maxLength in new[] { 1, 3, 24 })
                    AssertSame(BruteForce(documents.Select(d => (d, d.Length)), context, maxLength), counts.Continuations(context, maxLength));
        }
    }

    [Fact]
    public void TextAfterTheCursorOfTheCurrentDocumentDoesNotCount()
    {
        // SetTokens: token i spans offsets [i, i + 1), so a cursor at offset c leaves tokens [0, c) visible.
        var index = new UserTextIndex(8);
        index.SetTokens("current", [1, 2, 3, 1, 2, 4, 1, 2, 5]);
        index.SetTokens("other", [1, 2, 6]);
        var counts = index.Counts("current", 6);
        // "1 2" is followed by 3 and 4 before the cursor (4 ends at offset 6, so it counts) and by 6 in the other
        // document; the 5 after the cursor does not count. "0 1 2" never occurs: two levels.
        AssertSame([[new(3, 1), new(4, 1), new(6, 1)], [new(3, 1), new(4, 1), new(6, 1)]], counts.Continuations([0, 1, 2], 3));
        Assert.Equal(5 + 2, counts.Total);
        Assert.Equal([0, 1, 3, 1, 1, 0, 1, 0], counts.Unigrams.ToArray());
        // With the cursor at offset 2 the "3" after the first "2" is not wholly before it; the other document still counts.
        AssertSame([[new(6, 1)]], index.Counts("current", 2).Continuations([2], 1));
        // Another document's view sees "current" in full.
        Assert.Contains(new TokenCount(5, 1), index.Counts("other", 0).Continuations([2], 1)[0]);
    }

    [Fact]
    public void CursorRuleEqualsBruteForceWithTheDocumentCutAtTheCursor()
    {
        var rng = new Random(11);
        for (var round = 0; round < 40; round++)
        {
            var vocab = rng.Next(2, 6);
            var documents = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => RandomTokens(rng, rng.Next(0, 40), vocab)).ToList();
            var index = new UserTextIndex(vocab);
            for (var d = 0; d < documents.Count; d++) index.SetTokens($"doc{d}", documents[d]);
            var current = rng.Next(documents.Count);
            var cursor = rng.Next(0, documents[current].Length + 2);
            var counts = index.Counts($"doc{current}", cursor);
            var limited = documents.Select((d, i) => (d, i == current ? Math.Min(cursor, d.Length) : d.Length)).ToList();
            Assert.Equal(limited.Sum(d => (long)Math.Max(d.Item2 - 1, 0)), counts.Total);
            var unigrams = new int[vocab];
            foreach (var (d, limit) in limited) for (var i = 1; i < limit; i++) unigrams[d[i]]++;
            Assert.Equal(unigrams, counts.Unigrams.ToArray());
            foreach (var context in Contexts(rng, documents, vocab))
                AssertSame(BruteForce(limited, context, 24), counts.Continuations(context, 24));
        }
    }

    [Fact]
    public void SourcesCountOccurrencesPerDocument()
    {
        var index = new UserTextIndex(10);
        index.SetTokens("notes/plan.md", [7, 8, 7, 8, 7, 8, 1]);
        index.SetTokens("a.md", [7, 8]);
        index.SetTokens("b.md", [8, 7, 9]);
        Assert.Equal([("notes/plan.md", 3), ("a.md", 1)], index.Sources([7, 8]));
        Assert.Equal([("notes/plan.md", 2), ("b.md", 1)], index.Sources([8, 7]));
        Assert.Equal([("notes/plan.md", 2)], index.Sources([7, 8, 7]));
        Assert.Empty(index.Sources([9, 9]));
        Assert.Empty(index.Sources([]));
        index.Remove("notes/plan.md");
        Assert.Equal([("a.md", 1)], index.Sources([7, 8]));
        Assert.Equal(2, index.DocumentCount);
        Assert.Equal(5, index.TokenCount);
    }

    private static TextTokenizer Tokenizer(string folder) => TokenizerLoader.Load(folder, ModelConfig.Read(folder));

    private static string RandomEdit(Random rng, string text)
    {
        string[] inserts = ["Zorblat", " ", "\n", "\n\n", "the whale ", "é", "😀", ". ", "  indented\n", "x"];
        var at = rng.Next(text.Length + 1);
        if (at > 0 && at < text.Length && char.IsLowSurrogate(text[at])) at--;
        if (rng.Next(3) == 0 && text.Length > 0)
        {
            var length = Math.Min(rng.Next(1, 12), text.Length - at);
            var end = at + length;
            if (end < text.Length && char.IsLowSurrogate(text[end])) end++;
            return text.Remove(at, end - at);
        }
        return text.Insert(at, inserts[rng.Next(inserts.Length)]);
    }

    [Fact]
    public void LiveIndexAfterEditsEqualsARebuild()
    {
        var folder = Fixtures.HasDefaultModel ? Fixtures.DefaultModel : Fixtures.TinyModel;
        var tokenizer = Tokenizer(folder);
        var vocab = ModelConfig.Read(folder).VocabSize;
        var rng = new Random(3);
        var live = new UserTextIndex(tokenizer, vocab);
        var texts = new Dictionary<string, string>();
        string[] keys = ["a.md", "b.txt", "c.md"];
        for (var step = 0; step < 300; step++)
        {
            var key = keys[rng.Next(keys.Length)];
            if (rng.Next(25) == 0) { live.Remove(key); texts.Remove(key); }
            else
            {
                texts[key] = RandomEdit(rng, texts.GetValueOrDefault(key, "The captain met Zorblat.\nThe whale swam.\n"));
                live.Set(key, texts[key]);
            }
            if (rng.Next(4) == 0) _ = live.TokenCount; // build now and then, so later builds reuse lines of earlier ones
        }
        var fresh = new UserTextIndex(tokenizer, vocab);
        foreach (var (key, text) in texts) fresh.Set(key, text);
        Assert.Equal(fresh.DocumentCount, live.DocumentCount);
        foreach (var (key, text) in texts)
        {
            Assert.Equal(tokenizer.Encode(text, atDocumentStart: true), live.DocumentTokens(key));
            Assert.Equal(fresh.DocumentTokens(key), live.DocumentTokens(key));
        }
        var documents = texts.Keys.Select(live.DocumentTokens).ToList();
        var liveCounts = live.Counts(null, 0);
        var freshCounts = fresh.Counts(null, 0);
        Assert.Equal(freshCounts.Unigrams.ToArray(), liveCounts.Unigrams.ToArray());
        foreach (var context in Contexts(rng, documents, vocab))
            AssertSame([.. freshCounts.Continuations(context, 24)], liveCounts.Continuations(context, 24));
    }

    [Fact]
    public void LineByLineTokenizationIsExactForTheDefaultModel()
    {
        if (!Fixtures.HasDefaultModel) return;
        var index = new UserTextIndex(Tokenizer(Fixtures.DefaultModel), ModelConfig.Read(Fixtures.DefaultModel).VocabSize);
        Assert.True(index.SplitsLines);
    }

    [Fact]
    public void ARequestFindsItsDocumentAndCursorFromItsKeyAndTextBefore()
    {
        var folder = Fixtures.HasDefaultModel ? Fixtures.DefaultModel : Fixtures.TinyModel;
        var tokenizer = Tokenizer(folder);
        var index = new UserTextIndex(tokenizer, ModelConfig.Read(folder).VocabSize);
        const string before = "Then the captain called Zorblat to the deck.\nLater the captain called";
        const string text = before + " Quimby to the bridge.";
        index.Set("file:///a.md", text);
        var context = tokenizer.Encode(before, atDocumentStart: true);
        var quimby = tokenizer.Encode(" Quimby", atDocumentStart: false)[0];
        bool Sees(ITokenCounts view) => view.Continuations(context, 24).SelectMany(l => l).Any(c => c.Token == quimby);

        // The document itself, a '#' cache of it, and only the end of its prefix (a long document's window): the text after
        // the cursor stays hidden in each.
        Assert.False(Sees(index.CountsFor("file:///a.md", before)));
        Assert.False(Sees(index.CountsFor("file:///a.md#diagnostics", before)));
        Assert.False(Sees(index.CountsFor("file:///a.md", before[20..])));
        // A prefix that is not in the document (a stale request) hides the whole document; another document sees it all.
        Assert.False(Sees(index.CountsFor("file:///a.md", "Something else entirely")));
        Assert.True(Sees(index.CountsFor("file:///b.md", before)));
        Assert.True(Sees(index.CountsFor(null, before)));
    }

    [Fact]
    public void AMadeUpNameTypedEarlierIsOfferedAndTheTextAfterTheCursorIsNot()
    {
        var folder = Fixtures.HasDefaultModel ? Fixtures.DefaultModel : Fixtures.TinyModel;
        var tokenizer = Tokenizer(folder);
        var index = new UserTextIndex(tokenizer, ModelConfig.Read(folder).VocabSize);
        const string before = "Then the captain called Zorblat to the deck.\nLater the captain called";
        const string text = before + " Quimby to the bridge.";
        index.Set("doc", text);
        var context = tokenizer.Encode(before, atDocumentStart: true);
        var zorblat = tokenizer.Encode(" Zorblat", atDocumentStart: false)[0];
        var quimby = tokenizer.Encode(" Quimby", atDocumentStart: false)[0];
        var levels = index.Counts("doc", before.Length).Continuations(context, 24);
        Assert.True(levels.Count >= 3, $"matched {levels.Count} tokens");
        Assert.Equal([new TokenCount(zorblat, 1)], levels[^1]);
        Assert.DoesNotContain(levels.SelectMany(l => l), c => c.Token == quimby);
        // From another document, the whole text counts.
        Assert.Contains(index.Counts("other", 0).Continuations(context, 24)[^1], c => c.Token == quimby);
        // A cursor inside the first token of " Quimby" still hides it: the token does not lie wholly before the cursor.
        var firstLength = tokenizer.Decode([quimby]).Length;
        Assert.True(firstLength >= 2);
        Assert.DoesNotContain(index.Counts("doc", before.Length + firstLength - 1).Continuations(context, 24).SelectMany(l => l), c => c.Token == quimby);
    }

    [Theory]
    [InlineData("Zorblat swam.")]
    [InlineData("émigré naïve 😀 東京 x")]
    [InlineData("two\nlines\n\n  indented")]
    public void TokenOffsetsMapTheCursorToTokens(string text)
    {
        var folder = Fixtures.HasDefaultModel ? Fixtures.DefaultModel : Fixtures.TinyModel;
        var tokenizer = Tokenizer(folder);
        var bytes = tokenizer.AllTokenBytes(ModelConfig.Read(folder).VocabSize);
        var tokens = tokenizer.Encode(text, atDocumentStart: true);
        var starts = UserTextIndex.CharStarts(text, tokens, bytes, tokenizer.DocumentStartPrefixBytes);
        // Offsets never decrease, and every whole-character token is the text at its offset (less the dummy prefix).
        for (var i = 0; i < tokens.Length; i++)
        {
            if (i > 0) Assert.True(starts[i] >= starts[i - 1]);
            var piece = System.Text.Encoding.UTF8.GetString(bytes[tokens[i]]);
            if (i == 0 && tokenizer.DocumentStartPrefixBytes == 1) piece = piece[1..];
            if (!piece.Contains('\uFFFD')) Assert.StartsWith(piece, text[starts[i]..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConcurrentEditsWhileQueryingDoNotThrow()
    {
        var tokenizer = Tokenizer(Fixtures.TinyModel);
        var vocab = ModelConfig.Read(Fixtures.TinyModel).VocabSize;
        var index = new UserTextIndex(tokenizer, vocab);
        var context = tokenizer.Encode("the whale", atDocumentStart: false);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var writer = Task.Run(() =>
        {
            var rng = new Random(5);
            var text = "the whale swam.\n";
            while (!stop.IsCancellationRequested)
            {
                text = text.Length > 2000 ? "the whale swam.\n" : RandomEdit(rng, text);
                index.Set(rng.Next(2) == 0 ? "a" : "b", text);
                if (rng.Next(10) == 0) index.Remove("b");
            }
        });
        var queries = 0;
        while (!stop.IsCancellationRequested)
        {
            var counts = index.Counts("a", 10);
            _ = counts.Continuations(context, 24);
            _ = counts.Unigrams.Length;
            _ = index.Sources(context);
            queries++;
        }
        await writer;
        Assert.True(queries > 0);
    }
}
