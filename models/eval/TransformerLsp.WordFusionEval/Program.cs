// Fits the weights of the word trigram (cmu-trigram.bin) in the engine's word-level mixtures on validation text, never on
// the quality benchmark's test sets: μ for next words, p = (1 − μ) p_H + μ p_CMU, and ν for fill-in,
// share = (1 − ν) P_T + ν P_CMU (see server/TransformerLsp.Engine/Words/WordFusion.cs), over positions sampled with a
// fixed seed, half from each validation file. ν maximises the log-likelihood of the true word's share (a grid of 0.01);
// μ maximises top-5 accuracy (see below why not the likelihood). Top-1/top-5 at the weight, at 0 (the engine alone)
// and at 1 (the trigram alone) are reported beside it. Then κ, the weight of the user's own words in the next words
// (server/TransformerLsp.Engine/TextPredictor.UserWords.cs), on positions with 1-3 letters of the word typed.
// With --write-config the weights go into the model folder's config.json, sections "word_trigram" and "user_words".
//
// Usage: dotnet run --project models/eval/TransformerLsp.WordFusionEval -c Release -- --model models/default \
//          --val models/work/data/docs_val.jsonl --modern models/work/modern/docs_rest.jsonl \
//          [--next 300] [--fill 100] [--user 300] [--seed 20261201] [--out fit.json] [--write-config]
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransformerLsp.Engine;
using TransformerLsp.Engine.Words;

var a = args.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i);
string? Arg(string key) => a.TryGetValue(key, out var i) && i + 1 < args.Length ? args[i + 1] : null;
var model = Path.GetFullPath(Arg("--model") ?? "models/default");
string? valPath = Arg("--val"), modernPath = Arg("--modern");
if (valPath is null || modernPath is null)
{
    Console.Error.WriteLine("usage: TransformerLsp.WordFusionEval --model DIR --val docs_val.jsonl --modern docs_rest.jsonl [--next N] [--fill N] [--seed S] [--out JSON] [--write-config]");
    return 2;
}
if (valPath.Contains("heldout", StringComparison.Ordinal) || valPath.Contains("test", StringComparison.Ordinal) || modernPath.Contains("heldout", StringComparison.Ordinal) || modernPath.Contains("test", StringComparison.Ordinal))
{
    Console.Error.WriteLine("refusing to fit on a test or held-out file");
    return 2;
}
var nextN = int.Parse(Arg("--next") ?? "300", CultureInfo.InvariantCulture);
var fillN = int.Parse(Arg("--fill") ?? "100", CultureInfo.InvariantCulture);
var userN = int.Parse(Arg("--user") ?? "300", CultureInfo.InvariantCulture);
var seed = int.Parse(Arg("--seed") ?? "20261201", CultureInfo.InvariantCulture);
void Log(string m) => Console.Error.WriteLine($"[fuse {DateTime.Now:HH:mm:ss}] {m}");

using var predictor = TextPredictor.Load(new ModelOptions(model));
Log($"{model}: word trigram of {predictor.WordTrigramSize:N0} words");

static List<string> Docs(string path) => [.. File.ReadLines(path).Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>())];
var corpora = new[] { ("val", Docs(valPath)), ("modern", Docs(modernPath)) };

// Positions as the quality benchmark draws them: a word of letters after one space, at least 300 characters in; left is up
// to 1,500 characters before it (cut at a word boundary), right up to 300 after it.
static (string Left, string Word, string Right)? Draw(Random rng, List<string> docs, bool lettersOnly)
{
    var weights = docs.Select(d => (double)d.Length).ToArray();
    for (var attempt = 0; attempt < 1000; attempt++)
    {
        var r = rng.NextDouble() * weights.Sum();
        var d = 0;
        while (d < docs.Count - 1 && (r -= weights[d]) > 0) d++;
        var text = docs[d];
        if (text.Length < 400) continue;
        var pos = rng.Next(300, text.Length - 1);
        if (text[pos - 1] != ' ' || text[pos - 2] == ' ' || !WordChars.IsWordChar(text, pos) || WordChars.IsWordChar(text, pos - 1)) continue;
        var end = pos;
        while (end < text.Length && WordChars.IsWordChar(text, end)) end++;
        var word = text[pos..end];
        if (lettersOnly && (word.Length < 2 || !word.All(char.IsLetter))) continue;
        if (!lettersOnly && word.Contains('-', StringComparison.Ordinal)) continue;
        var start = Math.Max(0, pos - 1500);
        if (start > 0) start = text.IndexOf(' ', start) + 1;
        var rightEnd = Math.Min(text.Length, end + 300);
        if (rightEnd < text.Length && text.LastIndexOf(' ', rightEnd - 1) is var cut and > 0 && cut > end) rightEnd = cut;
        return (text[start..pos], word, text[end..rightEnd]);
    }
    return null;
}

