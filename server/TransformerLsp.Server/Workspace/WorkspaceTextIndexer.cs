namespace TransformerLsp.Server.Workspace;

/// <summary>What the indexer should cover: the opt-in, the workspace's trust, its folders and the limits.</summary>
internal sealed record WorkspaceScope(bool Enabled, bool Trusted, IReadOnlyList<WorkspaceFolderRef> Folders, ScanLimits Limits)
{
    /// <summary>Workspace files are read only when the user opted in and the workspace is trusted.</summary>
    public bool Active => Enabled && Trusted && Folders.Count > 0;

    public string Signature => Active ? string.Join("|", Folders.Select(f => f.Uri)) + "|" + Limits.Signature : "off";
}

/// <summary>
/// Feeds the user-text index the workspace's text files (opt-in): a full scan when the scope changes, one file when a
/// document closes or a watched file changes, removal of what is no longer eligible. Knows the index only through two
/// delegates, so it needs no engine type.
/// </summary>
/// <remarks>
/// <para>An open document's live text wins over the file on disk: the open-document path calls <c>set</c> with the
/// document's URI. Call <see cref="DocumentOpened"/> before that <c>set</c> and <see cref="DocumentClosed"/> after the
/// open-document path's <c>remove</c>: while a file is open the indexer neither sets nor removes it, and a disk copy
/// indexed under another spelling of the URI is removed when the document opens.</para>
/// <para>All file reading runs on one background task chain (scans and single files never interleave); a new scope
/// cancels the running scan. <c>set</c> and <c>remove</c> are called under the indexer's lock, so an open document
/// cannot slip between the "is it open?" check and the call. Nothing is written to the workspace.</para>
/// </remarks>
internal sealed class WorkspaceTextIndexer : IDisposable
{
    private readonly Action<string, string> _set;
    private readonly Action<string> _remove;
    private readonly Action<string> _log;
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _indexed = new(FileUri.PathComparer);
    private readonly HashSet<string> _open = new(FileUri.PathComparer);
    private WorkspaceScope _scope = new(false, false, [], new ScanLimits([], 0, 0, 0));
    private CancellationTokenSource _scanCancel = new();
    private Task _work = Task.CompletedTask;
    private long _indexedBytes;
    private int _generation;
    private bool _disposed;

    private sealed record Entry(string Key, long Bytes, DateTime LastWriteUtc);

    /// <param name="set">Index <c>text</c> under the document key (a `file://` URI).</param>
    /// <param name="remove">Forget the document key.</param>
    /// <param name="log">One line per scan: what was indexed, what was skipped and why (counts).</param>
    public WorkspaceTextIndexer(Action<string, string> set, Action<string> remove, Action<string> log)
    {
        _set = set;
        _remove = remove;
        _log = log;
    }

    /// <summary>Completes when the reading queued so far is done (for tests and shutdown).</summary>
    public Task WhenIdle { get { lock (_gate) return _work; } }

    /// <summary>Keys indexed from disk now (for tests and the log).</summary>
    public IReadOnlyCollection<string> IndexedKeys { get { lock (_gate) return [.. _indexed.Values.Select(e => e.Key)]; } }

    /// <summary>
    /// Applies a new scope: a rescan when folders, limits, opt-in or trust changed (files no longer eligible are
    /// removed when it ends); everything indexed from disk is removed at once when the scope is no longer active.
    /// </summary>
    public void Update(WorkspaceScope newScope, bool force = false)
    {
        lock (_gate)
        {
            if (_disposed || (!force && newScope.Signature == _scope.Signature)) { _scope = newScope; return; }
            _scope = newScope;
            _generation++;
            _scanCancel.Cancel();
            _scanCancel.Dispose();
            _scanCancel = new CancellationTokenSource();
            if (!newScope.Active)
            {
                RemoveAllLocked();
                return;
            }
            var scanGeneration = _generation;
            var token = _scanCancel.Token;
            Enqueue(() => Scan(newScope, scanGeneration, token));
        }
    }

    /// <summary>The index was replaced by an empty one (a model was loaded): every eligible file is read again.</summary>
    public void Reload()
    {
        WorkspaceScope current;
        lock (_gate)
        {
            _indexed.Clear();
            _indexedBytes = 0;
            current = _scope;
        }
        if (current.Active) Update(current, force: true);
    }

