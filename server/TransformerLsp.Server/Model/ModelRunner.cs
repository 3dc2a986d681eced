using System.Diagnostics;
using TransformerLsp.Engine;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Scheduling;

namespace TransformerLsp.Server.Model;

/// <summary>
/// What a read handler needs of the model: run work on the inference queue with the loaded predictor, and report the
/// latency of an interactive answer.
/// </summary>
internal sealed class ModelRunner(ModelService model, InferenceQueue queue, ClientChannel client)
{
    /// <summary>
    /// Runs model work on the inference queue. Before the model is ready (or when it failed to load) answers
    /// <paramref name="whenNotReady"/> at once: requests get empty results, not errors.
    /// </summary>
    /// <param name="documentUri">The document the work is for.</param>
    /// <param name="slot">The feature (the handler's LSP method or command name): the newest request per document and
    /// slot wins.</param>
    /// <param name="priority">Interactive or background.</param>
    /// <param name="whenNotReady">The answer while no model is ready.</param>
    /// <param name="work">The work, given the loaded predictor and the item's token.</param>
    /// <param name="cancellationToken">The request's token.</param>
    public async Task<T> RunAsync<T>(string documentUri, string slot, WorkPriority priority, T whenNotReady,
        Func<TextPredictor, CancellationToken, T> work, CancellationToken cancellationToken)
    {
        if (model.Status.State != ModelState.Ready) return whenNotReady;
        return await queue.RunAsync(documentUri, slot, priority, token =>
        {
            var predictor = model.Predictor;
            return predictor is null ? whenNotReady : work(predictor, token);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports the latency of an interactive request in transformerLsp/status (throttled).</summary>
    public void ReportLatency(long startTimestamp)
    {
        var status = model.Status;
        if (status.State != ModelState.Ready) return;
        client.SendStatus(status.ToParams(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds));
    }
}
