using System.Numerics.Tensors;
using TransformerLsp.Engine.Model;

namespace TransformerLsp.HybridEval;

/// <summary>
/// log P(token | earlier tokens) of the ONNX model for every token of every document after its first, read exactly as the
/// recipe's evaluate.py reads them (windows of n_positions tokens advancing by half a window, so every token but the first
/// half-window sees at least n_positions / 2 tokens): the transformer alone reproduces eval.json's bits_per_byte.
/// </summary>
internal static class TransformerLogProbs
{
    public static float[][] Compute(ModelSession session, IReadOnlyList<int[]> docs, string label)
    {
        var t = session.Config.NPositions;
        var stride = t / 2;
        var vocab = session.Config.VocabSize;
        var windows = new List<(int Doc, int Start, int Length, int First)>();
        var result = new float[docs.Count][];
        for (var d = 0; d < docs.Count; d++)
        {
            var ids = docs[d];
            result[d] = new float[ids.Length];
            int scoredTo = 0, start = 0;
            while (scoredTo < ids.Length - 1)
            {
                var len = Math.Min(t + 1, ids.Length - start);
                windows.Add((d, start, len, scoredTo - start));
                scoredTo = start + len - 1;
                start += stride;
            }
        }
        const int batch = 4;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var b = 0; b < windows.Count; b += batch)
        {
            var chunk = windows.Skip(b).Take(batch).ToList();
            var seq = chunk.Max(w => w.Length) - 1;
            var tokens = new int[chunk.Count * seq];
            Array.Fill(tokens, session.Config.EosTokenId);
            for (var i = 0; i < chunk.Count; i++)
                docs[chunk[i].Doc].AsSpan(chunk[i].Start, chunk[i].Length - 1).CopyTo(tokens.AsSpan(i * seq));
            using var past = session.EmptyCache(chunk.Count);
            var logits = session.Run(past, tokens, chunk.Count, seq, allPositions: true, out var present);
            present.Dispose();
            for (var i = 0; i < chunk.Count; i++)
            {
                var (doc, start, length, first) = chunk[i];
                for (var j = first; j < length - 1; j++)
                {
                    var row = logits.AsSpan((i * seq + j) * vocab, vocab);
                    var target = docs[doc][start + j + 1];
                    result[doc][start + j + 1] = row[target] - LogSumExp(row);
                }
            }
            if ((b / batch) % 25 == 0)
                Console.Error.WriteLine($"[hybrid] transformer on {label}: window {Math.Min(b + batch, windows.Count)}/{windows.Count} ({clock.Elapsed.TotalSeconds:F0}s)");
        }
        return result;
    }

    private static float LogSumExp(ReadOnlySpan<float> row)
    {
        var max = TensorPrimitives.Max(row);
        Span<float> tmp = stackalloc float[row.Length];
        TensorPrimitives.Subtract(row, max, tmp);
        TensorPrimitives.Exp(tmp, tmp);
        return max + MathF.Log(TensorPrimitives.Sum(tmp));
    }

    /// <summary>Reads <paramref name="path"/> if it was written for the same documents, else computes and writes it.</summary>
    public static float[][] Cached(string path, ModelSession session, IReadOnlyList<int[]> docs, string label)
    {
        if (File.Exists(path))
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (r.ReadInt32() == docs.Count)
            {
                var cached = new float[docs.Count][];
                var ok = true;
                for (var d = 0; d < docs.Count && ok; d++)
                {
                    var n = r.ReadInt32();
                    ok = n == docs[d].Length;
                    if (ok) cached[d] = [.. Enumerable.Range(0, n).Select(_ => r.ReadSingle())];
                }
                if (ok) return cached;
            }
        }
        var result = Compute(session, docs, label);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write(docs.Count);
            foreach (var doc in result)
            {
                w.Write(doc.Length);
                foreach (var v in doc) w.Write(v);
            }
        }
        return result;
    }
}
