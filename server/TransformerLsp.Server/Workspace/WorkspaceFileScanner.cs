using TransformerLsp.Server.Settings;

namespace TransformerLsp.Server.Workspace;

/// <summary>A workspace folder: the URI the client sent (keys are built from it) and its local path.</summary>
internal sealed record WorkspaceFolderRef(string Uri, string Path)
{
    public static WorkspaceFolderRef? FromUri(string? uri) => FileUri.ToLocalPath(uri) is { } path ? new(uri!, path) : null;
}

/// <summary>Which files are read and how much in all: the `userText.*` settings.</summary>
internal sealed record ScanLimits(IReadOnlyList<string> Extensions, int MaxFiles, long MaxFileBytes, long MaxTotalBytes)
{
    public static ScanLimits From(ServerSettings s) =>
        new(s.UserTextExtensions, s.UserTextMaxFiles, s.UserTextMaxFileSizeKb * 1024L, s.UserTextMaxTotalMb * 1024L * 1024L);

    public bool HasExtension(string fileName) =>
        Extensions.Any(e => fileName.Length > e.Length && fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>For change detection: two limits with equal lists are the same.</summary>
    public string Signature => $"{string.Join(",", Extensions)}|{MaxFiles}|{MaxFileBytes}|{MaxTotalBytes}";
}

/// <summary>A text file read from the workspace, with the key it is indexed under.</summary>
internal sealed record ScannedFile(string Key, string Path, string Text, long Bytes, DateTime LastWriteUtc);

internal enum SkipReason { Hidden, ExcludedFolder, GitIgnored, Extension, TooLarge, Binary, Unreadable, Link, LinkOutsideFolder, Open }

/// <summary>What one scan read and what it skipped, and why (the log line).</summary>
internal sealed class ScanReport
{
    private readonly Dictionary<SkipReason, int> _skipped = [];

    public int Files { get; set; }
    public long Bytes { get; set; }
    /// <summary>The scan stopped at userText.maxFiles or userText.maxTotalMb; files after that were not looked at.</summary>
    public string? StoppedAt { get; set; }

    public void Skip(SkipReason reason) => _skipped[reason] = Count(reason) + 1;

    public int Count(SkipReason reason) => _skipped.GetValueOrDefault(reason);

    public override string ToString()
    {
        var reasons = _skipped.OrderBy(p => p.Key).Select(p => $"{p.Value} {Describe(p.Key)}");
        var text = $"{Files} files, {Bytes / 1024.0:0.#} KB indexed";
        if (_skipped.Count > 0) text += "; skipped: " + string.Join(", ", reasons);
        if (StoppedAt is not null) text += $"; stopped at {StoppedAt}";
        return text;
    }

    private static string Describe(SkipReason reason) => reason switch
    {
        SkipReason.Hidden => "hidden",
        SkipReason.ExcludedFolder => "build/dependency folders",
        SkipReason.GitIgnored => "matched by .gitignore",
        SkipReason.Extension => "other extensions",
        SkipReason.TooLarge => "over userText.maxFileSizeKb",
        SkipReason.Binary => "binary",
        SkipReason.Unreadable => "unreadable",
        SkipReason.Link => "folder links",
        SkipReason.LinkOutsideFolder => "links leaving the folder",
        _ => "open in the editor",
    };
}

/// <summary>
/// Lists and reads the workspace's text files: breadth first (top-level notes before deep ones when a limit is hit),
/// in name order, only inside the workspace folders, reading and never writing.
/// </summary>
/// <remarks>
/// Skipped: hidden files and folders (a leading dot, or the hidden attribute), <see cref="ExcludedFolders"/>, whatever
/// the `.gitignore` files say (each applies to its folder and below), other extensions, files over the size limit,
/// binary files (<see cref="TextFileReader"/>), folder links (not followed: cycles, and a link inside the folder
/// points at files scanned anyway) and file links whose target is outside the workspace folder. Stops at the file
/// count or the total size. Runs on the caller's thread; the token is checked for every folder and file.
/// </remarks>
internal static class WorkspaceFileScanner
{
    /// <summary>Dependency and build-output folders people expect a tool to leave alone (dot-folders are hidden anyway).</summary>
    public static readonly IReadOnlySet<string> ExcludedFolders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "node_modules", "bower_components", "bin", "obj", "dist", "out", "target", "build", "__pycache__", "venv",
        "site-packages", "_build", "_site", "TestResults",
    };

