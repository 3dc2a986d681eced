namespace TransformerLsp.Server.Scheduling;

/// <summary>How urgent a piece of model work is.</summary>
internal enum WorkPriority
{
    /// <summary>The user is waiting: completion, inline completion, hover, code actions, commands.</summary>
    Interactive,
    /// <summary>Diagnostics; runs only when no interactive work waits, and is preempted by it.</summary>
    Background,
}

/// <summary>Why a piece of work was cancelled; decides the error the client sees.</summary>
internal enum CancelReason
{
    None,
    /// <summary>$/cancelRequest from the client: -32800 RequestCancelled.</summary>
    RequestCancelled,
    /// <summary>A newer request of the same kind for the same document: -32801 ContentModified.</summary>
    Superseded,
    /// <summary>The document was edited or closed: -32801 ContentModified.</summary>
    ContentModified,
    /// <summary>Background work preempted by interactive work; its owner retries it.</summary>
    Yielded,
    /// <summary>The server is shutting down: -32800 RequestCancelled.</summary>
    Shutdown,
}

/// <summary>Thrown for work that was cancelled; <see cref="Reason"/> says why.</summary>
internal sealed class WorkCancelledException(CancelReason reason) : OperationCanceledException($"cancelled: {reason}")
{
    public CancelReason Reason { get; } = reason;
}

