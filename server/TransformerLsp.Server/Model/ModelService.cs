using Microsoft.Extensions.Logging;
using TransformerLsp.Engine;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Model;

internal enum ModelState { Loading, Ready, Error }

/// <summary>What the client is told in transformerLsp/status.</summary>
internal sealed record ModelStatus(ModelState State, string? Model = null, string? Provider = null, string? Message = null)
{
    public string StateName => State switch { ModelState.Loading => "loading", ModelState.Ready => "ready", _ => "error" };

    /// <summary>The transformerLsp/status notification for this status, with a request's latency when it reports one.</summary>
    public StatusParams ToParams(double? latencyMs = null) =>
        new(StateName, Model, Provider, Message, latencyMs is { } ms ? Math.Round(ms, 1) : null);
}

/// <summary>
/// Owns the loaded <see cref="TextPredictor"/>: loads it in the background, reports progress and status, swaps it on
/// settings changes.
/// </summary>
/// <remarks>
/// Loading runs off the inference thread so requests keep answering (with empty results) meanwhile. The predictor is
/// swapped and disposed on the inference thread, so no inference ever sees a disposed predictor. A missing or corrupt
/// model leaves the server up with state "error"; the user is told once per distinct problem via window/showMessage.
/// A load that fails while a model is serving (a bad new modelPath) keeps that model serving, and says so. A load
/// that takes longer than <see cref="LoadTimeout"/> is abandoned as a failure (its result, if it ever comes, is
/// disposed).
/// </remarks>
internal sealed class ModelService : IDisposable
{
    private readonly InferenceQueue _queue;
    private readonly ClientChannel _client;
    private readonly ILogger _logger;
    private readonly HashSet<string> _problemsShown = [];
    private int _generation;
    private TextPredictor? _predictor;
    private volatile ModelStatus _status = new(ModelState.Loading, Message: "waiting for initialize");

    public ModelService(InferenceQueue queue, ClientChannel client, ILogger logger)
    {
        _queue = queue;
        _client = client;
        _logger = logger;
    }

    /// <summary>How long a load may take before it is given up (the default model loads in about a second).</summary>
    public static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(120);

    public ModelStatus Status => _status;

    /// <summary>The predictor; read it only on the inference thread (inside <see cref="InferenceQueue"/> work).</summary>
    public TextPredictor? Predictor => _predictor;

    /// <summary>Raised after a newly loaded predictor has been swapped in (off the inference thread).</summary>
    public event Action? PredictorLoaded;

