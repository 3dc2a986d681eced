using Microsoft.VisualStudio.Threading;
using TransformerLsp.Server.Handlers;
using TransformerLsp.Server.Hosting;

namespace TransformerLsp.Server.Tests.Hosting;

/// <summary>
/// The host acts on <see cref="ILspHandler.MutatesState"/>: a mutating handler that has not finished holds back every
/// handler that arrived after it (reads and mutations, in arrival order), never one that arrived before it.
/// </summary>
public sealed class HandlerOrderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly FakeHandler Read = new("read", MutatesState: false);
    private static readonly FakeHandler Edit = new("edit", MutatesState: true);

    [Fact]
    public async Task WorkAfterAnUnfinishedMutationWaitsForItInArrivalOrder()
    {
        var order = new HandlerOrder();
        var log = new List<string>();
        var slowEditMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new List<Task>();
        await Dispatch(() =>
        {
            tasks.Add(order.Run(Read, () => Logged(log, "read before")));
            tasks.Add(order.Run(Edit, async () =>
            {
                Add(log, "slow edit starts");
                await slowEditMayEnd.Task;
                Add(log, "slow edit ends");
                return true;
            }));
            tasks.Add(order.Run(Read, () => Logged(log, "read after")));
            order.Run(Edit, () => Add(log, "notification edit after"));
            tasks.Add(order.Run(Read, () => Logged(log, "second read after")));
        });
        Assert.Equal(["read before", "slow edit starts"], Snapshot(log));
        slowEditMayEnd.SetResult();
        await Task.WhenAll(tasks).WaitAsync(Timeout);
        Assert.Equal(["read before", "slow edit starts", "slow edit ends", "read after", "notification edit after", "second read after"], Snapshot(log));
    }

    [Fact]
    public async Task ReadsDoNotWaitForEachOther()
    {
        var order = new HandlerOrder();
        var log = new List<string>();
        var slowRead = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? pending = null;
        await Dispatch(() =>
        {
            pending = order.Run(Read, () => slowRead.Task);
            order.Run(Edit, () => Add(log, "edit"));
            _ = order.Run(Read, () => Logged(log, "read"));
        });
        Assert.Equal(["edit", "read"], Snapshot(log));
        slowRead.SetResult(true);
        await pending!.WaitAsync(Timeout);
    }

    [Fact]
    public async Task AFailedMutationReleasesTheWorkAfterIt()
    {
        var order = new HandlerOrder();
        var log = new List<string>();
        var fail = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<bool>? failing = null, after = null;
        await Dispatch(() =>
        {
            failing = order.Run(Edit, () => fail.Task);
            after = order.Run(Read, () => Logged(log, "read after the failure"));
        });
        fail.SetException(new InvalidOperationException("edit failed"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing!.WaitAsync(Timeout));
        Assert.True(await after!.WaitAsync(Timeout));
        Assert.Equal(["read after the failure"], Snapshot(log));
    }

    /// <summary>Calls <paramref name="arrive"/> on a non-concurrent synchronization context, as the host dispatches.</summary>
    private static async Task Dispatch(Action arrive)
    {
        var context = new NonConcurrentSynchronizationContext(sticky: false); // as LanguageServerHost's
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Post(_ =>
        {
            try { arrive(); done.SetResult(); }
            catch (Exception e) { done.SetException(e); }
        }, null);
        await done.Task.WaitAsync(Timeout);
    }

    private static Task<bool> Logged(List<string> log, string entry)
    {
        Add(log, entry);
        return Task.FromResult(true);
    }

    private static void Add(List<string> log, string entry)
    {
        lock (log) log.Add(entry);
    }

    private static List<string> Snapshot(List<string> log)
    {
        lock (log) return [.. log];
    }

    private sealed record FakeHandler(string Method, bool MutatesState) : ILspHandler;
}