/// <summary>
/// The one inference worker: runs model work one item at a time on a dedicated thread, interactive before background.
/// </summary>
/// <remarks>
/// <para>The engine is not thread-safe, so every call into it goes through here. Items carry the document they read and a
/// slot (the feature: the handler's LSP method name, LspMethods.Completion, LspMethods.Hover, …). For each (document, slot) the newest request wins: enqueuing an
/// interactive item cancels older pending or running items of that slot with <see cref="CancelReason.Superseded"/>.
/// Different slots do not cancel each other, because editors ask for completion and inline completion at the same
/// keystroke. An edit cancels all work on the document with <see cref="CancelReason.ContentModified"/>.</para>
/// <para>Cancellation is cooperative: a running item sees its token fire and the engine stops at its next model step.
/// A pending item is completed at once, so a $/cancelRequest answers without waiting for the worker.</para>
/// <para>A failing item fails only its own task; the worker keeps going.</para>
/// </remarks>
internal sealed class InferenceQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly LinkedList<WorkItem> _interactive = new();
    private readonly LinkedList<WorkItem> _background = new();
    private readonly Thread _worker;
    private WorkItem? _running;
    private bool _paused;
    private bool _disposed;

    public InferenceQueue()
    {
        _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "inference" };
        _worker.Start();
    }

    /// <summary>Number of items waiting (not running).</summary>
    public int PendingCount { get { lock (_gate) return _interactive.Count + _background.Count; } }

    /// <summary>Runs <paramref name="work"/> on the inference thread.</summary>
    /// <param name="documentUri">Document the work reads; null for work not tied to a document.</param>
    /// <param name="slot">Feature: the LSP method (or command) name; the newest interactive item per (document, slot) wins. Null = never superseded.</param>
    /// <param name="priority">Interactive work runs before background work.</param>
    /// <param name="work">The work, given a token that fires when it is cancelled, superseded or the queue stops.</param>
    /// <param name="requestToken">The request's token: cancels the item while pending or between its steps.</param>
    public Task<T> RunAsync<T>(string? documentUri, string? slot, WorkPriority priority, Func<CancellationToken, T> work, CancellationToken requestToken = default)
    {
        var item = new WorkItem(documentUri, slot, priority, ct => work(ct));
        lock (_gate)
        {
            if (_disposed) return Task.FromException<T>(new WorkCancelledException(CancelReason.Shutdown));
            if (priority == WorkPriority.Interactive)
            {
                if (documentUri is not null && slot is not null)
                {
                    foreach (var old in _interactive.Where(o => o.DocumentUri == documentUri && o.Slot == slot).ToList())
                        CancelLocked(old, CancelReason.Superseded);
                    if (_running is { } r && r.DocumentUri == documentUri && r.Slot == slot) CancelLocked(r, CancelReason.Superseded);
                }
                if (_running is { Priority: WorkPriority.Background } bg) CancelLocked(bg, CancelReason.Yielded);
                _interactive.AddLast(item.Node);
            }
            else
            {
                _background.AddLast(item.Node);
            }
            Monitor.PulseAll(_gate);
        }
        if (requestToken.CanBeCanceled)
            item.Registration = requestToken.Register(() => Cancel(item, CancelReason.RequestCancelled));
        return Cast<T>(item.Completion.Task);
    }

    /// <summary>Cancels all pending and running work on a document (it was edited or closed).</summary>
    public void CancelDocument(string documentUri, CancelReason reason = CancelReason.ContentModified)
    {
        lock (_gate)
        {
            foreach (var item in _interactive.Concat(_background).Where(i => i.DocumentUri == documentUri).ToList()) CancelLocked(item, reason);
            if (_running is { } r && r.DocumentUri == documentUri) CancelLocked(r, reason);
        }
    }

    /// <summary>Test hook: holds the worker before its next item so tests can line up work deterministically.</summary>
    internal void Pause() { lock (_gate) _paused = true; }

    internal void Resume() { lock (_gate) { _paused = false; Monitor.PulseAll(_gate); } }

    /// <summary>True once the worker thread has ended: nothing uses the engine any more.</summary>
    public bool IsStopped => !_worker.IsAlive;

    /// <summary>
    /// Cancels everything with <see cref="CancelReason.Shutdown"/> and waits (up to 10 s) for the running item to stop,
    /// so that the engine can be disposed safely afterwards (see <see cref="IsStopped"/>).
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                foreach (var item in _interactive.Concat(_background).ToList()) CancelLocked(item, CancelReason.Shutdown);
                if (_running is { } r) CancelLocked(r, CancelReason.Shutdown);
                Monitor.PulseAll(_gate);
            }
        }
        if (Thread.CurrentThread != _worker) _worker.Join(TimeSpan.FromSeconds(10));
    }

    private void Cancel(WorkItem item, CancelReason reason)
    {
        lock (_gate) CancelLocked(item, reason);
    }

    private void CancelLocked(WorkItem item, CancelReason reason)
    {
        if (item.Reason != CancelReason.None || item.Completion.Task.IsCompleted) return;
        item.Reason = reason;
        if (item.Node is { List: not null } node)
        {
            node.List.Remove(node);
            item.Completion.TrySetException(new WorkCancelledException(reason));
            // Unregister, never Dispose, under the gate: Dispose waits for a callback that is running, and the
            // request-token callback (Cancel) may be running right now on another thread, blocked on this gate.
            // That was a deadlock: $/cancelRequest racing a superseding request froze the queue and every request.
            item.Registration.Unregister();
        }
        else
        {
            item.Cancellation.Cancel();
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            WorkItem item;
            lock (_gate)
            {
                while (!_disposed && (_paused || (_interactive.Count == 0 && _background.Count == 0))) Monitor.Wait(_gate);
                if (_disposed) return;
                var list = _interactive.Count > 0 ? _interactive : _background;
                item = list.First!.Value;
                list.RemoveFirst();
                _running = item;
            }
            try
            {
                if (item.Reason != CancelReason.None) throw new WorkCancelledException(item.Reason);
                item.Completion.TrySetResult(item.Work(item.Cancellation.Token));
            }
            catch (OperationCanceledException) when (item.Reason != CancelReason.None)
            {
                item.Completion.TrySetException(new WorkCancelledException(item.Reason));
            }
            catch (Exception e)
            {
                item.Completion.TrySetException(e);
            }
            finally
            {
                lock (_gate) _running = null;
                item.Registration.Unregister(); // see CancelLocked: never wait for a callback that may wait for the gate
                item.Cancellation.Dispose();
            }
        }
    }

    private static async Task<T> Cast<T>(Task<object?> task) => (T)(await task.ConfigureAwait(false))!;

    private sealed class WorkItem
    {
        public WorkItem(string? documentUri, string? slot, WorkPriority priority, Func<CancellationToken, object?> work)
        {
            DocumentUri = documentUri;
            Slot = slot;
            Priority = priority;
            Work = work;
            Node = new LinkedListNode<WorkItem>(this);
        }

        public string? DocumentUri { get; }
        public string? Slot { get; }
        public WorkPriority Priority { get; }
        public Func<CancellationToken, object?> Work { get; }
        public LinkedListNode<WorkItem> Node { get; }
        public CancellationTokenSource Cancellation { get; } = new();
        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public volatile CancelReason Reason;
        public CancellationTokenRegistration Registration;
    }
}
