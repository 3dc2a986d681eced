using System.Text;
using System.Text.RegularExpressions;

namespace TransformerLsp.Server.Workspace;

/// <summary>
/// The patterns of one `.gitignore` file, matched against paths relative to the folder that holds it.
/// </summary>
/// <remarks>
/// The common subset of gitignore(5): blank lines and `#` comments, `\` escapes, trailing spaces trimmed, `!`
/// negation, a trailing `/` for directories only, a `/` at the start or in the middle anchors the pattern to this
/// folder (otherwise it matches a name at any depth), `*` and `?` within one path segment, `[...]` classes, and `**`
/// as a whole segment (`**/x`, `x/**`, `a/**/b`). Not supported: core.ignoreCase (matching is case-sensitive, as git
/// on Linux), `.git/info/exclude` and the global excludes file.
/// </remarks>
internal sealed class GitIgnoreFile
{
    private readonly List<Pattern> _patterns;

    private GitIgnoreFile(List<Pattern> patterns) => _patterns = patterns;

    private sealed record Pattern(Regex Regex, bool Negated, bool DirectoryOnly);

    public static GitIgnoreFile Parse(string content)
    {
        var patterns = new List<Pattern>();
        foreach (var rawLine in content.Split('\n'))
        {
            if (Compile(rawLine.TrimEnd('\r')) is { } pattern) patterns.Add(pattern);
        }
        return new GitIgnoreFile(patterns);
    }

    /// <summary>
    /// True = ignored, false = re-included by a `!` pattern, null = no pattern of this file matches (the last matching
    /// pattern decides, as in git). <paramref name="relativePath"/> uses `/` and is relative to this file's folder.
    /// </summary>
    public bool? Match(string relativePath, bool isDirectory)
    {
        for (var i = _patterns.Count - 1; i >= 0; i--)
        {
            var p = _patterns[i];
            if (p.DirectoryOnly && !isDirectory) continue;
            if (p.Regex.IsMatch(relativePath)) return !p.Negated;
        }
        return null;
    }

    private static Pattern? Compile(string line)
    {
        // Trailing spaces are ignored unless escaped with a backslash.
        var end = line.Length;
        while (end > 0 && line[end - 1] == ' ' && !(end >= 2 && line[end - 2] == '\\')) end--;
        line = line[..end];
        if (line.Length == 0 || line[0] == '#') return null;
        var negated = false;
        if (line[0] == '!') { negated = true; line = line[1..]; }
        var directoryOnly = false;
        if (line.EndsWith('/') && !line.EndsWith("\\/")) { directoryOnly = true; line = line.TrimEnd('/'); }
        if (line.Length == 0) return null;
        // A slash at the start or in the middle anchors the pattern to the .gitignore's folder.
        var anchored = line.Contains('/');
        if (line.StartsWith('/')) line = line[1..];
        if (line.Length == 0) return null;

        var regex = new StringBuilder("^");
        if (!anchored) regex.Append("(?:.*/)?");
        var segments = line.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            if (segments[i] == "**")
            {
                // "**/" matches zero or more folders; a final "/**" everything inside.
                regex.Append(last ? (i == 0 ? ".*" : ".+") : "(?:[^/]+/)*");
                continue;
            }
            AppendSegment(regex, segments[i]);
            if (!last) regex.Append('/');
        }
        // No "and everything below": a folder's contents are ignored because callers never look inside an ignored
        // folder (GitIgnoreChain.IsIgnoredWithParents checks each folder on the way), and so "!x" cannot re-include
        // a file under an ignored folder, as in git.
        regex.Append('$');
        return new Pattern(new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline), negated, directoryOnly);
    }

    private static void AppendSegment(StringBuilder regex, string segment)
    {
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '\\' when i + 1 < segment.Length:
                    regex.Append(Regex.Escape(segment[++i].ToString()));
                    break;
                case '*':
                    while (i + 1 < segment.Length && segment[i + 1] == '*') i++; // "**" inside a segment is "*"
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var close = segment.IndexOf(']', i + 2);
                    if (close < 0) { regex.Append(@"\["); break; }
                    var body = segment[(i + 1)..close];
                    var not = body.StartsWith('!') || body.StartsWith('^');
                    if (not) body = body[1..];
                    regex.Append('[').Append(not ? "^/" : "").Append(body.Replace(@"\", @"\\").Replace("[", @"\[")).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
    }
}

/// <summary>
/// The `.gitignore` files that apply to one folder: its own and its ancestors' up to the workspace folder, each with the
/// path of its folder relative to the workspace folder. Deeper files take precedence, as in git.
/// </summary>
internal sealed class GitIgnoreChain
{
    public static readonly GitIgnoreChain Empty = new(null, "", null);

    private readonly GitIgnoreChain? _parent;
    private readonly string _folder; // relative to the workspace folder, "" or ending in "/"
    private readonly GitIgnoreFile? _file;

    private GitIgnoreChain(GitIgnoreChain? parent, string folder, GitIgnoreFile? file)
    {
        _parent = parent;
        _folder = folder;
        _file = file;
    }

    /// <summary>This chain plus the `.gitignore` of <paramref name="relativeFolder"/> ("" = the workspace folder).</summary>
    public GitIgnoreChain With(string relativeFolder, GitIgnoreFile file) =>
        new(this, relativeFolder.Length == 0 || relativeFolder.EndsWith('/') ? relativeFolder : relativeFolder + "/", file);

    /// <summary>
    /// <paramref name="relativePath"/> (relative to the workspace folder, with `/`) or one of the folders above it is
    /// ignored: for a single file, when its folders were not walked one by one.
    /// </summary>
    public bool IsIgnoredWithParents(string relativePath, bool isDirectory)
    {
        for (var slash = relativePath.IndexOf('/'); slash >= 0; slash = relativePath.IndexOf('/', slash + 1))
        {
            if (IsIgnored(relativePath[..slash], isDirectory: true)) return true;
        }
        return IsIgnored(relativePath, isDirectory);
    }

    /// <summary>
    /// <paramref name="relativePath"/> (relative to the workspace folder, with `/`) is ignored, assuming the folders
    /// above it are not: the scanner's question, as it never enters an ignored folder.
    /// </summary>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        for (var chain = this; chain is not null; chain = chain._parent)
        {
            if (chain._file is null || !relativePath.StartsWith(chain._folder, StringComparison.Ordinal)) continue;
            if (chain._file.Match(relativePath[chain._folder.Length..], isDirectory) is { } ignored) return ignored;
        }
        return false;
    }
}
