namespace TransformerLsp.Engine.NGrams;

/// <summary>A token that followed a context in indexed text, and how often.</summary>
internal readonly record struct TokenCount(int Token, int Count);

/// <summary>
/// What an index over token ids knows about contexts: for each suffix of a context, which tokens followed it in the
/// indexed text and how often. The corpus index (<c>SuffixArrayIndex</c>, a suffix array shipped in the model folder)
/// and the user's text (<c>UserTextIndex</c>, posting lists rebuilt per document) answer the same questions, and
/// <c>NGramDistribution</c> turns the answers into a next-token distribution.
/// </summary>
/// <remarks>Read-only to its callers; implementations are safe for one reader at a time (the engine is single-threaded).</remarks>
internal interface ITokenCounts
{
    /// <summary>Size of the token-id space (ids are in [0, VocabSize)).</summary>
    int VocabSize { get; }

    /// <summary>Tokens in the index that have a next token: the sum of <see cref="Unigrams"/>. 0 = empty index.</summary>
    long Total { get; }

    /// <summary>Level 0: how often each token occurs as the next token of some position (dense, <see cref="VocabSize"/> long).</summary>
    ReadOnlySpan<int> Unigrams { get; }

    /// <summary>
    /// The lowest level of a backoff: Kneser–Ney's continuation counts (how many distinct tokens preceded each token) where
    /// the index has them, else <see cref="Unigrams"/>. A word that follows many different words is a likelier novel
    /// continuation than one that is frequent after a single context ("Francisco").
    /// </summary>
    ReadOnlySpan<int> BackoffUnigrams => Unigrams;

    /// <summary>The sum of <see cref="BackoffUnigrams"/>.</summary>
    long BackoffTotal => Total;

    /// <summary>
    /// Levels 1..L: element k-1 lists the tokens that followed the last k tokens of <paramref name="context"/> in the indexed
    /// text, sorted by token id, every count &gt; 0. Stops before the first length whose suffix has no continuation (so L is
    /// the longest matched suffix that was followed by something), or at <paramref name="maxLength"/>, or at the context's
    /// length. The arrays may be shared with a cache: callers never modify them.
    /// </summary>
    IReadOnlyList<TokenCount[]> Continuations(ReadOnlySpan<int> context, int maxLength);
}
