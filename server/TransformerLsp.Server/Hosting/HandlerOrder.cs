using TransformerLsp.Server.Handlers;

namespace TransformerLsp.Server.Hosting;

/// <summary>
/// Acts on <see cref="ILspHandler.MutatesState"/>, as Roslyn's request queue does: a mutating handler starts only
/// after every mutating handler that arrived before it has finished, and a read handler only after the mutations that
/// arrived before it, so a read always sees the edits sent before it. Reads do not wait for each other, and a mutation
/// does not wait for reads in flight: each works on the snapshot it took when it started, and an edit cancels
/// inference still running for its document (Scheduling/InferenceQueue.cs).
/// </summary>
/// <remarks>
/// Called in arrival order on the host's non-concurrent synchronization context; continuations resume there, in the
/// order they were queued. Today's mutating handlers finish synchronously, so nothing waits; a mutating handler that
/// awaits something would still hold back everything that arrived after it.
/// </remarks>
internal sealed class HandlerOrder
{
    private Task _mutations = Task.CompletedTask;

    /// <summary>Runs <paramref name="run"/> once the mutations that arrived before it have finished.</summary>
    public Task<T> Run<T>(ILspHandler handler, Func<Task<T>> run)
    {
        var before = _mutations;
        var task = before.IsCompleted ? run() : After(before, run);
        if (handler.MutatesState && !task.IsCompleted)
            _mutations = task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Runs a notification handler (synchronous) under the same rule.</summary>
    public void Run(ILspHandler handler, Action run) => _ = Run(handler, () =>
    {
        run();
        return Task.FromResult(true);
    });

    private static async Task<T> After<T>(Task before, Func<Task<T>> run)
    {
        await before;
        return await run();
    }
}
