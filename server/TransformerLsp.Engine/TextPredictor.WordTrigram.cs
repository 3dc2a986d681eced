using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine;

// The word trigram (cmu-trigram.bin) mixed with the engine at word level: next words and fill-in (see WordFusion).
public sealed partial class TextPredictor
{
    /// <summary>Trigram words added to the next-word candidates: the best ones that continue the typed prefix.</summary>
    private const int TrigramNextCandidates = 12;
    /// <summary>Trigram words added to the fill-in candidates: the best two-sided scores among the left context's successors.</summary>
    private const int TrigramFillCandidates = 8;
    /// <summary>Successors scored with both sides for <see cref="TrigramFillCandidates"/>: the likeliest by the left side. A
    /// common context has tens of thousands ("to the": 29,202); in spot checks the best 8 were the same with all of them.</summary>
    private const int TrigramFillPool = 1000;

    /// <summary>The word trigram and its weights; null when the folder has none or the n-grams are off
    /// (<see cref="ModelOptions.NGrams"/>: the transformer alone).</summary>
    private WordTrigramModel? WordTrigramPart { get; init; }

    /// <summary>The trigram with its settings and its vocabulary sorted for prefix look-ups.</summary>
    private sealed class WordTrigramModel(WordTrigram trigram, WordTrigramSettings settings)
    {
        public WordTrigram Trigram { get; } = trigram;
        public WordTrigramSettings Settings { get; } = settings;
        /// <summary>(word, id) sorted by word, ordinal: the words that start with a prefix are one range.</summary>
        public (string Word, int Id)[] Sorted { get; } =
            [.. trigram.Words.Select((w, i) => (w, i)).OrderBy(x => x.w, StringComparer.Ordinal)];
    }

    /// <summary>Words in the word trigram (0: none loaded).</summary>
    public int WordTrigramSize => WordTrigramPart?.Trigram.Words.Count ?? 0;

    /// <summary>The word trigram of a model folder and config.json's "word_trigram" section (<see cref="WordTrigramSettings"/>);
    /// null when the folder has no trigram file and the config names none.</summary>
    private static WordTrigramModel? LoadWordTrigram(string folder, ModelConfig config)
    {
        var settings = WordTrigramSettings.Read(config.Json, config.FilePath);
        var file = ModelFiles.Find(folder, (settings ?? WordTrigramSettings.Default).File,
            $"the word trigram that config.json's \"{WordTrigramSettings.Section}\" section names", ModelFiles.WordTrigramMaxBytes,
            required: settings is not null);
        if (file is null) return null;
        var trigram = WordTrigram.Parse(ModelFiles.ReadAll(file), file);
        return new WordTrigramModel(trigram, settings ?? WordTrigramSettings.Default);
    }

    /// <summary>
    /// Next words with the word trigram mixed in: p(w) = (1 − μ) p_H(w) + μ p_CMU(w | u v), p_H the engine's probability
    /// (conditioned on the typed prefix as <see cref="MatchingWords"/> does; 0 for a word it did not list) and p_CMU the
    /// trigram's, conditioned on the same prefix by dividing by the trigram mass of all its words that start with it.
    /// </summary>
    /// <remarks>With a typed prefix this is the mixture of the two conditional distributions (fixed μ), not the conditional of
    /// the mixture; both are distributions. Candidates: the engine's words and the trigram's best
    /// <see cref="TrigramNextCandidates"/> that continue the prefix and pass the word gate.</remarks>
    private List<FusedWord> FusedNextWords(string documentKey, string textBeforeCursor, HealedContext healed, int count, WordGate gate, CancellationToken cancellationToken,
        bool mayRunModel = true, double? weightOverride = null)
    {
        var part = WordTrigramPart!;
        var (typed, matches, mass) = MatchingWords(documentKey, Scorer(documentKey, textBeforeCursor), healed, count, gate, cancellationToken, mayRunModel);
        var lm = part.Trigram;
        var (u, v) = TrigramHistory(lm, textBeforeCursor[..^TokenHealing.TypedWord(textBeforeCursor).Length]);
        var (scored, z) = TrigramNext(part, u, v, typed);
        var sentenceStart = v == lm.SentenceStart && v >= 0;
        var extra = new List<(string Word, int Id)>();
        foreach (var (id, _) in LogProbMath.Descending(scored, s => s.LogProb))
        {
            if (extra.Count >= TrigramNextCandidates) break;
            if (Display(lm.Words[id], sentenceStart, typed) is { } word && word.StartsWith(typed, StringComparison.Ordinal) && gate.IsWord(word))
                extra.Add((word, id));
        }
        return WordFusion.Fuse([.. matches.Select(m => (m.Word, lm.WordId(m.Word), m.Probability / mass))], extra,
            id => Math.Exp(lm.LogProb(u, v, id)) / z, weightOverride ?? part.Settings.NextWordWeight);
    }

