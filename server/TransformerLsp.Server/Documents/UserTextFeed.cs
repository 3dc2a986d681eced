using TransformerLsp.Server.Model;
using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Documents;

/// <summary>
/// Keeps the loaded model's user-text index (<see cref="Engine.TextPredictor.UserText"/>) in step with the open documents
/// of the served languages, while <c>transformerLsp.userText.openDocuments</c> is on.
/// </summary>
/// <remarks>
/// Called by the document handlers after the store applied an open, change or close, and by the model service after a
/// predictor was swapped in (<see cref="Resync"/> adds the documents already open). One lock orders the two: a handler
/// updates the store before it takes the lock, a resync reads the store under it, so whichever runs second sees the other's
/// work and no document is missed. <c>Set</c> only swaps in the text (the index tokenizes lazily, at the next query), so the
/// lock is held for microseconds. It reads <see cref="ModelService.Predictor"/> off the inference thread, but only its
/// <c>UserText</c>, which is thread-safe and unaffected by the predictor's disposal.
/// </remarks>
internal sealed class UserTextFeed(DocumentStore documents, ModelService model, Func<ServerSettings> settings)
{
    private readonly object _gate = new();

    /// <summary>After an open or a change: index the document's full text (or drop it when its language is not served).</summary>
    public void Update(TextDocumentSnapshot document)
    {
        lock (_gate)
        {
            if (model.Predictor?.UserText is not { } index) return;
            var current = settings();
            if (current.UserTextOpenDocuments && current.IsLanguageEnabled(document.LanguageId)) index.Set(document.Uri, document.Text);
            else index.Remove(document.Uri);
        }
    }

    /// <summary>After a close.</summary>
    public void Remove(string uri)
    {
        lock (_gate) model.Predictor?.UserText.Remove(uri);
    }

    /// <summary>After a new predictor or a settings change: every open document indexed or removed as the settings say.</summary>
    public void Resync()
    {
        lock (_gate)
        {
            if (model.Predictor?.UserText is not { } index) return;
            var current = settings();
            foreach (var document in documents.All)
            {
                if (current.UserTextOpenDocuments && current.IsLanguageEnabled(document.LanguageId)) index.Set(document.Uri, document.Text);
                else index.Remove(document.Uri);
            }
        }
    }
}
