using System.Text;
using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine;

// Fill-in, word scoring and the improbable-word check: everything that ranks words for a position with both sides.
public sealed partial class TextPredictor
{
    private const int LocalContextTokens = 128;
    private const int LocalChunk = 32;
    /// <summary>Next words found by the word search from the left side (exact word probabilities).</summary>
    private const int SearchedCandidates = 24;
    /// <summary>Single-token lexicon words read off the next-token distribution (no extra model call).</summary>
    private const int TokenCandidates = 48;
    /// <summary>Candidates kept after the first stage (right window of <see cref="ShortRightTokens"/>) for the full right window.</summary>
    private const int FinalCandidates = 16;
    private const int ShortRightTokens = 4;
    private const int FullRightTokens = 24;
    private const int MaxNearSpellings = 24;
    private const int FitSearched = 8;
    private const int FitFromTokens = 8;

    /// <summary>Candidates for a blank between <paramref name="left"/> and <paramref name="right"/>, ranked with both sides.</summary>
    /// <remarks>Candidates (<see cref="FillInCandidates"/>) are ranked by P(w | left) · P(right | left, w), the log-likelihood of
    /// the passage left + candidate + right window, in two batched stages: all candidates with the first words of the right
    /// side, then the best <see cref="FinalCandidates"/> with a window of about 24 tokens. Case variants are merged. When
    /// <paramref name="left"/> ends inside a word, candidates complete it and <see cref="FillCandidate.Text"/> is the part to insert.</remarks>
    public IReadOnlyList<FillCandidate> FillIn(string documentKey, string left, string right, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (count <= 0) return [];
        var candidates = FillInCandidates(documentKey, left, right, count, cancellationToken);
        var typed = TokenHealing.TypedWord(left);
        if (right.Trim().Length > 0 && candidates.Count > FinalCandidates)
            candidates = [.. RankWords(documentKey, left, right, candidates, ShortRightTokens, cancellationToken).Take(FinalCandidates).Select(r => r.Word)];
        return [.. ToFillCandidates(RankWords(documentKey, left, right, candidates, FullRightTokens, cancellationToken), typed).Take(count)];
    }

    /// <summary>The whole words <see cref="FillIn"/> ranks for the blank, before ranking: the next words by the left side
    /// (a word search), united with the single-token lexicon words the left side makes most likely.</summary>
    public IReadOnlyList<string> FillInCandidates(string documentKey, string left, string right, int count = 5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var words = Candidates(documentKey, left, right, Math.Max(count, SearchedCandidates), TokenCandidates, cancellationToken);
        return [.. words.Concat(TrigramFillInCandidates(left, right)).Distinct(StringComparer.Ordinal)];
    }

