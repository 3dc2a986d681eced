using System.Text;
using System.Text.Json;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Handlers.Completion;
using TransformerLsp.Server.Handlers.Workspace.Commands;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Terminal;

/// <summary>
/// `transformer-lsp complete|beam|fill|next "text"`: the same results the editor gets, for the README demo and scripts.
/// The cursor is at the end of the text; `fill` fills the first blank marker. `--json` prints the LSP result objects.
/// </summary>
internal static class TerminalMode
{
    public const string Usage = """
        transformer-lsp --stdio                      serve LSP over stdin/stdout
        transformer-lsp complete "text" [options]    next words / phrases at the end of the text (the completion list)
        transformer-lsp beam "text" [options]        beam-search continuations with probabilities
        transformer-lsp fill "text with ___" [opts]  ranked fills for the first blank marker (___ or [MASK])
        transformer-lsp next "text" [options]        next-token distribution
        options: --model <folder>  --width <k>  --max-tokens <n>  --count <n>  --json
        model: --model, else $TRANSFORMER_LSP_MODEL, else <server dir>/model, else models/default above the server dir
        """;

    private static readonly string[] Verbs = ["complete", "beam", "fill", "next"];

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, Stream stdout)
    {
        var verb = args[0];
        string? text = null, modelPath = null;
        int? width = null, maxTokens = null, count = null;
        var json = false;
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (a)
            {
                case "--model": modelPath = Next(); break;
                case "--width": width = int.TryParse(Next(), out var w) ? w : null; break;
                case "--max-tokens": maxTokens = int.TryParse(Next(), out var m) ? m : null; break;
                case "--count": count = int.TryParse(Next(), out var c) ? c : null; break;
                case "--json": json = true; break;
                default: text = text is null ? a : text + " " + a; break;
            }
        }
        if (text is null)
        {
            if (Console.IsInputRedirected) text = await Console.In.ReadToEndAsync();
            else { await Console.Error.WriteLineAsync(Usage); return 2; }
        }

        var settings = new ServerSettings { ModelPath = modelPath ?? "" };
        settings = settings with { BeamWidth = Math.Clamp(width ?? settings.BeamWidth, 1, 16), MaxSuggestionTokens = Math.Clamp(maxTokens ?? settings.MaxSuggestionTokens, 1, 64) };
        var location = ModelLocator.Resolve(settings.ModelPath);
        if (location.Folder is null)
        {
            await Console.Error.WriteLineAsync("transformer-lsp: no model found. Looked at: " + string.Join("; ", location.Tried));
            return 1;
        }

        TextPredictor predictor;
        try
        {
            await Console.Error.WriteLineAsync($"loading model from {location.Folder} ({location.HowFound})…");
            var progress = new Progress<double>(p => Console.Error.Write($"\rloading {p * 100,3:0}%"));
            predictor = TextPredictor.Load(settings.ModelOptionsFor(location.Folder), progress);
            await Console.Error.WriteLineAsync($"\rmodel {predictor.ModelName} ready on {predictor.ProviderName}");
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"transformer-lsp: could not load the model from {location.Folder}: {e.Message}");
            return 1;
        }

        using (predictor)
        {
            var document = new TextDocumentSnapshot("untitled:terminal", "plaintext", 1, TextSanitizer.Clean(text));
            // As in the editor, the document is the user's text (userText.openDocuments): its words and phrases count.
            predictor.UserText.Set(document.Uri, document.Text);
            var end = document.Text.Length;
            object result;
            var output = new StringBuilder();
            switch (verb)
            {
                case "complete":
                    {
                        var list = CompletionHandler.Compute(predictor, document, end, settings, CancellationToken.None);
                        result = list;
                        foreach (var item in list.Items) output.AppendLine($"{item.LabelDetails?.Description,7}  {item.Label}");
                        break;
                    }
                case "beam":
                    {
                        var beams = BeamSearchCommand.Compute(predictor, document, end, settings.BeamWidth, settings.MaxSuggestionTokens, CancellationToken.None);
                        result = beams;
                        foreach (var b in beams.Beams) output.AppendLine($"{Formatting.Percent(b.Probability),7}  logp {b.LogProbability,8:0.000}  {Formatting.Short(b.Text, 200)}");
                        break;
                    }
                case "fill":
                    {
                        var blank = WordFinder.BlankMarkers(document.Text, settings.BlankMarkers).Cast<TextSpan?>().FirstOrDefault();
                        if (blank is null)
                        {
                            await Console.Error.WriteLineAsync($"transformer-lsp: the text has no blank marker ({string.Join(" or ", settings.BlankMarkers)})");
                            return 2;
                        }
                        var candidates = FillMaskCommand.Candidates(predictor, document, blank.Value, count ?? FillMaskCommand.DefaultCount, CancellationToken.None);
                        result = new FillMaskResult(candidates.Select(c => new FillCandidateInfo(c.Text, c.Probability, c.PassageLogLikelihood)).ToArray());
                        foreach (var c in candidates) output.AppendLine($"{Formatting.Percent(c.Probability),7}  {c.Text}");
                        break;
                    }
                default:
                    {
                        var tokens = NextTokensCommand.Compute(predictor, document, end, count ?? NextTokensCommand.DefaultCount, CancellationToken.None);
                        result = tokens;
                        foreach (var t in tokens.Tokens) output.AppendLine($"{Formatting.Percent(t.Probability),7}  {JsonSerializer.Serialize(t.Text, LspJsonContext.Default.String)}  (id {t.Id})");
                        break;
                    }
            }
            var printed = json ? JsonSerializer.Serialize(result, new JsonSerializerOptions(LspJson.Options) { WriteIndented = true }.GetTypeInfo(result.GetType())) + "\n" : output.ToString();
            var bytes = Encoding.UTF8.GetBytes(printed);
            await stdout.WriteAsync(bytes);
            await stdout.FlushAsync();
        }
        return 0;
    }
}
