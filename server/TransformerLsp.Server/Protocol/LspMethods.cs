namespace TransformerLsp.Server.Protocol;

/// <summary>Every LSP method name the server handles or sends, in one place.</summary>
internal static class LspMethods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";
    public const string SetTrace = "$/setTrace";
    public const string LogTrace = "$/logTrace";
    public const string CancelRequest = "$/cancelRequest";
    public const string Progress = "$/progress";

    public const string DidOpen = "textDocument/didOpen";
    public const string DidChange = "textDocument/didChange";
    public const string DidClose = "textDocument/didClose";
    public const string DidSave = "textDocument/didSave";
    public const string Completion = "textDocument/completion";
    public const string CompletionResolve = "completionItem/resolve";
    public const string InlineCompletion = "textDocument/inlineCompletion";
    public const string Hover = "textDocument/hover";
    public const string CodeAction = "textDocument/codeAction";
    public const string PublishDiagnostics = "textDocument/publishDiagnostics";

    public const string DidChangeConfiguration = "workspace/didChangeConfiguration";
    public const string ExecuteCommand = "workspace/executeCommand";
    public const string DidChangeWorkspaceFolders = "workspace/didChangeWorkspaceFolders";
    public const string DidChangeWatchedFiles = "workspace/didChangeWatchedFiles";
    public const string RegisterCapability = "client/registerCapability";

    public const string ShowMessage = "window/showMessage";
    public const string LogMessage = "window/logMessage";
    public const string WorkDoneProgressCreate = "window/workDoneProgress/create";

    /// <summary>Our custom server → client notification (the server README, "What the server offers").</summary>
    public const string Status = "transformerLsp/status";
}

/// <summary>The commands of workspace/executeCommand (the server README, "What the server offers").</summary>
internal static class LspCommands
{
    public const string BeamSearch = "transformerLsp.beamSearch";
    public const string FillMask = "transformerLsp.fillMask";
    public const string NextTokens = "transformerLsp.nextTokens";

    public static readonly string[] All = [BeamSearch, FillMask, NextTokens];
}

/// <summary>JSON-RPC / LSP error codes the server answers with.</summary>
internal static class LspErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int ServerNotInitialized = -32002;
    public const int RequestCancelled = -32800;
    public const int ContentModified = -32801;
}
