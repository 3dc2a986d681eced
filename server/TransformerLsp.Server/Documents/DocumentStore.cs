using System.Collections.Concurrent;
using TransformerLsp.Server.Protocol;

namespace TransformerLsp.Server.Documents;

/// <summary>The open documents, by URI. Mutations come from didOpen/didChange/didClose, which the host runs in order.</summary>
/// <remarks>Readers take a <see cref="TextDocumentSnapshot"/> and work on it; a snapshot never changes.</remarks>
internal sealed class DocumentStore
{
    private readonly ConcurrentDictionary<string, TextDocumentSnapshot> _documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _outOfSync = new(StringComparer.Ordinal);

    public TextDocumentSnapshot Open(TextDocumentItem item)
    {
        _outOfSync.TryRemove(item.Uri, out _);
        var snapshot = new TextDocumentSnapshot(item.Uri, item.LanguageId ?? "plaintext", item.Version, TextSanitizer.Clean(item.Text ?? ""));
        _documents[item.Uri] = snapshot;
        return snapshot;
    }

    /// <summary>Applies changes in order; returns null when the document is not open.</summary>
    public TextDocumentSnapshot? Change(VersionedTextDocumentIdentifier id, IEnumerable<TextDocumentContentChangeEvent> changes)
    {
        if (!_documents.TryGetValue(id.Uri, out var snapshot)) return null;
        foreach (var change in changes) snapshot = snapshot.WithChange(change, id.Version);
        _documents[id.Uri] = snapshot;
        return snapshot;
    }

    public bool Close(string uri) => _documents.TryRemove(uri, out _);

    /// <summary>Forgets a document whose text no longer matches the editor's, and why, until the next didOpen.</summary>
    public void LoseTrack(string uri, string why)
    {
        _documents.TryRemove(uri, out _);
        _outOfSync[uri] = why;
    }

    public TextDocumentSnapshot? Get(string uri) => _documents.TryGetValue(uri, out var s) ? s : null;

    /// <summary>The snapshot of an open document, or -32602 InvalidParams naming the URI.</summary>
    public TextDocumentSnapshot GetRequired(string uri) =>
        Get(uri) ?? throw new InvalidParamsException(_outOfSync.TryGetValue(uri, out var why)
            ? $"document out of sync: {uri} ({why}); close and reopen it (textDocument/didOpen)"
            : $"document not open: {uri} (send textDocument/didOpen first)");

    public IReadOnlyCollection<TextDocumentSnapshot> All => _documents.Values.ToArray();
}
