using System.Buffers;
using System.Numerics.Tensors;

namespace TransformerLsp.Engine.Decoding;

/// <summary>Small numeric helpers shared by the decoders.</summary>
internal static class LogProbMath
{
    /// <summary>In-place log-softmax: x − max − log Σ exp(x − max), vectorized (a decode step runs it on every row of the
    /// vocabulary). Masked entries (−∞) stay −∞ and take no mass.</summary>
    public static void LogSoftmax(Span<float> values)
    {
        if (values.IsEmpty) return;
        var max = TensorPrimitives.Max(values);
        var buffer = ArrayPool<float>.Shared.Rent(values.Length);
        var exp = buffer.AsSpan(0, values.Length);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, exp);
        var logZ = MathF.Log(TensorPrimitives.Sum(exp));
        ArrayPool<float>.Shared.Return(buffer);
        TensorPrimitives.Subtract(values, logZ, values);
    }

    /// <summary>Indices of the <paramref name="k"/> largest finite values, largest first (ties: lower index first).</summary>
    public static int[] TopK(ReadOnlySpan<float> values, int k)
    {
        k = Math.Min(k, values.Length);
        if (k <= 0) return [];
        var idx = new int[k];
        var val = new float[k];
        var n = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (float.IsNegativeInfinity(v) || float.IsNaN(v)) continue;
            if (n == k && v <= val[k - 1]) continue;
            var j = n < k ? n++ : k - 1;
            while (j > 0 && val[j - 1] < v) { val[j] = val[j - 1]; idx[j] = idx[j - 1]; j--; }
            val[j] = v; idx[j] = i;
        }
        return n == k ? idx : idx[..n];
    }

    /// <summary>
    /// The items by descending <paramref name="score"/>, ties in list order: what a stable
    /// <c>OrderByDescending(score)</c> gives, sorted lazily. The first <paramref name="head"/> come from a bounded heap,
    /// and the rest are sorted only when the caller reads past them, so a caller that stops after a few items of a long
    /// list (the word trigram's thousands of words after a typed letter) does not sort the whole list.
    /// </summary>
    public static IEnumerable<T> Descending<T>(IReadOnlyList<T> items, Func<T, double> score, int head = 64)
    {
        var n = items.Count;
        var k = Math.Min(n, head);
        if (k == 0) yield break;
        // A min-heap of the k best so far by (score descending, index ascending): its root is the worst of them.
        var heap = new PriorityQueue<int, (double Score, int Index)>(k, Worse.Instance);
        for (var i = 0; i < n; i++)
        {
            var key = (score(items[i]), i);
            if (heap.Count < k) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var worst) && Worse.Instance.Compare(worst, key) < 0) heap.EnqueueDequeue(i, key);
        }
        var best = new int[k];
        for (var j = k - 1; j >= 0; j--) best[j] = heap.Dequeue();
        foreach (var i in best) yield return items[i];
        if (k == n) yield break;
        foreach (var i in Enumerable.Range(0, n).OrderByDescending(i => score(items[i])).Skip(k)) yield return items[i];
    }

    /// <summary>Orders (score, index) from worse to better: lower score, or the same score and a later index.</summary>
    private sealed class Worse : IComparer<(double Score, int Index)>
    {
        public static readonly Worse Instance = new();

        public int Compare((double Score, int Index) a, (double Score, int Index) b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Index.CompareTo(a.Index);
    }

    /// <summary>Softmax over a list of log scores (for ranking candidates against each other).</summary>
    public static double[] Softmax(IReadOnlyList<double> logScores)
    {
        if (logScores.Count == 0) return [];
        var max = logScores.Max();
        var exps = logScores.Select(s => Math.Exp(s - max)).ToArray();
        var sum = exps.Sum();
        return [.. exps.Select(e => e / sum)];
    }
}
