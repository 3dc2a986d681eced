using TransformerLsp.Engine;

namespace TransformerLsp.Server.Settings;

/// <summary>
/// Every setting under the `transformerLsp` section, with its default. The extension manifest (package.json,
/// contributes.configuration) is the contract: SettingsManifestContractTests checks every key, default and range
/// against this record and <see cref="SettingsReader"/>, and the reverse.
/// </summary>
internal sealed record ServerSettings
{
    /// <summary>Model folder; "" = default resolution (env TRANSFORMER_LSP_MODEL, bundled model/, dev checkout).</summary>
    public string ModelPath { get; init; } = "";
    public ExecutionProviderKind ExecutionProvider { get; init; } = ExecutionProviderKind.Cpu;
    /// <summary>0 lets ONNX Runtime choose.</summary>
    public int Threads { get; init; }
    /// <summary>
    /// Most tokens before the cursor the model sees; 0 = all its window allows. 160 by default: the default model's
    /// next-token loss is the same with 32 to 448 tokens of context (docs/benchmarks.md), and every decode step reads
    /// and copies the whole KV cache, so a shorter context is faster and lighter. Raise it for a model that uses more.
    /// </summary>
    public int ContextTokens { get; init; } = DefaultContextTokens;
    public const int DefaultContextTokens = 160;

    /// <summary>How the engine loads the model folder <paramref name="folder"/> under these settings, with the per-user
    /// graph cache (the server and the terminal mode load alike).</summary>
    public ModelOptions ModelOptionsFor(string folder) =>
        new(folder, ExecutionProvider, Threads, ContextTokens, GraphCacheFolder: ModelOptions.DefaultGraphCacheFolder());
    /// <summary>Continuations (ghost text, phrases, beams) never repeat a run of this many tokens: small models loop.</summary>
    public const int NoRepeatNgram = 3;
    /// <summary>Sampling (temperature above 0) keeps the <see cref="SamplingTopK"/> likeliest tokens, then the smallest set
    /// of them holding <see cref="SamplingTopP"/> of the probability.</summary>
    public const int SamplingTopK = 40;
    public const double SamplingTopP = 0.95;

    /// <summary>Where every suggested continuation stops (ghost text, beams, "Continue" actions; phrases narrow it).</summary>
    public StopConditions SuggestionStop => new(MaxTokens: MaxSuggestionTokens, AtSentenceEnd: true, AtNewline: true, NoRepeatNgram: NoRepeatNgram);
    /// <summary>Beams for inline completion, code actions and the beamSearch command.</summary>
    public int BeamWidth { get; init; } = 4;
    /// <summary>Longest ghost-text / "Continue" suggestion, in tokens.</summary>
    public int MaxSuggestionTokens { get; init; } = 16;
    /// <summary>0 = deterministic beam search; above 0 inline completion samples at this temperature.</summary>
    public double Temperature { get; init; }
    public IReadOnlyList<string> BlankMarkers { get; init; } = ["___", "[MASK]"];
    public IReadOnlyList<string> Languages { get; init; } = ["plaintext", "markdown", "latex", "restructuredtext", "git-commit"];
    /// <summary>Improbable-word diagnostics (blank hints are always on).</summary>
    public bool DiagnosticsEnable { get; init; } = true;
    /// <summary>
    /// Documents longer than this (UTF-16 code units) get no background diagnostics and no blank scan; completion,
    /// inline completion, hover and commands still work on a bounded window around the cursor. Guard, as Harper does.
    /// </summary>
    public int MaxDocumentSize { get; init; } = 1_000_000;
    /// <summary>Index the open documents (of the served languages) so suggestions learn the user's names and phrases as typed.</summary>
    public bool UserTextOpenDocuments { get; init; } = true;

    /// <summary>
    /// Opt-in: the workspace's text files (not only open documents) feed the user-text n-gram index, so names, terms
    /// and phrases from the user's notes are suggested. Off by default: reading a folder is something to ask for.
    /// Untrusted workspaces get open documents only (Workspace/WorkspaceTextIndexer.cs).
    /// </summary>
    public bool UserTextWorkspaceFiles { get; init; }
    /// <summary>File extensions read when <see cref="UserTextWorkspaceFiles"/> is on (lower case, with the dot): what writers keep notes in.</summary>
    public IReadOnlyList<string> UserTextExtensions { get; init; } = [".md", ".markdown", ".txt", ".text", ".rst", ".tex", ".adoc", ".asciidoc", ".org"];
    /// <summary>Most workspace files indexed: a notes folder has hundreds; a checkout of someone's docs, thousands.</summary>
    public int UserTextMaxFiles { get; init; } = 2000;
    /// <summary>Larger files are skipped: at this size a file is a dump or a data file, not notes.</summary>
    public int UserTextMaxFileSizeKb { get; init; } = 512;
    /// <summary>Most text read from the workspace in all; bounds the index's memory (a few times the text).</summary>
    public int UserTextMaxTotalMb { get; init; } = 8;

    /// <summary>
    /// True when documents of <paramref name="languageId"/> get suggestions. Editors name the same languages
    /// differently (Neovim sends its filetype: text, tex, rst, gitcommit), so common aliases count as the VS Code id.
    /// </summary>
    public bool IsLanguageEnabled(string languageId)
    {
        var id = CanonicalLanguage(languageId);
        return Languages.Any(l => CanonicalLanguage(l) == id);
    }

    public static string CanonicalLanguage(string languageId) => languageId.Trim().ToLowerInvariant() switch
    {
        "text" or "txt" or "plain" or "plain_text" => "plaintext",
        "tex" or "latex" or "plaintex" => "latex",
        "rst" or "restructuredtext" => "restructuredtext",
        "gitcommit" or "git_commit" or "git-commit" => "git-commit",
        "md" or "markdown" or "pandoc" => "markdown",
        var other => other,
    };

    public string ProviderName => ExecutionProvider switch
    {
        ExecutionProviderKind.Cpu => "cpu",
        ExecutionProviderKind.Auto => "auto",
        ExecutionProviderKind.Cuda => "cuda",
        _ => "directml",
    };
}
