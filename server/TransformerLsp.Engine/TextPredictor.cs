using System.Diagnostics;
using System.Text;
using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine;

/// <summary>
/// The engine's front door: text in, suggestions out. Keeps one prefix cache per document key so that
/// successive requests on the same document only run the tokens after the first changed position.
/// </summary>
/// <remarks>
/// Not thread-safe: callers run one inference at a time (the model is compute-bound). Every method checks the
/// cancellation token between model steps and throws <see cref="OperationCanceledException"/> when it fires.
/// Context is the last tokens before the cursor that fit the model window, so cost does not grow with document length.
/// </remarks>
public sealed class TextPredictor : IDisposable
{
    private const string ScoreKey = "\0score";
    private const int WordDistributionSize = 24;
    private const int LocalContextTokens = 128;
    private const int LocalChunk = 32;
    private readonly Dictionary<string, WordDistribution> _wordDistributions = [];
    private readonly Dictionary<(string Document, object Options), SearchMemo> _searchMemos = [];

    /// <summary>The last search on a document with given options (a BeamOptions or, for greedy, a StopConditions), by its
    /// exact inputs: decoding is deterministic, so the same healed context and constraint give the same continuations,
    /// and a repeated request costs no model call.</summary>
    private sealed record SearchMemo(int[] Context, byte[] Required, IReadOnlyList<Continuation> Result)
    {
        public bool Matches(HealedContext healed) =>
            Context.AsSpan().SequenceEqual(healed.Context) && Required.AsSpan().SequenceEqual(healed.Constraint.Required);
    }

    /// <summary>All next words after a context (and the lead bytes, e.g. the space, that start them), most probable first.</summary>
    /// <remarks><see cref="Typed"/>/<see cref="TypedWords"/>: the last search constrained to a typed prefix, reused while typing continues that prefix.</remarks>
    private sealed record WordDistribution(int[] Context, byte[] Lead, List<WordPrediction> Words, string Typed, List<WordPrediction> TypedWords);
    private readonly ModelConfig _config;
    private readonly TextTokenizer _tokenizer;
    private readonly TokenVocabulary _vocab;
    private readonly ModelSession _session;
    private readonly PrefixCache _cache;
    private readonly ContextWindow _window;

    private TextPredictor(ModelConfig config, TextTokenizer tokenizer, ModelSession session, int contextTokens)
    {
        _config = config;
        _tokenizer = tokenizer;
        _session = session;
        _vocab = new TokenVocabulary(tokenizer.AllTokenBytes(config.VocabSize), config.EosTokenId);
        _cache = new PrefixCache(session, capacity: 12);
        _window = new ContextWindow(tokenizer, config, contextTokens);
    }

    /// <summary>Loads a model folder (config.json, model.onnx, tokenizer) and prepares a predictor.</summary>
    /// <exception cref="ModelLoadException">A file is missing, corrupt or does not match config.json.</exception>
    public static TextPredictor Load(ModelOptions options, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = options.ModelFolder;
        if (!Directory.Exists(folder))
            throw new ModelLoadException($"{folder}: model folder not found; expected a folder with config.json, model.onnx and the tokenizer file(s).");
        var config = ModelConfig.Read(folder);
        progress?.Report(0.1);
        var tokenizer = TokenizerLoader.Load(folder, config);
        progress?.Report(0.3);
        var session = new ModelSession(Path.Combine(folder, "model.onnx"), config, options.Provider, options.Threads);
        progress?.Report(1.0);
        return new TextPredictor(config, tokenizer, session, options.ContextTokens);
    }

    /// <summary>Human-readable model name (from config.json, else the folder name).</summary>
    public string ModelName => _config.Name;

    /// <summary>The execution provider actually in use ("cpu", "cuda", "directml").</summary>
    public string ProviderName => _session.ProviderName;

    /// <summary>Why the provider in use differs from the one requested (e.g. CUDA not compiled in); null when it does not.</summary>
    public string? ProviderNote => _session.ProviderNote;

    /// <summary>The model's position table size (n_positions); context plus generation never exceeds it.</summary>
    public int ContextLength => _config.NPositions;

