namespace TransformerLsp.Engine.Decoding;

/// <summary>
/// Beam search as the course notes define it: keep k hypotheses scored by summed log-probability, extend every
/// hypothesis by its k best tokens, keep the k best of the k×k candidates, iterate.
/// </summary>
/// <remarks>
/// Finished hypotheses (end of sequence, newline, sentence end, word limit) go to a list of the k best, as in ONNX Runtime
/// GenAI's beam_search_scorer; the search stops when k are finished and no live hypothesis can beat the worst of them
/// (exact: sums only fall, and a live hypothesis is bounded by its sum normalised at the longest length), or at the token
/// limit, where a hypothesis inside a word is cut back to the word before it (beams never end inside a word). Starting from the single context row is the
/// same as GenAI's "beams other than the first start at -inf": step one cannot produce duplicate beams.
/// </remarks>
internal static class BeamSearch
{
    public static List<Hypothesis> Run(IDecoderState state, HypothesisExtender extender, int width, int maxTokens, double lengthPenalty, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        maxTokens = Math.Min(maxTokens, state.RemainingPositions);
        var live = new List<Hypothesis> { Hypothesis.Root };
        var finished = new List<Hypothesis>();
        var scratch = new float[state.VocabSize];

        for (var step = 0; step < maxTokens && live.Count > 0; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidates = new List<(Hypothesis Hyp, int Parent)>(live.Count * width);
            for (var row = 0; row < live.Count; row++)
            {
                state.LogProbs(row).CopyTo(scratch);
                extender.Constraint.Apply(scratch, extender.Vocab, live[row].Consumed);
                extender.BanRepeats(scratch, live[row]);
                var wordLimitSeen = false;
                var extended = 0;
                // The k best tokens the extender accepts: one the word gate rejects (a non-word, an uncanonical spelling) makes room for the next.
                foreach (var token in LogProbMath.TopK(scratch, 4 * width))
                {
                    if (extended == width) break;
                    var child = extender.Extend(live[row], token, scratch[token]);
                    if (child is null) continue;
                    extended++;
                    if (child.End == EndReason.WordLimit)
                    {
                        // The parent ends here: its last word must end too, with the probability that it does.
                        if (!wordLimitSeen) candidates.Add((child.WithEnd(EndReason.WordLimit, extender.Vocab.BoundaryLogProb(state.LogProbs(row))), row));
                        wordLimitSeen = true;
                        continue;
                    }
                    candidates.Add((child, row));
                }
            }
            // Stable sort: equal scores keep parent order, then token order.
            var ranked = candidates.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Hyp.Rank(lengthPenalty)).ThenBy(x => x.i).Select(x => x.c);

            var next = new List<(Hypothesis Hyp, int Parent)>(width);
            foreach (var c in ranked)
            {
                if (c.Hyp.IsFinished) AddFinished(finished, c.Hyp, width, lengthPenalty);
                else if (next.Count < width) next.Add(c);
                else break;
            }
            live = [.. next.Select(n => n.Hyp)];
            if (live.Count == 0) break;
            // Sums only fall; with length normalisation the best a live hypothesis can still reach is its sum over the longest length.
            if (finished.Count >= width && live.Max(h => Hypothesis.Rank(h.Sum, maxTokens, lengthPenalty)) <= finished[^1].Rank(lengthPenalty)) { live.Clear(); break; }
            if (step + 1 < maxTokens)
                state.Advance([.. next.Select(n => n.Parent)], [.. next.Select(n => n.Hyp.Tokens[^1])], cancellationToken);
        }
        foreach (var h in live)
            if (extender.AtTokenLimit(h) is { } cut && !finished.Any(f => f.Tokens.AsSpan().SequenceEqual(cut.Tokens)))
                AddFinished(finished, cut, width, lengthPenalty);
        return finished;
    }

    /// <summary>Inserts into the best-first list of at most <paramref name="width"/> finished hypotheses.</summary>
    private static void AddFinished(List<Hypothesis> finished, Hypothesis h, int width, double lengthPenalty)
    {
        var rank = h.Rank(lengthPenalty);
        if (finished.Count >= width && rank <= finished[^1].Rank(lengthPenalty)) return;
        var i = 0;
        while (i < finished.Count && finished[i].Rank(lengthPenalty) >= rank) i++;
        finished.Insert(i, h);
        if (finished.Count > width) finished.RemoveAt(finished.Count - 1);
    }
}
