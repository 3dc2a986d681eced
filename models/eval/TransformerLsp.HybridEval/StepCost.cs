using System.Diagnostics;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.HybridEval;

/// <summary>
/// What the n-gram parts cost, measured on real text: one decoding step's mixing (<see cref="HybridScorer.Mix(ReadOnlySpan{int}, Span{float})"/>: both
/// ∞-gram queries and the dense mixture over the vocabulary; a request's first step also builds its view of the user's
/// text, one in 20 steps here) for contexts from the test split, with a 100,000-token
/// workspace of the user's text indexed; and one edit of a document in that workspace (the index swaps the text in, and
/// the next query rebuilds that document's segment). Medians and 95th percentiles of wall-clock time, in milliseconds.
/// </summary>
internal static class StepCost
{
    public static (double StepP50, double StepP95, double EditP50, double EditP95, long UserTokens) Measure(
        HybridWeights weights, ITokenCounts corpus, TextTokenizer tokenizer, int vocab, IReadOnlyList<string> workspaceTexts,
        IReadOnlyList<int[]> contexts, float[] transformerLogProbs)
    {
        var user = new UserTextIndex(tokenizer, vocab);
        long tokens = 0;
        var docs = new List<string>();
        foreach (var text in workspaceTexts)
        {
            if (tokens >= 100_000) break;
            var key = $"file:///workspace/doc{docs.Count}.md";
            user.Set(key, text);
            docs.Add(key);
            tokens = user.TokenCount;
        }
        var corpusQuery = new List<double>();
        var userQuery = new List<double>();
        var view = user.CountsFor(null, "");
        for (var i = 0; i < contexts.Count; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            corpus.Continuations(contexts[i], weights.MaxMatch);
            var t1 = Stopwatch.GetTimestamp();
            view.Continuations(contexts[i], weights.MaxMatch);
            var t2 = Stopwatch.GetTimestamp();
            if (i >= 50)
            {
                corpusQuery.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                userQuery.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            }
        }
        Console.Error.WriteLine($"[hybrid] queries alone: corpus {Percentile(corpusQuery, 50):F3} ms (p95 {Percentile(corpusQuery, 95):F3}), " +
            $"user text {Percentile(userQuery, 50):F3} ms (p95 {Percentile(userQuery, 95):F3})");
        var step = new List<double>();
        var lp = new float[transformerLogProbs.Length];
        // One scorer per request (a request's view of the user's text), as the engine does; a request runs tens of steps.
        // Two passes, the first to let the JIT tier the vectorised code up (a server runs it thousands of times a minute).
        HybridScorer? scorer = null;
        for (var pass = 0; pass < 2; pass++)
            for (var i = 0; i < contexts.Count; i++)
            {
                if (i % 20 == 0) scorer = new HybridScorer(weights, corpus, user.CountsFor(null, ""));
                transformerLogProbs.CopyTo(lp, 0);
                var t0 = Stopwatch.GetTimestamp();
                scorer!.Mix(contexts[i], lp);
                if (pass == 1) step.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        // An edit: a word typed into the middle of one document, then the next request's view (which rebuilds it).
        var edit = new List<double>();
        var random = new Random(7);
        for (var i = 0; i < 60; i++)
        {
            var d = random.Next(docs.Count);
            var text = workspaceTexts[d];
            var at = random.Next(text.Length);
            var edited = text[..at] + " edit" + text[at..];
            var t0 = Stopwatch.GetTimestamp();
            user.Set(docs[d], edited);
            _ = user.CountsFor(docs[d], edited[..at]).Continuations(contexts[i % contexts.Count], weights.MaxMatch);
            if (i >= 10) edit.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        return (Percentile(step, 50), Percentile(step, 95), Percentile(edit, 50), Percentile(edit, 95), tokens);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }
}
