namespace TransformerLsp.Engine.Words;

/// <summary>
/// The words the model may suggest: the model folder's optional <c>lexicon.txt</c> (one word per line, '#' starts a
/// comment line; the words of the training text plus modern English word lists, see the model card).
/// </summary>
/// <remarks>
/// A word is known when it is listed as written, or in lower case when it is capitalised or all capitals ("The", "NASA"
/// for "the", "nasa"), or as a possessive of a known word ("whale's", "whales'"). Words with a digit are numbers, codes
/// or versions and are always admitted. A model folder without the file has an empty lexicon that admits every word
/// (<see cref="IsEmpty"/>), so models exported elsewhere still work.
/// </remarks>
public sealed class Lexicon
{
    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "lexicon.txt";

    private readonly HashSet<string> _words;

    /// <summary>A lexicon of the given words.</summary>
    public Lexicon(IEnumerable<string> words) => _words = new HashSet<string>(words, StringComparer.Ordinal);

    /// <summary>The lexicon that admits every word.</summary>
    public static Lexicon Empty { get; } = new([]);

    /// <summary>Reads <c>lexicon.txt</c> from <paramref name="folder"/>; <see cref="Empty"/> when there is none.</summary>
    public static Lexicon Load(string folder)
    {
        var path = Model.ModelFiles.Find(folder, FileName, "the lexicon", Model.ModelFiles.LexiconMaxBytes, required: false);
        if (path is null) return Empty;
        return new Lexicon(File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#'));
    }

    /// <summary>No words listed: every word is admitted.</summary>
    public bool IsEmpty => _words.Count == 0;

    /// <summary>Number of words listed.</summary>
    public int Count => _words.Count;

    /// <summary>The listed words (for candidate generation).</summary>
    public IReadOnlyCollection<string> Words => _words;

    /// <summary>Whether <paramref name="word"/> is listed exactly as written (case included).</summary>
    public bool Lists(string word) => _words.Contains(word);

    /// <summary>Whether <paramref name="word"/> is known (see the remarks for case, possessives and numbers).</summary>
    public bool Contains(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (IsEmpty || word.Any(char.IsDigit)) return true;
        var normal = word.Replace('’', '\'');
        if (Listed(normal)) return true;
        if (normal.EndsWith("'s", StringComparison.Ordinal)) return Possessive(normal[..^2]);
        return normal.EndsWith("s'", StringComparison.Ordinal) && Possessive(normal[..^1]);
    }

    /// <summary>A possessive of a known noun or name ("whale's"); pronouns and short function words ("we's", "I's") have none.</summary>
    private bool Possessive(string stem) => stem.Length >= 3 && !NoPossessive.Contains(stem.ToLowerInvariant()) && Listed(stem);

    private static readonly HashSet<string> NoPossessive = new(StringComparer.Ordinal)
    {
        "you", "she", "him", "her", "hers", "his", "its", "our", "ours", "they", "them", "their", "your", "yours", "this", "that",
        "these", "those", "which", "what", "whom", "whose", "the", "and", "but", "for", "not", "are", "was", "were", "has", "had",
    };

    private bool Listed(string word) => _words.Contains(word) || (word.Length > 0 && char.IsUpper(word[0]) && _words.Contains(word.ToLowerInvariant()));
}
