using System.Text;
using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine;

// The hybrid: every model state the decoders see mixes the transformer with the corpus ∞-gram and the user's text.
public sealed partial class TextPredictor
{
    /// <summary>Tokens in the corpus ∞-gram index (0: the model folder has none).</summary>
    public long CorpusIndexTokens => _corpus is null ? 0 : _corpus.Total + 1;

    /// <summary>The corpus index and the mixing weights of a model folder: config.json's "hybrid" section names the index
    /// (default <c>corpus.infinigram</c>); a folder with neither still mixes in the user's text with default weights, and a
    /// folder whose config names an index that is missing is an error (a partial copy).</summary>
    private static (SuffixArrayIndex? Corpus, HybridWeights? Weights) LoadHybrid(string folder, ModelConfig config)
    {
        var weights = HybridWeights.Read(config.Json, config.FilePath);
        var indexFile = ModelFiles.Find(folder, weights?.CorpusIndex ?? "corpus.infinigram",
            "the corpus ∞-gram index that config.json's \"hybrid\" section names", ModelFiles.CorpusIndexMaxBytes, required: weights is not null);
        if (indexFile is null) return (null, HybridWeights.Default("corpus.infinigram"));
        var corpus = SuffixArrayIndex.Open(indexFile);
        if (corpus.VocabSize > config.VocabSize)
        {
            corpus.Dispose();
            throw new ModelLoadException($"{indexFile}: its vocabulary ({corpus.VocabSize} ids) is larger than the model's ({config.VocabSize}).");
        }
        return (corpus, weights ?? HybridWeights.Default(Path.GetFileName(indexFile)));
    }

    /// <summary>The mixture of one request: the corpus index and the user's text as seen from <paramref name="textBefore"/>'s
    /// end in the document of <paramref name="documentKey"/> (the text after the cursor is hidden, or it would be suggested
    /// back; see <see cref="UserTextIndex.CountsFor"/>).</summary>
    private HybridScorer? Scorer(string? documentKey, string textBefore)
    {
        if (_hybrid is null) return null;
        var scorer = new HybridScorer(_hybrid, _corpus, UserText.CountsFor(documentKey, textBefore));
        return scorer.Active ? scorer : null;
    }

    /// <summary>The decoder state after <paramref name="context"/> (KV from the prefix cache), mixed by <paramref name="scorer"/>.</summary>
    private IDecoderState Open(string cacheKey, HybridScorer? scorer, int[] context, CancellationToken cancellationToken)
    {
        var state = _cache.Open(cacheKey, context, cancellationToken);
        return scorer is null ? state : new HybridDecoderState(state, scorer, context);
    }

    /// <summary>For a search whose at most <paramref name="maxRows"/> rows only branch and advance (next words, beams): its
    /// rows as the nodes of a tree in the context's own cache (<see cref="TreeDecoderState"/>) when the graph runs trees and
    /// the position table has room for <paramref name="maxTokens"/> steps of them, else <see cref="Open"/>'s batch of rows.
    /// The same distributions either way.</summary>
    private IDecoderState OpenSearch(string cacheKey, HybridScorer? scorer, int[] context, int maxRows, int maxTokens, CancellationToken cancellationToken)
    {
        if (!_session.RunsTrees || !UseTrees || TreeDecoderState.Room(_session.Config, context.Length, maxRows) < maxTokens)
            return Open(cacheKey, scorer, context, cancellationToken);
        var state = _cache.OpenTree(cacheKey, context, maxRows, cancellationToken);
        return scorer is null ? state : new HybridDecoderState(state, scorer, context);
    }

    /// <summary>Whether searches run as trees when the graph can (tests and benchmarks compare with the batch of rows).</summary>
    internal bool UseTrees { get; set; } = true;

    /// <summary>
    /// Where a suggestion's probability comes from: <see cref="SuggestionSource.UserShare"/> is the part of its probability
    /// that would vanish without the user's text (1 − P(without it) / P(with it)), <see cref="SuggestionSource.CorpusShare"/>
    /// the same for the bundled corpus, and <see cref="SuggestionSource.Seen"/> the user's documents that contain it.
    /// </summary>
    /// <param name="documentKey">The document's key, as for the other requests.</param>
    /// <param name="textBeforeCursor">Text before the cursor.</param>
    /// <param name="continuation">The text the suggestion inserts at the cursor (after any part of the word already typed).</param>
    /// <param name="cancellationToken">Cancels the model call.</param>
    public SuggestionSource Explain(string documentKey, string textBeforeCursor, string continuation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(textBeforeCursor);
        ArgumentNullException.ThrowIfNull(continuation);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        var passage = Encoding.UTF8.GetString(healed.Constraint.Required) + continuation;
        var ids = _tokenizer.Encode(passage, atDocumentStart: false);
        if (ids.Length == 0 || _hybrid is null) return SuggestionSource.None;
        using var state = _cache.Open(documentKey, healed.Context, cancellationToken);
        if (ids.Length > state.RemainingPositions) ids = ids[..state.RemainingPositions];
        var raw = state.ScoreContinuations([ids], cancellationToken)[0];
        var user = UserText.CountsFor(documentKey, textBeforeCursor);
        double Total(ITokenCounts? corpus, ITokenCounts? userCounts)
        {
            var scorer = new HybridScorer(_hybrid, corpus, userCounts);
            var history = healed.Context.Concat(ids).ToArray();
            double sum = 0;
            for (var j = 0; j < ids.Length; j++) sum += scorer.MixOne(history.AsSpan(0, healed.Context.Length + j), ids[j], raw[j]);
            return sum;
        }
        var full = Total(_corpus, user);
        var userShare = Math.Clamp(1 - Math.Exp(Total(_corpus, null) - full), 0, 1);
        var corpusShare = Math.Clamp(1 - Math.Exp(Total(null, user) - full), 0, 1);
        // A next word also takes a share from the user's word counts (WithUserWords): that part vanishes without the user's
        // text too, and the rest vanishes as the token-level share says, so without it 1 − (1 − s)(1 − u) of the word is left.
        var typedWord = (healed.TypedPrefix + continuation).Trim();
        if (typedWord.Length > 0 && WordChars.Split(typedWord).SingleOrDefault() == typedWord)
        {
            var wordShare = UserWordShare(documentKey, textBeforeCursor, typedWord);
            userShare = 1 - (1 - wordShare) * (1 - userShare);
            corpusShare *= 1 - wordShare;
        }
        var word = passage.TrimEnd();
        var seen = word.Trim().Length == 0 ? [] : UserText.Sources(_tokenizer.Encode(word, atDocumentStart: false));
        return new SuggestionSource(userShare, corpusShare, [.. seen.Select(s => new SourceDocument(s.DocumentKey, s.Count))]);
    }
}
