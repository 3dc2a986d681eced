using System.Text;

namespace TransformerLsp.Quality;

/// <summary>What this benchmark counts as a word: a maximal run of letters and digits, with apostrophes inside it
/// ("don't", "whale's"; a typographic ’ counts as ').</summary>
/// <remarks>The server's hints also join hyphenated words ("well-known"); here the parts count separately, in every figure alike.</remarks>
internal static class Words
{
    private static bool IsCore(char c) => char.IsLetterOrDigit(c);

    /// <summary>The words of <paramref name="text"/> as (start, length) spans, in order.</summary>
    public static List<(int Start, int Length)> Spans(string text)
    {
        var spans = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            if (!IsCore(text[i])) { i++; continue; }
            var start = i;
            while (i < text.Length && (IsCore(text[i]) || (text[i] is '\'' or '’' && i + 1 < text.Length && IsCore(text[i + 1])))) i++;
            spans.Add((start, i - start));
        }
        return spans;
    }

    public static List<string> Of(string text) => [.. Spans(text).Select(s => text.Substring(s.Start, s.Length))];

    public static bool IsNumber(string word) => word.All(char.IsDigit);

    /// <summary>The form a word is looked up by: the typographic apostrophe as the ASCII one.</summary>
    public static string Normal(string word) => word.Replace('’', '\'');

    /// <summary>The words the server's hints look at: 2 to 40 characters and not only digits.</summary>
    public static bool IsHinted(string word) => word.Length is >= 2 and <= 40 && !IsNumber(word);
}

/// <summary>A word list: Debian's English dictionaries (compared case-insensitively) or the model's lexicon (exact, or the
/// lower-case form of a capitalised word).</summary>
internal sealed class WordList
{
    private readonly HashSet<string> _words;
    private readonly bool _ignoreCase;

    private WordList(HashSet<string> words, bool ignoreCase, string source)
    {
        _words = words;
        _ignoreCase = ignoreCase;
        Source = source;
    }

    public string Source { get; }
    public int Count => _count ?? _words.Count;

    public static readonly string[] DictionaryFiles = ["/usr/share/dict/american-english", "/usr/share/dict/british-english"];

    /// <summary>wamerican + wbritish, or null when neither is installed (bench/TransformerLsp.Quality/install-deps.sh).</summary>
    public static WordList? Dictionary()
    {
        var found = DictionaryFiles.Where(File.Exists).ToList();
        if (found.Count == 0) return null;
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in found)
            foreach (var line in File.ReadLines(file, Encoding.UTF8))
                if (line.Trim() is { Length: > 0 } w) set.Add(Words.Normal(w));
        return new WordList(set, ignoreCase: true, string.Join(" + ", found));
    }

    /// <summary>The model folder's lexicon.txt under the engine's own rule (<see cref="TransformerLsp.Engine.Words.Lexicon.Contains"/>:
    /// case, possessives, numbers), so the figure measures the product's definition of a word; null when the folder has none.</summary>
    public static WordList? Lexicon(string modelFolder)
    {
        var path = Path.Combine(modelFolder, TransformerLsp.Engine.Words.Lexicon.FileName);
        if (!File.Exists(path)) return null;
        var lexicon = TransformerLsp.Engine.Words.Lexicon.Load(modelFolder);
        return new WordList([], ignoreCase: false, path) { _rule = lexicon.Contains, _count = lexicon.Count };
    }

    private Func<string, bool>? _rule;
    private int? _count;

    public bool Contains(string word)
    {
        if (_rule is not null) return _rule(word);
        word = Words.Normal(word);
        if (_words.Contains(word)) return true;
        return !_ignoreCase && word.Length > 0 && char.IsUpper(word[0]) && _words.Contains(word.ToLowerInvariant());
    }
}

/// <summary>Counts suggested words that are not words under one rule, keeping a sample of the offenders.</summary>
internal sealed class NonWordTally(WordList? list)
{
    public const int SampleSize = 30;
    private readonly Dictionary<string, (int Words, int NonWords)> _bySource = [];

    public bool Available => list is not null;
    public int WordCount { get; private set; }
    public int NonWordCount { get; private set; }
    public List<string> Sample { get; } = [];
    public IReadOnlyDictionary<string, (int Words, int NonWords)> BySource => _bySource;

    /// <summary>Tallies every word of <paramref name="suggestion"/>; words of the case's own left text count as words.</summary>
    public void Add(string source, string suggestion, ISet<string> leftWords)
    {
        if (list is null) return;
        foreach (var word in Words.Of(suggestion))
        {
            if (Words.IsNumber(word)) continue;
            var nonWord = !list.Contains(word) && !leftWords.Contains(Words.Normal(word));
            WordCount++;
            _bySource.TryGetValue(source, out var c);
            _bySource[source] = (c.Words + 1, c.NonWords + (nonWord ? 1 : 0));
            if (!nonWord) continue;
            NonWordCount++;
            if (Sample.Count < SampleSize && !Sample.Contains(word)) Sample.Add(word);
        }
    }
}
