// Fits the hybrid's mixing weights on the validation split and measures the hybrid (transformer + corpus ∞-gram + the user's
// text) on the test split and on the modern held-out documents. Writes a JSON of figures and, with --write-config, the
// "hybrid" section of the model folder's config.json.
//
// Usage: dotnet run --project models/eval/TransformerLsp.HybridEval -c Release -- \
//          --model models/default --data models/work/data --modern models/work/modern/docs_heldout.jsonl \
//          --out models/work/hybrid.json [--write-config] [--cache models/work/hybrid] [--fit-extra models/work/modern/docs_rest.jsonl]
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransformerLsp.Engine;
using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Tokenization;
using TransformerLsp.HybridEval;

var opts = Options.Parse(args);
if (opts is null)
{
    Console.Error.WriteLine("usage: TransformerLsp.HybridEval --model DIR --data DIR --modern FILE --out JSON [--write-config] [--cache DIR] [--threads N]");
    return 2;
}
void Log(string m) => Console.Error.WriteLine($"[hybrid {DateTime.Now:HH:mm:ss}] {m}");

var config = ModelConfig.Read(opts.Model);
var tokenizer = TokenizerLoader.Load(opts.Model, config);
var vocabBytes = tokenizer.AllTokenBytes(config.VocabSize);
using var session = new ModelSession(Path.Combine(opts.Model, "model.onnx"), config, ExecutionProviderKind.Cpu, opts.Threads, ModelOptions.DefaultSpinMicroseconds);
var shape = new HybridWeights("corpus.infinigram", Discounts.Uniform(0.8), 32, [1, 2, 3, 4, 5, 7, 10, 15, 20], [2, 4, 16, 256],
    [40, 70, 95], [1, 2, 3, 4, 5, 7, 11], [3], [90], []);
var indexPath = Path.Combine(opts.Model, shape.CorpusIndex);
using var corpus = SuffixArrayIndex.Open(indexPath);
Log($"corpus index {indexPath}: {corpus.Total + 1:N0} tokens");

var stamp = new FileInfo(Path.Combine(opts.Model, "model.onnx")) is var f ? $"{f.Length:x}-{f.LastWriteTimeUtc.Ticks:x}" : "";
Split Load(string label, string path)
{
    var texts = File.ReadLines(path).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>()).ToList();
    var docs = texts.Select(t => (int[])[config.BosTokenId, .. tokenizer.Encode(t, atDocumentStart: true)]).ToList();
    var lp = TransformerLogProbs.Cached(Path.Combine(opts.Cache, $"{label}-{stamp}.lp"), session, docs, label);
    return new Split(label, texts, docs, lp, texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t)));
}
var val = Load("val", Path.Combine(opts.Data, "docs_val.jsonl"));
var test = Load("test", Path.Combine(opts.Data, "docs_test.jsonl"));
var modern = Load("modern", opts.Modern);
// More fitting text where the corpus is weak (modern prose): what the user's own text is worth is learnt where the corpus
// does not already know the names and terms. Never the test split or the modern held-out documents.
var extra = opts.FitExtra is { } extraPath ? Load("fit-extra", extraPath) : null;

// Every scored token with its evidence; the user's text is the document's own text before the token (document memory),
// or the given sibling documents.
List<ScoredToken> Score(Split s, Func<int, DocumentMemory?> user, bool secondHalfOnly = false)
{
    var result = new List<ScoredToken>();
    for (var d = 0; d < s.Docs.Count; d++)
    {
        var ids = s.Docs[d];
        var memory = user(d);
        for (var i = secondHalfOnly ? Math.Max(1, ids.Length / 2) : 1; i < ids.Length; i++)
        {
            var history = ids.AsSpan(0, i);
            result.Add(new ScoredToken(s.LogProbs[d][i], Evidence.Of(corpus, history, ids[i], shape.MaxMatch),
                Evidence.Of(memory?.Before(i), history, ids[i], shape.MaxMatch), vocabBytes[ids[i]].Length));
        }
    }
    return result;
}
DocumentMemory? Own(Split s, int d) => new(s.Docs[d], config.VocabSize);

