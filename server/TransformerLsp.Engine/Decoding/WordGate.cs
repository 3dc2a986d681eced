using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine.Decoding;

/// <summary>
/// Decides whether a finished word may be suggested: it must be spelled the way the tokenizer spells it (so an
/// improbable spelling — a lone space, then one letter per token — is never a way around the model), and it must be a
/// word: in the <see cref="Lexicon"/>, in the user's own text, or overwhelmingly probable under the model.
/// </summary>
/// <remarks>
/// The canonical check re-encodes the word's tokens' text and compares ids; results are remembered, since the same
/// words recur in every search. "Overwhelming" is drawn at <see cref="OverwhelmingLogProb"/>: a word the model gives
/// more than half of its mass at that point (its own name, a term it has learned) is admitted though no list has it.
/// </remarks>
internal sealed class WordGate
{
    /// <summary>log(0.5): a word outside the lexicon is admitted when the model finds it more likely than everything else together.</summary>
    public static readonly double OverwhelmingLogProb = Math.Log(0.5);

    private readonly Func<string, int[]>? _encode;
    private readonly Dictionary<string, int[]> _spellings;
    private readonly Lexicon _lexicon;
    private readonly string _userText;

    /// <param name="lexicon">Known words.</param>
    /// <param name="encode">The tokenizer's encoding of a text inside a document; null skips the canonical check.</param>
    /// <param name="spellings">A shared memo of encodings (bounded by the caller).</param>
    /// <param name="userText">The user's own text around the request: its words are admitted.</param>
    public WordGate(Lexicon lexicon, Func<string, int[]>? encode, Dictionary<string, int[]> spellings, string userText)
    {
        _lexicon = lexicon;
        _encode = encode;
        _spellings = spellings;
        _userText = userText;
    }

    /// <summary>A gate that admits everything (toy vocabularies in tests).</summary>
    public static WordGate Open { get; } = new(Lexicon.Empty, null, [], "");

    /// <summary>Whether the word spelled by <paramref name="tokens"/> (text <paramref name="word"/>, log-probability
    /// <paramref name="logProb"/> at its position) may be suggested.</summary>
    public bool Admits(string word, ReadOnlySpan<int> tokens, TokenVocabulary vocab, double logProb) =>
        IsCanonical(tokens, vocab) && IsWord(word, logProb);

    /// <summary>Whether <paramref name="word"/> is a word: listed, in the user's text, or overwhelmingly probable.</summary>
    public bool IsWord(string word, double logProb = double.NegativeInfinity) =>
        !word.Contains('\uFFFD', StringComparison.Ordinal) && (_lexicon.Contains(word) || logProb >= OverwhelmingLogProb || InUserText(word));

    /// <summary>Whether the tokenizer would spell the text of <paramref name="tokens"/> with exactly these tokens.</summary>
    public bool IsCanonical(ReadOnlySpan<int> tokens, TokenVocabulary vocab)
    {
        if (_encode is null || tokens.Length == 0) return true;
        var text = vocab.Decode(tokens.ToArray());
        if (!_spellings.TryGetValue(text, out var ids))
        {
            if (_spellings.Count > 50_000) _spellings.Clear();
            _spellings[text] = ids = _encode(text);
        }
        return ids.AsSpan().SequenceEqual(tokens);
    }

    private bool InUserText(string word)
    {
        if (_userText.Length == 0) return false;
        for (var i = _userText.IndexOf(word, StringComparison.Ordinal); i >= 0; i = _userText.IndexOf(word, i + 1, StringComparison.Ordinal))
        {
            var end = i + word.Length;
            if ((i == 0 || !WordChars.IsWordChar(_userText, i - 1)) && (end == _userText.Length || !WordChars.IsWordChar(_userText, end))) return true;
        }
        return false;
    }
}
