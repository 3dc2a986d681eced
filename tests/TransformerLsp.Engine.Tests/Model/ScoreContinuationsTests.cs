using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tests.Model;

/// <summary>
/// <see cref="OnnxDecoderState.ScoreContinuations"/> runs its rows in chunks bounded in bytes (the diagnostics pass scores
/// 25 passages at once, and one batch of all of them made a large-object-heap array per call). The chunked scores must
/// equal an independent path: each continuation fed one token at a time through <see cref="OnnxDecoderState.Advance"/>.
/// </summary>
public sealed class ScoreContinuationsTests
{
    /// <param name="exactPast">Whether the rows of a chunk run as one batch in the graph's exact-past layers, or one at a
    /// time in the shared buffers (what the session does for a shared-buffer graph without those layers).</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ChunkedScoresEqualFeedingEachContinuationTokenByToken(bool exactPast)
    {
        Assert.True(Fixtures.HasDefaultModel, "models/default is part of the repository");
        using var session = new ModelSession(Path.Combine(Fixtures.DefaultModel, "model.onnx"), ModelConfig.Read(Fixtures.DefaultModel), ExecutionProviderKind.Cpu, 1, ModelOptions.DefaultSpinMicroseconds);
        session.UseExactPast = exactPast;
        Assert.Equal(exactPast, session.BatchesRowsAfterPast);
        var vocab = session.Config.VocabSize;
        int[] context = [.. Enumerable.Range(0, 40).Select(i => 200 + (i * 37) % 3000)];
        var random = new Random(7);
        // Long enough rows that they cannot all go in one chunk: 50 rows of up to 14 tokens.
        var continuations = Enumerable.Range(0, 50)
            .Select(_ => Enumerable.Range(0, random.Next(1, 15)).Select(_ => random.Next(100, vocab)).ToArray())
            .ToList();
        var seq = continuations.Max(c => c.Length) - 1;
        Assert.True(continuations.Count > OnnxDecoderState.ScoreChunkFloats / (seq * vocab), "the case must need more than one chunk");

        var scores = WithState(session, context, state => state.ScoreContinuations(continuations, CancellationToken.None));

        for (var i = 0; i < continuations.Count; i++)
        {
            var c = continuations[i];
            var stepwise = WithState(session, context, alone =>
            {
                var lp = new float[c.Length];
                for (var j = 0; j < c.Length; j++)
                {
                    lp[j] = alone.LogProbs(0)[c[j]];
                    if (j + 1 < c.Length) alone.Advance([0], [c[j]], CancellationToken.None);
                }
                return lp;
            });
            for (var j = 0; j < c.Length; j++)
                Assert.True(Math.Abs(stepwise[j] - scores[i][j]) < 2e-3, $"row {i} token {j}: chunked {scores[i][j]}, token by token {stepwise[j]}");
        }
    }

    /// <summary>Runs <paramref name="use"/> on a state after <paramref name="context"/>; the state borrows the context's cache, disposed here after it.</summary>
    private static T WithState<T>(ModelSession session, int[] context, Func<OnnxDecoderState, T> use)
    {
        using var empty = session.EmptyCache();
        var logits = session.Run(empty, context, 1, context.Length, allPositions: false, out var contextCache);
        using (contextCache)
        {
            LogProbMath.LogSoftmax(logits);
            using var state = new OnnxDecoderState(session, contextCache, logits);
            return use(state);
        }
    }
}
