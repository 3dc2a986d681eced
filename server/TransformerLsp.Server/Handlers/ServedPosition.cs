using TransformerLsp.Server.Documents;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Handlers;

/// <summary>
/// Where a read request at a cursor is: the open document, the offset and the settings the request is answered with;
/// none when the document's language is not served (the request then gets an empty answer). An unopened document is
/// -32602 (<see cref="DocumentStore.GetRequired"/>).
/// </summary>
internal readonly record struct ServedPosition(TextDocumentSnapshot Document, int Offset, ServerSettings Settings)
{
    public static ServedPosition? Find(DocumentStore documents, ServerSettings settings, string uri, Position position)
    {
        var document = documents.GetRequired(uri);
        return settings.IsLanguageEnabled(document.LanguageId) ? new ServedPosition(document, document.OffsetAt(position), settings) : null;
    }
}