    /// <summary>Loads the model the settings point at, replacing the current one when it succeeds.</summary>
    public async Task LoadAsync(ServerSettings settings, bool progressSupported)
    {
        var gen = Interlocked.Increment(ref _generation);
        SetStatus(new ModelStatus(ModelState.Loading, Provider: settings.ProviderName, Message: "loading model"));
        ModelLocation location = new(null, "", []);
        var token = progressSupported ? $"transformerLsp/loadModel/{gen}" : null;
        try
        {
            if (settings.ModelPath?.Contains('\0') == true)
                throw new ModelLoadException("transformerLsp.modelPath contains a NUL character; expected the path of a model folder.");
            location = ModelLocator.Resolve(settings.ModelPath);
            if (location.Folder is null)
                throw new ModelLoadException("No model folder found. Looked at: " + string.Join("; ", location.Tried)
                    + ". Set transformerLsp.modelPath to a folder holding config.json, model.onnx and the tokenizer.");
            if (!Directory.Exists(location.Folder))
                throw new ModelLoadException($"Model folder {location.Folder} (from {location.HowFound}) does not exist.");

            if (token is not null && !await TryBeginProgressAsync(token, location.Folder).ConfigureAwait(false)) token = null;
            _logger.LogInformation("Loading model from {Folder} ({How}), provider {Provider}", location.Folder, location.HowFound, settings.ProviderName);

            var started = System.Diagnostics.Stopwatch.StartNew();
            var progress = new LoadProgress(p => { if (token is not null) _client.Notify(LspMethods.Progress, new ProgressParams<WorkDoneProgressReport>(token, new WorkDoneProgressReport(null, (int)Math.Round(p * 100)))); });
            var folder = location.Folder;
            var loading = Task.Run(() => TextPredictor.Load(settings.ModelOptionsFor(folder), progress));
            TextPredictor loaded;
            try
            {
                loaded = await loading.WaitAsync(LoadTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _ = loading.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                throw new ModelLoadException($"Loading the model from {folder} took longer than {LoadTimeout.TotalSeconds:0} s and was given up (a file that never ends, a stalled disk?).");
            }

            var current = await _queue.RunAsync(null, null, WorkPriority.Interactive, _ =>
            {
                if (gen != Volatile.Read(ref _generation)) { loaded.Dispose(); return false; }
                _predictor?.Dispose();
                _predictor = loaded;
                return true;
            }).ConfigureAwait(false);
            if (!current) return;
            PredictorLoaded?.Invoke();
            _logger.LogInformation("Model {Model} ready on {Provider} in {Ms} ms ({GraphCache})", loaded.ModelName, loaded.ProviderName, started.ElapsedMilliseconds, loaded.GraphCacheNote ?? "no graph cache");
            _client.LogMessage(MessageType.Info, $"transformer-lsp: model {loaded.ModelName} from {location.Folder} ({location.HowFound}) ready on {loaded.ProviderName} in {started.ElapsedMilliseconds} ms");
            EndProgress(token, "ready");
            SetStatus(new ModelStatus(ModelState.Ready, loaded.ModelName, loaded.ProviderName, $"loaded from {location.Folder}"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (gen != Volatile.Read(ref _generation)) return;
            var message = e is ModelLoadException ? e.Message : $"Could not load the model from {location.Folder ?? "(none)"}: {e.GetType().Name}: {e.Message}";
            _logger.LogError("{Message}", message);
            EndProgress(token, "failed");
            bool first;
            lock (_problemsShown) first = _problemsShown.Add(message);
            (string Name, string Provider)? kept;
            try
            {
                // A model already serving keeps serving: a bad new path must not switch off a working model.
                kept = await _queue.RunAsync(null, null, WorkPriority.Interactive,
                    _ => _predictor is null ? ((string, string)?)null : (_predictor.ModelName, _predictor.ProviderName)).ConfigureAwait(false);
            }
            catch (WorkCancelledException)
            {
                return; // shutting down
            }
            if (kept is { } old)
            {
                SetStatus(new ModelStatus(ModelState.Ready, old.Name, old.Provider, $"kept {old.Name}; the new model failed to load: {message}"));
                if (first) _client.ShowMessage(MessageType.Warning, "Transformer LSP: " + message + $" Still using {old.Name}.");
                return;
            }
            SetStatus(new ModelStatus(ModelState.Error, Provider: settings.ProviderName, Message: message));
            if (first) _client.ShowMessage(MessageType.Error, "Transformer LSP: " + message + " Suggestions are off until a model loads.");
        }
    }

    private async Task<bool> TryBeginProgressAsync(string token, string folder)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.RequestAsync(LspMethods.WorkDoneProgressCreate, new WorkDoneProgressCreateParams(token), timeout.Token).ConfigureAwait(false);
            _client.Notify(LspMethods.Progress, new ProgressParams<WorkDoneProgressBegin>(token, new WorkDoneProgressBegin("Loading language model", Path.GetFileName(folder.TrimEnd('/', '\\')), 0)));
            return true;
        }
        catch (Exception e)
        {
            _logger.LogDebug("No progress reporting: {Message}", e.Message);
            return false;
        }
    }

    private void EndProgress(string? token, string message)
    {
        if (token is not null) _client.Notify(LspMethods.Progress, new ProgressParams<WorkDoneProgressEnd>(token, new WorkDoneProgressEnd(message)));
    }

    private void SetStatus(ModelStatus next)
    {
        _status = next;
        _client.SendStatus(next.ToParams());
    }

    /// <summary>Disposes the predictor once the inference queue has stopped (never under a running inference).</summary>
    public void Dispose()
    {
        Interlocked.Increment(ref _generation);
        _queue.Dispose();
        if (!_queue.IsStopped)
        {
            _logger.LogWarning("Inference did not stop in time; leaving the model to the process exit");
            return;
        }
        _predictor?.Dispose();
        _predictor = null;
    }

    // Reports at most every 2 percentage points so a fast loader does not flood the client.
    private sealed class LoadProgress(Action<double> report) : IProgress<double>
    {
        private readonly object _gate = new();
        private int _lastPercent = -100;

        public void Report(double value)
        {
            var percent = (int)Math.Round(Math.Clamp(value, 0, 1) * 100);
            lock (_gate)
            {
                if (percent - _lastPercent < 2 && percent < 100) return;
                _lastPercent = percent;
            }
            report(value);
        }
    }
}
