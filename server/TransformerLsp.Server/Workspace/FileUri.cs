using System.Text;

namespace TransformerLsp.Server.Workspace;

/// <summary>
/// `file://` URIs ↔ local paths. Keys for workspace files are built from the workspace folder's URI as the client sent
/// it, plus path segments encoded as VS Code encodes them, so a file read from disk gets the key the editor uses when it
/// opens that file; open documents are also matched by local path, which absorbs the rest of the spelling differences.
/// </summary>
internal static class FileUri
{
    /// <summary>How the file system compares paths: case-insensitively on Windows and macOS (their default volumes).</summary>
    public static StringComparer PathComparer { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>The full local path of a `file:` URI; null for other schemes or a malformed URI.</summary>
    public static string? ToLocalPath(string? uri)
    {
        if (uri is null || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile) return null;
        try
        {
            var path = Path.GetFullPath(parsed.LocalPath);
            return path.Length > Path.GetPathRoot(path)!.Length ? path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : path;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>The URI of <paramref name="relativePath"/> (`/`-separated) inside the folder <paramref name="folderUri"/>.</summary>
    public static string Child(string folderUri, string relativePath)
    {
        var uri = new StringBuilder(folderUri.TrimEnd('/'));
        foreach (var segment in relativePath.Split('/')) uri.Append('/').Append(EncodeSegment(segment));
        return uri.ToString();
    }

    /// <summary>
    /// Percent-encodes one path segment as VS Code's `Uri.toString()` does: unreserved characters (RFC 3986: letters,
    /// digits, `-._~`) stay, every other character is UTF-8 percent-encoded in upper-case hex.
    /// </summary>
    public static string EncodeSegment(string segment)
    {
        var encoded = new StringBuilder(segment.Length);
        foreach (var b in Encoding.UTF8.GetBytes(segment))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~') encoded.Append(c);
            else encoded.Append('%').Append(b.ToString("X2"));
        }
        return encoded.ToString();
    }

    /// <summary><paramref name="path"/> is <paramref name="folder"/> or inside it (both full paths).</summary>
    public static bool IsInside(string path, string folder)
    {
        folder = folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return PathComparer.Equals(path, folder) ||
            (path.Length > folder.Length && path.StartsWith(folder, PathComparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)
             && path[folder.Length] is var c && (c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar));
    }

    /// <summary>
    /// The path with every symbolic link on the way resolved (what realpath(3) gives), so that "inside the folder" is
    /// decided on where the bytes really are. Returns the full path unchanged where it cannot be resolved.
    /// </summary>
    public static string RealPath(string path)
    {
        path = Path.GetFullPath(path);
        var root = Path.GetPathRoot(path) ?? "";
        var current = root;
        foreach (var part in path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            try
            {
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                    current = RealPath(target.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return path;
            }
        }
        return current;
    }
}
