// Fill-in accuracy through the C# engine: for each {left, answer, right} case, TextPredictor.FillIn ranks candidates
// for the blank once with both sides and once with the left side only (right = ""), and a case counts as a hit when
// the answer (exact, case-sensitive) is the first candidate (top 1) or among the first five (top 5).
// Usage: dotnet run --project models/eval/TransformerLsp.ModelEval -c Release -- MODEL_DIR CASES.json RESULTS.json [LIMIT]
//        ... -- build-index TRAIN.bin VOCAB OUT.infinigram [--measure VAL.bin]   (BuildIndexCommand.cs)
// Env MODEL_EVAL_THREADS sets ONNX Runtime's thread count (default 0 = ONNX Runtime decides).
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransformerLsp.Engine;

if (args.Length > 0 && args[0] == "build-index") return BuildIndexCommand.Run(args[1..]);

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: TransformerLsp.ModelEval MODEL_DIR CASES.json RESULTS.json [LIMIT]");
    return 2;
}

var cases = JsonNode.Parse(File.ReadAllText(args[1]))!.AsArray()
    .Select(c => new FillCase(c!["left"]!.GetValue<string>(), c["answer"]!.GetValue<string>(), c["right"]!.GetValue<string>()))
    .ToList();
if (args.Length > 3) cases = cases.Take(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)).ToList();

var threads = int.TryParse(Environment.GetEnvironmentVariable("MODEL_EVAL_THREADS"), out var t) ? t : 0;
using var predictor = TextPredictor.Load(new ModelOptions(args[0], Threads: threads));
var both = new Hits();
var leftOnly = new Hits();
var clock = Stopwatch.StartNew();
for (var i = 0; i < cases.Count; i++)
{
    var c = cases[i];
    both.Add(predictor.FillIn("eval-both", c.Left, c.Right, 5), c.Answer);
    leftOnly.Add(predictor.FillIn("eval-left", c.Left, "", 5), c.Answer);
    if ((i + 1) % 50 == 0 || i + 1 == cases.Count)
    {
        Console.Error.WriteLine($"fill-in {i + 1}/{cases.Count}: both sides top1 {both.Top1Rate:F3} top5 {both.Top5Rate:F3}; " +
                                $"left only top1 {leftOnly.Top1Rate:F3} top5 {leftOnly.Top5Rate:F3} ({clock.Elapsed.TotalSeconds:F0}s)");
    }
}

var results = new JsonObject
{
    ["fillin_top1"] = both.Top1Rate,
    ["fillin_top5"] = both.Top5Rate,
    ["fillin_left_only_top1"] = leftOnly.Top1Rate,
    ["fillin_left_only_top5"] = leftOnly.Top5Rate,
    ["fillin_samples"] = cases.Count,
    ["fillin_ms_per_call"] = clock.Elapsed.TotalMilliseconds / Math.Max(1, 2 * cases.Count),
    ["fillin_engine"] = "TextPredictor.FillIn (server/TransformerLsp.Engine), count 5, exact case-sensitive match",
};
File.WriteAllText(args[2], results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
return 0;

sealed record FillCase(string Left, string Answer, string Right);

sealed class Hits
{
    int _n, _top1, _top5;

    public double Top1Rate => _n == 0 ? 0 : (double)_top1 / _n;

    public double Top5Rate => _n == 0 ? 0 : (double)_top5 / _n;

    public void Add(IReadOnlyList<FillCandidate> candidates, string answer)
    {
        _n++;
        var words = candidates.Select(c => c.Text.Trim()).ToList();
        if (words.Count > 0 && words[0] == answer) _top1++;
        if (words.Take(5).Contains(answer)) _top5++;
    }
}
