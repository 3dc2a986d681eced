using System.Text.Json;
using Microsoft.Extensions.Logging;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Diagnostics;

/// <summary>
/// Publishes diagnostics: a hint on every blank marker (at once, no model needed) and, after a typing pause,
/// improbable words (a word whose share among the model's candidates for its position, ranked with both sides, is far
/// below the best alternative), each with a quick fix.
/// </summary>
/// <remarks>
/// <para>Word scoring runs on the inference queue at background priority, one word per item, so interactive requests
/// go first and preempt a running word (which is retried). An edit cancels the pass; diagnostics before the edit are
/// kept, the rest dropped until the next pass. Verdicts are cached by (left context tail, word, right context head),
/// so a pass after a small edit only scores the words around it.</para>
/// <para>Guards: at most <see cref="MaxWordsPerPass"/> words per pass, nearest the last edit first; documents over
/// maxDocumentSize get no diagnostics. Diagnostics are cleared on close, on shutdown and when the language or the
/// setting is switched off.</para>
/// </remarks>
internal sealed class DiagnosticsService : IDisposable
{
    public const string Source = "transformer-lsp";
    public const string BlankCode = "blank";
    public const string ImprobableWordCode = "improbable-word";
    public const int MaxWordsPerPass = 300;

    private readonly DocumentStore _documents;
    private readonly ModelService _model;
    private readonly InferenceQueue _queue;
    private readonly ClientChannel _client;
    private readonly Func<ServerSettings> _settings;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;
    private readonly object _gate = new();
    private readonly Dictionary<string, DocumentDiagnostics> _byUri = new(StringComparer.Ordinal);

    /// <param name="documents">The open documents.</param>
    /// <param name="model">The loaded model (a pass waits while it loads and stops when it is not ready).</param>
    /// <param name="queue">Where the passes' model work runs, as background work.</param>
    /// <param name="client">Where diagnostics are published.</param>
    /// <param name="settings">The current settings.</param>
    /// <param name="logger">Log.</param>
    /// <param name="shutdown">Ends every pass.</param>
    public DiagnosticsService(DocumentStore documents, ModelService model, InferenceQueue queue, ClientChannel client,
        Func<ServerSettings> settings, ILogger logger, CancellationToken shutdown)
    {
        _documents = documents;
        _model = model;
        _queue = queue;
        _client = client;
        _settings = settings;
        _logger = logger;
        _shutdown = shutdown;
    }

    /// <summary>Typing pause before improbable words are computed.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(500);

    public void OnDocumentChanged(TextDocumentSnapshot document, int changedFrom)
    {
        var settings = _settings();
        DocumentDiagnostics state;
        lock (_gate)
        {
            if (!_byUri.TryGetValue(document.Uri, out state!)) _byUri[document.Uri] = state = new DocumentDiagnostics();
            state.Pass?.Cancel();
            state.Pass = null;
            state.Words.RemoveAll(w => w.Span.End >= changedFrom);
            state.LastChange = changedFrom;
        }
        if (!settings.IsLanguageEnabled(document.LanguageId) || document.Text.Length > settings.MaxDocumentSize)
        {
            lock (_gate) state.Words.Clear();
            Publish(document, []);
            return;
        }
        Publish(document, BlankHints(document, settings));
        if (settings.DiagnosticsEnable) SchedulePass(document.Uri);
    }

    public void OnDocumentClosed(string uri)
    {
        lock (_gate)
        {
            if (_byUri.Remove(uri, out var state)) state.Pass?.Cancel();
        }
        _client.Notify(LspMethods.PublishDiagnostics, new PublishDiagnosticsParams(uri, []));
    }

    /// <summary>Settings changed: recompute every open document.</summary>
    public void RefreshAll()
    {
        foreach (var document in _documents.All) OnDocumentChanged(document, 0);
    }

    /// <summary>Shutdown: stop all passes and clear everything we published.</summary>
    public void ClearAll()
    {
        List<string> uris;
        lock (_gate)
        {
            foreach (var state in _byUri.Values) state.Pass?.Cancel();
            uris = [.. _byUri.Keys];
            _byUri.Clear();
        }
        foreach (var uri in uris) _client.Notify(LspMethods.PublishDiagnostics, new PublishDiagnosticsParams(uri, []));
    }

    public static Diagnostic[] BlankHints(TextDocumentSnapshot document, ServerSettings settings)
    {
        var result = new List<Diagnostic>();
        foreach (var blank in WordFinder.BlankMarkers(document.Text, settings.BlankMarkers, maxCount: 500))
        {
            var alone = document.Text.AsSpan(0, blank.Start).IsWhiteSpace() && document.Text.AsSpan(blank.End).IsWhiteSpace();
            result.Add(new Diagnostic
            {
                Range = document.RangeOf(blank.Start, blank.End),
                Severity = DiagnosticSeverity.Hint,
                Code = BlankCode,
                Source = Source,
                Message = alone
                    ? "Blank with no text around it: nothing to predict the fill from."
                    : "Blank: hover for ranked fills, or use a quick fix to fill it.",
            });
        }
        return [.. result];
    }

