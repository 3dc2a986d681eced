// Loads a model folder in ONNX Runtime and checks it against the PyTorch logits in its reference.json:
// every case is run in two calls (the first half with past length 0, the rest with that past), so both the
// first-call and the cached path of the ONNX graph are exercised.
// Run: dotnet run models/eval/check-onnx.cs -- MODEL_DIR [REFERENCE.json (default MODEL_DIR/reference.json)]
#:package Microsoft.ML.OnnxRuntime@1.31.1
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

var dir = args[0];
var cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))).RootElement;
int L = cfg.GetProperty("n_layer").GetInt32(), H = cfg.GetProperty("n_head").GetInt32(), C = cfg.GetProperty("n_embd").GetInt32(), V = cfg.GetProperty("vocab_size").GetInt32();
var D = C / H;
using var session = new InferenceSession(Path.Combine(dir, "model.onnx"));
var reference = JsonDocument.Parse(File.ReadAllText(args.Length > 1 ? args[1] : Path.Combine(dir, "reference.json"))).RootElement;
double maxErr = 0;
foreach (var c in reference.GetProperty("cases").EnumerateArray())
{
    var ids = c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    var want = c.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToArray();
    var k = ids.Length / 2;
    var pasts = Enumerable.Range(0, 2 * L).Select(_ => new DenseTensor<float>(new[] { 1, H, 0, D })).ToArray();
    var got = new List<float[]>();
    foreach (var (start, end) in new[] { (0, k), (k, ids.Length) })
    {
        int T = end - start, P = start;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids[start..end], new[] { 1, T })),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, P + T).ToArray(), new[] { 1, P + T })),
            NamedOnnxValue.CreateFromTensor("position_ids", new DenseTensor<long>(Enumerable.Range(P, T).Select(i => (long)i).ToArray(), new[] { 1, T })),
        };
        for (var i = 0; i < L; i++)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor($"past_key_values.{i}.key", pasts[2 * i]));
            inputs.Add(NamedOnnxValue.CreateFromTensor($"past_key_values.{i}.value", pasts[2 * i + 1]));
        }
        using var results = session.Run(inputs);
        var logits = results.First(r => r.Name == "logits").AsTensor<float>();
        for (var t = 0; t < T; t++) got.Add(Enumerable.Range(0, V).Select(v => logits[0, t, v]).ToArray());
        for (var i = 0; i < L; i++)
        {
            var pk = results.First(r => r.Name == $"present.{i}.key").AsTensor<float>();
            var pv = results.First(r => r.Name == $"present.{i}.value").AsTensor<float>();
            if (pk.Dimensions[2] != P + T) throw new Exception($"present length {pk.Dimensions[2]} != {P + T}");
            pasts[2 * i] = new DenseTensor<float>(pk.ToArray(), pk.Dimensions.ToArray());
            pasts[2 * i + 1] = new DenseTensor<float>(pv.ToArray(), pv.Dimensions.ToArray());
        }
    }
    for (var t = 0; t < ids.Length; t++) for (var v = 0; v < V; v++) maxErr = Math.Max(maxErr, Math.Abs(got[t][v] - want[t][v]));
}
Console.WriteLine($"{dir}: max |ORT - PyTorch| = {maxErr:g3}");
if (maxErr > 1e-3) Environment.Exit(1);