var rng = new Random(seed);
var result = new JsonObject { ["seed"] = seed, ["model"] = model, ["val"] = valPath, ["modern"] = modernPath };

// Next words: μ.
var nextSamples = new List<(string Set, double Engine, double Trigram, List<FusedWord> Candidates, string Word)>();
foreach (var (set, docs) in corpora)
    for (var k = 0; k < nextN; k++)
    {
        if (Draw(rng, docs, lettersOnly: false) is not { } drawn) continue;
        var (left, word, _) = drawn;
        var key = $"fit-next-{set}-{k}";
        predictor.UserText.Set(key, left);
        var (cands, pe, pt) = predictor.NextWordParts(key, left, word);
        predictor.Forget(key);
        predictor.UserText.Remove(key);
        nextSamples.Add((set, pe, pt, cands, word));
        if ((k + 1) % 100 == 0) Log($"next words {set} {k + 1}/{nextN}");
    }
// μ by top-5 accuracy (then top-1) of the fused candidate lists, not by likelihood: the engine lists only its best words
// (p_H = 0 for the rest, a lower bound), so the true word's likelihood favours the trigram wherever the engine's list
// misses it and pushes μ towards 1 (0.96 on this data), which halves the engine's top-1 on val. The accuracy is that of
// what the completion list shows. The likelihood-optimal weight is reported beside it.
(int Top1, int Top5) Hits(double w)
{
    int top1 = 0, top5 = 0;
    foreach (var s in nextSamples)
    {
        var ranked = s.Candidates.OrderByDescending(c => WordFusion.Mix(c.Engine, c.Trigram, w)).Take(5).Select(c => c.Word).ToList();
        if (ranked.Count > 0 && ranked[0] == s.Word) top1++;
        if (ranked.Contains(s.Word)) top5++;
    }
    return (top1, top5);
}
var curve = Enumerable.Range(0, 21).Select(k => k / 20.0).Select(w => (W: w, H: Hits(w))).ToList();
var mu = curve.OrderByDescending(c => c.H.Top5).ThenByDescending(c => c.H.Top1).ThenBy(c => c.W).First().W;
result["next_word_objective"] = "top-5 accuracy, then top-1, over both sets (grid of 0.05)";
result["next_word_curve"] = new JsonObject(curve.Select(c => KeyValuePair.Create(c.W.ToString("0.00", CultureInfo.InvariantCulture), (JsonNode?)new JsonArray(c.H.Top1, c.H.Top5))));
result["next_word_weight_max_likelihood"] = WordFusion.BestWeight([.. nextSamples.Select(s => (s.Engine, s.Trigram))]);
JsonObject NextFigures(double w)
{
    var o = new JsonObject();
    foreach (var set in corpora.Select(c => c.Item1))
    {
        var ss = nextSamples.Where(s => s.Set == set).ToList();
        double top1 = 0, top5 = 0;
        foreach (var s in ss)
        {
            var ranked = s.Candidates.OrderByDescending(c => WordFusion.Mix(c.Engine, c.Trigram, w)).Select(c => c.Word).Take(5).ToList();
            if (ranked.Count > 0 && ranked[0] == s.Word) top1++;
            if (ranked.Contains(s.Word)) top5++;
        }
        var pairs = ss.Select(s => (s.Engine, s.Trigram)).ToList();
        o[set] = new JsonObject
        {
            ["n"] = ss.Count,
            ["top1"] = Math.Round(top1 / ss.Count, 4),
            ["top5"] = Math.Round(top5 / ss.Count, 4),
            ["mean_log_likelihood"] = Math.Round(WordFusion.LogLikelihood(pairs.Where(p => p.Engine > 0 && p.Trigram > 0).ToList(), w) / Math.Max(1, pairs.Count(p => p.Engine > 0 && p.Trigram > 0)), 4),
            ["covered"] = pairs.Count(p => WordFusion.Mix(p.Engine, p.Trigram, w) > 0),
        };
    }
    return o;
}
result["next_word_weight"] = mu;
result["next_word"] = new JsonObject { ["engine_alone"] = NextFigures(0), ["fused"] = NextFigures(mu), ["trigram_alone"] = NextFigures(1) };
Log($"μ = {mu}: {result["next_word"]!.ToJsonString()}");

