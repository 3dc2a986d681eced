using System.Text.Json;

namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// How much each predictor is trusted, by how much evidence the ∞-grams have: the mixing weights of the transformer, the
/// corpus ∞-gram and the user's ∞-gram for each cell of (corpus matched length, corpus count, user matched length). Fitted
/// by EM on validation text (models/eval/TransformerLsp.HybridEval) and stored in config.json under <c>"hybrid"</c>.
/// </summary>
/// <remarks>
/// A cell's weights sum to one; when a component is absent (no corpus index in the folder, no user text yet) its weight is
/// given to the others in proportion, so the mixture is always a proper distribution.
/// <code>
/// "hybrid": { "corpus_index": "corpus.infinigram", "discount": 0.8, "max_match": 32,
///             "corpus_length_edges": [1, 2, …], "corpus_count_edges": [2, 4, 16], "user_length_edges": [1, 2, …],
///             "weights": [[w_transformer, w_corpus, w_user], …] }   // cells in (corpus length, corpus count, user length) order
/// </code>
/// A length or count x falls in bucket i when edges[i−1] ≤ x &lt; edges[i] (bucket 0 below the first edge); the user's
/// edges apply to its matched length + 1, so that "no user text" (−1) and "user text, nothing matched" (0) differ.
/// </remarks>
internal sealed record HybridWeights(
    string CorpusIndex,
    double Discount,
    int MaxMatch,
    int[] CorpusLengthEdges,
    int[] CorpusCountEdges,
    int[] UserLengthEdges,
    double[][] Weights)
{
    /// <summary>Components of a cell, in order.</summary>
    public const int Transformer = 0, Corpus = 1, User = 2;

    /// <summary>Weights used when config.json has no "hybrid" section but the folder has an index: a fixed, modest trust.</summary>
    public static HybridWeights Default(string corpusIndex) =>
        new(corpusIndex, 0.8, 32, [], [], [], [[0.8, 0.15, 0.05]]);

    public int CellCount => (CorpusLengthEdges.Length + 1) * (CorpusCountEdges.Length + 1) * (UserLengthEdges.Length + 1);

    /// <summary>The cell of an evidence triple; <paramref name="userLength"/> is −1 when there is no user text at all, which
    /// has cells of its own (the user length edges apply to userLength + 1, so bucket 0 is "no user text").</summary>
    public int Cell(int corpusLength, long corpusCount, int userLength) =>
        (Bucket(CorpusLengthEdges, corpusLength) * (CorpusCountEdges.Length + 1) + Bucket(CorpusCountEdges, corpusCount))
        * (UserLengthEdges.Length + 1) + Bucket(UserLengthEdges, userLength + 1);

    /// <summary>The cell's weights with absent components' shares given to the others.</summary>
    public (double Transformer, double Corpus, double User) For(int cell, bool hasCorpus, bool hasUser)
    {
        var w = Weights[cell];
        var t = w[Transformer];
        var c = hasCorpus ? w[Corpus] : 0;
        var u = hasUser ? w[User] : 0;
        var sum = t + c + u;
        return sum > 0 ? (t / sum, c / sum, u / sum) : (1, 0, 0);
    }

    private static int Bucket(int[] edges, long x)
    {
        var i = 0;
        while (i < edges.Length && x >= edges[i]) i++;
        return i;
    }

    /// <summary>The "hybrid" section of config.json (null when absent); every problem names the file and the key.</summary>
    public static HybridWeights? Read(JsonElement root, string path)
    {
        if (!root.TryGetProperty("hybrid", out var h)) return null;
        if (h.ValueKind != JsonValueKind.Object) throw Bad("\"hybrid\" must be an object");
        var index = h.TryGetProperty("corpus_index", out var ci) && ci.ValueKind == JsonValueKind.String ? ci.GetString()! : "corpus.infinigram";
        if (index.Length == 0 || Path.IsPathRooted(index) || index.Contains("..", StringComparison.Ordinal) || index.IndexOfAny(['/', '\\']) >= 0)
            throw Bad($"\"hybrid.corpus_index\" must be a file name inside the model folder, found \"{index}\"");
        var discount = Number("discount", 0.8);
        if (!(discount > 0 && discount <= 1)) throw Bad($"\"hybrid.discount\" must be in (0, 1], found {discount}");
        var maxMatch = (int)Number("max_match", 32);
        if (maxMatch is < 1 or > 1024) throw Bad($"\"hybrid.max_match\" must be in [1, 1024], found {maxMatch}");
        var lengthEdges = Edges("corpus_length_edges");
        var countEdges = Edges("corpus_count_edges");
        var userEdges = Edges("user_length_edges");
        if (!h.TryGetProperty("weights", out var ws) || ws.ValueKind != JsonValueKind.Array) throw Bad("\"hybrid.weights\" must be an array");
        var weights = new List<double[]>();
        foreach (var row in ws.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != 3)
                throw Bad("each of \"hybrid.weights\" must be [transformer, corpus, user]");
            var r = row.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN).ToArray();
            if (r.Any(v => !(v >= 0 && v <= 1)) || Math.Abs(r.Sum() - 1) > 1e-3)
                throw Bad($"each of \"hybrid.weights\" must be three numbers in [0, 1] summing to 1, found [{string.Join(", ", r)}]");
            weights.Add(r);
        }
        var result = new HybridWeights(index, discount, maxMatch, lengthEdges, countEdges, userEdges, [.. weights]);
        if (weights.Count != result.CellCount)
            throw Bad($"\"hybrid.weights\" has {weights.Count} cells; the edges make {result.CellCount}");
        return result;

        double Number(string key, double fallback)
        {
            if (!h.TryGetProperty(key, out var v)) return fallback;
            return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad($"\"hybrid.{key}\" must be a number, found {v}");
        }

        int[] Edges(string key)
        {
            if (!h.TryGetProperty(key, out var v)) return [];
            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > 64) throw Bad($"\"hybrid.{key}\" must be an array of at most 64 integers");
            var e = v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out var i) ? i : -1).ToArray();
            for (var i = 0; i < e.Length; i++)
                if (e[i] < 1 || (i > 0 && e[i] <= e[i - 1])) throw Bad($"\"hybrid.{key}\" must be increasing positive integers");
            return e;
        }

        ModelLoadException Bad(string what) => new($"{path}: {what}.");
    }
}