    /// <summary>Most context tokens the model sees before the cursor (<see cref="ModelOptions.ContextTokens"/>, bounded by the model).</summary>
    public int ContextTokens => _window.MaxTokens;

    /// <summary>Context tokens whose KV came from a document's prefix cache, and tokens that had to be computed, since load.</summary>
    public (long Reused, long Computed) CacheStatistics => (_cache.ReusedTokens, _cache.ComputedTokens);

    /// <summary>Next whole words after <paramref name="textBeforeCursor"/>; a partly typed word is completed by token healing.</summary>
    public NextWordResult NextWords(string documentKey, string textBeforeCursor, int count, CancellationToken cancellationToken = default)
    {
        if (count <= 0) return new NextWordResult(TokenHealing.TypedWord(textBeforeCursor), []);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        return PredictWords(documentKey, healed, count, cancellationToken);
    }

    /// <summary>
    /// Next words after a healed context. The distribution over all next words is computed once per context and then
    /// filtered as the word is typed ("w", "wh", "wha" reuse it without a model call); only when too few cached words
    /// match the typed prefix does a search constrained to it run.
    /// </summary>
    private NextWordResult PredictWords(string cacheKey, HealedContext healed, int count, CancellationToken cancellationToken)
    {
        var lead = healed.Constraint.Required[..healed.LeadBytes];
        var typed = healed.TypedPrefix;
        var enough = Math.Min(count, 3);
        if (!_wordDistributions.TryGetValue(cacheKey, out var cached) || !cached.Context.AsSpan().SequenceEqual(healed.Context) || !cached.Lead.AsSpan().SequenceEqual(lead))
        {
            var leadOnly = healed with { Constraint = new PrefixConstraint(lead), TypedPrefix = "" };
            cached = new WordDistribution(healed.Context, lead, SearchWords(cacheKey, leadOnly, WordDistributionSize, cancellationToken), "", []);
            _wordDistributions[cacheKey] = cached;
        }
        // The most specific distribution that still covers what was typed: the last constrained search (its best words for
        // a prefix of what is typed now, so any match will do), else the full one.
        List<WordPrediction> matches;
        if (cached.Typed.Length > 0 && typed.StartsWith(cached.Typed, StringComparison.Ordinal)
            && (matches = Matching(cached.TypedWords, typed)).Count >= 1) { }
        else if ((matches = Matching(cached.Words, typed)).Count >= enough || typed.Length == 0) { }
        else
        {
            matches = SearchWords(cacheKey, healed, Math.Max(count, 8), cancellationToken);
            _wordDistributions[cacheKey] = cached with { Typed = typed, TypedWords = matches };
        }
        var mass = matches.Sum(w => w.Probability);
        if (typed.Length == 0 || mass <= 0) mass = 1;
        return new NextWordResult(typed, [.. matches.Take(count).Select(w => new WordPrediction(w.Word, w.Probability / mass, Math.Log(w.Probability / mass)))]);
    }

    private static List<WordPrediction> Matching(List<WordPrediction> words, string typed) =>
        [.. words.Where(w => w.Word.StartsWith(typed, StringComparison.Ordinal))];

    private List<WordPrediction> SearchWords(string cacheKey, HealedContext healed, int count, CancellationToken cancellationToken)
    {
        using var state = _cache.Open(cacheKey, healed.Context, cancellationToken);
        // Width bounds the batch (each row copies the context's KV cache); a typed prefix leaves few candidates, so fewer rows.
        var words = NextWordSearch.Run(state, _vocab, healed.Constraint, count, healed.TypedPrefix.Length > 0 ? 4 : 8, maxTokens: 6, cancellationToken);
        var result = new List<WordPrediction>();
        foreach (var w in words)
        {
            var text = WordText(w.Tokens, healed);
            if (text.Length == 0 || result.Any(r => r.Word == text)) continue;
            result.Add(new WordPrediction(text, w.Probability, Math.Log(w.Probability)));
        }
        return result;
    }