    public static IEnumerable<ScannedFile> Scan(IReadOnlyList<WorkspaceFolderRef> folders, ScanLimits limits, ScanReport report, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(FileUri.PathComparer);
        foreach (var folder in folders)
        {
            var root = new DirectoryInfo(folder.Path);
            if (!root.Exists) continue;
            var realRoot = FileUri.RealPath(root.FullName);
            var pending = new Queue<(DirectoryInfo Directory, string Relative, GitIgnoreChain Ignore)>();
            pending.Enqueue((root, "", LoadGitIgnore(GitIgnoreChain.Empty, root, "")));
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (directory, relative, ignore) = pending.Dequeue();
                FileSystemInfo[] entries;
                try { entries = [.. directory.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal)]; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { report.Skip(SkipReason.Unreadable); continue; }
                foreach (var entry in entries)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var entryRelative = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                    if (entry is DirectoryInfo subdirectory)
                    {
                        if (PathSkip(entry, entryRelative, isDirectory: true, ignore, limits) is { } folderSkip) { report.Skip(folderSkip); continue; }
                        pending.Enqueue((subdirectory, entryRelative, LoadGitIgnore(ignore, subdirectory, entryRelative)));
                        continue;
                    }
                    if ((PathSkip(entry, entryRelative, isDirectory: false, ignore, limits) ?? ContentSkip((FileInfo)entry, realRoot)) is { } fileSkip)
                    {
                        report.Skip(fileSkip);
                        continue;
                    }
                    if (!seen.Add(entry.FullName)) continue; // nested or repeated workspace folders
                    if (TextFileReader.TryRead(Target((FileInfo)entry), limits.MaxFileBytes, out var text, out var bytes) is { } readSkip)
                    {
                        report.Skip(readSkip);
                        continue;
                    }
                    if (report.Files >= limits.MaxFiles) { report.StoppedAt = $"userText.maxFiles ({limits.MaxFiles})"; yield break; }
                    if (report.Bytes + bytes > limits.MaxTotalBytes) { report.StoppedAt = $"userText.maxTotalMb ({limits.MaxTotalBytes / (1024 * 1024)} MB)"; yield break; }
                    report.Files++;
                    report.Bytes += bytes;
                    yield return new ScannedFile(FileUri.Child(folder.Uri, entryRelative), entry.FullName, text, bytes, entry.LastWriteTimeUtc);
                }
            }
        }
    }

    /// <summary>
    /// One file, for a close, a save or a watched-file change: the file if the scan would read it (every folder on its
    /// way is checked, with the .gitignore files there), else null and why. The count and total limits are the caller's.
    /// </summary>
    public static ScannedFile? ReadOne(IReadOnlyList<WorkspaceFolderRef> folders, ScanLimits limits, string path, out SkipReason? skipped)
    {
        skipped = null;
        var folder = folders.Where(f => FileUri.IsInside(path, f.Path) && !FileUri.PathComparer.Equals(path, f.Path)).MaxBy(f => f.Path.Length);
        var file = new FileInfo(path);
        if (folder is null || !file.Exists) return null;
        var parts = Path.GetRelativePath(folder.Path, path).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var directory = new DirectoryInfo(folder.Path);
        var ignore = LoadGitIgnore(GitIgnoreChain.Empty, directory, "");
        var relative = "";
        foreach (var part in parts[..^1])
        {
            relative = relative.Length == 0 ? part : relative + "/" + part;
            directory = new DirectoryInfo(Path.Combine(directory.FullName, part));
            if (PathSkip(directory, relative, isDirectory: true, ignore, limits) is { } folderSkip) { skipped = folderSkip; return null; }
            ignore = LoadGitIgnore(ignore, directory, relative);
        }
        relative = relative.Length == 0 ? parts[^1] : relative + "/" + parts[^1];
        skipped = PathSkip(file, relative, isDirectory: false, ignore, limits) ?? ContentSkip(file, FileUri.RealPath(folder.Path));
        if (skipped is not null) return null;
        skipped = TextFileReader.TryRead(Target(file), limits.MaxFileBytes, out var text, out var bytes);
        return skipped is null ? new ScannedFile(FileUri.Child(folder.Uri, relative), file.FullName, text, bytes, file.LastWriteTimeUtc) : null;
    }

    private static SkipReason? PathSkip(FileSystemInfo entry, string relative, bool isDirectory, GitIgnoreChain ignore, ScanLimits limits)
    {
        if (entry.Name.StartsWith('.') || (OperatingSystem.IsWindows() && entry.Attributes.HasFlag(FileAttributes.Hidden))) return SkipReason.Hidden;
        if (isDirectory && ExcludedFolders.Contains(entry.Name)) return SkipReason.ExcludedFolder;
        if (isDirectory && entry.LinkTarget is not null) return SkipReason.Link;
        if (!isDirectory && !limits.HasExtension(entry.Name)) return SkipReason.Extension;
        if (ignore.IsIgnored(relative, isDirectory)) return SkipReason.GitIgnored;
        return null;
    }

    /// <summary>A file link is read only when its target is a file inside the same workspace folder.</summary>
    private static SkipReason? ContentSkip(FileInfo file, string realRoot)
    {
        if (file.LinkTarget is null) return null;
        try
        {
            var target = file.ResolveLinkTarget(returnFinalTarget: true);
            if (target is not FileInfo { Exists: true }) return SkipReason.Unreadable;
            return FileUri.IsInside(FileUri.RealPath(target.FullName), realRoot) ? null : SkipReason.LinkOutsideFolder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return SkipReason.Unreadable;
        }
    }

    private static FileInfo Target(FileInfo file) =>
        file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target : file;

    private static GitIgnoreChain LoadGitIgnore(GitIgnoreChain chain, DirectoryInfo directory, string relative)
    {
        var path = Path.Combine(directory.FullName, ".gitignore");
        try
        {
            return File.Exists(path) ? chain.With(relative, GitIgnoreFile.Parse(File.ReadAllText(path))) : chain;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return chain;
        }
    }
}
