// `build-index TRAIN.bin VOCAB OUT.infinigram [--measure VAL.bin]`: the corpus ∞-gram index of the model folder.
// TRAIN.bin is the recipe's token file (uint16 ids, little-endian). With --measure, the written index is opened and
// queried with Continuations(context, 24) for 10,000 contexts of 32 tokens taken from VAL.bin, cold then warm.
using System.Buffers.Binary;
using System.Diagnostics;
using TransformerLsp.Engine.NGrams;

static class BuildIndexCommand
{
    public static int Run(string[] args)
    {
        if (args.Length is not (3 or 5) || (args.Length == 5 && args[3] != "--measure"))
        {
            Console.Error.WriteLine("usage: TransformerLsp.ModelEval build-index TRAIN.bin VOCAB OUT.infinigram [--measure VAL.bin]");
            return 2;
        }
        var vocab = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var tokens = ReadUInt16Tokens(args[0]);
        Console.Error.WriteLine($"build-index: read {tokens.Length:N0} tokens from {args[0]} ({clock.Elapsed.TotalSeconds:F2}s)");

        clock.Restart();
        _ = SuffixArray.Build(tokens);
        Console.Error.WriteLine($"build-index: suffix array alone (SA-IS) {clock.Elapsed.TotalSeconds:F2}s");

        clock.Restart();
        CorpusIndexFile.Write(args[2], tokens, vocab);
        Console.Error.WriteLine($"build-index: wrote {args[2]} ({new FileInfo(args[2]).Length:N0} bytes) in {clock.Elapsed.TotalSeconds:F2}s");

        if (args.Length == 5) Measure(args[2], ReadUInt16Tokens(args[4]));
        return 0;
    }

    static int[] ReadUInt16Tokens(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var tokens = new int[bytes.Length / 2];
        for (var i = 0; i < tokens.Length; i++) tokens[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i));
        return tokens;
    }

    static void Measure(string indexPath, int[] validation)
    {
        const int Queries = 10_000, ContextLength = 32, MaxLength = 24;
        var clock = Stopwatch.StartNew();
        SuffixArrayIndex.Open(indexPath).Dispose();
        Console.Error.WriteLine($"measure: opened in {clock.Elapsed.TotalMilliseconds:F1} ms (validation + level-1 table; first call, JIT included)");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        clock.Restart();
        using var index = SuffixArrayIndex.Open(indexPath);
        Console.Error.WriteLine($"measure: opened again in {clock.Elapsed.TotalMilliseconds:F1} ms");
        long bigrams = 0;
        for (var t = 0; t < index.VocabSize; t++) bigrams += index.Continuations([t], 1).Sum(level => level.Length);
        Console.Error.WriteLine($"measure: managed heap held by the open index {(GC.GetTotalMemory(true) - heapBefore) / 1e6:F1} MB; " +
                                $"{bigrams:N0} distinct bigrams in the level-1 table");

        var random = new Random(1);
        var starts = Enumerable.Range(0, Queries).Select(_ => random.Next(0, validation.Length - ContextLength)).ToArray();
        foreach (var pass in new[] { "cold", "warm" })
        {
            long levels = 0, entries = 0;
            clock.Restart();
            foreach (var start in starts)
            {
                var answer = index.Continuations(validation.AsSpan(start, ContextLength), MaxLength);
                levels += answer.Count;
                foreach (var level in answer) entries += level.Length;
            }
            var micros = clock.Elapsed.TotalMicroseconds / Queries;
            Console.Error.WriteLine($"measure: {pass}: {micros:F1} µs per Continuations(context[32], 24); " +
                                    $"mean matched levels {(double)levels / Queries:F2}, mean entries {(double)entries / Queries:F0}");
        }
    }
}
