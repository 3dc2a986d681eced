using TransformerLsp.Server.Model;

namespace TransformerLsp.Server.Workspace;

/// <summary>
/// Where the workspace indexer puts the workspace's text files: one text per document key (a `file://` URI). In the
/// server, the loaded model's user-text index (<see cref="LoadedModelUserTextSink"/>); tests substitute a recorder.
/// </summary>
/// <remarks>
/// Called from the workspace indexer's background task, one call at a time and in order (never concurrently with
/// itself), but not on the inference thread: an implementation must be safe to call while the engine predicts (the
/// engine's UserTextIndex is).
/// </remarks>
internal interface IUserTextSink
{
    void Set(string documentKey, string text);
    void Remove(string documentKey);
}

/// <summary>The loaded model's <see cref="Engine.TextPredictor.UserText"/>; nothing while no model is loaded (a model that
/// loads later gets the files again: <see cref="WorkspaceTextIndexer.Reload"/>).</summary>
internal sealed class LoadedModelUserTextSink(ModelService model) : IUserTextSink
{
    public void Set(string documentKey, string text) => model.Predictor?.UserText.Set(documentKey, text);
    public void Remove(string documentKey) => model.Predictor?.UserText.Remove(documentKey);
}
