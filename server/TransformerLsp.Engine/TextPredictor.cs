using System.Diagnostics;
using System.Text;
using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Tokenization;
using TransformerLsp.Engine.Words;

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
public sealed partial class TextPredictor : IDisposable
{
    private const string ScoreKey = "\0score";
    private const int WordDistributionSize = 24;
    private readonly Dictionary<string, WordDistribution> _wordDistributions = [];
    private readonly Dictionary<(string Document, object Options), SearchMemo> _searchMemos = [];

    /// <summary>The last search on a document with given options (a BeamOptions or, for greedy, a StopConditions), by its
    /// exact inputs: decoding is deterministic, so the same healed context and constraint give the same continuations,
    /// and a repeated request costs no model call.</summary>
    private sealed record SearchMemo(int[] Context, byte[] Required, IReadOnlyList<Continuation> Result, long UserGeneration)
    {
        public bool Matches(HealedContext healed, long userGeneration) =>
            Context.AsSpan().SequenceEqual(healed.Context) && Required.AsSpan().SequenceEqual(healed.Constraint.Required)
            && UserGeneration == userGeneration;
    }

    /// <summary>All next words after a context (and the lead bytes, e.g. the space, that start them), most probable first.</summary>
    /// <remarks><see cref="Typed"/>/<see cref="TypedWords"/>: the last search constrained to a typed prefix, reused while typing continues that prefix.</remarks>
    private sealed record WordDistribution(int[] Context, byte[] Lead, List<WordPrediction> Words, string Typed, List<WordPrediction> TypedWords, long UserGeneration);
    private readonly ModelConfig _config;
    private readonly TextTokenizer _tokenizer;
    private readonly TokenVocabulary _vocab;
    private readonly ModelSession _session;
    private readonly PrefixCache _cache;
    private readonly ContextWindow _window;
    private readonly Lexicon _lexicon;
    private readonly SuffixArrayIndex? _corpus;
    private readonly HybridWeights? _hybrid;
    private readonly Dictionary<string, int[]> _spellings = [];
    /// <summary>Tokens that are a whole lexicon word after a space ("▁whale"), with that word: fill-in candidates read off one distribution.</summary>
    private readonly (int Token, string Word)[] _wordTokens;

    /// <summary><see cref="ModelOptions.SpeculativeTokens"/>.</summary>
    private int SpeculativeTokens { get; init; }

    private TextPredictor(ModelConfig config, TextTokenizer tokenizer, ModelSession session, int contextTokens, Lexicon lexicon,
        SuffixArrayIndex? corpus, HybridWeights? hybrid)
    {
        _corpus = corpus;
        _hybrid = hybrid;
        _config = config;
        _tokenizer = tokenizer;
        _session = session;
        _lexicon = lexicon;
        _vocab = new TokenVocabulary(tokenizer.AllTokenBytes(config.VocabSize), config.EosTokenId);
        _cache = new PrefixCache(session, capacity: 12);
        _window = new ContextWindow(tokenizer, config, contextTokens);
        UserText = new NGrams.UserTextIndex(tokenizer, config.VocabSize);
        _wordTokens = [.. Enumerable.Range(0, _vocab.Count)
            .Where(t => _vocab.Bytes[t] is [(byte)' ', _, ..] && !_vocab.WordBytes[t].AsSpan(1).Contains(false))
            .Select(t => (t, Encoding.UTF8.GetString(_vocab.Bytes[t], 1, _vocab.Bytes[t].Length - 1)))
            .Where(w => !w.Item2.Contains('\uFFFD', StringComparison.Ordinal) && (lexicon.IsEmpty || lexicon.Contains(w.Item2)))];
    }

    /// <summary>The user's own text (open documents, by key) indexed with this model's tokenizer, so suggestions can learn
    /// the user's names and phrases as they are typed. Safe to update from any thread (see <see cref="NGrams.UserTextIndex"/>).</summary>
    public NGrams.UserTextIndex UserText { get; }