// Fill-in: ν.
var fillSamples = new List<(string Set, List<(string Word, double Transformer, double Trigram)> Candidates, string Word)>();
foreach (var (set, docs) in corpora)
    for (var k = 0; k < fillN; k++)
    {
        if (Draw(rng, docs, lettersOnly: true) is not { } drawn) continue;
        var (left, word, right) = drawn;
        var key = $"fit-fill-{set}-{k}";
        predictor.UserText.Set(key, left + right);
        var parts = predictor.FillInParts(key, left, right);
        predictor.Forget(key);
        predictor.UserText.Remove(key);
        fillSamples.Add((set, parts, word));
        if ((k + 1) % 50 == 0) Log($"fill-in {set} {k + 1}/{fillN}");
    }
var nu = WordFusion.BestWeight([.. fillSamples.Where(s => s.Candidates.Any(c => c.Word == s.Word))
    .Select(s => s.Candidates.First(c => c.Word == s.Word)).Select(c => (c.Transformer, c.Trigram))]);
JsonObject FillFigures(double w)
{
    var o = new JsonObject();
    foreach (var set in corpora.Select(c => c.Item1))
    {
        var ss = fillSamples.Where(s => s.Set == set).ToList();
        double top1 = 0, top5 = 0, ll = 0, n = 0;
        foreach (var s in ss)
        {
            // Case variants merged as FillIn does (shares add up).
            var ranked = s.Candidates.GroupBy(c => c.Word.ToLowerInvariant())
                .Select(g => (Word: g.First().Word, Share: g.Sum(c => WordFusion.Mix(c.Transformer, c.Trigram, w))))
                .OrderByDescending(g => g.Share).Take(5).Select(g => g.Word).ToList();
            if (ranked.Count > 0 && ranked[0] == s.Word) top1++;
            if (ranked.Contains(s.Word)) top5++;
            if (s.Candidates.FirstOrDefault(c => c.Word == s.Word) is { Word: not null } hit && WordFusion.Mix(hit.Transformer, hit.Trigram, w) > 0)
            { ll += Math.Log(WordFusion.Mix(hit.Transformer, hit.Trigram, w)); n++; }
        }
        o[set] = new JsonObject { ["n"] = ss.Count, ["top1"] = Math.Round(top1 / ss.Count, 4), ["top5"] = Math.Round(top5 / ss.Count, 4), ["mean_log_share"] = Math.Round(ll / Math.Max(1, n), 4), ["in_candidates"] = n };
    }
    return o;
}
result["fill_in_weight"] = nu;
result["fill_in"] = new JsonObject { ["transformer_alone"] = FillFigures(0), ["fused"] = FillFigures(nu), ["trigram_alone"] = FillFigures(1) };
Log($"ν = {nu}: {result["fill_in"]!.ToJsonString()}");

