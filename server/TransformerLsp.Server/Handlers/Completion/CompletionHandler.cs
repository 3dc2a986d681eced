using System.Diagnostics;
using TransformerLsp.Engine;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.Completion;

/// <summary>
/// textDocument/completion: the next words at the cursor (a partly typed word is completed by token healing) plus a
/// few multi-word phrases from beam search, ranked by probability. Plain text only; isIncomplete so the editor asks
/// again as the user types.
/// </summary>
internal sealed class CompletionHandler(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model) : IRequestHandler<CompletionParams, CompletionList>
{
    public const int WordCount = 10;
    public const int PhraseCount = 3;
    public const int PhraseMaxWords = 3;

    public string Method => LspMethods.Completion;
    public bool MutatesState => false;

    public async Task<CompletionList> HandleAsync(CompletionParams request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (ServedPosition.Find(documents, currentSettings(), request.TextDocument.Uri, request.Position) is not (var document, var offset, var settings))
            return CompletionList.Empty;
        var result = await model.RunAsync(document.Uri, Method, WorkPriority.Interactive, CompletionList.Empty,
            (predictor, token) => Compute(predictor, document, offset, settings, token), cancellationToken).ConfigureAwait(false);
        model.ReportLatency(started);
        return result;
    }

    /// <summary>The completion list at <paramref name="offset"/>; the terminal mode prints the same list.</summary>
    public static CompletionList Compute(TextPredictor predictor, TextDocumentSnapshot document, int offset, ServerSettings settings, CancellationToken cancellationToken)
    {
        var left = TextContext.Left(document.Text, offset);
        var next = predictor.NextWords(document.Uri, left, WordCount, cancellationToken);
        var typed = next.TypedPrefix ?? "";
        var start = offset - typed.Length;
        if (start < 0 || string.CompareOrdinal(document.Text, start, typed, 0, typed.Length) != 0)
        {
            start = WordFinder.WordStartBefore(document.Text, offset);
            typed = document.Text[start..offset];
        }
        var range = document.RangeOf(start, offset);

        var ranked = new List<(double Probability, CompletionItem Item)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in next.Words)
        {
            if (string.IsNullOrWhiteSpace(word.Word) || !seen.Add(word.Word)) continue;
            var pct = Formatting.Percent(word.Probability);
            ranked.Add((word.Probability, new CompletionItem
            {
                Label = word.Word,
                LabelDetails = new CompletionItemLabelDetails(Description: pct),
                Detail = $"{pct} next word",
                FilterText = word.Word,
                TextEdit = new TextEdit(range, word.Word),
                Data = new CompletionItemData(document.Uri, offset, word.Word.StartsWith(typed, StringComparison.Ordinal) ? word.Word[typed.Length..] : word.Word),
            }));
        }

        var phraseOptions = new BeamOptions(Math.Min(PhraseCount, settings.BeamWidth),
            settings.SuggestionStop with { MaxTokens = Math.Min(10, settings.MaxSuggestionTokens), MaxWords = PhraseMaxWords });
        // Phrases are searched at the start of the word and filtered as it is typed: one beam search per word, not per key.
        foreach (var beam in predictor.Phrases(document.Uri, left, phraseOptions, cancellationToken))
        {
            var phrase = (typed + beam.Text).TrimEnd();
            if (phrase.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 2 || !seen.Add(phrase)) continue;
            var probability = Formatting.Exp(beam.TotalLogProbability);
            var pct = Formatting.Percent(probability);
            ranked.Add((probability, new CompletionItem
            {
                Label = phrase.Trim(),
                LabelDetails = new CompletionItemLabelDetails(Description: pct),
                Detail = $"{pct} phrase (beam search)",
                FilterText = phrase,
                TextEdit = new TextEdit(range, phrase),
                Data = new CompletionItemData(document.Uri, offset, phrase.StartsWith(typed, StringComparison.Ordinal) ? phrase[typed.Length..] : phrase),
            }));
        }

        var items = ranked.OrderByDescending(r => r.Probability)
            .Select((r, i) => r.Item with { SortText = i.ToString("D4"), Preselect = i == 0 ? true : null })
            .ToArray();
        return new CompletionList(true, items);
    }
}