Log("evidence on the validation split ...");
var valMemory = Score(val, d => Own(val, d));
var valPlain = valMemory.Select(t => t with { User = null }).ToList();
// The evidence's formula is the engine's NGramDistribution: checked on the first validation tokens.
for (var i = 1; i < Math.Min(500, val.Docs[0].Length); i++)
{
    var history = val.Docs[0].AsSpan(0, i);
    if (history.Length > shape.MaxMatch) history = history[^shape.MaxMatch..];
    var engine = new NGramDistribution(corpus, corpus.Continuations(history, shape.MaxMatch), new Discounts(0.7, 1.1, 1.4)).Probability(val.Docs[0][i]);
    var mine = valPlain[i - 1].Corpus!.Probability(new Discounts(0.7, 1.1, 1.4));
    if (Math.Abs(engine - mine) > 1e-9 * Math.Max(1, engine)) throw new InvalidOperationException($"evidence {mine} differs from the engine's {engine} at token {i}");
}
var extraMemory = extra is null ? [] : Score(extra, d => Own(extra, d));
// The extra text only with its document memory: the cells without user text stay fitted on the validation split alone.
var fitSet = valMemory.Concat(valPlain).Concat(extraMemory).ToList();

var results = new JsonObject();
// The discounts: a grid scored by the corpus ∞-gram alone on validation (cheap), then the best few with the mixture fitted.
double ValBits(Func<Evidence, double> estimate) => -valPlain.Sum(t => Math.Log2(estimate(t.Corpus!)));
var grid = (from one in new[] { 0.5, 0.6, 0.7, 0.8, 0.9 }
            from two in new[] { 0.8, 1.0, 1.2, 1.4 }
            from more in new[] { 1.0, 1.2, 1.4, 1.6, 1.8 }
            select new Discounts(one, two, more)).ToList();
var ranked = grid.Select(d => (D: d, Bits: ValBits(e => e.Probability(d)))).OrderBy(x => x.Bits).ToList();
Log($"corpus ∞-gram alone on validation: best discounts {ranked[0].D} {ranked[0].Bits / val.Bytes:F4} bits/byte, worst {ranked[^1].Bits / val.Bytes:F4}");
foreach (var single in new[] { 0.6, 0.8 })
    results[$"infinigram_validation_bits_per_byte_uniform_d{single.ToString(CultureInfo.InvariantCulture)}"] = ValBits(e => e.Probability(Discounts.Uniform(single))) / val.Bytes;
results["infinigram_validation_bits_per_byte"] = ranked[0].Bits / val.Bytes;
// Unsmoothed, it gives some tokens probability 0 (infinite bits): reported as the share of such tokens instead.
results["infinigram_validation_zero_probability_share_longest_match"] = (double)valPlain.Count(t => t.Corpus!.LongestMatchProbability() == 0) / valPlain.Count;

(Discounts Discount, double[][] Weights, double Bpb) best = (default, [], double.MaxValue);
// In the mixture the transformer does the smoothing, so smaller discounts (a sharper ∞-gram) are tried too.
foreach (var (discount, _) in ranked.Take(2).Concat(new[] { 0.6, 0.7, 0.8, 0.9 }.Select(d => (Discounts.Uniform(d), 0.0))).Append((new Discounts(0.6, 0.9, 1.2), 0)))
{
    var w = MixtureFit.Fit(shape, fitSet, e => e.Probability(discount));
    var (bits, _) = MixtureFit.Bits(shape with { Discount = discount, Weights = w }, valPlain, e => e.Probability(discount));
    var bpb = bits / val.Bytes;
    Log($"  discounts {discount}: validation hybrid {bpb:F4} bits/byte");
    results[$"hybrid_validation_bits_per_byte_discounts_{discount.One}_{discount.Two}_{discount.More}".Replace('.', 'p')] = bpb;
    if (bpb < best.Bpb) best = (discount, w, bpb);
}
// The infini-gram paper's longest-match estimate in the same mixture, for comparison (not shipped).
{
    var w = MixtureFit.Fit(shape, fitSet, e => e.LongestMatchProbability());
    var (bits, _) = MixtureFit.Bits(shape with { Weights = w }, valPlain, e => e.LongestMatchProbability());
    results["hybrid_validation_bits_per_byte_longest_match"] = bits / val.Bytes;
    Log($"  longest-match estimate (Liu et al. 2024): validation hybrid {bits / val.Bytes:F4} bits/byte");
}
results["hybrid_validation_bits_per_byte"] = best.Bpb;
var fitted = shape with { Discount = best.Discount, Weights = best.Weights };
Func<Evidence, double> chosen = e => e.Probability(fitted.Discount);
Log($"chosen discounts {fitted.Discount}");