    /// <summary>The word gate of one request: canonical spellings, the lexicon, and the user's own text around the cursor, whose
    /// words are admitted — without the word being typed at the end of <paramref name="before"/> ("spl" is no word because
    /// it was typed).</summary>
    private WordGate Gate(string before, string after = "") =>
        new(_lexicon, text => _tokenizer.Encode(text, atDocumentStart: false), _spellings,
            before[..^TokenHealing.TypedWord(before).Length] + (after.Length > 0 ? " " + after : ""));

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
        // The ONNX Runtime session and the word trigram (12 MB parsed) load on threads of their own while this one reads the
        // tokenizer, the lexicon and the corpus index. Their own threads, not the pool's: a server's pool threads are taken
        // by its JSON-RPC loops, so pool work items waited for a free thread and ran one after the other on this one (the
        // Native AOT server's load took 0.80 s; with its own threads 0.50 s, on 2 cores).
        // Their errors surface after those of the files read here, in the order a sequential load gave them.
        var sessionTask = OnOwnThread(() => new ModelSession(
            ModelFiles.Require(folder, "model.onnx", $"the ONNX decoder exported for config.json ({config.NLayer} layers, vocab {config.VocabSize})", ModelFiles.OnnxMaxBytes),
            config, options.Provider, options.Threads, options.SpinMicroseconds ?? ModelOptions.DefaultSpinMicroseconds, options.GraphCacheFolder));
        var trigramTask = options.NGrams ? OnOwnThread(() => LoadWordTrigram(folder, config)) : Task.FromResult<WordTrigramModel?>(null);
        SuffixArrayIndex? corpus = null;
        try
        {
            var tokenizer = TokenizerLoader.Load(folder, config);
            progress?.Report(0.3);
            var lexicon = Lexicon.Load(folder);
            (corpus, var hybrid) = options.NGrams ? LoadHybrid(folder, config) : (null, null);
            var wordTrigram = trigramTask.GetAwaiter().GetResult();
            var userWords = options.NGrams ? UserWordsSettings.Read(config.Json, config.FilePath) : new UserWordsSettings(0);
            progress?.Report(0.5);
            var session = sessionTask.GetAwaiter().GetResult();
            progress?.Report(1.0);
            return new TextPredictor(config, tokenizer, session, options.ContextTokens, lexicon, corpus, hybrid) { WordTrigramPart = wordTrigram, UserWordsPart = userWords, SpeculativeTokens = Math.Max(0, options.SpeculativeTokens) };
        }
        catch
        {
            corpus?.Dispose();
            // Nothing is left loading behind a failed load: wait for both (WaitAny does not throw their errors, so this
            // load's own error is the one reported) and release the session if it was made.
            Task.WaitAny(sessionTask);
            Task.WaitAny(trigramTask);
            if (sessionTask.IsCompletedSuccessfully) sessionTask.Result.Dispose();
            throw;
        }
    }

    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Human-readable model name (from config.json, else the folder name).</summary>
    public string ModelName => _config.Name;

    /// <summary>The execution provider actually in use ("cpu", "cuda", "directml").</summary>
    public string ProviderName => _session.ProviderName;

    /// <summary>Why the provider in use differs from the one requested (e.g. CUDA not compiled in); null when it does not.</summary>
    public string? ProviderNote => _session.ProviderNote;

    /// <summary>What the graph cache did at load (<see cref="ModelOptions.GraphCacheFolder"/>); null when none is used.</summary>
    public string? GraphCacheNote => _session.GraphCacheNote;

    /// <summary>The model's position table size (n_positions); context plus generation never exceeds it.</summary>
    public int ContextLength => _config.NPositions;

    /// <summary>Most context tokens the model sees before the cursor (<see cref="ModelOptions.ContextTokens"/>, bounded by the model).</summary>
    public int ContextTokens => _window.MaxTokens;

    /// <summary>Words in the model folder's lexicon (0: none shipped, every word is admitted).</summary>
    public int LexiconSize => _lexicon.Count;

    /// <summary>Context tokens whose KV came from a document's prefix cache, and tokens that had to be computed, since load.</summary>
    public (long Reused, long Computed) CacheStatistics => (_cache.ReusedTokens, _cache.ComputedTokens);

    /// <summary>ONNX Runtime runs of the model since load (for tests and benchmarks: speculative decoding saves runs).</summary>
    internal long ModelRuns => _session.Runs;

    /// <summary>Time inside ONNX Runtime's runs since load (benchmarks: how much of a request is the model itself).</summary>
    internal TimeSpan ModelRunTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, _session.RunTicks);

    /// <summary>Next whole words after <paramref name="textBeforeCursor"/>; a partly typed word is completed by token healing.</summary>
    public NextWordResult NextWords(string documentKey, string textBeforeCursor, int count, CancellationToken cancellationToken = default)
    {
        if (count <= 0) return new NextWordResult(TokenHealing.TypedWord(textBeforeCursor), []);
        var (typed, words) = NextWordMixture(documentKey, textBeforeCursor, count, mayRunModel: true, cancellationToken);
        return new NextWordResult(typed, [.. words.Where(w => w.Probability > 0).Take(count).Select(w => new WordPrediction(w.Word, w.Probability, Math.Log(w.Probability)))]);
    }

    /// <summary>
    /// Every candidate next word with its probability, most probable first: the engine's words (conditioned on the typed
    /// prefix), mixed with the word trigram when the folder has one, then with the user's own words
    /// (<see cref="WithUserWords"/>). With <paramref name="mayRunModel"/> false only remembered distributions are used.
    /// </summary>
    private (string Typed, List<UserMixedWord> Words) NextWordMixture(string documentKey, string textBeforeCursor, int count, bool mayRunModel, CancellationToken cancellationToken)
    {
        var (typed, words) = EngineNextWords(documentKey, textBeforeCursor, count, mayRunModel, cancellationToken);
        return (typed, WithUserWords(UserWordParts(documentKey, textBeforeCursor, typed, words)));
    }

    /// <summary>The next words before the user's words are mixed in: the engine's, with the word trigram when there is one
    /// (at <c>trigramWeight</c> in place of the folder's μ when given: κ is fitted with a newly fitted μ).</summary>
    private (string Typed, List<(string Word, double P)> Words) EngineNextWords(string documentKey, string textBeforeCursor, int count, bool mayRunModel, CancellationToken cancellationToken,
        double? trigramWeight = null)
    {
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        var gate = Gate(textBeforeCursor);
        List<(string Word, double P)> words;
        if (WordTrigramPart is not null && (trigramWeight ?? WordTrigramPart.Settings.NextWordWeight) > 0)
            words = [.. FusedNextWords(documentKey, textBeforeCursor, healed, count, gate, cancellationToken, mayRunModel, trigramWeight).Select(w => (w.Word, w.Probability))];
        else
        {
            var (_, matches, mass) = MatchingWords(documentKey, Scorer(documentKey, textBeforeCursor), healed, count, gate, cancellationToken, mayRunModel);
            words = [.. matches.Select(w => (w.Word, w.Probability / mass))];
        }
        return (healed.TypedPrefix, words);
    }

    // Next words after a healed context: the distribution over all next words is computed once per context and then
    // filtered as the word is typed ("w", "wh", "wha" reuse it without a model call); only when too few cached words match
    // the typed prefix does a search constrained to it run.

    /// <summary>The next words that continue what was typed, with their joint probabilities, and the mass they share
    /// (the typed prefix is conditioned on once, by dividing by it). With <c>mayRunModel</c> false the answer comes from the
    /// remembered distributions only (phrases are re-scored without a model call).</summary>
    private (string Typed, List<WordPrediction> Matches, double Mass) MatchingWords(string cacheKey, HybridScorer? scorer, HealedContext healed, int count, WordGate gate, CancellationToken cancellationToken, bool mayRunModel = true)
    {
        var lead = healed.Constraint.Required[..healed.LeadBytes];
        var typed = healed.TypedPrefix;
        var enough = Math.Min(count, 3);
        if (!_wordDistributions.TryGetValue(cacheKey, out var cached) || !cached.Context.AsSpan().SequenceEqual(healed.Context) || !cached.Lead.AsSpan().SequenceEqual(lead)
            || cached.UserGeneration != UserText.Generation)
        {
            if (!mayRunModel) return (typed, [], 1);
            var leadOnly = healed with { Constraint = new PrefixConstraint(lead), TypedPrefix = "" };
            cached = new WordDistribution(healed.Context, lead, SearchWords(cacheKey, scorer, leadOnly, WordDistributionSize, gate, cancellationToken), "", [], UserText.Generation);
            _wordDistributions[cacheKey] = cached;
        }
        // The most specific distribution that still covers what was typed: the last constrained search (its best words for
        // a prefix of what is typed now, so any match will do), else the full one.
        List<WordPrediction> matches;
        if (cached.Typed.Length > 0 && typed.StartsWith(cached.Typed, StringComparison.Ordinal)
            && (matches = Matching(cached.TypedWords, typed)).Count >= 1) { }
        else if ((matches = Matching(cached.Words, typed)).Count >= enough || typed.Length == 0 || !mayRunModel) { }
        else
        {
            matches = SearchWords(cacheKey, scorer, healed, Math.Max(count, 8), gate, cancellationToken);
            _wordDistributions[cacheKey] = cached with { Typed = typed, TypedWords = matches };
        }
        var mass = matches.Sum(w => w.Probability);
        if (typed.Length == 0 || mass <= 0) mass = 1;
        return (typed, matches, mass);
    }

    private static List<WordPrediction> Matching(List<WordPrediction> words, string typed) =>
        [.. words.Where(w => w.Word.StartsWith(typed, StringComparison.Ordinal))];

    private List<WordPrediction> SearchWords(string cacheKey, HybridScorer? scorer, HealedContext healed, int count, WordGate gate, CancellationToken cancellationToken)
    {
        // Width bounds the rows (the positions a step adds to the tree); a typed prefix leaves few candidates, so fewer rows.
        var width = healed.TypedPrefix.Length > 0 ? 6 : 8;
        const int maxTokens = 6;
        using var state = OpenSearch(cacheKey, scorer, healed.Context, width, maxTokens, cancellationToken);
        var words = NextWordSearch.Run(state, _vocab, healed.Constraint, gate, count, width, maxTokens, cancellationToken);
        return [.. words.Select(w => new WordPrediction(w.Text, w.Probability, Math.Log(w.Probability)))];
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
        if (_searchMemos.TryGetValue((documentKey, options), out var memo) && memo.Matches(healed, UserText.Generation)) return memo.Result;
        var width = Math.Max(1, options.Width);
        var maxTokens = MaxTokens(stop, healed);
        using var state = OpenSearch(documentKey, Scorer(documentKey, textBeforeCursor), healed.Context, width, maxTokens, cancellationToken);
        var extender = new HypothesisExtender(_vocab, healed.Constraint, stop, Gate(textBeforeCursor));
        var found = Decoding.BeamSearch.Run(state, extender, width, maxTokens, options.LengthPenalty, cancellationToken);
        Continuation[] result = [.. found.Select(h => ToContinuation(h, healed))];
        Remember((documentKey, options), new SearchMemo(healed.Context, healed.Constraint.Required, result, UserText.Generation));
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
    /// remembered), so only the first key of a word pays for it. <see cref="Continuation.Text"/> is the part after the cursor;
    /// <see cref="Continuation.TotalLogProbability"/> is conditioned on what was typed, on the same footing as the probabilities
    /// of <see cref="NextWords"/> (divided by the mass of the next words that continue the typed prefix).
    /// </summary>
    public IReadOnlyList<Continuation> Phrases(string documentKey, string textBeforeCursor, BeamOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(textBeforeCursor);
        var typed = TokenHealing.TypedWord(textBeforeCursor);
        var beams = BeamSearch(documentKey, textBeforeCursor[..^typed.Length], options, cancellationToken);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        var mass = MatchingWords(documentKey, null, healed, 8, Gate(textBeforeCursor), cancellationToken, mayRunModel: false).Mass;
        var logMass = typed.Length > 0 && mass > 0 ? Math.Log(mass) : 0;
        return [.. beams.Where(b => b.Text.Length > typed.Length && b.Text.StartsWith(typed, StringComparison.Ordinal))
            .Select(b => b with { Text = b.Text[typed.Length..], TotalLogProbability = b.TotalLogProbability - logMass })];
    }

    /// <summary>The greedy continuation (the last one per document is remembered by its exact inputs, as for beam search).</summary>
    public Continuation Greedy(string documentKey, string textBeforeCursor, StopConditions stop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        if (_searchMemos.TryGetValue((documentKey, stop), out var memo) && memo.Matches(healed, UserText.Generation)) return memo.Result[0];
        var gate = Gate(textBeforeCursor);
        var scorer = Scorer(documentKey, textBeforeCursor);
        var first = FirstWordSpelling(documentKey, scorer, healed, gate, cancellationToken, afterSpace: true);
        using var state = Open(documentKey, scorer, healed.Context, cancellationToken);
        var h = GreedySearch.Run(state, new HypothesisExtender(_vocab, healed.Constraint, stop, gate), MaxTokens(stop, healed), cancellationToken, first, SpeculativeTokens);
        var result = ToContinuation(h, healed);
        Remember((documentKey, stop), new SearchMemo(healed.Context, healed.Constraint.Required, [result], UserText.Generation));
        return result;
    }

    /// <summary>The tokens of the likeliest word that completes a typed prefix or, with <paramref name="afterSpace"/>, that
    /// follows a typed space (null otherwise): token-by-token decoding starts from them, since the likeliest first token can
    /// lead to no word at all (after "The wh" the likeliest is "▁wh"; after "meeting, " it can be a lone "▁", the start of
    /// numbers and rare capitals, whose mass no single word behind it has). The word comes from the remembered next-word
    /// distribution (the completion list at the same cursor has usually computed it; after a space it is used only when
    /// remembered); its tokens are the tokenizer's own spelling, which is the only one the word gate admits.</summary>
    private int[]? FirstWordSpelling(string documentKey, HybridScorer? scorer, HealedContext healed, WordGate gate, CancellationToken cancellationToken, bool afterSpace)
    {
        var lead = Encoding.UTF8.GetString(healed.Constraint.Required, 0, healed.LeadBytes);
        if (healed.TypedPrefix.Length == 0 && !(afterSpace && lead == " ")) return null;
        // After a space only a remembered distribution is used (the completion list at this cursor computes it): a word
        // search of its own would cost ghost text ~20 ms on every word; without one, decoding starts from the likeliest token.
        var typedNothing = healed.TypedPrefix.Length == 0;
        if (MatchingWords(documentKey, scorer, healed, 1, gate, cancellationToken, mayRunModel: !typedNothing).Matches is not [var best, ..]) return null;
        return _tokenizer.Encode(lead + best.Word, atDocumentStart: false);
    }

    /// <summary>A sampled continuation (temperature, top-k, top-p), reproducible for a given seed.</summary>
    public Continuation Sample(string documentKey, string textBeforeCursor, StopConditions stop, double temperature, int topK, double topP, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        var gate = Gate(textBeforeCursor);
        var scorer = Scorer(documentKey, textBeforeCursor);
        var first = FirstWordSpelling(documentKey, scorer, healed, gate, cancellationToken, afterSpace: false);
        using var state = Open(documentKey, scorer, healed.Context, cancellationToken);
        var h = Sampler.Run(state, new HypothesisExtender(_vocab, healed.Constraint, stop, gate), MaxTokens(stop, healed), temperature, topK, topP, seed, cancellationToken, first);
        return ToContinuation(h, healed);
    }

    /// <summary>The next-token distribution after <paramref name="textBeforeCursor"/>, most probable first.</summary>
    /// <remarks>Healed like every other request: after "next " the distribution is over tokens that begin with the typed space
    /// (" year", " few"), not what follows a lone space; after "The wh" over tokens that agree with " wh". Probabilities are
    /// conditioned on agreeing with the typed text, once: each is divided by the mass of all the tokens that agree.</remarks>
    public IReadOnlyList<TokenProbability> NextTokens(string documentKey, string textBeforeCursor, int count, CancellationToken cancellationToken = default)
    {
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        using var state = Open(documentKey, Scorer(documentKey, textBeforeCursor), healed.Context, cancellationToken);
        var lp = state.LogProbs(0).ToArray();
        healed.Constraint.Apply(lp, _vocab, 0);
        double mass = 0;
        foreach (var v in lp) if (!float.IsNegativeInfinity(v)) mass += Math.Exp(v);
        if (mass <= 0) mass = 1;
        return [.. LogProbMath.TopK(lp, count).Select(t => new TokenProbability(t, TokenText(t), Math.Exp(lp[t]) / mass))];
    }

    /// <summary>log P(continuation | context) per token and in total.</summary>
    /// <remarks>The continuation is tokenized as it follows the context (a token boundary at the join); tokens that would pass
    /// the model window are not scored.</remarks>
    public Continuation Score(string context, string continuation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var tokens = _window.Tokens(context, ScoreKey);
        using var state = Open(ScoreKey, Scorer(null, context), tokens, cancellationToken);
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
        _corpus?.Dispose();
    }

    private int MaxTokens(StopConditions stop, HealedContext healed) =>
        Math.Max(1, Math.Min(stop.MaxTokens, _config.NPositions - healed.Context.Length));

    private string TokenText(int id) => Encoding.UTF8.GetString(_vocab.Bytes[id]);

    private Continuation ToContinuation(Hypothesis h, HealedContext healed)
    {
        var bytes = h.Tokens.SelectMany(t => _vocab.Bytes[t]).ToArray();
        var skip = Math.Min(healed.Constraint.Required.Length, bytes.Length);
        var text = Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip);
        if (h.End == EndReason.Newline && text.IndexOf('\n') is var nl and >= 0) text = text[..nl];
        Debug.Assert(h.Tokens.Length == h.LogProbs.Length);
        return new Continuation(text, h.Sum, [.. h.Tokens.Select(TokenText)], [.. h.LogProbs.Select(x => (double)x)]);
    }
}