    /// <summary>The k best continuations by beam search.</summary>
    /// <remarks>The last search per document is remembered by its exact inputs, so asking again at the same place
    /// (completion, inline completion and code actions at one cursor) runs the model once.</remarks>
    public IReadOnlyList<Continuation> BeamSearch(string documentKey, string textBeforeCursor, BeamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stop = options.Stop ?? new StopConditions();
        options = options with { Stop = stop };
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        if (_searchMemos.TryGetValue((documentKey, options), out var memo) && memo.Matches(healed)) return memo.Result;
        using var state = _cache.Open(documentKey, healed.Context, cancellationToken);
        var extender = new HypothesisExtender(_vocab, healed.Constraint, stop);
        var found = Decoding.BeamSearch.Run(state, extender, Math.Max(1, options.Width), MaxTokens(stop, healed), options.LengthPenalty, cancellationToken);
        Continuation[] result = [.. found.Select(h => ToContinuation(h, healed))];
        Remember((documentKey, options), new SearchMemo(healed.Context, healed.Constraint.Required, result));
        return result;
    }

    /// <summary>Keeps a search result; the memo is bounded (commands may ask with many different options).</summary>
    private void Remember((string, object) key, SearchMemo memo)
    {
        if (_searchMemos.Count >= 64 && !_searchMemos.ContainsKey(key)) _searchMemos.Clear();
        _searchMemos[key] = memo;
    }

    /// <summary>
    /// Multi-word phrases for a completion list: the beams from the start of the word being typed, filtered to those that
    /// continue what was typed. While a word is typed the search is not run again (the beams at its start are
    /// remembered), so only the first key of a word pays for it. <see cref="Continuation.Text"/> is the part after the cursor.
    /// </summary>
    public IReadOnlyList<Continuation> Phrases(string documentKey, string textBeforeCursor, BeamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(textBeforeCursor);
        var typed = TokenHealing.TypedWord(textBeforeCursor);
        var beams = BeamSearch(documentKey, textBeforeCursor[..^typed.Length], options, cancellationToken);
        return [.. beams.Where(b => b.Text.Length > typed.Length && b.Text.StartsWith(typed, StringComparison.Ordinal))
            .Select(b => b with { Text = b.Text[typed.Length..] })];
    }

    /// <summary>The greedy continuation (the last one per document is remembered by its exact inputs, as for beam search).</summary>
    public Continuation Greedy(string documentKey, string textBeforeCursor, StopConditions stop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        if (_searchMemos.TryGetValue((documentKey, stop), out var memo) && memo.Matches(healed)) return memo.Result[0];
        using var state = _cache.Open(documentKey, healed.Context, cancellationToken);
        var h = GreedySearch.Run(state, new HypothesisExtender(_vocab, healed.Constraint, stop), MaxTokens(stop, healed), cancellationToken);
        var result = ToContinuation(h, healed);
        Remember((documentKey, stop), new SearchMemo(healed.Context, healed.Constraint.Required, [result]));
        return result;
    }

    /// <summary>A sampled continuation (temperature, top-k, top-p), reproducible for a given seed.</summary>
    public Continuation Sample(string documentKey, string textBeforeCursor, StopConditions stop, double temperature, int topK, double topP, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        using var state = _cache.Open(documentKey, healed.Context, cancellationToken);
        var h = Sampler.Run(state, new HypothesisExtender(_vocab, healed.Constraint, stop), MaxTokens(stop, healed), temperature, topK, topP, seed, cancellationToken);
        return ToContinuation(h, healed);
    }

    /// <summary>Candidates for a blank between <paramref name="left"/> and <paramref name="right"/>, ranked with both sides.</summary>
    /// <remarks>Candidates come from the left context (whole next words), then all are re-ranked by the log-likelihood of
    /// left + candidate + right window in one batched model call. When <paramref name="left"/> ends inside a word, candidates
    /// complete it and <see cref="FillCandidate.Text"/> is the part to insert.</remarks>
    public IReadOnlyList<FillCandidate> FillIn(string documentKey, string left, string right, int count, CancellationToken cancellationToken = default)
    {
        if (count <= 0) return [];
        var candidates = FillInCandidates(documentKey, left, right, count, cancellationToken);
        return RankCandidates(documentKey, left, right, candidates, cancellationToken).Take(count).ToList();
    }

