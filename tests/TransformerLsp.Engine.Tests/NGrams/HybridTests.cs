using System.Text.Json;
using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.NGrams;
using TransformerLsp.Engine.Tests.Decoding;

namespace TransformerLsp.Engine.Tests.NGrams;

/// <summary>The ∞-gram distribution and the mixture are proper distributions, and the fused decoder state is the mixture of
/// its inner state, checked against the formulas computed by hand on small random corpora.</summary>
public class HybridTests
{
    private const int Vocab = 6;

    private static int[] Corpus(int seed, int length = 400)
    {
        var r = new Random(seed);
        var t = new int[length];
        for (var i = 0; i < length; i++) t[i] = i > 3 && r.NextDouble() < 0.4 ? t[i - 3] : r.Next(Vocab);
        return t;
    }

    /// <summary>p_L by the recursion in <see cref="NGramDistribution"/>'s remarks, from brute-force counts: level 0 over the
    /// number of distinct tokens seen before each token (Kneser–Ney's continuation counts).</summary>
    private static double Reference(int[] corpus, int[] context, int token, Discounts d, int maxLength)
    {
        var levels = BruteForceCounts.Continuations(corpus, context, maxLength);
        var predecessors = Enumerable.Range(0, Vocab).Select(t => Enumerable.Range(1, corpus.Length - 1).Where(i => corpus[i] == t).Select(i => corpus[i - 1]).Distinct().Count()).ToArray();
        var p = (predecessors[token] + 1.0) / (predecessors.Sum() + Vocab);
        foreach (var level in levels)
        {
            double c = level.Sum(x => x.Count);
            var ct = level.FirstOrDefault(x => x.Token == token).Count;
            p = (ct == 0 ? 0 : ct - d.For(ct)) / c + level.Sum(x => d.For(x.Count)) / c * p;
        }
        return p;
    }