JsonObject Measure(Split s, string prefix)
{
    var memory = Score(s, d => Own(s, d));
    var plain = memory.Select(t => t with { User = null }).ToList();
    var transformer = -plain.Sum(t => t.TransformerLogProb / Math.Log(2));
    var infini = -plain.Sum(t => Math.Log2(chosen(t.Corpus!)));
    var hybrid = MixtureFit.Bits(fitted, plain, chosen).Bits;
    var withMemory = MixtureFit.Bits(fitted, memory, chosen).Bits;
    var o = new JsonObject
    {
        [$"{prefix}bits_per_byte"] = transformer / s.Bytes,
        [$"{prefix}infinigram_bits_per_byte"] = infini / s.Bytes,
        [$"{prefix}hybrid_bits_per_byte"] = hybrid / s.Bytes,
        [$"{prefix}hybrid_memory_bits_per_byte"] = withMemory / s.Bytes,
    };
    Log($"{s.Label}: transformer {transformer / s.Bytes:F4}, corpus ∞-gram {infini / s.Bytes:F4}, hybrid {hybrid / s.Bytes:F4}, " +
        $"hybrid with document memory {withMemory / s.Bytes:F4} bits/byte");
    return o;
}

// Personalisation: each document's second half, scored with the user's text indexed (its own text before each token — its
// first half and what precedes in the second — or the sibling documents) and without it (the bundled corpus alone).
JsonObject Personalisation(Split s, string prefix)
{
    var baseline = MixtureFit.Bits(fitted, Score(s, _ => null, secondHalfOnly: true), chosen);
    var own = MixtureFit.Bits(fitted, Score(s, d => Own(s, d), secondHalfOnly: true), chosen);
    var siblings = MixtureFit.Bits(fitted, Score(s, d => DocumentMemory.Siblings(s.Docs, d, config.VocabSize), secondHalfOnly: true), chosen);
    Log($"{s.Label} second halves: corpus alone {baseline.Bits / baseline.Bytes:F4}, with the document's first half {own.Bits / own.Bytes:F4} " +
        $"({1 - own.Bits / baseline.Bits:P1} fewer bits), with sibling documents {siblings.Bits / siblings.Bytes:F4} bits/byte");
    return new JsonObject
    {
        [$"{prefix}workspace_bits_per_byte"] = own.Bits / own.Bytes,
        [$"{prefix}workspace_baseline_bits_per_byte"] = baseline.Bits / baseline.Bytes,
        [$"{prefix}workspace_siblings_bits_per_byte"] = siblings.Bits / siblings.Bytes,
        [$"{prefix}workspace_reduction"] = 1 - own.Bits / baseline.Bits,
        [$"{prefix}workspace_siblings_reduction"] = 1 - siblings.Bits / baseline.Bits,
    };
}

foreach (var o in new[] { Measure(test, ""), Measure(modern, "modern_"), Personalisation(modern, "modern_"), Personalisation(test, "test_") })
    foreach (var (k, v) in o) results[k] = v?.DeepClone();