    private void Publish(TextDocumentSnapshot document, Diagnostic[] blanks)
    {
        Diagnostic[] words;
        lock (_gate)
        {
            if (!_byUri.TryGetValue(document.Uri, out var state)) return;
            state.Blanks = blanks;
            words = state.Words.Select(w => w.Diagnostic).ToArray();
        }
        _client.Notify(LspMethods.PublishDiagnostics, new PublishDiagnosticsParams(document.Uri, [.. blanks, .. words], document.Version));
    }

    private void SchedulePass(string uri)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        lock (_gate)
        {
            if (!_byUri.TryGetValue(uri, out var state)) { cts.Dispose(); return; }
            state.Pass = cts;
        }
        _ = RunPassAsync(uri, cts.Token);
    }

    private async Task RunPassAsync(string uri, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Debounce, cancellationToken).ConfigureAwait(false);
            while (_model.Status.State == ModelState.Loading) await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var document = _documents.Get(uri);
            if (document is null || _model.Status.State != ModelState.Ready) return;
            DocumentDiagnostics? state;
            lock (_gate) _byUri.TryGetValue(uri, out state);
            if (state is null) return;

            var blanks = WordFinder.BlankMarkers(document.Text, _settings().BlankMarkers);
            var words = WordFinder.Words(document.Text)
                .Where(w => w.Length >= 2 && w.Length <= 40 && document.Text.AsSpan(w.Start, w.Length).ContainsAnyExcept("0123456789"))
                .Where(w => !blanks.Any(b => b.Start < w.End && w.Start < b.End)) // "MASK" in "[MASK]" is no word
                .OrderBy(w => Math.Abs(w.Start - state.LastChange))
                .Take(MaxWordsPerPass)
                .OrderBy(w => w.Start)
                .ToList();
            var found = new List<(TextSpan, Diagnostic)>();
            foreach (var span in words)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await ScoreAsync(document, span, state, cancellationToken).ConfigureAwait(false) is { } diagnostic) found.Add((span, diagnostic));
            }
            lock (_gate)
            {
                if (cancellationToken.IsCancellationRequested) return;
                state.Words = found;
            }
            Publish(document, state.Blanks);
        }
        catch (OperationCanceledException)
        {
            // An edit, a close or shutdown: the next pass starts after the next pause.
        }
        catch (Exception e)
        {
            _logger.LogWarning("Diagnostics pass for {Uri} failed: {Message}", uri, e.Message);
        }
    }

    private async Task<Diagnostic?> ScoreAsync(TextDocumentSnapshot document, TextSpan span, DocumentDiagnostics state, CancellationToken cancellationToken)
    {
        var word = document.Text[span.Start..span.End];
        var left = TextContext.Left(document.Text, span.Start);
        var right = TextContext.Right(document.Text, span.End);
        var key = $"{left[Math.Max(0, left.Length - 300)..]}\u0001{word}\u0001{right[..Math.Min(120, right.Length)]}";
        WordCheck? verdict;
        lock (_gate)
        {
            if (!state.Cache.TryGetValue(key, out verdict)) verdict = null;
        }
        if (verdict is null)
        {
            while (true)
            {
                try
                {
                    verdict = await _queue.RunAsync(document.Uri, null, WorkPriority.Background, token =>
                    {
                        var predictor = _model.Predictor ?? throw new OperationCanceledException();
                        return predictor.CheckWord(CacheKeys.Background(document.Uri), left, word, right, token);
                    }, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (WorkCancelledException e) when (e.Reason == CancelReason.Yielded)
                {
                    // Preempted by an interactive request: score this word again.
                }
            }
            lock (_gate)
            {
                if (state.Cache.Count > 20_000) state.Cache.Clear();
                state.Cache[key] = verdict;
            }
        }
        if (verdict.Suggestion is null) return null;
        return new Diagnostic
        {
            Range = document.RangeOf(span.Start, span.End),
            Severity = DiagnosticSeverity.Information,
            Code = ImprobableWordCode,
            Source = Source,
            Message = verdict.Misspelling
                ? $"'{word}' looks misspelt: did you mean '{verdict.Suggestion}'? (unlikely here: {Formatting.Percent(verdict.Probability)}; '{verdict.Suggestion}' {Formatting.Percent(verdict.SuggestionProbability)})"
                : $"'{word}' is unlikely here ({Formatting.Percent(verdict.Probability)}); the model prefers '{verdict.Suggestion}' ({Formatting.Percent(verdict.SuggestionProbability)}).",
            Data = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["replacement"] = verdict.Suggestion }, LspJsonContext.Default.DictionaryStringString),
        };
    }

    public void Dispose() => ClearAll();

    private sealed class DocumentDiagnostics
    {
        public CancellationTokenSource? Pass;
        public Diagnostic[] Blanks = [];
        public List<(TextSpan Span, Diagnostic Diagnostic)> Words = [];
        public int LastChange;
        public readonly Dictionary<string, WordCheck> Cache = new(StringComparer.Ordinal);
    }
}