    /// <summary>The whole words <see cref="FillIn"/> would rank for the blank, before ranking (for measuring candidate recall).</summary>
    public IReadOnlyList<string> FillInCandidates(string documentKey, string left, string right, int count = 5, CancellationToken cancellationToken = default) =>
        PredictWords(LocalKey(documentKey), LocalContext(documentKey, left), Math.Clamp(count * 2, 8, 16), cancellationToken).Words.Select(w => w.Word).ToList();

    /// <summary>Whether <paramref name="word"/> between <paramref name="left"/> and <paramref name="right"/> deserves an
    /// improbable-word hint, and what to suggest instead.</summary>
    public WordCheck CheckWord(string documentKey, string left, string word, string right, CancellationToken cancellationToken = default) =>
        WordJudge.Judge(ScoreWord(documentKey, left, word, right, WordJudge.Alternatives, cancellationToken));

    /// <summary>
    /// Ranks given candidate words for the blank between <paramref name="left"/> and <paramref name="right"/> by the
    /// log-likelihood of the whole passage (left + candidate + right window), all candidates in one batched call.
    /// </summary>
    /// <param name="documentKey">Prefix-cache key of the document.</param>
    /// <param name="left">Text before the blank.</param>
    /// <param name="right">Text after the blank; only a window of it (about 24 tokens) is scored.</param>
    /// <param name="candidates">Whole words (including any part of the word already typed at the end of <paramref name="left"/>).</param>
    /// <param name="cancellationToken">Cancels between model calls.</param>
    public IReadOnlyList<FillCandidate> RankCandidates(string documentKey, string left, string right, IReadOnlyList<string> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var distinct = candidates.Where(c => c.Length > 0).Distinct().ToList();
        if (distinct.Count == 0) return [];
        var healed = LocalContext(documentKey, left);
        var lead = Encoding.UTF8.GetString(healed.Constraint.Required, 0, healed.LeadBytes);
        using var state = _cache.Open(LocalKey(documentKey), healed.Context, cancellationToken);
        var budget = state.RemainingPositions;
        var rightText = RightWindow(right, Math.Min(24, budget / 2));
        var documentStart = left.Length == 0;
        var passages = distinct.Select(c =>
        {
            var ids = _tokenizer.Encode(lead + c + rightText, documentStart);
            return ids.Length > budget ? ids[..budget] : ids;
        }).ToList();
        var ranked = PassageRanker.Rank(state, passages, cancellationToken);
        var typed = healed.TypedPrefix;
        return [.. ranked.Select(r =>
        {
            var word = distinct[r.Index];
            var insert = typed.Length > 0 && word.StartsWith(typed, StringComparison.Ordinal) ? word[typed.Length..] : word;
            return new FillCandidate(insert, r.Probability, r.LogLikelihood);
        })];
    }

    /// <summary>How well <paramref name="word"/> fits between <paramref name="left"/> and <paramref name="right"/>, with alternatives.</summary>
    public WordFit ScoreWord(string documentKey, string left, string word, string right, int alternatives, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(word);
        var candidates = PredictWords(LocalKey(documentKey), LocalContext(documentKey, left), Math.Clamp(alternatives * 2, 8, 16), cancellationToken).Words.Select(w => w.Word).ToList();
        candidates.Remove(word);
        candidates.Insert(0, word);
        var ranked = RankCandidates(documentKey, left, right, candidates, cancellationToken);
        var typed = TokenHealing.TypedWord(left);
        var self = ranked.FirstOrDefault(r => typed + r.Text == word || r.Text == word);
        return new WordFit(word, self?.Probability ?? 0, [.. ranked.Take(Math.Max(0, alternatives))]);
    }

    /// <summary>The next-token distribution after <paramref name="textBeforeCursor"/>, most probable first.</summary>
    public IReadOnlyList<TokenProbability> NextTokens(string documentKey, string textBeforeCursor, int count, CancellationToken cancellationToken = default)
    {
        using var state = _cache.Open(documentKey, _window.Tokens(textBeforeCursor, documentKey), cancellationToken);
        var lp = state.LogProbs(0).ToArray();
        return [.. LogProbMath.TopK(lp, count).Select(t => new TokenProbability(t, TokenText(t), Math.Exp(lp[t])))];
    }