    /// <summary>The trigram's words that may follow (u, v) and continue <paramref name="typed"/>, with their log-probabilities,
    /// and the trigram mass of all words that continue it (1 when nothing was typed). Without a prefix the listed successors
    /// are the candidates; with one, every vocabulary word that starts with it (one range of the sorted vocabulary).</summary>
    /// <remarks>The last prefix's words are remembered: while a word is typed, the next key's words are a filter of them
    /// (its range lies inside the shorter prefix's, in the same order), not a look-up of each again.</remarks>
    private (List<(int Id, double LogProb)> Scored, double Mass) TrigramNext(WordTrigramModel part, int u, int v, string typed)
    {
        var lm = part.Trigram;
        if (typed.Length == 0) return ([.. lm.Successors(u, v)], 1);
        var prefix = TrigramPrefix(typed);
        List<(int Id, double LogProb)> scored;
        if (_trigramMemo is { } memo && memo.U == u && memo.V == v && prefix.StartsWith(memo.Prefix, StringComparison.Ordinal))
            scored = prefix.Length == memo.Prefix.Length ? memo.Scored : [.. memo.Scored.Where(s => lm.Words[s.Id].StartsWith(prefix, StringComparison.Ordinal))];
        else
        {
            var sorted = part.Sorted;
            var (start, end) = OrdinalPrefix.Range(sorted, e => e.Word, prefix);
            scored = new List<(int, double)>(end - start);
            for (var i = start; i < end; i++) scored.Add((sorted[i].Id, lm.LogProb(u, v, sorted[i].Id)));
        }
        _trigramMemo = new TrigramMemo(u, v, prefix, scored);
        double mass = 0;
        foreach (var (_, lp) in scored) mass += Math.Exp(lp);
        return (scored, mass > 0 ? mass : 1);
    }

    /// <summary>The words of the last typed prefix after (u, v) (<see cref="TrigramNext"/>).</summary>
    private sealed record TrigramMemo(int U, int V, string Prefix, List<(int Id, double LogProb)> Scored);

    private TrigramMemo? _trigramMemo;

    /// <summary>
    /// How a trigram word (lower case) is offered: capitalised at a sentence start or when the typed prefix is; "I" and its
    /// contractions capitalised; otherwise as the lexicon lists it, in lower case when it lists that, else capitalised when
    /// it lists that (a proper noun: "london" → "London" only if the lexicon has no lower-case "london"). Proper nouns the
    /// engine itself offers keep the engine's spelling (the trigram's mass goes to it, see <see cref="WordFusion.Fuse"/>).
    /// Null for markers and entries that are not one word ("&lt;s&gt;", "a.m.").
    /// </summary>
    private string? Display(string word, bool sentenceStart, string typed)
    {
        if (word.Length == 0 || WordChars.Split(word).FirstOrDefault() != word) return null;
        var capital = char.ToUpperInvariant(word[0]) + word[1..];
        if (sentenceStart || (typed.Length > 0 && char.IsUpper(typed[0])) || word == "i" || word.StartsWith("i'", StringComparison.Ordinal)) return capital;
        if (_lexicon.IsEmpty || _lexicon.Lists(word)) return word;
        return _lexicon.Lists(capital) ? capital : word;
    }

    /// <summary>
    /// The two words before the end of <paramref name="text"/> as trigram ids (u, v); the start of a sentence (after . ! ?,
    /// a blank line, or the start of the text) is &lt;s&gt; and cuts the history there: (−1, &lt;s&gt;) for a sentence's first
    /// word. Words the trigram does not know are −1 (the trigram backs off past them).
    /// </summary>
    internal static (int U, int V) TrigramHistory(WordTrigram lm, string text)
    {
        Span<int> ids = [-1, -1];
        var n = 0;
        var i = text.Length;
        while (n < 2)
        {
            if (SkipBackToWord(text, ref i)) { ids[n++] = lm.SentenceStart; break; }
            var end = i;
            while (i > 0 && WordChars.IsWordChar(text, i - 1)) i--;
            ids[n++] = lm.WordId(text[i..end]);
        }
        return (ids[1], ids[0]);
    }

