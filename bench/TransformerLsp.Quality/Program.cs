using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using TransformerLsp.Bench;
using TransformerLsp.Engine;
using TransformerLsp.Quality;

// The suggestion-quality benchmark of issue 9. One command:
//   dotnet run -c Release --project bench/TransformerLsp.Quality -- [--quick] [--model models/default] [--json FILE]
//       [--docs DIR | --no-docs] [--label NAME] [--compare BEFORE.json] [--data DIR]
//       [--only next-word,fill-in,hints] [--length-penalty ALPHA] [--dump-checks FILE.tsv] [--no-ngrams] [--threads N]
// --only runs some parts (the others' figures are null); --length-penalty overrides the engine's default α for the beams;
// --dump-checks writes every hint check (set, kind, word, p, best, p_best, flagged, misspelling, suggestion, p_suggestion)
// as TSV, for calibrating the rule.
// --quick: the first 20 cases of each set for next word and fill-in, the first 6 hint passages of each set (CI: <= 3 minutes
// on 2 cores); otherwise every case. Progress on stderr, the summary on stdout.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Args.Parse(args);
var progress = Console.Error;
var started = DateTime.UtcNow;
var clock = Stopwatch.StartNew();

var quick = options.Has("--quick");
var root = RepoPaths.Root;
string Shown(string path) => Path.GetRelativePath(root, path) is { } r && !r.StartsWith("..", StringComparison.Ordinal) ? r : path;
string FromRoot(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(root, path));
var modelFolder = options.Value("--model") is { } m ? Path.GetFullPath(m) : FromRoot("models/default");
var dataFolder = options.Value("--data") is { } d ? Path.GetFullPath(d) : FromRoot("bench/quality");
var label = options.Value("--label") ?? "latest";
var jsonPath = options.Value("--json") is { } j ? Path.GetFullPath(j) : FromRoot($"bench/quality/results/quality-{label}.json");
const int ContextTokens = 160; // the server's default contextTokens
// --threads N: intra-op threads (default 2, the history's; another count measures that thread policy's latencies).
var threads = int.Parse(options.Value("--threads") ?? "2", CultureInfo.InvariantCulture);

// --quick must finish within 3 minutes on 2 cores: 20 next-word and fill-in cases per set, but 6 hint passages per set
// (a passage is ~95 words checked clean and ~95 corrupted, ~40 ms each).
var data = QualityData.Load(dataFolder, quick ? 20 : null, quick ? 6 : null);
var dictionary = WordList.Dictionary();
var lexicon = WordList.Lexicon(modelFolder);
if (dictionary is null) progress.WriteLine("no /usr/share/dict word lists (bench/TransformerLsp.Quality/install-deps.sh): nonword_rate_dictionary is null");
if (lexicon is null) progress.WriteLine($"no {Path.Combine(modelFolder, "lexicon.txt")}: nonword_rate_lexicon is null");
progress.WriteLine($"quality benchmark ({(quick ? "quick" : "full")}): model {modelFolder}, data {dataFolder}: "
    + $"{data.NextWord.Count} next-word, {data.FillIn.Count} fill-in, {data.Hints.Count} hint cases; sets {string.Join(", ", data.Sets)}");

// --no-ngrams: the transformer alone (no corpus ∞-gram, no user text), the baseline of the hybrid measured in the same build.
var ngrams = !options.Has("--no-ngrams");
using var predictor = TextPredictor.Load(new ModelOptions(modelFolder, Threads: threads, ContextTokens: ContextTokens, NGrams: ngrams));
var evaluation = new Evaluation(predictor, dictionary, lexicon, progress, quick ? 10 : 100);
if (options.Value("--length-penalty") is { } lp)
    Evaluation.Beams = Evaluation.Beams with { LengthPenalty = double.Parse(lp, CultureInfo.InvariantCulture) };
using var dump = options.Value("--dump-checks") is { } dumpPath ? new StreamWriter(Path.GetFullPath(dumpPath)) : null;
evaluation.CheckDump = dump;
var only = (options.Value("--only") ?? "next-word,fill-in,hints").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
foreach (var set in data.Sets) evaluation.Set(set);
if (only.Contains("next-word")) evaluation.RunNextWords(data.NextWord);
if (only.Contains("fill-in")) evaluation.RunFillIn(data.FillIn);
if (only.Contains("hints")) evaluation.RunHints(data.Hints);

