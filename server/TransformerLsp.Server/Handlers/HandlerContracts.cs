namespace TransformerLsp.Server.Handlers;

/// <summary>One LSP method. Each handler is a sealed class in its own file under Handlers/&lt;Feature&gt;/.</summary>
internal interface ILspHandler
{
    /// <summary>The method name, from <see cref="Protocol.LspMethods"/>.</summary>
    string Method { get; }

    /// <summary>
    /// True when the handler changes server state (documents, settings, lifecycle). Mutating handlers are synchronous
    /// and run in arrival order; read handlers take a snapshot synchronously, then await the inference queue.
    /// </summary>
    bool MutatesState { get; }
}

internal interface IRequestHandler<TParams, TResult> : ILspHandler
{
    Task<TResult> HandleAsync(TParams request, CancellationToken cancellationToken);
}

internal interface IRequestHandler<TResult> : ILspHandler
{
    Task<TResult> HandleAsync(CancellationToken cancellationToken);
}

internal interface INotificationHandler<TParams> : ILspHandler
{
    void Handle(TParams notification);
}

internal interface INotificationHandler : ILspHandler
{
    void Handle();
}
