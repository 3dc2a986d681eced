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
    /// <summary>Loads a model folder (config.json, model.onnx, tokenizer) and prepares a predictor.</summary>
    /// <exception cref="ModelLoadException">A file is missing, corrupt or does not match config.json.</exception>
    public static TextPredictor Load(ModelOptions options, IProgress<double>? progress = null) => throw new NotImplementedException();

    /// <summary>Human-readable model name (from config.json, else the folder name).</summary>
    public string ModelName => throw new NotImplementedException();

    /// <summary>The execution provider actually in use ("cpu", "cuda", "directml").</summary>
    public string ProviderName => throw new NotImplementedException();

    /// <summary>Next whole words after <paramref name="textBeforeCursor"/>; a partly typed word is completed by token healing.</summary>
    public NextWordResult NextWords(string documentKey, string textBeforeCursor, int count, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The k best continuations by beam search.</summary>
    public IReadOnlyList<Continuation> BeamSearch(string documentKey, string textBeforeCursor, BeamOptions options, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The greedy continuation.</summary>
    public Continuation Greedy(string documentKey, string textBeforeCursor, StopConditions stop, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>A sampled continuation (temperature, top-k, top-p), reproducible for a given seed.</summary>
    public Continuation Sample(string documentKey, string textBeforeCursor, StopConditions stop, double temperature, int topK, double topP, int seed, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Candidates for a blank between <paramref name="left"/> and <paramref name="right"/>, ranked with both sides.</summary>
    public IReadOnlyList<FillCandidate> FillIn(string documentKey, string left, string right, int count, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>How well <paramref name="word"/> fits between <paramref name="left"/> and <paramref name="right"/>, with alternatives.</summary>
    public WordFit ScoreWord(string documentKey, string left, string word, string right, int alternatives, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The next-token distribution after <paramref name="textBeforeCursor"/>, most probable first.</summary>
    public IReadOnlyList<TokenProbability> NextTokens(string documentKey, string textBeforeCursor, int count, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>log P(continuation | context) per token and in total.</summary>
    public Continuation Score(string context, string continuation, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Drops the prefix cache of a document (closed or its key reused).</summary>
    public void Forget(string documentKey) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose() { }
}
