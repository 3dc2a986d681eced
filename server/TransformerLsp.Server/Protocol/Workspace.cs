using System.Text.Json.Serialization;

namespace TransformerLsp.Server.Protocol;

internal sealed record WorkspaceFolder([property: JsonPropertyName("uri")] string Uri, [property: JsonPropertyName("name")] string? Name = null);

internal sealed record WorkspaceFoldersChangeEvent(
    [property: JsonPropertyName("added")] WorkspaceFolder[]? Added,
    [property: JsonPropertyName("removed")] WorkspaceFolder[]? Removed);

internal sealed record DidChangeWorkspaceFoldersParams([property: JsonPropertyName("event")] WorkspaceFoldersChangeEvent Event);

/// <summary>type: 1 created, 2 changed, 3 deleted.</summary>
internal sealed record FileEvent([property: JsonPropertyName("uri")] string Uri, [property: JsonPropertyName("type")] int Type);

internal sealed record DidChangeWatchedFilesParams([property: JsonPropertyName("changes")] FileEvent[] Changes);

internal sealed record FileSystemWatcher([property: JsonPropertyName("globPattern")] string GlobPattern);

internal sealed record DidChangeWatchedFilesRegistrationOptions([property: JsonPropertyName("watchers")] FileSystemWatcher[] Watchers);

internal sealed record Registration(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("registerOptions")] object? RegisterOptions);

internal sealed record RegistrationParams([property: JsonPropertyName("registrations")] Registration[] Registrations);

internal sealed record WorkspaceServerCapabilities
{
    [JsonPropertyName("workspaceFolders")] public WorkspaceFoldersServerCapabilities WorkspaceFolders { get; init; } = new();
}

internal sealed record WorkspaceFoldersServerCapabilities
{
    [JsonPropertyName("supported")] public bool Supported { get; init; } = true;
    /// <summary>True: the client sends workspace/didChangeWorkspaceFolders (the workspace text index follows the folders).</summary>
    [JsonPropertyName("changeNotifications")] public bool ChangeNotifications { get; init; } = true;
}