// The user's words: κ, p = (1 − κ) p_fused + κ c(w) / C (server/TransformerLsp.Engine/TextPredictor.UserWords.cs). Positions
// as for μ, drawn after the fill-in ones (so μ's and ν's samples are those of earlier fits), words of two letters or
// more, each with 1–3 of its letters already typed (never all of it): the completion list while a word is typed (before
// its first letter the user's words take no part). The document's text up to the cursor is open as the user's text.
// The list before the user's words mixes in the word trigram at the μ fitted above. κ maximises top-5 accuracy, then
// top-1, of what the list shows (as μ).
var userSamples = new List<(string Set, int Typed, List<(string Word, double P, double User)> Candidates, string Word)>();
foreach (var (set, docs) in corpora)
    for (var k = 0; k < userN; k++)
    {
        if (Draw(rng, docs, lettersOnly: false) is not { } drawn) continue;
        var (left, word, _) = drawn;
        if (word.Length < 2) continue;
        var typedLength = rng.Next(1, Math.Min(4, word.Length));
        var text = left + word[..typedLength];
        var key = $"fit-user-{set}-{k}";
        predictor.UserText.Set(key, text);
        var parts = predictor.NextWordUserParts(key, text, 5, mu);
        predictor.Forget(key);
        predictor.UserText.Remove(key);
        userSamples.Add((set, typedLength, parts, word));
        if ((k + 1) % 100 == 0) Log($"user words {set} {k + 1}/{userN}");
    }
JsonObject UserFigures(double kappa, Func<int, bool> typedFilter)
{
    var o = new JsonObject();
    foreach (var set in corpora.Select(c => c.Item1))
    {
        var ss = userSamples.Where(s => s.Set == set && typedFilter(s.Typed)).ToList();
        int top1 = 0, top5 = 0;
        foreach (var s in ss)
        {
            // The engine's own mixture and ranking (WordFusion.MixUserWords), at this κ.
            var ranked = WordFusion.MixUserWords(s.Candidates, kappa).Take(5).Select(c => c.Word).ToList();
            if (ranked.Count > 0 && ranked[0] == s.Word) top1++;
            if (ranked.Contains(s.Word)) top5++;
        }
        o[set] = new JsonObject { ["n"] = ss.Count, ["top1"] = ss.Count == 0 ? 0 : Math.Round((double)top1 / ss.Count, 4), ["top5"] = ss.Count == 0 ? 0 : Math.Round((double)top5 / ss.Count, 4) };
    }
    return o;
}
var userCurve = Enumerable.Range(0, 21).Select(k => k / 20.0).Select(w =>
{
    var f = UserFigures(w, _ => true);
    var sets = corpora.Select(c => f[c.Item1]!).ToList();
    return (W: w, Top1: sets.Sum(x => (double)x["top1"]! * (int)x["n"]!), Top5: sets.Sum(x => (double)x["top5"]! * (int)x["n"]!));
}).ToList();
var kappa = userCurve.OrderByDescending(c => Math.Round(c.Top5)).ThenByDescending(c => Math.Round(c.Top1)).ThenBy(c => c.W).First().W;
result["user_words_objective"] = "top-5 accuracy, then top-1, over both sets, 1-3 letters typed (grid of 0.05)";
result["user_words_curve"] = new JsonObject(userCurve.Select(c => KeyValuePair.Create(c.W.ToString("0.00", CultureInfo.InvariantCulture), (JsonNode?)new JsonArray(Math.Round(c.Top1), Math.Round(c.Top5)))));
result["user_words_weight"] = kappa;
result["user_words"] = new JsonObject
{
    ["without_typed_1"] = UserFigures(0, t => t == 1),
    ["with_typed_1"] = UserFigures(kappa, t => t == 1),
    ["without_typed_1_to_3"] = UserFigures(0, _ => true),
    ["with_typed_1_to_3"] = UserFigures(kappa, _ => true),
};
Log($"κ = {kappa}: {result["user_words"]!.ToJsonString()}");

var json = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
if (Arg("--out") is { } outPath) File.WriteAllText(outPath, json + "\n");
Console.WriteLine(json);

if (a.ContainsKey("--write-config"))
{
    var configPath = Path.Combine(model, "config.json");
    var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
    config["word_trigram"] = new JsonObject { ["file"] = WordTrigram.FileName, ["next_word_weight"] = mu, ["fill_in_weight"] = nu };
    config["user_words"] = new JsonObject { ["next_word_weight"] = kappa };
    File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Log($"{configPath}: \"word_trigram\" and \"user_words\" written");
}
return 0;
