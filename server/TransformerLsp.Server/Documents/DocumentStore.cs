using System.Collections.Concurrent;
using TransformerLsp.Server.Protocol;

namespace TransformerLsp.Server.Documents;

/// <summary>The open documents, by URI. Mutations come from didOpen/didChange/didClose, which the host runs in order.</summary>
/// <remarks>Readers take a <see cref="TextDocumentSnapshot"/> and work on it; a snapshot never changes.</remarks>
internal sealed class DocumentStore
{
    private readonly ConcurrentDictionary<string, TextDocumentSnapshot> documents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> outOfSync = new(StringComparer.Ordinal);

    public TextDocumentSnapshot Open(TextDocumentItem item)
    {
        outOfSync.TryRemove(item.Uri, out _);
        var snapshot = new TextDocumentSnapshot(item.Uri, item.LanguageId ?? "plaintext", item.Version, TextSanitizer.Clean(item.Text ?? ""));
        documents[item.Uri] = snapshot;
        return snapshot;
    }

    /// <summary>Applies changes in order; returns null when the document is not open.</summary>
    public TextDocumentSnapshot? Change(VersionedTextDocumentIdentifier id, IEnumerable<TextDocumentContentChangeEvent> changes)
    {
        if (!documents.TryGetValue(id.Uri, out var snapshot)) return null;
        foreach (var change in changes) snapshot = snapshot.WithChange(change, id.Version);
        documents[id.Uri] = snapshot;
        return snapshot;
    }

    public bool Close(string uri) => documents.TryRemove(uri, out _);

    /// <summary>Forgets a document whose text no longer matches the editor's, and why, until the next didOpen.</summary>
    public void LoseTrack(string uri, string why)
    {
        documents.TryRemove(uri, out _);
        outOfSync[uri] = why;
    }

    public TextDocumentSnapshot? Get(string uri) => documents.TryGetValue(uri, out var s) ? s : null;

    /// <summary>The snapshot of an open document, or -32602 InvalidParams naming the URI.</summary>
    public TextDocumentSnapshot GetRequired(string uri) =>
        Get(uri) ?? throw new InvalidParamsException(outOfSync.TryGetValue(uri, out string? why)
            ? $"document out of sync: {uri} ({why}); close and reopen it (textDocument/didOpen)"
            : $"document not open: {uri} (send textDocument/didOpen first)");

    public IReadOnlyCollection<TextDocumentSnapshot> All => documents.Values.ToArray();
}
