using System.Numerics.Tensors;
using TransformerLsp.Engine.Decoding;

namespace TransformerLsp.Engine.NGrams;

/// <summary>Where the probability of one suggested token came from: the shares of the mixture's components (they sum to 1),
/// and how long a context the user's text matched.</summary>
internal readonly record struct TokenSources(double Transformer, double Corpus, double User, int UserMatchedLength);

/// <summary>
/// The one place where the transformer, the corpus ∞-gram and the user's ∞-gram are mixed: p(t | h) = w_T p_T(t | h) +
/// w_C p_C(t | h) + w_U p_U(t | h), with the weights of the evidence cell of h (<see cref="HybridWeights"/>) and the ∞-gram
/// distributions of <see cref="NGramDistribution"/>. A linear mixture of proper distributions is a proper distribution, so
/// every decoder keeps real probabilities.
/// </summary>
/// <remarks>One scorer per request: the user's view depends on the document and the cursor (the text after the cursor is
/// hidden from it). Not thread-safe (scratch buffer), like the engine.</remarks>
internal sealed class HybridScorer
{
    private readonly HybridWeights _weights;
    private readonly ITokenCounts? _corpus;
    private readonly ITokenCounts? _user;
    private float[]? _corpusLevel0, _userLevel0; // the ∞-grams' level 0, dense: the same for every context of a request
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITokenCounts, float[]> CorpusLevel0 = [];

    public HybridScorer(HybridWeights weights, ITokenCounts? corpus, ITokenCounts? user)
    {
        _weights = weights;
        _corpus = corpus is { Total: > 0 } ? corpus : null;
        _user = user is { Total: > 0 } ? user : null;
    }

    /// <summary>Longest context suffix worth keeping for the ∞-grams.</summary>
    public int MaxMatch => _weights.MaxMatch;

    /// <summary>Whether any n-gram component takes part (else <see cref="Mix(ReadOnlySpan{int}, Span{float})"/> leaves the transformer's distribution as it is).</summary>
    public bool Active => _corpus is not null || _user is not null;

    /// <summary>Replaces the transformer's next-token log-probabilities after <paramref name="history"/> with the mixture's.</summary>
    public void Mix(ReadOnlySpan<int> history, Span<float> logProbs) => Mix(history, logProbs, logProbs);

    /// <summary>
    /// The mixture's next-token log-probabilities after <paramref name="history"/> into <paramref name="into"/>, from the
    /// transformer's <paramref name="logits"/> (log-probabilities up to a constant; they may be <paramref name="into"/>
    /// itself). The transformer's softmax is folded into the mixture: one exponential and one logarithm per token.
    /// </summary>
    public void Mix(ReadOnlySpan<int> history, ReadOnlySpan<float> logits, Span<float> into)
    {
        var p = into[..logits.Length];
        if (!Active)
        {
            logits.CopyTo(p);
            LogProbMath.LogSoftmax(p);
            return;
        }
        var (corpus, user, w) = Components(history);
        TensorPrimitives.Subtract(logits, TensorPrimitives.Max(logits), p);
        TensorPrimitives.Exp(p, p);
        TensorPrimitives.Multiply(p, (float)(w.Transformer / TensorPrimitives.Sum(p)), p);
        if (corpus is not null)
        {
            // The corpus index lives as long as the model: its level 0 is computed once.
            var length = logits.Length;
            _corpusLevel0 ??= CorpusLevel0.GetValue(_corpus!, c => NGramDistribution.Level0(c, length));
            TensorPrimitives.MultiplyAdd(_corpusLevel0.AsSpan(0, p.Length), (float)(w.Corpus * corpus.Level0Weight), p, p);
            corpus.AddLevels(p, w.Corpus);
        }
        if (user is not null)
        {
            _userLevel0 ??= NGramDistribution.Level0(_user!, logits.Length);
            TensorPrimitives.MultiplyAdd(_userLevel0.AsSpan(0, p.Length), (float)(w.User * user.Level0Weight), p, p);
            user.AddLevels(p, w.User);
        }
        TensorPrimitives.Log(p, p);
    }

    /// <summary>The ∞-grams' guess of the tokens after <paramref name="history"/> (<see cref="NGramDrafter"/>); returns how many.</summary>
    public int Draft(ReadOnlySpan<int> history, Span<int> into) => NGramDrafter.Draft(history, into, _weights.MaxMatch, _user, _corpus);

    /// <summary>The mixture's log-probability of one token after <paramref name="history"/>, given the transformer's.</summary>
    public float MixOne(ReadOnlySpan<int> history, int token, float transformerLogProb)
    {
        if (!Active) return transformerLogProb;
        var s = Parts(history, token, transformerLogProb);
        return (float)Math.Log(s.Total);
    }

    /// <summary>The shares of the components in the mixture's probability of <paramref name="token"/>.</summary>
    public TokenSources Sources(ReadOnlySpan<int> history, int token, float transformerLogProb)
    {
        if (!Active) return new TokenSources(1, 0, 0, 0);
        var s = Parts(history, token, transformerLogProb);
        return new TokenSources(s.T / s.Total, s.C / s.Total, s.U / s.Total, s.UserLength);
    }

    private (double T, double C, double U, double Total, int UserLength) Parts(ReadOnlySpan<int> history, int token, float transformerLogProb)
    {
        var (corpus, user, w) = Components(history);
        var t = w.Transformer * Math.Exp(transformerLogProb);
        var c = corpus is null ? 0 : w.Corpus * corpus.Probability(token);
        var u = user is null ? 0 : w.User * user.Probability(token);
        return (t, c, u, Math.Max(t + c + u, double.Epsilon), user?.MatchedLength ?? 0);
    }

    private (NGramDistribution? Corpus, NGramDistribution? User, (double Transformer, double Corpus, double User) W) Components(ReadOnlySpan<int> history)
    {
        if (history.Length > _weights.MaxMatch) history = history[^_weights.MaxMatch..];
        var corpus = _corpus is null ? null : new NGramDistribution(_corpus, _corpus.Continuations(history, _weights.MaxMatch), _weights.Discount);
        var user = _user is null ? null : new NGramDistribution(_user, _user.Continuations(history, _weights.MaxMatch), _weights.Discount);
        var cell = _weights.Cell(corpus?.Evidence ?? default, user?.Evidence);
        return (corpus, user, _weights.For(cell, corpus is not null, user is not null));
    }
}
