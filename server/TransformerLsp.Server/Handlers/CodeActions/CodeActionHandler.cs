using System.Text.Json;
using TransformerLsp.Server.Diagnostics;
using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Handlers.InlineCompletion;
using TransformerLsp.Server.Handlers.Workspace.Commands;
using TransformerLsp.Server.Model;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers.CodeActions;

/// <summary>
/// textDocument/codeAction: "Fill blank with 'X' (p%)" on blank markers in the range, "Replace 'X' with 'Y'" for our
/// improbable-word diagnostics, and "Continue: …" for the top beams at an empty selection. Every action carries its
/// WorkspaceEdit (no server round trip).
/// </summary>
/// <remarks>A range whose end is before its start is -32602 InvalidParams. "Continue" actions are computed only for
/// explicitly invoked requests (CodeActionTriggerKind.Invoked), never for automatic light-bulb requests.</remarks>
internal sealed class CodeActionHandler(DocumentStore documents, Func<ServerSettings> currentSettings, ModelRunner model) : IRequestHandler<CodeActionParams, CodeAction[]>
{
    public const int FillCount = 5;
    public const int ContinueMaxTokens = 12;

    public string Method => LspMethods.CodeAction;
    public bool MutatesState => false;

    public async Task<CodeAction[]> HandleAsync(CodeActionParams request, CancellationToken cancellationToken)
    {
        if (request.Range?.Start is null || request.Range.End is null) throw new InvalidParamsException("codeAction: range is required");
        TextDocumentSnapshot.RequireForwards(request.Range, "codeAction");
        var document = documents.GetRequired(request.TextDocument.Uri);
        var settings = currentSettings();
        if (!settings.IsLanguageEnabled(document.LanguageId)) return [];
        int start = document.OffsetAt(request.Range.Start), end = document.OffsetAt(request.Range.End);
        var only = request.Context?.Only;
        bool Wanted(string kind) => only is null || only.Length == 0 || only.Any(o => kind == o || kind.StartsWith(o + ".", StringComparison.Ordinal));

        var actions = new List<CodeAction>();
        if (Wanted(CodeActionKinds.QuickFix)) actions.AddRange(QuickFixes(document, request.Context?.Diagnostics ?? []));

        var blanks = document.Text.Length <= settings.MaxDocumentSize || end - start < 10_000
            ? BlanksIn(document.Text, start, end, settings.BlankMarkers) : [];
        var wantFill = blanks.Count > 0 && Wanted(CodeActionKinds.QuickFix);
        // "Continue" runs a beam search: only when the user asks (triggerKind 1, or clients that do not say), not for the
        // automatic requests editors send on every cursor move to decide whether to show a light bulb.
        var invoked = request.Context?.TriggerKind is null or 1;
        var wantContinue = blanks.Count == 0 && start == end && invoked && Wanted(CodeActionKinds.RefactorRewrite);
        if (!wantFill && !wantContinue) return [.. actions];

        var modelActions = await model.RunAsync<IReadOnlyList<CodeAction>>(document.Uri, Method, WorkPriority.Interactive, [],
            (predictor, token) =>
            {
                var result = new List<CodeAction>();
                if (wantFill)
                {
                    foreach (var blank in blanks.Take(3))
                    {
                        var range = document.RangeOf(blank.Start, blank.End);
                        foreach (var c in FillMaskCommand.Candidates(predictor, document, blank, FillCount, token))
                        {
                            result.Add(new CodeAction
                            {
                                Title = $"Fill blank with '{Formatting.Short(c.Text, 40)}' ({Formatting.Percent(c.Probability)})",
                                Kind = CodeActionKinds.QuickFix,
                                IsPreferred = result.Count == 0 ? true : null,
                                Edit = WorkspaceEdit.Single(document.Uri, new TextEdit(range, c.Text)),
                            });
                        }
                    }
                }
                else
                {
                    var settingsForContinue = settings with { MaxSuggestionTokens = Math.Min(ContinueMaxTokens, settings.MaxSuggestionTokens), Temperature = 0 };
                    var at = document.RangeOf(start, start);
                    foreach (var beam in InlineCompletionHandler.Continuations(predictor, document, start, settingsForContinue, token))
                    {
                        var text = beam.Text.TrimEnd('\r', '\n');
                        if (text.Trim().Length == 0) continue;
                        result.Add(new CodeAction
                        {
                            Title = $"Continue: {Formatting.Short(text)} ({Formatting.Percent(Formatting.Exp(beam.TotalLogProbability))})",
                            Kind = CodeActionKinds.RefactorRewrite,
                            Edit = WorkspaceEdit.Single(document.Uri, new TextEdit(at, text)),
                        });
                    }
                }
                return result;
            }, cancellationToken).ConfigureAwait(false);
        actions.AddRange(modelActions);
        return [.. actions];
    }

    private static List<TextSpan> BlanksIn(string text, int start, int end, IReadOnlyList<string> markers)
    {
        var longest = markers.Count == 0 ? 0 : markers.Max(m => m.Length);
        int from = Math.Max(0, start - longest - 64), to = Math.Min(text.Length, end + longest + 64);
        return WordFinder.BlankMarkers(text[from..to], markers)
            .Select(s => new TextSpan(s.Start + from, s.End + from))
            .Where(s => s.Intersects(start, end))
            .ToList();
    }

    private static IEnumerable<CodeAction> QuickFixes(TextDocumentSnapshot document, Diagnostic[] diagnostics)
    {
        foreach (var d in diagnostics)
        {
            if (d?.Data is not { ValueKind: JsonValueKind.Object } data || !Equals(d.Code?.ToString(), DiagnosticsService.ImprobableWordCode)) continue;
            if (!data.TryGetProperty("replacement", out var r) || r.ValueKind != JsonValueKind.String || r.GetString() is not { Length: > 0 } replacement) continue;
            int a = document.OffsetAt(d.Range.Start), b = document.OffsetAt(d.Range.End);
            if (b < a) continue;
            yield return new CodeAction
            {
                Title = $"Replace '{Formatting.Short(document.Text[a..b], 30)}' with '{Formatting.Short(replacement, 30)}'",
                Kind = CodeActionKinds.QuickFix,
                Diagnostics = [d],
                IsPreferred = true,
                Edit = WorkspaceEdit.Single(document.Uri, new TextEdit(d.Range, replacement)),
            };
        }
    }
}
