using System.Text.Json;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>
/// A plain C# forward pass of the GPT equations over weights.json, independent of ONNX Runtime and PyTorch:
/// embeddings, LayerNorm, causal multi-head attention scaled by 1/sqrt(head_dim), exact-erf GELU MLP, pre- or post-norm, tied output.
/// </summary>
internal sealed class ReferenceTransformer
{
    private readonly Dictionary<string, (int[] Shape, float[] Values)> _w = [];
    private readonly int _layers, _heads, _embd, _vocab;
    private readonly bool _preNorm;
    private readonly double _eps;

    public ReferenceTransformer(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "weights.json")));
        var cfg = doc.RootElement.GetProperty("config");
        _layers = cfg.GetProperty("n_layer").GetInt32();
        _heads = cfg.GetProperty("n_head").GetInt32();
        _embd = cfg.GetProperty("n_embd").GetInt32();
        _vocab = cfg.GetProperty("vocab_size").GetInt32();
        _preNorm = cfg.GetProperty("norm_position").GetString() == "pre";
        _eps = cfg.TryGetProperty("layer_norm_epsilon", out var e) ? e.GetDouble() : 1e-5;
        foreach (var p in doc.RootElement.GetProperty("parameters").EnumerateArray())
            _w[p.GetProperty("name").GetString()!.Replace("transformer.", "")] =
                ([.. p.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32())], [.. p.GetProperty("values").EnumerateArray().Select(x => x.GetSingle())]);
    }

    /// <summary>Logits [T][vocab] for a token sequence starting at position 0.</summary>
    public double[][] Forward(int[] ids)
    {
        var T = ids.Length;
        var C = _embd;
        var wte = _w["wte.weight"].Values;
        var wpe = _w["wpe.weight"].Values;
        // x: (T, C) = token embedding + position embedding
        var x = new double[T][];
        for (var t = 0; t < T; t++) x[t] = [.. Enumerable.Range(0, C).Select(c => (double)wte[ids[t] * C + c] + wpe[t * C + c])];

        for (var l = 0; l < _layers; l++)
        {
            var p = $"h.{l}.";
            if (_preNorm)
            {
                x = Add(x, Attention(LayerNorm(x, p + "ln_1"), p));
                x = Add(x, Mlp(LayerNorm(x, p + "ln_2"), p));
            }
            else
            {
                x = LayerNorm(Add(x, Attention(x, p)), p + "ln_1");
                x = LayerNorm(Add(x, Mlp(x, p)), p + "ln_2");
            }
        }
        if (_preNorm) x = LayerNorm(x, "ln_f");
        // Tied output: logits = x wte^T, (T, vocab)
        return [.. x.Select(row => Enumerable.Range(0, _vocab).Select(v => Enumerable.Range(0, C).Sum(c => row[c] * wte[v * C + c])).ToArray())];
    }

    private double[][] Attention(double[][] x, string p)
    {
        var T = x.Length;
        var C = _embd;
        var hd = C / _heads;
        var qkv = Linear(x, p + "attn.c_attn"); // (T, 3C): q, k, v; heads contiguous within each
        var y = new double[T][];
        for (var t = 0; t < T; t++) y[t] = new double[C];
        for (var h = 0; h < _heads; h++)
            for (var i = 0; i < T; i++)
            {
                // causal: position i attends to j <= i
                var scores = new double[i + 1];
                for (var j = 0; j <= i; j++)
                {
                    double s = 0;
                    for (var d = 0; d < hd; d++) s += qkv[i][h * hd + d] * qkv[j][C + h * hd + d];
                    scores[j] = s / Math.Sqrt(hd);
                }
                var max = scores.Max();
                var exps = scores.Select(s => Math.Exp(s - max)).ToArray();
                var sum = exps.Sum();
                for (var j = 0; j <= i; j++)
                    for (var d = 0; d < hd; d++) y[i][h * hd + d] += exps[j] / sum * qkv[j][2 * C + h * hd + d];
            }
        return Linear(y, p + "attn.c_proj");
    }

    private double[][] Mlp(double[][] x, string p) =>
        Linear([.. Linear(x, p + "mlp.c_fc").Select(r => r.Select(Gelu).ToArray())], p + "mlp.c_proj");

    /// <summary>y = x W^T + b with W in nn.Linear layout [out, in].</summary>
    private double[][] Linear(double[][] x, string name)
    {
        var (shape, w) = _w[name + ".weight"];
        var b = _w[name + ".bias"].Values;
        int outF = shape[0], inF = shape[1];
        return [.. x.Select(row =>
        {
            var y = new double[outF];
            for (var o = 0; o < outF; o++)
            {
                double s = b[o];
                for (var i = 0; i < inF; i++) s += row[i] * w[o * inF + i];
                y[o] = s;
            }
            return y;
        })];
    }

    private double[][] LayerNorm(double[][] x, string name)
    {
        var g = _w[name + ".weight"].Values;
        var b = _w[name + ".bias"].Values;
        return [.. x.Select(row =>
        {
            var mean = row.Average();
            var variance = row.Select(v => (v - mean) * (v - mean)).Average();
            return row.Select((v, i) => (v - mean) / Math.Sqrt(variance + _eps) * g[i] + b[i]).ToArray();
        })];
    }

    private static double[][] Add(double[][] a, double[][] b) => [.. a.Select((r, t) => r.Select((v, c) => v + b[t][c]).ToArray())];

    private static double Gelu(double v) => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)));

    /// <summary>erf by its Maclaurin series for |x| &lt; 3 and the asymptotic tail beyond; far below the 1e-4 test tolerance.</summary>
    private static double Erf(double x)
    {
        var ax = Math.Abs(x);
        if (ax > 5) return Math.Sign(x);
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); converges for all x, 60 terms is plenty for |x| <= 5.
        double sum = 0, term = x;
        for (var n = 0; n < 120; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
            if (Math.Abs(term) < 1e-17) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
