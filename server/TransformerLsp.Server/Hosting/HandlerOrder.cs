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
/// Called in arrival order on the host's non-concurrent synchronization context. Work that must wait is chained: each
/// item starts after the one that arrived before it has started (a read) or finished (a mutation), so arrival order
/// holds even though the host's context is not sticky and continuations run on the thread pool. Today's mutating
/// handlers finish synchronously, so nothing waits; a mutating handler that awaits something would still hold back
/// everything that arrived after it.
/// </remarks>
internal sealed class HandlerOrder
{
    // Completes when everything that arrived so far has started, and every mutation among it has finished.
    private Task _tail = Task.CompletedTask;

    /// <summary>Runs <paramref name="run"/> after everything before it has started and every mutation before it has finished.</summary>
    public Task<T> Run<T>(ILspHandler handler, Func<Task<T>> run)
    {
        if (_tail.IsCompleted)
        {
            var task = run(); // a read has taken its snapshot when run returns
            if (handler.MutatesState && !task.IsCompleted) _tail = Finished(task);
            return task;
        }
        var started = new TaskCompletionSource();
        var deferred = After(_tail, run, started);
        _tail = handler.MutatesState ? Finished(deferred) : started.Task;
        return deferred;
    }

    /// <summary>Runs a notification handler (synchronous) under the same rule.</summary>
    public void Run(ILspHandler handler, Action run) => _ = Run(handler, () =>
    {
        run();
        return Task.FromResult(true);
    });

    // The continuations need no particular thread: each item waits for the one before it, so order holds on any.
    private static async Task<T> After<T>(Task before, Func<Task<T>> run, TaskCompletionSource started)
    {
        await before.ConfigureAwait(false);
        Task<T> task;
        try { task = run(); }
        finally { started.SetResult(); }
        return await task.ConfigureAwait(false);
    }

    private static Task Finished(Task task) =>
        task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
