using System.Diagnostics;
using TransformerLsp.Engine;

namespace TransformerLsp.Bench;

/// <summary>
/// What the context budget (the server's contextTokens setting, ModelOptions.ContextTokens) costs in quality and buys in
/// speed: for each budget, the mean negative log-likelihood of the next 16 tokens at fixed spots of the held-out text,
/// scored by the engine exactly as the editor features see the context, and the time of that scoring call.
/// </summary>
internal sealed class ContextLengthProbe(ModelInfo info, Corpus corpus, bool quick, TextWriter log)
{
    public static readonly int[] Budgets = [32, 64, 128, 160, 256, 0];

    public sealed record Row(int Budget, int TokensSeen, double NatsPerToken, double MsPerCall, int Spots);

    public List<Row> Rows { get; } = [];

    public void Run()
    {
        var text = string.Join("\n\n", corpus.Paragraphs);
        // Spots with at least ~1,000 tokens of text before them, so every budget has its full context.
        const int minLeft = 6_000;
        if (text.Length < minLeft + 2_000) { log.WriteLine($"  text too short ({text.Length} chars) for the context-length probe"); return; }
        var rng = new Random(2026);
        var spots = new List<int>();
        while (spots.Count < (quick ? 60 : 200))
        {
            var at = rng.Next(minLeft, text.Length - 200);
            while (at < text.Length - 200 && text[at] != ' ') at++;
            if (at < text.Length - 200) spots.Add(at + 1);
        }
        foreach (var budget in Budgets)
        {
            using var predictor = TextPredictor.Load(new ModelOptions(info.Folder, ContextTokens: budget));
            double nats = 0, ms = 0;
            var tokens = 0;
            foreach (var at in spots)
            {
                var sw = Stopwatch.StartNew();
                var scored = predictor.Score(text[..at], text[at..(at + 160)]);
                ms += sw.Elapsed.TotalMilliseconds;
                foreach (var lp in scored.TokenLogProbabilities.Take(16)) { nats -= lp; tokens++; }
            }
            Rows.Add(new Row(budget, predictor.ContextTokens, nats / tokens, ms / spots.Count, spots.Count));
            log.WriteLine($"  context budget {(budget == 0 ? "all" : budget.ToString())} (at most {predictor.ContextTokens} tokens): {nats / tokens:F4} nats/token, {ms / spots.Count:F1} ms per scoring call");
        }
    }
}
