using System.Text.Json;

namespace TransformerLsp.Engine.NGrams;

/// <summary>What an ∞-gram knows about a context: the longest matched suffix (followed by something), how often that suffix
/// was followed by something, and the share in percent of its likeliest continuation.</summary>
internal readonly record struct MatchEvidence(int Length, long Count, int TopPercent);


/// <summary>
/// How much each predictor is trusted, by how much evidence the ∞-grams have: the mixing weights of the transformer, the
/// corpus ∞-gram and the user's ∞-gram for each cell of the corpus's and the user text's evidence (<see cref="MatchEvidence"/>: matched length, count, share of the likeliest continuation). Fitted
/// by EM on validation text (models/eval/TransformerLsp.HybridEval) and stored in config.json under <c>"hybrid"</c>.
/// </summary>
/// <remarks>
/// A cell's weights sum to one; when a component is absent (no corpus index in the folder, no user text yet) its weight is
/// given to the others in proportion, so the mixture is always a proper distribution.
/// <code>
/// "hybrid": { "corpus_index": "corpus.infinigram", "discount": [0.7, 1.0, 1.3], "max_match": 32,
///             "corpus_length_edges": [1, 2, …], "corpus_count_edges": [2, 4, 16], "corpus_top_edges": [50, 90],
///             "user_length_edges": [1, 2, …], "user_count_edges": [3], "user_top_edges": [90],
///             "weights": [[w_transformer, w_corpus, w_user], …] }   // cells in the order of the edges above
/// </code>
/// A length or count x falls in bucket i when edges[i−1] ≤ x &lt; edges[i] (bucket 0 below the first edge); the user's
/// edges apply to its matched length + 1, so that "no user text" (−1) and "user text, nothing matched" (0) differ.
/// </remarks>
internal sealed record HybridWeights(
    string CorpusIndex,
    Discounts Discount,
    int MaxMatch,
    int[] CorpusLengthEdges,
    int[] CorpusCountEdges,
    int[] CorpusTopEdges,
    int[] UserLengthEdges,
    int[] UserCountEdges,
    int[] UserTopEdges,
    double[][] Weights)
{
    /// <summary>Components of a cell, in order.</summary>
    public const int Transformer = 0, Corpus = 1, User = 2;

    /// <summary>Weights used when config.json has no "hybrid" section but the folder has an index: a fixed, modest trust.</summary>
    public static HybridWeights Default(string corpusIndex) =>
        new(corpusIndex, Discounts.Uniform(0.8), 32, [], [], [], [], [], [], [[0.8, 0.15, 0.05]]);

    public int CellCount => (CorpusLengthEdges.Length + 1) * (CorpusCountEdges.Length + 1) * (CorpusTopEdges.Length + 1)
        * (UserLengthEdges.Length + 1) * (UserCountEdges.Length + 1) * (UserTopEdges.Length + 1);

    /// <summary>The cell of the evidence of the corpus and of the user's text (null when there is no user text at all, which
    /// has cells of its own: the user length edges apply to the matched length + 1, so bucket 0 is "no user text").</summary>
    public int Cell(MatchEvidence corpus, MatchEvidence? user)
    {
        var u = user ?? new MatchEvidence(-1, 0, 0);
        var cell = Bucket(CorpusLengthEdges, corpus.Length);
        cell = cell * (CorpusCountEdges.Length + 1) + Bucket(CorpusCountEdges, corpus.Count);
        cell = cell * (CorpusTopEdges.Length + 1) + Bucket(CorpusTopEdges, corpus.TopPercent);
        cell = cell * (UserLengthEdges.Length + 1) + Bucket(UserLengthEdges, u.Length + 1);
        cell = cell * (UserCountEdges.Length + 1) + Bucket(UserCountEdges, u.Count);
        return cell * (UserTopEdges.Length + 1) + Bucket(UserTopEdges, u.TopPercent);
    }

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
        var discount = Discount();
        var maxMatch = (int)Number("max_match", 32);
        if (maxMatch is < 1 or > 1024) throw Bad($"\"hybrid.max_match\" must be in [1, 1024], found {maxMatch}");
        var lengthEdges = Edges("corpus_length_edges");
        var countEdges = Edges("corpus_count_edges");
        var topEdges = Edges("corpus_top_edges");
        var userCountEdges = Edges("user_count_edges");
        var userTopEdges = Edges("user_top_edges");
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
        var result = new HybridWeights(index, discount, maxMatch, lengthEdges, countEdges, topEdges, userEdges, userCountEdges, userTopEdges, [.. weights]);
        if (weights.Count != result.CellCount)
            throw Bad($"\"hybrid.weights\" has {weights.Count} cells; the edges make {result.CellCount}");
        return result;

        // One discount for every count, or [once, twice, more].
        Discounts Discount()
        {
            if (!h.TryGetProperty("discount", out var v)) return Default("").Discount;
            Discounts d;
            if (v.ValueKind == JsonValueKind.Number) d = Discounts.Uniform(v.GetDouble());
            else if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 3 && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number))
            {
                var x = v.EnumerateArray().Select(e => e.GetDouble()).ToArray();
                d = new Discounts(x[0], x[1], x[2]);
            }
            else throw Bad($"\"hybrid.discount\" must be a number or [once, twice, more], found {v}");
            return d.Valid ? d : throw Bad($"\"hybrid.discount\" must be in (0, 1], (0, 2] and (0, 3] for counts 1, 2 and more, found {v}");
        }

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