// The cost of the n-gram parts per decoding step and per edit (workspace: the modern fitting documents and the test split).
{
    var contexts = test.Docs.SelectMany(d => Enumerable.Range(0, d.Length / 64).Select(i => d[(i * 64)..(i * 64 + 32)])).Take(2000).ToList();
    var workspace = (extra?.Texts ?? []).Concat(test.Texts).ToList();
    var lp = new float[config.VocabSize];
    Array.Fill(lp, -MathF.Log(config.VocabSize));
    var cost = StepCost.Measure(fitted, corpus, tokenizer, config.VocabSize, workspace, contexts, lp);
    Log($"cost: {cost.StepP50:F3} ms per decoding step (p95 {cost.StepP95:F3}) with {cost.UserTokens:N0} user tokens indexed; " +
        $"{cost.EditP50:F2} ms per edit (p95 {cost.EditP95:F2})");
    results["hybrid_step_ms_p50"] = cost.StepP50;
    results["hybrid_step_ms_p95"] = cost.StepP95;
    results["user_index_edit_ms_p50"] = cost.EditP50;
    results["user_index_edit_ms_p95"] = cost.EditP95;
    results["user_index_tokens"] = cost.UserTokens;
}
results["hybrid_discount"] = new JsonArray(fitted.Discount.One, fitted.Discount.Two, fitted.Discount.More);
results["hybrid_cells"] = fitted.CellCount;
results["hybrid_corpus_tokens"] = corpus.Total + 1;
results["hybrid_validation_tokens"] = valPlain.Count;
results["hybrid_fit_extra_tokens"] = extraMemory.Count;
File.WriteAllText(opts.Out, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Log($"wrote {opts.Out}");

if (opts.WriteConfig)
{
    var path = Path.Combine(opts.Model, "config.json");
    var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    root["hybrid"] = new JsonObject
    {
        ["corpus_index"] = fitted.CorpusIndex,
        ["discount"] = new JsonArray(fitted.Discount.One, fitted.Discount.Two, fitted.Discount.More),
        ["max_match"] = fitted.MaxMatch,
        ["corpus_length_edges"] = new JsonArray([.. fitted.CorpusLengthEdges.Select(e => (JsonNode)e)]),
        ["corpus_count_edges"] = new JsonArray([.. fitted.CorpusCountEdges.Select(e => (JsonNode)e)]),
        ["corpus_top_edges"] = new JsonArray([.. fitted.CorpusTopEdges.Select(e => (JsonNode)e)]),
        ["user_length_edges"] = new JsonArray([.. fitted.UserLengthEdges.Select(e => (JsonNode)e)]),
        ["user_count_edges"] = new JsonArray([.. fitted.UserCountEdges.Select(e => (JsonNode)e)]),
        ["user_top_edges"] = new JsonArray([.. fitted.UserTopEdges.Select(e => (JsonNode)e)]),
        ["weights"] = new JsonArray([.. fitted.Weights.Select(r => (JsonNode)new JsonArray([.. r.Select(x => (JsonNode)Math.Round(x, 5))]))]),
    };
    File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Log($"wrote the \"hybrid\" section of {path}");
}
return 0;

internal sealed record Split(string Label, List<string> Texts, List<int[]> Docs, float[][] LogProbs, long Bytes);

internal sealed record Options(string Model, string Data, string Modern, string Out, string Cache, bool WriteConfig, int Threads, string? FitExtra)
{
    public static Options? Parse(string[] args)
    {
        var d = new Dictionary<string, string>();
        var write = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--write-config") write = true;
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) d[args[i][2..]] = args[++i];
            else return null;
        }
        if (!d.TryGetValue("model", out var model) || !d.TryGetValue("data", out var data) || !d.TryGetValue("modern", out var modern) || !d.TryGetValue("out", out var output))
            return null;
        return new Options(model, data, modern, output, d.GetValueOrDefault("cache", "models/work/hybrid"), write,
            int.Parse(d.GetValueOrDefault("threads", "0"), CultureInfo.InvariantCulture), d.GetValueOrDefault("fit-extra"));
    }
}