    /// <summary>log P(continuation | context) per token and in total.</summary>
    /// <remarks>The continuation is tokenized as it follows the context (a token boundary at the join); tokens that would pass
    /// the model window are not scored.</remarks>
    public Continuation Score(string context, string continuation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        using var state = _cache.Open(ScoreKey, _window.Tokens(context, ScoreKey), cancellationToken);
        var ids = _tokenizer.Encode(continuation, atDocumentStart: context.Length == 0);
        if (ids.Length > state.RemainingPositions) ids = ids[..state.RemainingPositions];
        if (ids.Length == 0) return new Continuation(continuation, 0, [], []);
        var lp = state.ScoreContinuations([ids], cancellationToken)[0];
        return new Continuation(_vocab.Decode(ids), lp.Sum(x => (double)x), [.. ids.Select(TokenText)], [.. lp.Select(x => (double)x)]);
    }

    /// <summary>Drops the prefix cache of a document (closed or its key reused).</summary>
    public void Forget(string documentKey)
    {
        foreach (var key in new[] { documentKey, LocalKey(documentKey) })
        {
            _cache.Forget(key);
            _wordDistributions.Remove(key);
            foreach (var memo in _searchMemos.Keys.Where(k => k.Document == key).ToList()) _searchMemos.Remove(memo);
            _window.Forget(key);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cache.Dispose();
        _session.Dispose();
    }

    /// <summary>Fill-in and word scoring see only the last tokens before the blank: the ranking is local, and a short
    /// context keeps the batch of candidate rows (each a copy of the context's KV cache) cheap.</summary>
    private HealedContext LocalContext(string documentKey, string left)
    {
        var healed = TokenHealing.Heal(_window.Tokens(left, documentKey), _vocab, left);
        var n = healed.Context.Length;
        if (n <= LocalContextTokens) return healed;
        // Chunk-aligned start, so successive requests share the local prefix.
        var start = (n - LocalContextTokens + LocalChunk - 1) / LocalChunk * LocalChunk;
        return healed with { Context = healed.Context[start..] };
    }

    private static string LocalKey(string documentKey) => documentKey + "\0local";

    private int MaxTokens(StopConditions stop, HealedContext healed) =>
        Math.Max(1, Math.Min(stop.MaxTokens, _config.NPositions - healed.Context.Length));

    private string TokenText(int id) => Encoding.UTF8.GetString(_vocab.Bytes[id]);

    /// <summary>The whole word a candidate spells: its bytes after the lead (the space before the word), trimmed.</summary>
    private string WordText(int[] tokens, HealedContext healed)
    {
        var bytes = tokens.SelectMany(t => _vocab.Bytes[t]).ToArray();
        var lead = Math.Min(healed.LeadBytes, bytes.Length);
        return Encoding.UTF8.GetString(bytes, lead, bytes.Length - lead).Trim();
    }

    private Continuation ToContinuation(Hypothesis h, HealedContext healed)
    {
        var bytes = h.Tokens.SelectMany(t => _vocab.Bytes[t]).ToArray();
        var skip = Math.Min(healed.Constraint.Required.Length, bytes.Length);
        var text = Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
        if (h.End == EndReason.Newline && text.IndexOf('\n') is var nl and >= 0) text = text[..nl];
        Debug.Assert(h.Tokens.Length == h.LogProbs.Length);
        return new Continuation(text, h.Sum, [.. h.Tokens.Select(TokenText)], [.. h.LogProbs.Select(x => (double)x)]);
    }

    /// <summary>The start of <paramref name="right"/>, cut at a word boundary after about <paramref name="tokens"/> tokens' worth of characters.</summary>
    private static string RightWindow(string right, int tokens)
    {
        var max = Math.Max(0, tokens) * 4;
        if (right.Length <= max) return right;
        var cut = right.LastIndexOf(' ', max);
        return right[..(cut > 0 ? cut : max)];
    }
}
