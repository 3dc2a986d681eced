namespace TransformerLsp.Engine.Model;

/// <summary>
/// The one way the engine finds a file of a model folder, so that a model folder cannot make it read anything else:
/// the name must stay inside the folder (no absolute path, no ".." out of it), the file must be a regular, non-empty
/// file (a FIFO or a device reports size 0, so neither can hang or flood the load) and no larger than its kind allows.
/// </summary>
/// <remarks>Symbolic links placed in the folder are followed (the folder's owner put them there, as a Hugging Face cache
/// does); names written in config.json are what is confined. Every refusal is a <see cref="ModelLoadException"/> naming
/// the file and the rule.</remarks>
internal static class ModelFiles
{
    public const long ConfigMaxBytes = 16L << 20;
    public const long TokenizerMaxBytes = 64L << 20;
    public const long LexiconMaxBytes = 64L << 20;
    public const long WordTrigramMaxBytes = 256L << 20;
    public const long CorpusIndexMaxBytes = 8L << 30;
    public const long OnnxMaxBytes = 8L << 30;

    /// <summary>The full path of <paramref name="name"/> in <paramref name="folder"/>, checked; null when the file does
    /// not exist and <paramref name="required"/> is false. <paramref name="what"/> says what the file is, for messages
    /// ("the SentencePiece model named by config.json's tokenizer.file"); <paramref name="maxBytes"/> caps its size.</summary>
    public static string? Find(string folder, string name, string what, long maxBytes, bool required = true)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0'))
            throw new ModelLoadException($"{root}: an empty or invalid file name was given for {what}.");
        if (Path.IsPathRooted(name))
            throw new ModelLoadException($"{name}: {what} must be a file inside the model folder {root}, named relative to it, not an absolute path.");
        var path = Path.GetFullPath(Path.Combine(root, name));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ModelLoadException($"{name}: {what} must be inside the model folder {root}; this name leads out of it ({path}).");
        if (Directory.Exists(path))
            throw new ModelLoadException($"{path}: is a folder; expected {what}.");
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (info.LinkTarget is not null)
                throw new ModelLoadException($"{path}: a symbolic link to {info.LinkTarget}, which does not exist; expected {what}.");
            return required ? throw new ModelLoadException($"{path}: missing; expected {what}.") : null;
        }
        var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        if (target.Length == 0)
            throw new ModelLoadException($"{path}: is empty or not a regular file (a FIFO or a device); expected {what}.");
        if (target.Length > maxBytes)
            throw new ModelLoadException($"{path}: is {Megabytes(target.Length)}; {what} may be at most {Megabytes(maxBytes)}.");
        return path;
    }

    /// <summary><see cref="Find"/> for a file that must be there.</summary>
    public static string Require(string folder, string name, string what, long maxBytes) => Find(folder, name, what, maxBytes)!;

    /// <summary>The whole file, read after <see cref="Require"/>; a read error is a <see cref="ModelLoadException"/>.</summary>
    public static byte[] ReadAll(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    private static string Megabytes(long bytes) => bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.#} MB" : $"{bytes} bytes";
}
