using System.Text;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Decoding;

/// <summary>A whole next word: the tokens spelling it (including the healed prefix) and P(tokens, boundary | context).</summary>
internal sealed record WordCandidate(string Text, int[] Tokens, double Probability);

/// <summary>
/// Distribution over the next whole word. Sub-word tokens are joined until the next word boundary: a word ends where
/// the next token does not continue it (it starts with a space, punctuation, a newline, or is end of sequence), so
/// P(word) = P(its tokens) × P(a boundary follows). A small beam over continuation tokens explores the words.
/// </summary>
/// <remarks>
/// <para>A word is the lead (at most the spaces the constraint requires, or one) followed by word bytes only
/// (<see cref="WordChars.WordByteMask"/>): punctuation after a lone space is no word. Probabilities are joint, never
/// renormalised per step, so the typed prefix is an event the caller conditions on once. Each finished word passes the
/// <see cref="WordGate"/> (canonical spelling, lexicon) before it counts, and a partial word whose tokens are not the
/// tokenizer's own spelling of its text is dropped at once; a word cut by the token limit does not count.</para>
/// <para>Pruning is exact for the top <c>count</c>: extending a hypothesis only lowers its probability, so a hypothesis
/// below the count-th best finished word can be dropped.</para>
/// </remarks>
internal static class NextWordSearch
{
    private sealed record Partial(int[] Tokens, double Sum, int Consumed, byte[] Text);

    public static List<WordCandidate> Run(IDecoderState state, TokenVocabulary vocab, PrefixConstraint constraint, WordGate gate, int count, int width, int maxTokens, CancellationToken cancellationToken)
    {
        maxTokens = Math.Min(maxTokens, state.RemainingPositions);
        var maxLead = Math.Max(1, LeadingSpaces(constraint.Required));
        var words = new Dictionary<string, (int[] Tokens, double P)>();
        var live = new List<Partial> { new([], 0, 0, []) };
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
                var word = WordOf(h.Text);
                var complete = satisfied && word.Length > 0;
                if (complete)
                {
                    // The word may end here: the mass of every token that does not continue it.
                    var logP = h.Sum + vocab.BoundaryLogProb(scratch);
                    if (gate.Admits(word, h.Tokens, vocab, logP)) AddWord(words, word, h.Tokens, Math.Exp(logP));
                }
                if (step == maxTokens) continue;
                constraint.Apply(scratch, vocab, h.Consumed);
                foreach (var token in LogProbMath.TopK(scratch, width))
                {
                    var bytes = vocab.Bytes[token];
                    if (bytes.Length == 0 || (complete && !vocab.ContinuesWord[token])) continue;
                    var consumed = constraint.Advance(bytes, h.Consumed);
                    if (consumed < 0) continue;
                    byte[] text = [.. h.Text, .. bytes];
                    if (!IsWordPrefix(text, maxLead)) continue;
                    int[] tokens = [.. h.Tokens, token];
                    // A spelling the tokenizer would not produce for its own text ("▁s" "t" for " st") never becomes canonical
                    // by growing: pruning it keeps the beam for the spellings the model was trained on.
                    if (!gate.IsCanonical(tokens, vocab)) continue;
                    candidates.Add((new Partial(tokens, h.Sum + scratch[token], consumed, text), row));
                }
            }
            if (step == maxTokens) break;
            var floor = words.Count >= count ? Math.Log(words.Values.Select(w => w.P).OrderDescending().ElementAt(count - 1)) : double.NegativeInfinity;
            var next = candidates.Where(c => c.P.Sum > floor).OrderByDescending(c => c.P.Sum).Take(width).ToList();
            if (next.Count == 0) break;
            state.Advance([.. next.Select(n => n.Parent)], [.. next.Select(n => n.P.Tokens[^1])], cancellationToken);
            live = [.. next.Select(n => n.P)];
        }
        return [.. words.OrderByDescending(w => w.Value.P).Take(count).Select(w => new WordCandidate(w.Key, w.Value.Tokens, w.Value.P))];
    }

    /// <summary>At most <paramref name="maxLead"/> spaces, then word bytes only.</summary>
    private static bool IsWordPrefix(byte[] text, int maxLead)
    {
        var lead = LeadingSpaces(text);
        return lead <= maxLead && !WordChars.WordByteMask(text.AsSpan(lead)).Contains(false);
    }

    private static string WordOf(byte[] text)
    {
        var lead = LeadingSpaces(text);
        return lead == text.Length ? "" : Encoding.UTF8.GetString(text, lead, text.Length - lead);
    }

    private static int LeadingSpaces(ReadOnlySpan<byte> text)
    {
        var n = 0;
        while (n < text.Length && text[n] is (byte)' ' or (byte)'\t') n++;
        return n;
    }

    private static void AddWord(Dictionary<string, (int[] Tokens, double P)> words, string text, int[] tokens, double p) =>
        words[text] = words.TryGetValue(text, out var w) ? (w.P >= p ? w.Tokens : tokens, w.P + p) : (tokens, p);
}
