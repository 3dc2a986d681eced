namespace TransformerLsp.Engine;

// The engine's public contract: plain records in, plain records out. The server, the CLI, the benchmarks and
// the tests use only these types and TextPredictor; nothing here knows of LSP, JSON or editors.

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProviderKind
{
    /// <summary>The CPU provider; always available.</summary>
    Cpu,
    /// <summary>The best provider compiled in and usable on this machine, falling back to CPU with a logged reason.</summary>
    Auto,
    /// <summary>CUDA (build with -p:OnnxRuntimeFlavor=cuda).</summary>
    Cuda,
    /// <summary>DirectML on Windows (build with -p:OnnxRuntimeFlavor=directml).</summary>
    DirectMl,
}

/// <summary>How to load a model folder.</summary>
/// <param name="ModelFolder">Folder holding config.json, model.onnx and the tokenizer file(s).</param>
/// <param name="Provider">Execution provider to use.</param>
/// <param name="Threads">Intra-op threads; 0 lets ONNX Runtime choose.</param>
/// <param name="ContextTokens">Most tokens before the cursor the model sees; 0 = as many as its position table allows
/// (n_positions less the room kept for generation). Fewer tokens make every decode step cheaper (each step reads and
/// copies the whole KV cache) at a cost in quality that depends on the model: see docs/benchmarks.md.</param>
/// <param name="NGrams">Mix the corpus ∞-gram (when the folder has one) and the user's text into every suggestion
/// (<see cref="TextPredictor.UserText"/>); false = the transformer alone (for comparisons).</param>
/// <param name="SpinMicroseconds">How long an idle ONNX Runtime worker thread spins for more work before it sleeps:
/// null = the engine's measured default (<see cref="DefaultSpinMicroseconds"/>), 0 = never spin (sleep at once),
/// -1 = ONNX Runtime's own unbounded iteration count. Spinning saves the wake-up of a sleeping worker at every
/// parallel operator of a decode step; the bound caps what it costs a machine the assistant shares.</param>
/// <param name="GraphCacheFolder">Where ONNX Runtime's optimised graph of a model is cached, so that a load after the
/// first maps it instead of optimising again (CPU only; 0.31 → 0.11 s for the default model's session on 2 cores);
/// null = no cache. <see cref="DefaultGraphCacheFolder"/> is the per-user place.</param>
/// <param name="SpeculativeTokens">Speculative greedy decoding: with each token it feeds, greedy decoding feeds up to this
/// many tokens the n-grams guess will follow, and keeps those the model itself would have chosen, all in one model run.
/// The continuation is the same as token by token (each guess is checked by making the same choice), in fewer runs when
/// the guesses are right; 0 = token by token.</param>
public sealed record ModelOptions(string ModelFolder, ExecutionProviderKind Provider = ExecutionProviderKind.Cpu, int Threads = 0, int ContextTokens = 0, bool NGrams = true, int? SpinMicroseconds = null,
    string? GraphCacheFolder = null, int SpeculativeTokens = ModelOptions.DefaultSpeculativeTokens)
{
    /// <summary>Guessed tokens checked with each token greedy decoding feeds (<see cref="SpeculativeTokens"/>).</summary>
    public const int DefaultSpeculativeTokens = 4;

    /// <summary>
    /// The per-user graph cache: <c>$TRANSFORMER_LSP_CACHE</c> when set ("off" turns the cache off), else
    /// <c>$XDG_CACHE_HOME/transformer-lsp/graphs</c> (<c>~/.cache</c> when unset) on Linux,
    /// <c>~/Library/Caches/transformer-lsp/graphs</c> on macOS, <c>%LOCALAPPDATA%\transformer-lsp\graphs</c> on Windows;
    /// null when none of these can be found.
    /// </summary>
    public static string? DefaultGraphCacheFolder()
    {
        var set = Environment.GetEnvironmentVariable("TRANSFORMER_LSP_CACHE");
        if (!string.IsNullOrEmpty(set)) return set.Equals("off", StringComparison.OrdinalIgnoreCase) ? null : Path.Combine(set, "graphs");
        string? root;
        if (OperatingSystem.IsWindows()) root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        else
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            root = OperatingSystem.IsMacOS() ? (home.Length > 0 ? Path.Combine(home, "Library", "Caches") : null)
                : !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg
                : home.Length > 0 ? Path.Combine(home, ".cache") : null;
        }
        return string.IsNullOrEmpty(root) ? null : Path.Combine(root, "transformer-lsp", "graphs");
    }

    /// <summary>The spin bound the engine uses unless told otherwise, chosen by the bench's thread-policy stage on
    /// latency and CPU time per request, quiet and beside a load, each request after the same idle gap
    /// (docs/decode.md, "Thread policy"). 500 µs spans the engine's own work between two decode steps (0.2–0.3 ms), so
    /// the workers do not sleep inside a request: after an idle editor a sleeping worker on a VM takes long to wake.
    /// In docs/decode.md's run, 100 µs made a quiet greedy request 32.2 ms where 500 µs gives 25.3 ms, for about the
    /// same CPU (48.9 and 46.2 ms).</summary>
    public const int DefaultSpinMicroseconds = 500;
}

/// <summary>A model folder that could not be loaded; the message names the file, what was expected and what was found.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One candidate for the next whole word.</summary>
/// <param name="Word">The whole word (no leading space), including the part the user already typed.</param>
/// <param name="Probability">P(word | left context), in [0, 1].</param>
/// <param name="LogProbability">Natural log of <paramref name="Probability"/>.</param>
public sealed record WordPrediction(string Word, double Probability, double LogProbability);