var sets = new JsonObject();
foreach (var t in evaluation.Tallies) sets[t.Name] = t.ToJson();
var result = new JsonObject
{
    ["benchmark"] = "quality",
    ["label"] = label,
    ["timestamp"] = started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
    ["command_args"] = string.Join(' ', args),
    ["quick"] = quick,
    ["git_commit"] = GitCommit(root),
    ["machine"] = new JsonObject { ["cpu"] = CpuName(), ["cores"] = Environment.ProcessorCount, ["os"] = RuntimeInformation.OSDescription, ["runtime"] = RuntimeInformation.FrameworkDescription },
    ["model"] = new JsonObject { ["name"] = predictor.ModelName, ["ngrams"] = ngrams, ["corpus_index_tokens"] = predictor.CorpusIndexTokens, ["word_trigram_words"] = predictor.WordTrigramSize, ["folder"] = Shown(modelFolder), ["context_tokens"] = ContextTokens, ["threads"] = threads, ["provider"] = predictor.ProviderName },
    ["data"] = new JsonObject
    {
        ["folder"] = Shown(dataFolder),
        ["next_word_cases"] = data.NextWord.Count,
        ["fill_in_cases"] = data.FillIn.Count,
        ["hint_passages"] = data.Hints.Count,
    },
    ["settings"] = new JsonObject
    {
        ["top_k"] = Evaluation.TopK,
        ["beam_width"] = Evaluation.Beams.Width,
        ["length_penalty"] = Evaluation.Beams.LengthPenalty,
        ["max_tokens"] = Evaluation.Stop.MaxTokens,
        ["no_repeat_ngram"] = Evaluation.Stop.NoRepeatNgram,
        ["at_sentence_end"] = Evaluation.Stop.AtSentenceEnd,
        ["at_newline"] = Evaluation.Stop.AtNewline,
    },
    ["dictionary"] = dictionary is null ? null : new JsonObject { ["source"] = dictionary.Source, ["words"] = dictionary.Count },
    ["lexicon"] = lexicon is null ? null : new JsonObject { ["source"] = Shown(lexicon.Source), ["words"] = lexicon.Count },
    ["sets"] = sets,
    ["duration_s"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
};

Report.WriteJson(result, jsonPath);
progress.WriteLine($"wrote {jsonPath}");
var before = options.Value("--compare") is { } c ? JsonNode.Parse(File.ReadAllText(c))!.AsObject() : null;
if (!options.Has("--no-docs"))
{
    var docs = options.Value("--docs") is { } dd ? Path.GetFullPath(dd) : Path.Combine(root, "docs");
    var md = Path.Combine(docs, "quality.md");
    Report.WriteMarkdown(result, before, md, chartFile: null);
    progress.WriteLine($"wrote {md}");
}
Console.Out.Write(Report.SummaryTable(result));
progress.WriteLine($"done in {clock.Elapsed.TotalSeconds:F0} s");
return 0;

static string CpuName()
{
    try
    {
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
            if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
    }
    catch (IOException) { }
    catch (UnauthorizedAccessException) { }
    return RuntimeInformation.ProcessArchitecture.ToString();
}

static string? GitCommit(string root)
{
    try
    {
        var psi = new ProcessStartInfo("git") { ArgumentList = { "-C", root, "rev-parse", "--short", "HEAD" }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return p.ExitCode == 0 && output.Length > 0 ? output : null;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return null;
    }
}

/// <summary>--flag and --key value pairs.</summary>
internal sealed class Args
{
    private readonly Dictionary<string, string?> _values = [];
    private static readonly HashSet<string> Flags = ["--quick", "--no-docs", "--no-ngrams"];
    private static readonly HashSet<string> Keys = ["--model", "--json", "--docs", "--label", "--compare", "--data", "--length-penalty", "--only", "--dump-checks", "--threads"];

    public static Args Parse(string[] args)
    {
        var a = new Args();
        for (var i = 0; i < args.Length; i++)
        {
            if (Flags.Contains(args[i])) a._values[args[i]] = null;
            else if (Keys.Contains(args[i]) && i + 1 < args.Length) a._values[args[i]] = args[++i];
            else throw new ArgumentException($"unknown argument {args[i]} (options: {string.Join(", ", Flags.Concat(Keys))})");
        }
        if (a.Has("--docs") && a.Has("--no-docs")) throw new ArgumentException("--docs and --no-docs exclude each other");
        return a;
    }

    public bool Has(string flag) => _values.ContainsKey(flag);
    public string? Value(string key) => _values.TryGetValue(key, out var v) ? v : null;
}