    /// <summary>A document opened (call before the open-document path sets its live text).</summary>
    public void DocumentOpened(string uri)
    {
        if (FileUri.ToLocalPath(uri) is not { } path) return;
        lock (_gate)
        {
            _open.Add(path);
            if (!_indexed.Remove(path, out var entry)) return;
            _indexedBytes -= entry.Bytes;
            if (entry.Key != uri) _remove(entry.Key); // the disk copy under another spelling would count twice
        }
    }

    /// <summary>A document closed (call after the open-document path removed it): the file is read again from disk.</summary>
    public void DocumentClosed(string uri)
    {
        if (FileUri.ToLocalPath(uri) is not { } path) return;
        lock (_gate)
        {
            _open.Remove(path);
            RefreshLocked(path);
        }
    }

    /// <summary>
    /// A file changed on disk (saved, created, deleted: workspace/didChangeWatchedFiles or textDocument/didSave): it is
    /// read again, or removed. A changed `.gitignore` rescans everything.
    /// </summary>
    public void FileChanged(string uri)
    {
        if (FileUri.ToLocalPath(uri) is not { } path) return;
        if (Path.GetFileName(path) == ".gitignore") { WorkspaceScope current; lock (_gate) current = _scope; Update(current, force: true); return; }
        lock (_gate) RefreshLocked(path);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _generation++;
            _scanCancel.Cancel();
        }
    }

    private void RefreshLocked(string path)
    {
        if (_disposed || !_scope.Active || _open.Contains(path)) return;
        var refreshScope = _scope;
        var refreshGeneration = _generation;
        Enqueue(() =>
        {
            var file = WorkspaceFileScanner.ReadOne(refreshScope.Folders, refreshScope.Limits, path, out _);
            lock (_gate)
            {
                if (refreshGeneration != _generation || _open.Contains(path)) return;
                _indexed.TryGetValue(path, out var old);
                if (file is not null && FitsLocked(file, old, refreshScope.Limits)) SetLocked(file);
                else if (old is not null) RemoveLocked(path, old);
            }
        });
    }

    private void Scan(WorkspaceScope scanScope, int scanGeneration, CancellationToken token)
    {
        var report = new ScanReport();
        var seen = new HashSet<string>(FileUri.PathComparer);
        try
        {
            foreach (var file in WorkspaceFileScanner.Scan(scanScope.Folders, scanScope.Limits, report, token))
            {
                lock (_gate)
                {
                    if (scanGeneration != _generation) return;
                    seen.Add(file.Path);
                    if (_open.Contains(file.Path)) { report.Skip(SkipReason.Open); continue; }
                    if (_indexed.TryGetValue(file.Path, out var old) && old.Key == file.Key && old.Bytes == file.Bytes && old.LastWriteUtc == file.LastWriteUtc) continue;
                    SetLocked(file);
                }
            }
            lock (_gate)
            {
                if (scanGeneration != _generation) return;
                foreach (var (path, entry) in _indexed.Where(p => !seen.Contains(p.Key)).ToArray()) RemoveLocked(path, entry);
            }
            _log($"Workspace text for suggestions: {report}.");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private bool FitsLocked(ScannedFile file, Entry? old, ScanLimits limits) =>
        (old is not null || _indexed.Count < limits.MaxFiles) && _indexedBytes - (old?.Bytes ?? 0) + file.Bytes <= limits.MaxTotalBytes;

    private void SetLocked(ScannedFile file)
    {
        if (_indexed.Remove(file.Path, out var old))
        {
            _indexedBytes -= old.Bytes;
            if (old.Key != file.Key) _remove(old.Key);
        }
        _set(file.Key, file.Text);
        _indexed[file.Path] = new Entry(file.Key, file.Bytes, file.LastWriteUtc);
        _indexedBytes += file.Bytes;
    }

    private void RemoveLocked(string path, Entry entry)
    {
        _indexed.Remove(path);
        _indexedBytes -= entry.Bytes;
        _remove(entry.Key);
    }

    private void RemoveAllLocked()
    {
        foreach (var (path, entry) in _indexed.ToArray()) RemoveLocked(path, entry);
    }

    private void Enqueue(Action action)
    {
        _work = _work.ContinueWith(_ =>
        {
            try { action(); }
            catch (Exception e) { _log($"Workspace text for suggestions: reading stopped: {e.Message}"); }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
