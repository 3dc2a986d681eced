namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// The two arrays a <see cref="SuffixArrayIndex"/> searches: the tokens and their suffix array, held in memory
/// (<see cref="InMemorySuffixArray"/>) or mapped from a <c>corpus.infinigram</c> file (<see cref="CorpusIndexFile"/>).
/// </summary>
/// <remarks>Callers pass indexes in [0, <see cref="Length"/>); implementations need not check them.</remarks>
internal interface ISuffixArrayData
{
    /// <summary>Tokens in the text (n).</summary>
    int Length { get; }

    /// <summary>Size of the token-id space; every token is below it.</summary>
    int VocabSize { get; }

    /// <summary>The token at position <paramref name="position"/> of the text.</summary>
    int Token(int position);

    /// <summary>The start of the <paramref name="rank"/>-th smallest suffix.</summary>
    int Suffix(int rank);
}

/// <summary>Tokens and their suffix array as arrays, for tests and tools.</summary>
internal sealed class InMemorySuffixArray : ISuffixArrayData
{
    private readonly int[] _tokens;
    private readonly int[] _suffixes;

    /// <summary>Copies <paramref name="tokens"/> (ids in [0, <paramref name="vocabSize"/>)) and builds their suffix array.</summary>
    public InMemorySuffixArray(ReadOnlySpan<int> tokens, int vocabSize)
    {
        CorpusIndexFile.CheckTokens(tokens, vocabSize);
        _tokens = tokens.ToArray();
        _suffixes = SuffixArray.Build(tokens);
        VocabSize = vocabSize;
    }

    /// <inheritdoc/>
    public int Length => _tokens.Length;

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int Token(int position) => _tokens[position];

    /// <inheritdoc/>
    public int Suffix(int rank) => _suffixes[rank];
}