/// <summary>Next words at a cursor, with the partly typed word they complete.</summary>
/// <param name="TypedPrefix">Characters of the current word already typed before the cursor ("" at a word boundary).</param>
/// <param name="Words">Candidates, most probable first; each starts with <paramref name="TypedPrefix"/>.</param>
public sealed record NextWordResult(string TypedPrefix, IReadOnlyList<WordPrediction> Words);

/// <summary>One continuation found by beam search or greedy decoding.</summary>
/// <param name="Text">Text to insert at the cursor (completes a partly typed word first when there is one).</param>
/// <param name="TotalLogProbability">Sum of the per-token natural-log probabilities.</param>
/// <param name="Tokens">Token texts generated, in order.</param>
/// <param name="TokenLogProbabilities">Natural-log probability of each generated token.</param>
public sealed record Continuation(string Text, double TotalLogProbability, IReadOnlyList<string> Tokens, IReadOnlyList<double> TokenLogProbabilities);

/// <summary>A candidate for a blank, ranked with both sides of the blank.</summary>
/// <param name="Text">The word or words that fill the blank.</param>
/// <param name="Probability">Share of this candidate among all candidates scored (softmax of <paramref name="PassageLogLikelihood"/>).</param>
/// <param name="PassageLogLikelihood">log P(left + candidate + right window) summed over the candidate and right-window tokens.</param>
public sealed record FillCandidate(string Text, double Probability, double PassageLogLikelihood);

/// <summary>One entry of the next-token distribution.</summary>
public sealed record TokenProbability(int TokenId, string Text, double Probability);

/// <summary>How a word fits its context: used by hover and by diagnostics.</summary>
/// <param name="Word">The word scored.</param>
/// <param name="Probability">Share of the word among itself and the alternatives, ranked with both sides.</param>
/// <param name="Alternatives">Best alternatives for the position (both sides), most probable first; may include the word itself.</param>
public sealed record WordFit(string Word, double Probability, IReadOnlyList<FillCandidate> Alternatives);

/// <summary>The verdict on one word for the improbable-word hints (a proof-reader's flag).</summary>
/// <param name="Word">The word checked.</param>
/// <param name="Probability">Its probability in context, as shown to the user.</param>
/// <param name="Suggestion">The word the model would put there instead; null when the word is not flagged.</param>
/// <param name="SuggestionProbability">The suggestion's probability on the same footing as <paramref name="Probability"/>.</param>
/// <param name="Misspelling">The word is flagged as a misspelling of <paramref name="Suggestion"/> (not a word the model
/// knows, one edit from one it prefers), rather than as a wrong word.</param>
/// <param name="Best">The likeliest other word for the position, flagged or not (null when there is none).</param>
/// <param name="BestProbability">Its share, on the same footing as <paramref name="Probability"/>.</param>
public sealed record WordCheck(string Word, double Probability, string? Suggestion, double SuggestionProbability, bool Misspelling = false,
    string? Best = null, double BestProbability = 0)
{
    /// <summary>Whether the word gets a hint.</summary>
    public bool Flagged => Suggestion is not null;
}

/// <summary>When a continuation stops, and what it may not do on the way.</summary>
/// <param name="MaxTokens">Most tokens generated.</param>
/// <param name="AtSentenceEnd">Stop after a token that ends a sentence (. ! ? and closing quotes or brackets).</param>
/// <param name="AtNewline">Stop at a newline (it is not part of the text).</param>
/// <param name="MaxWords">Stop before a word past this many (0 = no limit).</param>
/// <param name="NoRepeatNgram">No run of this many tokens appears twice in a continuation (0 = allowed): small models loop
/// (", and the whale, and the whale, …"), and a token that would repeat a run is not chosen. When on, no word follows
/// itself and no word bigram appears twice either.</param>
public sealed record StopConditions(int MaxTokens = 16, bool AtSentenceEnd = true, bool AtNewline = true, int MaxWords = 0, int NoRepeatNgram = 0);

/// <summary>Beam-search settings.</summary>
/// <param name="Width">Beam width k (number of hypotheses kept and returned).</param>
/// <param name="Stop">Stop conditions.</param>
/// <param name="LengthPenalty">α of GNMT's length normalisation: hypotheses are ranked by sum(log p) / ((5 + length) / 6)^α;
/// 0 = the plain sum of the course notes, which lets the shortest finished beam win (57 % of searches on the test split).
/// The default, 1.5, was chosen with bench/TransformerLsp.Quality (docs/quality.md): it removes most of that bias while
/// beams still end at a sentence end; from α = 2 nearly every beam runs on to the token limit.</param>
public sealed record BeamOptions(int Width = 4, StopConditions? Stop = null, double LengthPenalty = 1.5);

/// <summary>A document of the user's text and how often it contains a suggestion.</summary>
public sealed record SourceDocument(string DocumentKey, int Count);

/// <summary>Where a suggestion's probability comes from (see <see cref="TextPredictor.Explain"/>).</summary>
/// <param name="UserShare">Part of its probability that would vanish without the user's text, in [0, 1].</param>
/// <param name="CorpusShare">Part that would vanish without the bundled corpus index, in [0, 1].</param>
/// <param name="Seen">The user's documents that contain it, most occurrences first.</param>
public sealed record SuggestionSource(double UserShare, double CorpusShare, IReadOnlyList<SourceDocument> Seen)
{
    /// <summary>Nothing to explain: the transformer alone.</summary>
    public static SuggestionSource None { get; } = new(0, 0, []);

    /// <summary>Total occurrences in the user's text.</summary>
    public int SeenCount => Seen.Sum(s => s.Count);
}
