using System.Text;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Decoding;

/// <summary>Why a hypothesis stopped growing.</summary>
internal enum EndReason { None, EndOfSequence, Newline, SentenceEnd, WordLimit, MaxTokens }

/// <summary>One partial or finished continuation: its tokens, their log-probabilities and the stop-rule bookkeeping.</summary>
internal sealed class Hypothesis
{
    public static readonly Hypothesis Root = new([], [], 0, 0, 0, false, EndReason.None, -1, []);

    public Hypothesis(int[] tokens, float[] logProbs, double sum, int consumed, int words, bool inWord, EndReason end, int wordStart, byte[] wordBytes)
    {
        Tokens = tokens; LogProbs = logProbs; Sum = sum; Consumed = consumed; Words = words; InWord = inWord; End = end;
        WordStart = wordStart; WordBytes = wordBytes;
    }

    public int[] Tokens { get; }
    public float[] LogProbs { get; }
    /// <summary>Summed natural-log probability of <see cref="Tokens"/> (plus, for a word-limit end, that the last word ends there).</summary>
    public double Sum { get; }
    /// <summary>Bytes of the token-healing prefix consumed so far.</summary>
    public int Consumed { get; }
    /// <summary>Words begun in the generated text after the healed prefix.</summary>
    public int Words { get; }
    /// <summary>The text ends inside a word.</summary>
    public bool InWord { get; }
    public EndReason End { get; }
    /// <summary>Index of the token in which the last word begun starts (-1 before the first word).</summary>
    public int WordStart { get; }
    /// <summary>UTF-8 bytes of the last word begun (the healed part included).</summary>
    public byte[] WordBytes { get; }

    public bool IsFinished => End != EndReason.None;

    public Hypothesis WithEnd(EndReason end, double addLogProb = 0) =>
        new(Tokens, LogProbs, Sum + addLogProb, Consumed, Words, InWord, end, WordStart, WordBytes);

    /// <summary>The first <paramref name="count"/> tokens, ended by <paramref name="end"/> (used to cut a word the token limit interrupted).</summary>
    public Hypothesis Truncate(int count, EndReason end)
    {
        var lp = LogProbs[..count];
        return new Hypothesis(Tokens[..count], lp, lp.Sum(x => (double)x), Consumed, Words, false, end, -1, []);
    }

    /// <summary>
    /// Ranking score: sum(log p) / lp, with GNMT's length normalisation lp = ((5 + length) / 6)^α (Wu et al., 2016, §7);
    /// α = 0 is the plain sum of the course notes. Without it the shortest finished continuation wins far too often.
    /// </summary>
    public double Rank(double alpha) => Rank(Sum, Tokens.Length, alpha);

    public static double Rank(double sum, int length, double alpha) =>
        alpha == 0 || length == 0 ? sum : sum / Math.Pow((5.0 + length) / 6.0, alpha);
}

/// <summary>Appends tokens to hypotheses, applying the token-healing constraint, the word gate and the stop conditions.</summary>
internal sealed class HypothesisExtender(TokenVocabulary vocab, PrefixConstraint constraint, StopConditions stop, WordGate? gate = null)
{
    public TokenVocabulary Vocab { get; } = vocab;
    public PrefixConstraint Constraint { get; } = constraint;
    public StopConditions Stop { get; } = stop;
    public WordGate Gate { get; } = gate ?? WordGate.Open;

    /// <summary>
    /// The parent followed by <paramref name="token"/>; null when the token disagrees with the typed prefix or finishes a word
    /// the gate rejects (a non-word, or a spelling the tokenizer never produces). When the token would begin a word past
    /// <see cref="StopConditions.MaxWords"/>, the result is the parent itself, finished by <see cref="EndReason.WordLimit"/>
    /// (the caller adds the probability that the parent's last word ends there).
    /// </summary>
    public Hypothesis? Extend(Hypothesis parent, int token, float logProb)
    {
        var bytes = Vocab.Bytes[token];
        // No run of spaces: a space never follows a space inside a continuation (prose never wants one, and a lone-space
        // token — the start of a spelling such as " " + "Z" + "or" — is not a way into indentation).
        if (bytes is [(byte)' ', ..] && parent.Tokens.Length > 0 && Vocab.Bytes[parent.Tokens[^1]] is [.., (byte)' ']) return null;
        var consumed = Constraint.Advance(bytes, parent.Consumed);
        if (consumed < 0) return null;
        var requiredPart = Constraint.RequiredPart(bytes.Length, parent.Consumed);
        var index = parent.Tokens.Length;

        var words = parent.Words;
        var inWord = parent.InWord;
        var wordStart = parent.WordStart;
        var wordBytes = new List<byte>(parent.WordBytes);
        var fresh = bytes.AsSpan(requiredPart);
        var wordMask = Vocab.WordBytes[token];
        for (var i = 0; i < bytes.Length; i++)
        {
            var isWord = wordMask[i];
            if (isWord && !inWord)
            {
                wordStart = index;
                wordBytes.Clear();
                if (i >= requiredPart) words++;
            }
            else if (!isWord && inWord && (!WordAdmitted(parent, wordStart, wordBytes, i > 0 ? index + 1 : index, token, logProb) || RepeatsWords(parent, bytes.AsSpan(0, i))))
                return null;
            if (isWord) wordBytes.Add(bytes[i]);
            inWord = isWord;
        }
        if (bytes.Length == 0 && inWord && (!WordAdmitted(parent, wordStart, wordBytes, index, token, logProb) || RepeatsWords(parent, []))) return null;
        // Inside a word, its tokens so far must be the tokenizer's own spelling of their text: the letter-by-letter paths
        // never become canonical later, and pruning them at once keeps the beam for real spellings.
        if (inWord && wordStart >= 0 && !Gate.IsCanonical([.. parent.Tokens.AsSpan(wordStart), token], Vocab)) return null;
        if (Stop.MaxWords > 0 && words > Stop.MaxWords)
            return parent.WithEnd(EndReason.WordLimit);

        var end = EndReason.None;
        if (token == Vocab.EosId) end = EndReason.EndOfSequence;
        else if (Stop.AtNewline && fresh.Contains((byte)'\n')) end = EndReason.Newline;
        else if (Stop.AtSentenceEnd && words > 0 && EndsSentence(fresh)) end = EndReason.SentenceEnd;

        return new Hypothesis([.. parent.Tokens, token], [.. parent.LogProbs, logProb], parent.Sum + logProb, consumed, words, inWord, end, wordStart, [.. wordBytes]);
    }

