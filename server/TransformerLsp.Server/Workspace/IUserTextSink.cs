namespace TransformerLsp.Server.Workspace;

/// <summary>
/// The engine's index of the user's own text as the server feeds it: one text per document key (a `file://` URI).
/// The seam between the server and the engine's <c>UserTextIndex</c>; the implementation over the engine is
/// <c>Set => index.Set(key, text)</c>, <c>Remove => index.Remove(key)</c>.
/// </summary>
/// <remarks>
/// Called from the workspace indexer's background task, one call at a time and in order (never concurrently with
/// itself), but not on the inference thread: an implementation must be safe to call while the engine predicts, or
/// post the call to the inference queue in order.
/// </remarks>
internal interface IUserTextSink
{
    void Set(string documentKey, string text);
    void Remove(string documentKey);
}

/// <summary>Until the server is connected to an engine index: workspace text is read and counted but goes nowhere.</summary>
internal sealed class DetachedUserTextSink : IUserTextSink
{
    public static readonly DetachedUserTextSink Instance = new();

    public void Set(string documentKey, string text) { }
    public void Remove(string documentKey) { }
}
