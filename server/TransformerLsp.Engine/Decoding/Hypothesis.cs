namespace TransformerLsp.Engine.Decoding;

/// <summary>Why a hypothesis stopped growing.</summary>
internal enum EndReason { None, EndOfSequence, Newline, SentenceEnd, WordLimit, MaxTokens }

/// <summary>One partial or finished continuation: its tokens, their log-probabilities and the stop-rule bookkeeping.</summary>
internal sealed class Hypothesis
{
    public static readonly Hypothesis Root = new([], [], 0, 0, 0, false, EndReason.None);

    public Hypothesis(int[] tokens, float[] logProbs, double sum, int consumed, int words, bool inWord, EndReason end)
    {
        Tokens = tokens; LogProbs = logProbs; Sum = sum; Consumed = consumed; Words = words; InWord = inWord; End = end;
    }

    public int[] Tokens { get; }
    public float[] LogProbs { get; }
    /// <summary>Summed natural-log probability of <see cref="Tokens"/>.</summary>
    public double Sum { get; }
    /// <summary>Bytes of the token-healing prefix consumed so far.</summary>
    public int Consumed { get; }
    /// <summary>Words begun in the generated text after the healed prefix.</summary>
    public int Words { get; }
    public bool InWord { get; }
    public EndReason End { get; }

    public bool IsFinished => End != EndReason.None;

    public Hypothesis WithEnd(EndReason end) => new(Tokens, LogProbs, Sum, Consumed, Words, InWord, end);

    /// <summary>Ranking score: sum(log p) / length^penalty (penalty 0 = the plain sum of the course notes).</summary>
    public double Rank(double lengthPenalty) =>
        lengthPenalty == 0 || Tokens.Length == 0 ? Sum : Sum / Math.Pow(Tokens.Length, lengthPenalty);
}

/// <summary>Appends tokens to hypotheses, applying the token-healing constraint and the stop conditions.</summary>
internal sealed class HypothesisExtender(TokenVocabulary vocab, PrefixConstraint constraint, StopConditions stop)
{
    public TokenVocabulary Vocab { get; } = vocab;
    public PrefixConstraint Constraint { get; } = constraint;
    public StopConditions Stop { get; } = stop;

    /// <summary>
    /// The parent followed by <paramref name="token"/>; null when the token disagrees with the typed prefix. When the token would
    /// begin a word past <see cref="StopConditions.MaxWords"/>, the result is the parent itself, finished by <see cref="EndReason.WordLimit"/>.
    /// </summary>
    public Hypothesis? Extend(Hypothesis parent, int token, float logProb)
    {
        var bytes = Vocab.Bytes[token];
        var consumed = Constraint.Advance(bytes, parent.Consumed);
        if (consumed < 0) return null;
        var fresh = bytes.AsSpan(Constraint.RequiredPart(bytes.Length, parent.Consumed));

        var words = parent.Words;
        var inWord = parent.InWord;
        foreach (var b in fresh)
        {
            var isWord = TokenVocabulary.IsWordByte(b);
            if (isWord && !inWord) words++;
            inWord = isWord;
        }
        if (Stop.MaxWords > 0 && words > Stop.MaxWords)
            return parent.WithEnd(EndReason.WordLimit);

        var end = EndReason.None;
        if (token == Vocab.EosId) end = EndReason.EndOfSequence;
        else if (Stop.AtNewline && fresh.Contains((byte)'\n')) end = EndReason.Newline;
        else if (Stop.AtSentenceEnd && words > 0 && EndsSentence(fresh)) end = EndReason.SentenceEnd;

        return new Hypothesis([.. parent.Tokens, token], [.. parent.LogProbs, logProb], parent.Sum + logProb, consumed, words, inWord, end);
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

    private static bool EndsSentence(ReadOnlySpan<byte> fresh)
    {
        var s = fresh.TrimEnd(" \"')]"u8);
        return s.Length > 0 && s[^1] is (byte)'.' or (byte)'!' or (byte)'?';
    }
}