    /// <summary>Moves <paramref name="i"/> back over non-word characters; true at a sentence boundary (or the text's start).</summary>
    private static bool SkipBackToWord(string text, ref int i)
    {
        var newlines = 0;
        while (i > 0 && !WordChars.IsWordChar(text, i - 1))
        {
            var c = text[i - 1];
            if (c is '.' or '!' or '?' || (c == '\n' && ++newlines >= 2)) return true;
            i--;
        }
        return i == 0;
    }

    /// <summary>The two words after the blank as trigram ids (r1, r2): a sentence end (. ! ? or a blank line) is &lt;/s&gt; and
    /// stops there (−1 after it); other punctuation is skipped (the trigram was trained on unpunctuated text); −1 for no word.</summary>
    internal static (int R1, int R2) TrigramFuture(WordTrigram lm, string text)
    {
        Span<int> ids = [-1, -1];
        var i = 0;
        for (var n = 0; n < 2; n++)
        {
            var newlines = 0;
            var stop = false;
            while (i < text.Length && !WordChars.IsWordChar(text, i))
            {
                if (text[i] is '.' or '!' or '?' || (text[i] == '\n' && ++newlines >= 2)) { stop = true; break; }
                i++;
            }
            if (stop) { ids[n] = lm.SentenceEnd; break; }
            if (i >= text.Length) break;
            var start = i;
            while (i < text.Length && WordChars.IsWordChar(text, i)) i++;
            ids[n] = lm.WordId(text[start..i]);
            if (ids[n] < 0) break; // an unknown word ends the right context
        }
        return (ids[0], ids[1]);
    }

    /// <summary>log s(w) = log P(w | l2 l1) + log P(r1 | l1 w) + log P(r2 | w r1), the trigram's two-sided score of a word in
    /// the blank; the right factors are left out where the right side has no (known) word.</summary>
    private static double TwoSided(WordTrigram lm, int l2, int l1, int w, int r1, int r2) =>
        w < 0 ? double.NegativeInfinity : lm.LogProb(l2, l1, w) + RightSide(lm, l1, w, r1, r2);

    /// <summary>The right-side factors of <see cref="TwoSided"/>: log P(r1 | l1 w) + log P(r2 | w r1), each left out where the
    /// right side has no (known) word.</summary>
    private static double RightSide(WordTrigram lm, int l1, int w, int r1, int r2) =>
        (r1 >= 0 ? lm.LogProb(l1, w, r1) : 0) + (r1 >= 0 && r2 >= 0 ? lm.LogProb(w, r1, r2) : 0);

    /// <summary>A typed prefix as the trigram's vocabulary spells it (lower case, straight apostrophes).</summary>
    private static string TrigramPrefix(string typed) => typed.Replace('’', '\'').ToLowerInvariant();

    /// <summary>The trigram's best fill-in candidates for a blank: the listed successors of the two words before it that
    /// continue the typed prefix (the <see cref="TrigramFillPool"/> likeliest by the left side), by two-sided score, as offered (<see cref="Display"/>) and admitted by the word gate.</summary>
    private IEnumerable<string> TrigramFillInCandidates(string left, string right)
    {
        if (WordTrigramPart is not { } part || part.Settings.FillInWeight <= 0) return [];
        var lm = part.Trigram;
        var typed = TokenHealing.TypedWord(left);
        var (l2, l1) = TrigramHistory(lm, left[..^typed.Length]);
        var (r1, r2) = TrigramFuture(lm, right);
        var prefix = TrigramPrefix(typed);
        var sentenceStart = l1 == lm.SentenceStart && l1 >= 0;
        var gate = Gate(left, right);
        // The right-side factors cost two look-ups a word and a common left context ("the") has tens of thousands of
        // successors: only the likeliest TrigramFillPool by the left side are scored with the right side.
        var best = lm.Successors(l2, l1)
            .Where(s => lm.Words[s.Word].StartsWith(prefix, StringComparison.Ordinal))
            .OrderByDescending(s => s.LogProb).Take(TrigramFillPool)
            .Select(s => (s.Word, Score: s.LogProb + RightSide(lm, l1, s.Word, r1, r2)))
            .OrderByDescending(s => s.Score);
        var result = new List<string>();
        foreach (var (id, _) in best)
        {
            if (result.Count >= TrigramFillCandidates) break;
            if (Display(lm.Words[id], sentenceStart, typed) is { } word && word.StartsWith(typed, StringComparison.Ordinal) && gate.IsWord(word))
                result.Add(word);
        }
        return result;
    }

