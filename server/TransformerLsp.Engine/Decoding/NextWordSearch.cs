namespace TransformerLsp.Engine.Decoding;

/// <summary>A whole next word: the tokens spelling it (including the healed prefix) and P(word | context, typed prefix).</summary>
internal sealed record WordCandidate(string Text, int[] Tokens, double Probability);

/// <summary>
/// Distribution over the next whole word. Sub-word tokens are joined until the next word boundary: a word ends where
/// the next token does not continue it (it starts with a space, punctuation, a newline, or is end of sequence), so
/// P(word) = P(its tokens) × P(a boundary follows). A small beam over continuation tokens explores the words.
/// </summary>
/// <remarks>
/// Pruning is exact for the top <c>count</c>: extending a hypothesis only lowers its probability, so a hypothesis
/// below the count-th best finished word can be dropped. Words reached by different tokenizations are merged by text.
/// </remarks>
internal static class NextWordSearch
{
    private sealed record Partial(int[] Tokens, double Sum, int Consumed, bool HasContent);

    public static List<WordCandidate> Run(IDecoderState state, TokenVocabulary vocab, PrefixConstraint constraint, int count, int width, int maxTokens, CancellationToken cancellationToken)
    {
        maxTokens = Math.Min(maxTokens, state.RemainingPositions);
        var words = new Dictionary<string, (int[] Tokens, double P)>();
        var live = new List<Partial> { new([], 0, 0, constraint.Required.Any(b => !IsSpace(b)) && constraint.IsSatisfied(0)) };
        var scratch = new float[state.VocabSize];

        for (var step = 0; step <= maxTokens && live.Count > 0; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidates = new List<(Partial P, int Parent)>();
            for (var row = 0; row < live.Count; row++)
            {
                var h = live[row];
                state.LogProbs(row).CopyTo(scratch);
                var satisfied = constraint.IsSatisfied(h.Consumed);
                if (satisfied && h.HasContent)
                {
                    // The word may end here: the mass of every token that does not continue it.
                    double continuing = 0;
                    for (var t = 0; t < scratch.Length; t++)
                        if (vocab.ContinuesWord[t]) continuing += Math.Exp(scratch[t]);
                    var boundary = Math.Max(1e-12, 1 - continuing);
                    AddWord(words, vocab, h.Tokens, Math.Exp(h.Sum) * boundary);
                }
                if (step == maxTokens) continue;
                constraint.Apply(scratch, vocab, h.Consumed);
                foreach (var token in LogProbMath.TopK(scratch, width))
                {
                    var bytes = vocab.Bytes[token];
                    if (bytes.Length == 0 || bytes.Contains((byte)'\n')) continue;
                    if (satisfied && h.HasContent && !vocab.ContinuesWord[token]) continue;
                    var consumed = constraint.Advance(bytes, h.Consumed);
                    if (consumed < 0) continue;
                    var hasContent = h.HasContent || (constraint.IsSatisfied(consumed) && (constraint.Required.Any(b => !IsSpace(b)) || bytes.Any(b => !IsSpace(b))));
                    candidates.Add((new Partial([.. h.Tokens, token], h.Sum + scratch[token], consumed, hasContent), row));
                }
            }
            if (step == maxTokens) break;
            var floor = words.Count >= count ? Math.Log(words.Values.Select(w => w.P).OrderDescending().ElementAt(count - 1)) : double.NegativeInfinity;
            var next = candidates.Where(c => c.P.Sum > floor).OrderByDescending(c => c.P.Sum).Take(width).ToList();
            if (next.Count == 0) break;
            state.Advance([.. next.Select(n => n.Parent)], [.. next.Select(n => n.P.Tokens[^1])], cancellationToken);
            live = [.. next.Select(n => n.P)];
        }
        // Hypotheses cut by the token limit count as words (long words are rare and their boundary mass is unknown).
        foreach (var h in live.Where(h => h.HasContent && constraint.IsSatisfied(h.Consumed) && h.Tokens.Length > 0))
            if (!words.ContainsKey(vocab.Decode(h.Tokens))) AddWord(words, vocab, h.Tokens, Math.Exp(h.Sum));

        return [.. words.OrderByDescending(w => w.Value.P).Take(count).Select(w => new WordCandidate(w.Key, w.Value.Tokens, w.Value.P))];
    }

    private static void AddWord(Dictionary<string, (int[] Tokens, double P)> words, TokenVocabulary vocab, int[] tokens, double p)
    {
        var text = vocab.Decode(tokens);
        words[text] = words.TryGetValue(text, out var w) ? (w.P >= p ? w.Tokens : tokens, w.P + p) : (tokens, p);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