    [Fact]
    public void Distribution_matches_the_recursion_and_sums_to_one()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var corpus = Corpus(seed);
            var index = new SuffixArrayIndex(corpus, Vocab);
            var r = new Random(seed);
            foreach (var context in BruteForceCounts.Contexts(corpus, Vocab, r, 10))
            {
                var d = new Discounts(0.3 + 0.7 * r.NextDouble(), 0.5 + 1.5 * r.NextDouble(), 0.5 + 2.5 * r.NextDouble());
                var dist = new NGramDistribution(index, index.Continuations(context, 8), d);
                var dense = new float[Vocab];
                dist.AddTo(dense, 1);
                Assert.Equal(1.0, dense.Sum(x => (double)x), 4);
                for (var t = 0; t < Vocab; t++)
                {
                    var expected = Reference(corpus, context, t, d, 8);
                    Assert.Equal(expected, dist.Probability(t), 9);
                    Assert.True(Math.Abs(expected - dense[t]) < 1e-5, $"dense {dense[t]} vs {expected}");
                    Assert.True(dist.Probability(t) > 0);
                }
            }
        }
    }

    private static readonly Discounts D = new(0.6, 1.1, 1.4);

    private static HybridWeights Weights(double t, double c, double u) => new("corpus.infinigram", D, 8, [1, 3], [4], [50], [1, 2], [3], [], [.. Enumerable.Range(0, 3 * 2 * 2 * 3 * 2).Select(_ => new[] { t, c, u })]);

    [Fact]
    public void Fused_state_is_the_mixture_of_its_inner_state_and_a_proper_distribution()
    {
        var corpus = Corpus(7);
        var user = Corpus(8, 120);
        var index = new SuffixArrayIndex(corpus, Vocab);
        var userIndex = new SuffixArrayIndex(user, Vocab);
        var weights = Weights(0.6, 0.3, 0.1);
        var scorer = new HybridScorer(weights, index, userIndex);
        var toy = ToyDecoderState.Random(Vocab, 3);
        int[] context = [1, 2, 3, 1, 2];
        using var fused = new HybridDecoderState(new ToyDecoderState(toy, context, Vocab), scorer, context);

        void Check(int[] history, ReadOnlySpan<float> lp)
        {
            var pt = toy(history);
            var pc = new NGramDistribution(index, index.Continuations(history.TakeLast(8).ToArray(), 8), D);
            var pu = new NGramDistribution(userIndex, userIndex.Continuations(history.TakeLast(8).ToArray(), 8), D);
            double sum = 0;
            for (var t = 0; t < Vocab; t++)
            {
                var expected = 0.6 * pt[t] + 0.3 * pc.Probability(t) + 0.1 * pu.Probability(t);
                Assert.Equal(expected, Math.Exp(lp[t]), 5);
                sum += Math.Exp(lp[t]);
            }
            Assert.Equal(1.0, sum, 4);
        }

        Check(context, fused.LogProbs(0));
        fused.Advance([0, 0], [4, 5], CancellationToken.None);
        Check([.. context, 4], fused.LogProbs(0));
        Check([.. context, 5], fused.LogProbs(1));
        fused.Advance([1], [2], CancellationToken.None);
        Check([.. context, 5, 2], fused.LogProbs(0));

        // Passages are scored token by token with the same mixture.
        int[] passage = [3, 0, 2];
        var scores = fused.ScoreContinuations([passage], CancellationToken.None)[0];
        int[] seq = [.. context, 5, 2];
        for (var j = 0; j < passage.Length; j++)
        {
            var expected = new float[Vocab];
            using var step = new HybridDecoderState(new ToyDecoderState(toy, [.. seq, .. passage[..j]], Vocab), scorer, [.. seq, .. passage[..j]]);
            Assert.Equal(step.LogProbs(0)[passage[j]], scores[j], 4);
        }
    }

    [Fact]
    public void Mixing_from_logits_equals_mixing_from_their_log_softmax()
    {
        // The decoder states hand the mixture raw logits (log-probabilities up to a constant): the result must not depend on the constant.
        var corpus = new SuffixArrayIndex([1, 2, 3, 1, 2, 4, 1, 2, 3, 0, 5, 1], Vocab);
        var scorer = new HybridScorer(Weights(0.6, 0.3, 0.1), corpus, new SuffixArrayIndex([2, 3, 1, 2, 3, 4], Vocab));
        var rng = new Random(7);
        var logits = Enumerable.Range(0, Vocab).Select(_ => (float)(rng.NextDouble() * 10 - 3)).ToArray();
        var logProbs = (float[])logits.Clone();
        LogProbMath.LogSoftmax(logProbs);
        var fromLogProbs = (float[])logProbs.Clone();
        scorer.Mix([1, 2], fromLogProbs);
        var fromLogits = new float[Vocab];
        scorer.Mix([1, 2], logits, fromLogits);
        Assert.Equal(fromLogProbs, fromLogits, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(1, fromLogits.Sum(x => Math.Exp(x)), 5);
    }

    [Fact]
    public void Absent_components_give_their_weight_to_the_others()
    {
        var weights = Weights(0.5, 0.3, 0.2);
        var (t, c, u) = weights.For(0, hasCorpus: true, hasUser: false);
        Assert.Equal([0.625, 0.375, 0.0], new[] { t, c, u }, (a, b) => Math.Abs(a - b) < 1e-12);
        (t, c, u) = weights.For(0, hasCorpus: false, hasUser: true);
        Assert.Equal([0.5 / 0.7, 0.0, 0.2 / 0.7], new[] { t, c, u }, (a, b) => Math.Abs(a - b) < 1e-12);
        var scorer = new HybridScorer(weights, new SuffixArrayIndex([], Vocab), null);
        Assert.False(scorer.Active);
        // Without components the mixture is the transformer's distribution: its log-softmax, whatever constant the logits carry.
        var lp = new[] { -1f, -2f };
        scorer.Mix([1], lp);
        var z = MathF.Log(MathF.Exp(-1) + MathF.Exp(-2));
        Assert.Equal([-1 - z, -2 - z], lp, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Cells_separate_no_user_text_from_an_unmatched_one()
    {
        var w = Weights(1, 0, 0);
        MatchEvidence None = default;
        Assert.NotEqual(w.Cell(None, null), w.Cell(None, new MatchEvidence(0, 0, 0)));
        Assert.Equal(w.Cell(None, new MatchEvidence(1, 1, 100)), w.Cell(None, new MatchEvidence(5, 2, 100)));
        Assert.NotEqual(w.Cell(None, new MatchEvidence(1, 2, 100)), w.Cell(None, new MatchEvidence(1, 3, 100)));
        Assert.NotEqual(w.Cell(new MatchEvidence(2, 5, 49), null), w.Cell(new MatchEvidence(2, 5, 50), null));
        Assert.Equal(w.CellCount - 1, w.Cell(new MatchEvidence(10, 100, 100), new MatchEvidence(10, 100, 100)));
    }

    [Theory]
    [InlineData("""{"hybrid": {"discount": 0}}""", "discount")]
    [InlineData("""{"hybrid": {"discount": [0.5, 2.5, 1]}}""", "discount")]
    [InlineData("""{"hybrid": {"corpus_index": "../x"}}""", "corpus_index")]
    [InlineData("""{"hybrid": {"weights": [[0.5, 0.5]]}}""", "[transformer, corpus, user]")]
    [InlineData("""{"hybrid": {"weights": [[0.5, 0.6, 0.1]]}}""", "summing to 1")]
    [InlineData("""{"hybrid": {"corpus_length_edges": [2, 1], "weights": []}}""", "increasing")]
    [InlineData("""{"hybrid": {"corpus_length_edges": [1], "weights": [[1, 0, 0]]}}""", "cells")]
    public void Bad_hybrid_sections_name_the_key(string json, string expected)
    {
        using var doc = JsonDocument.Parse(json);
        var e = Assert.Throws<ModelLoadException>(() => HybridWeights.Read(doc.RootElement, "config.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("config.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_good_hybrid_section_reads()
    {
        using var doc = JsonDocument.Parse("""{"hybrid": {"discount": 0.7, "max_match": 16, "user_length_edges": [1], "weights": [[0.9, 0.1, 0], [0.8, 0.1, 0.1]]}}""");
        var w = HybridWeights.Read(doc.RootElement, "config.json")!;
        Assert.Equal(Discounts.Uniform(0.7), w.Discount);
        Assert.Equal(2, w.CellCount);
        Assert.Equal("corpus.infinigram", w.CorpusIndex);
    }
}