    /// <summary>
    /// Fill-in shares with the trigram mixed in: share(w) = (1 − ν) P_T(w | both sides) + ν P_CMU(w | both sides), each
    /// normalised over the candidates (P_CMU from <see cref="TwoSided"/> scores; a spelling sharing a trigram id with a
    /// likelier candidate gets none, so case variants are counted once). Re-sorted by share.
    /// </summary>
    private List<RankedWord> FuseRanking(List<RankedWord> ranked, string left, string right, double? weightOverride)
    {
        if (WordTrigramPart is not { } part || ranked.Count == 0) return ranked;
        var weight = weightOverride ?? part.Settings.FillInWeight;
        if (weight <= 0) return ranked;
        var lm = part.Trigram;
        var typed = TokenHealing.TypedWord(left);
        var (l2, l1) = TrigramHistory(lm, left[..^typed.Length]);
        var (r1, r2) = TrigramFuture(lm, right);
        var claimed = new HashSet<int>();
        var scores = ranked.Select(r => lm.WordId(r.Word) is var id && id >= 0 && claimed.Add(id) ? TwoSided(lm, l2, l1, id, r1, r2) : double.NegativeInfinity).ToList();
        var shares = WordFusion.Shares([.. ranked.Select(r => r.Probability)], scores, weight);
        return [.. ranked.Select((r, i) => r with { Probability = shares[i] }).OrderByDescending(r => r.Probability)];
    }

    /// <summary>The weight of the trigram when checking <paramref name="word"/>: 0 for a word the trigram does not know (it
    /// would count as impossible there, and that is not evidence of a misspelling), else the fill-in weight.</summary>
    private double? CheckWeight(string word) =>
        WordTrigramPart is { } part && part.Trigram.WordId(word) < 0 ? 0 : null;

    /// <summary>For fitting μ (models/eval/TransformerLsp.WordFusionEval): the fused next-word candidates at a word boundary
    /// and the true word's two probabilities (p_H: 0 when the engine did not list it; p_CMU: 0 when another spelling of it took
    /// the trigram's mass or it is not offered as spelled).</summary>
    internal (List<FusedWord> Candidates, double Engine, double Trigram) NextWordParts(string documentKey, string textBeforeCursor, string trueWord, CancellationToken cancellationToken = default)
    {
        var part = WordTrigramPart ?? throw new InvalidOperationException("no word trigram loaded");
        var healed = TokenHealing.Heal(_window.Tokens(textBeforeCursor, documentKey), _vocab, textBeforeCursor);
        var gate = Gate(textBeforeCursor);
        var fused = FusedNextWords(documentKey, textBeforeCursor, healed, 5, gate, cancellationToken);
        if (fused.FirstOrDefault(w => w.Word == trueWord) is { Word: not null } hit) return (fused, hit.Engine, hit.Trigram);
        var lm = part.Trigram;
        var id = lm.WordId(trueWord);
        var (u, v) = TrigramHistory(lm, textBeforeCursor[..^TokenHealing.TypedWord(textBeforeCursor).Length]);
        var offered = id >= 0 && fused.All(w => lm.WordId(w.Word) != id)
            && Display(lm.Words[id], v == lm.SentenceStart && v >= 0, healed.TypedPrefix) == trueWord;
        return (fused, 0, offered ? Math.Exp(lm.LogProb(u, v, id)) : 0);
    }

    /// <summary>For fitting ν: the final fill-in candidates (as <see cref="FillIn"/> finds and prunes them) with their
    /// transformer shares P_T and trigram shares P_CMU, each normalised over these candidates.</summary>
    internal List<(string Word, double Transformer, double Trigram)> FillInParts(string documentKey, string left, string right, CancellationToken cancellationToken = default)
    {
        var candidates = FillInCandidates(documentKey, left, right, 5, cancellationToken);
        if (right.Trim().Length > 0 && candidates.Count > FinalCandidates)
            candidates = [.. RankWords(documentKey, left, right, candidates, ShortRightTokens, cancellationToken).Take(FinalCandidates).Select(r => r.Word)];
        var transformer = RankWords(documentKey, left, right, candidates, FullRightTokens, cancellationToken, trigramWeight: 0);
        var fused = FuseRanking(transformer, left, right, weightOverride: 1);
        var trigram = fused.ToDictionary(r => r.Word, r => r.Probability);
        return [.. transformer.Select(r => (r.Word, r.Probability, trigram[r.Word]))];
    }
}