    /// <summary>Whether the word that ends here is admitted: its tokens are [wordStart, end) of parent + token.</summary>
    private bool WordAdmitted(Hypothesis parent, int wordStart, List<byte> wordBytes, int end, int token, float logProb)
    {
        if (wordStart < 0) return true; // began in the context (no healing): not ours to judge
        var tokens = new int[end - wordStart];
        double lp = 0;
        for (var k = wordStart; k < end; k++)
        {
            tokens[k - wordStart] = k < parent.Tokens.Length ? parent.Tokens[k] : token;
            lp += k < parent.Tokens.Length ? parent.LogProbs[k] : logProb;
        }
        return Gate.Admits(Encoding.UTF8.GetString(wordBytes.ToArray()), tokens, Vocab, lp);
    }

    /// <summary>
    /// Sets to -inf the log-probability of every token that would complete a run of <see cref="StopConditions.NoRepeatNgram"/>
    /// tokens already in <paramref name="parent"/> (the n-gram ban of Hugging Face's no_repeat_ngram_size, over the
    /// continuation only).
    /// </summary>
    public void BanRepeats(Span<float> logProbs, Hypothesis parent)
    {
        var n = Stop.NoRepeatNgram;
        var t = parent.Tokens;
        if (n <= 0 || t.Length < n) return;
        var tail = t.AsSpan(t.Length - (n - 1));
        for (var i = 0; i + n <= t.Length; i++)
            if (t.AsSpan(i, n - 1).SequenceEqual(tail)) logProbs[t[i + n - 1]] = float.NegativeInfinity;
    }

    /// <summary>
    /// With <see cref="StopConditions.NoRepeatNgram"/> on, the same ban at the level of words: whether the word that ends
    /// with the text of <paramref name="parent"/> followed by <paramref name="more"/> repeats the word before it ("the the")
    /// or completes a word bigram the continuation already has ("of the United States of the United"). Tokens are too
    /// short a unit for a loop of words: " of the" is two tokens, so a three-token ban lets it recur.
    /// </summary>
    private bool RepeatsWords(Hypothesis parent, ReadOnlySpan<byte> more)
    {
        if (Stop.NoRepeatNgram <= 0) return false;
        var text = new List<byte>();
        foreach (var t in parent.Tokens) text.AddRange(Vocab.Bytes[t]);
        text.AddRange(more);
        var mask = WordChars.WordByteMask(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(text));
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Count; i++)
        {
            var isWord = i < text.Count && mask[i];
            if (isWord && start < 0) start = i;
            else if (!isWord && start >= 0)
            {
                words.Add(Encoding.UTF8.GetString(text.GetRange(start, i - start).ToArray()).ToLowerInvariant());
                start = -1;
            }
        }
        if (words.Count < 2) return false;
        var (previous, last) = (words[^2], words[^1]);
        if (previous == last) return true;
        for (var i = 0; i + 2 < words.Count; i++)
            if (words[i] == previous && words[i + 1] == last) return true;
        return false;
    }

    /// <summary>A hypothesis cut by the token limit, never ending inside a word: the unfinished word is dropped; null when nothing is left.</summary>
    public Hypothesis? AtTokenLimit(Hypothesis h)
    {
        if (!h.InWord || h.WordStart < 0) return h.WithEnd(EndReason.MaxTokens);
        var kept = 0;
        for (var k = 0; k < h.WordStart; k++) kept += Vocab.Bytes[h.Tokens[k]].Length;
        // Cutting into the typed text would leave a continuation that does not even spell what was typed.
        return h.WordStart == 0 || !Constraint.IsSatisfied(kept) ? null : h.Truncate(h.WordStart, EndReason.MaxTokens);
    }

    private static bool EndsSentence(ReadOnlySpan<byte> fresh)
    {
        var s = fresh.TrimEnd(" \"')]"u8);
        return s.Length > 0 && s[^1] is (byte)'.' or (byte)'!' or (byte)'?';
    }
}