    private List<string> Candidates(string documentKey, string left, string right, int searched, int fromTokens, CancellationToken cancellationToken)
    {
        var healed = LocalContext(documentKey, left);
        var key = LocalKey(documentKey);
        var scorer = Scorer(documentKey, left);
        var (typed, matches, _) = MatchingWords(key, scorer, healed, searched, Gate(left, right), cancellationToken);
        var words = new List<string>(matches.Select(w => w.Word));
        var lead = Encoding.UTF8.GetString(healed.Constraint.Required, 0, healed.LeadBytes);
        if (lead is " " || left.Length == 0)
        {
            using var state = Open(key, scorer, healed.Context, cancellationToken);
            var lp = state.LogProbs(0).ToArray();
            words.AddRange(_wordTokens.Where(w => w.Word.StartsWith(typed, StringComparison.Ordinal))
                .OrderByDescending(w => lp[w.Token]).Take(fromTokens).Select(w => w.Word));
        }
        return [.. words.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Ranks given candidate words for the blank between <paramref name="left"/> and <paramref name="right"/> by the
    /// log-likelihood of the whole passage (left + candidate + right window), candidates batched (at most 24 rows a model
    /// call); candidates that differ only in case are merged into the likelier spelling, their shares added.
    /// </summary>
    /// <param name="documentKey">Prefix-cache key of the document.</param>
    /// <param name="left">Text before the blank.</param>
    /// <param name="right">Text after the blank; only a window of it (about 24 tokens) is scored.</param>
    /// <param name="candidates">Whole words (including any part of the word already typed at the end of <paramref name="left"/>).</param>
    /// <param name="cancellationToken">Cancels between model calls.</param>
    public IReadOnlyList<FillCandidate> RankCandidates(string documentKey, string left, string right, IReadOnlyList<string> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(left);
        return ToFillCandidates(RankWords(documentKey, left, right, candidates, FullRightTokens, cancellationToken), TokenHealing.TypedWord(left));
    }

    /// <summary>How well <paramref name="word"/> fits between <paramref name="left"/> and <paramref name="right"/>, with alternatives.</summary>
    public WordFit ScoreWord(string documentKey, string left, string word, string right, int alternatives, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(word);
        return Fit(documentKey, left, word, right, alternatives, [], cancellationToken);
    }

    /// <summary>Whether <paramref name="word"/> between <paramref name="left"/> and <paramref name="right"/> deserves an
    /// improbable-word hint, and what to suggest instead (see <see cref="WordJudge"/>).</summary>
    /// <remarks>A word outside the lexicon and the rest of the text is checked as a possible misspelling: its spellings one
    /// edit away that the lexicon knows are ranked with it in context (the noisy-channel corrector, with the model as the prior).</remarks>
    public WordCheck CheckWord(string documentKey, string left, string word, string right, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var known = _lexicon.IsEmpty || Gate(left, right).IsWord(word);
        // Acronyms and names with inner capitals ("YAML", "MacOS") are no misspellings; a capitalised word inside a sentence is a
        // name, a misspelling only of a word the lexicon lists capitalised ("Congres" for "Congress"; "Rossum" is no "possum").
        var acronym = word.Skip(1).Any(char.IsUpper);
        var name = char.IsUpper(word[0]) && !AtSentenceStart(left);
        var near = known || acronym ? [] : Spelling.Near(word, _lexicon, exactCase: name).Take(MaxNearSpellings).ToList();
        var fit = Fit(documentKey, left, word, right, int.MaxValue, near, cancellationToken);
        return WordJudge.Judge(fit, known, near);
    }

    private static bool AtSentenceStart(string left)
    {
        var t = left.TrimEnd(' ', '\t', '"', '\'', '“', '‘', '(', '[');
        return t.Length == 0 || t[^1] is '.' or '!' or '?' or ':' or '\n' or '\r';
    }

    private WordFit Fit(string documentKey, string left, string word, string right, int alternatives, IReadOnlyList<string> extra, CancellationToken cancellationToken)
    {
        // Alternatives need only the likeliest words: a short word search and the likeliest single-token words.
        var candidates = Candidates(documentKey, left, right, FitSearched, FitFromTokens, cancellationToken);
        candidates.Remove(word);
        candidates.InsertRange(0, [word, .. extra.Where(e => e != word)]);
        var typed = TokenHealing.TypedWord(left);
        var ranked = ToFillCandidates(RankWords(documentKey, left, right, candidates, FullRightTokens, cancellationToken, CheckWeight(word)), typed);
        var self = ranked.FirstOrDefault(r => string.Equals(typed + r.Text, word, StringComparison.OrdinalIgnoreCase));
        return new WordFit(word, self?.Probability ?? 0, [.. ranked.Take(Math.Max(0, alternatives))]);
    }

    private sealed record RankedWord(string Word, double LogLikelihood, double Probability);

    /// <summary>Candidates ranked by the passage log-likelihood with a right window of about <paramref name="rightTokens"/> tokens.</summary>
    /// <remarks>The shares mix in the word trigram (<see cref="FuseRanking"/>; <paramref name="trigramWeight"/> overrides its weight).</remarks>
    private List<RankedWord> RankWords(string documentKey, string left, string right, IReadOnlyList<string> candidates, int rightTokens, CancellationToken cancellationToken, double? trigramWeight = null)
    {
        var distinct = candidates.Where(c => c.Length > 0).Distinct().ToList();
        if (distinct.Count == 0) return [];
        var healed = LocalContext(documentKey, left);
        var lead = Encoding.UTF8.GetString(healed.Constraint.Required, 0, healed.LeadBytes);
        using var state = Open(LocalKey(documentKey), Scorer(documentKey, left), healed.Context, cancellationToken);
        var budget = state.RemainingPositions;
        var rightText = RightWindow(right, Math.Min(rightTokens, budget / 2));
        var documentStart = left.Length == 0;
        var passages = distinct.Select(c =>
        {
            var ids = _tokenizer.Encode(lead + c + rightText, documentStart);
            return ids.Length > budget ? ids[..budget] : ids;
        }).ToList();
        return FuseRanking([.. PassageRanker.Rank(state, passages, cancellationToken).Select(r => new RankedWord(distinct[r.Index], r.LogLikelihood, r.Probability))],
            left, right, trigramWeight);
    }

    /// <summary>Merges case variants (the likelier spelling stays, shares add up) and cuts the typed part off each word.</summary>
    private static List<FillCandidate> ToFillCandidates(List<RankedWord> ranked, string typed) =>
        [.. ranked.GroupBy(r => r.Word.ToLowerInvariant())
            .Select(g => (Best: g.First(), LogLikelihood: LogSumExp(g.Select(r => r.LogLikelihood)), Probability: g.Sum(r => r.Probability)))
            .OrderByDescending(g => g.Probability)
            .Select(g => new FillCandidate(
                typed.Length > 0 && g.Best.Word.StartsWith(typed, StringComparison.Ordinal) ? g.Best.Word[typed.Length..] : g.Best.Word,
                g.Probability, g.LogLikelihood))];

    private static double LogSumExp(IEnumerable<double> values)
    {
        var list = values.ToList();
        var max = list.Max();
        return max + Math.Log(list.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>Fill-in and word scoring see only the last tokens before the blank: the ranking is local, and a short
    /// context keeps the batch of candidate rows (each a copy of the context's KV cache) cheap.</summary>
    private HealedContext LocalContext(string documentKey, string left)
    {
        var healed = TokenHealing.Heal(_window.Tokens(left, documentKey), _vocab, left);
        var n = healed.Context.Length;
        if (n <= LocalContextTokens) return healed;
        // Chunk-aligned start, so successive requests share the local prefix.
        var start = (n - LocalContextTokens + LocalChunk - 1) / LocalChunk * LocalChunk;
        return healed with { Context = healed.Context[start..] };
    }

    private static string LocalKey(string documentKey) => documentKey + "\0local";

    /// <summary>The start of <paramref name="right"/>, cut at a word boundary after about <paramref name="tokens"/> tokens' worth of characters.</summary>
    private static string RightWindow(string right, int tokens)
    {
        var max = Math.Max(0, tokens) * 4;
        if (right.Length <= max) return right;
        var cut = right.LastIndexOf(' ', max);
        return right[..(cut > 0 ? cut : max)];
    }
}
