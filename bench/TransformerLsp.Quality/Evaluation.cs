using System.Globalization;
using System.Text.Json.Nodes;
using TransformerLsp.Bench;
using TransformerLsp.Engine;

namespace TransformerLsp.Quality;

/// <summary>The running counts of one set.</summary>
internal sealed class SetTally(string name, WordList? dictionary, WordList? lexicon)
{
    public string Name { get; } = name;
    public int NextWordN, NextWordTop1, NextWordTop5, TypedN, TypedTop1, TypedTop5;
    public int FillInN, FillTop1, FillTop5, LeftOnlyTop1, LeftOnlyTop5, CandidateRecall, BigramTop1, BigramTop5;
    public int BeamN, BeamWords, LengthDiffers, BestUniqueShortest, NextPhraseN, NextPhraseMatch;
    public int GhostN, GhostWords, GhostRepeats;
    public int CleanWords, CleanHints, OtherWords, OtherHints, SkippedErrors;
    public readonly Dictionary<string, (int N, int Flagged)> Injected = [];
    public readonly Samples NextWordMs = new("next_word"), FillInMs = new("fill_in"), LeftOnlyMs = new("fill_in_left_only"),
        BeamMs = new("beam"), GhostMs = new("ghost"), CheckWordMs = new("check_word");
    public readonly NonWordTally DictionaryRule = new(dictionary), LexiconRule = new(lexicon);

    public void AddSuggestion(string source, string text, ISet<string> leftWords)
    {
        DictionaryRule.Add(source, text, leftWords);
        LexiconRule.Add(source, text, leftWords);
    }

    private static JsonNode? Share(int k, int n) => n == 0 ? null : JsonValue.Create(Math.Round((double)k / n, 4));
    private static JsonNode? Round(double v, int digits = 2) => double.IsNaN(v) || double.IsInfinity(v) ? null : JsonValue.Create(Math.Round(v, digits));
    private static string KindKey(string kind) => kind.Replace('-', '_').ToLowerInvariant();

    /// <summary>The set's figures under the keys of <see cref="Figures.All"/>, with counts and the non-word samples.</summary>
    public JsonObject ToJson()
    {
        var (all, flagged) = (Injected.Values.Sum(v => v.N), Injected.Values.Sum(v => v.Flagged));
        var o = new JsonObject
        {
            ["next_word_top1"] = Share(NextWordTop1, NextWordN),
            ["next_word_top5"] = Share(NextWordTop5, NextWordN),
            ["next_word_n"] = NextWordN,
            ["next_word_typed2_top1"] = Share(TypedTop1, TypedN),
            ["next_word_typed2_top5"] = Share(TypedTop5, TypedN),
            ["next_word_typed2_n"] = TypedN,
            ["next_word_ms_p50"] = Round(NextWordMs.Median),
            ["next_word_ms_p95"] = Round(NextWordMs.Percentile(95)),
            ["fill_in_top1"] = Share(FillTop1, FillInN),
            ["fill_in_top5"] = Share(FillTop5, FillInN),
            ["fill_in_left_only_top1"] = Share(LeftOnlyTop1, FillInN),
            ["fill_in_left_only_top5"] = Share(LeftOnlyTop5, FillInN),
            ["fill_in_candidate_recall"] = Share(CandidateRecall, FillInN),
            ["fill_in_bigram_top1"] = Share(BigramTop1, FillInN),
            ["fill_in_bigram_top5"] = Share(BigramTop5, FillInN),
            ["fill_in_n"] = FillInN,
            ["fill_in_ms_p50"] = Round(FillInMs.Median),
            ["fill_in_ms_p95"] = Round(FillInMs.Percentile(95)),
            ["fill_in_left_only_ms_p50"] = Round(LeftOnlyMs.Median),
            ["fill_in_left_only_ms_p95"] = Round(LeftOnlyMs.Percentile(95)),
            ["beam_best_unique_shortest"] = Share(BestUniqueShortest, LengthDiffers),
            ["beam_length_differs_n"] = LengthDiffers,
            ["beam_next_phrase_match"] = Share(NextPhraseMatch, NextPhraseN),
            ["beam_next_phrase_n"] = NextPhraseN,
            ["beam_mean_words"] = BeamN == 0 ? null : Round((double)BeamWords / BeamN),
            ["beam_n"] = BeamN,
            ["beam_ms_p50"] = Round(BeamMs.Median),
            ["beam_ms_p95"] = Round(BeamMs.Percentile(95)),
            ["ghost_repeat_rate"] = Share(GhostRepeats, GhostN),
            ["ghost_mean_words"] = GhostN == 0 ? null : Round((double)GhostWords / GhostN),
            ["ghost_n"] = GhostN,
            ["ghost_ms_p50"] = Round(GhostMs.Median),
            ["ghost_ms_p95"] = Round(GhostMs.Percentile(95)),
            ["nonword_rate_dictionary"] = DictionaryRule.Available ? Share(DictionaryRule.NonWordCount, DictionaryRule.WordCount) : null,
            ["nonword_dictionary_words_n"] = DictionaryRule.WordCount,
            ["nonword_rate_lexicon"] = LexiconRule.Available ? Share(LexiconRule.NonWordCount, LexiconRule.WordCount) : null,
            ["nonword_lexicon_words_n"] = LexiconRule.WordCount,
            ["nonword_by_source"] = BySource(),
            ["nonword_sample_dictionary"] = DictionaryRule.Available ? new JsonArray([.. DictionaryRule.Sample.Select(w => (JsonNode)w)]) : null,
            ["nonword_sample_lexicon"] = LexiconRule.Available ? new JsonArray([.. LexiconRule.Sample.Select(w => (JsonNode)w)]) : null,
            ["hints_per_100_words"] = CleanWords == 0 ? null : Round(100.0 * CleanHints / CleanWords),
            ["hints_clean_words_n"] = CleanWords,
            ["injected_flagged"] = Share(flagged, all),
            ["injected_n"] = all,
        };
        foreach (var kind in new[] { "random-word", "misspelling" }.Concat(Injected.Keys).Distinct())
        {
            Injected.TryGetValue(kind, out var c);
            o[$"injected_flagged_{KindKey(kind)}"] = Share(c.Flagged, c.N);
            o[$"injected_{KindKey(kind)}_n"] = c.N;
        }
        o["false_hint_rate"] = Share(OtherHints, OtherWords);
        o["false_hint_words_n"] = OtherWords;
        o["injected_errors_skipped"] = SkippedErrors;
        o["check_word_ms_p50"] = Round(CheckWordMs.Median);
        o["check_word_ms_p95"] = Round(CheckWordMs.Percentile(95));
        o["check_word_n"] = CheckWordMs.Count;
        return o;
    }

    private JsonObject BySource()
    {
        var o = new JsonObject();
        foreach (var source in DictionaryRule.BySource.Keys.Concat(LexiconRule.BySource.Keys).Distinct())
        {
            var d = DictionaryRule.BySource.GetValueOrDefault(source);
            var l = LexiconRule.BySource.GetValueOrDefault(source);
            o[source] = new JsonObject
            {
                ["words_n"] = Math.Max(d.Words, l.Words),
                ["dictionary"] = DictionaryRule.Available ? Share(d.NonWords, d.Words) : null,
                ["lexicon"] = LexiconRule.Available ? Share(l.NonWords, l.Words) : null,
            };
        }
        return o;
    }
}

/// <summary>Runs the cases through the engine as the server would ask, one document key per call, and tallies per set.</summary>
/// <remarks>Each engine call gets a fresh document key and the key is forgotten after the case, so no prefix cache,
/// remembered distribution or search memo carries from one case (or one kind of call) to the next; every latency
/// includes the prefill of the case's context, as for a document just opened.</remarks>
internal sealed class Evaluation(TextPredictor predictor, WordList? dictionary, WordList? lexicon, TextWriter progress, int progressEvery)
{
    /// <summary>The server's ghost-text and beam stop conditions.</summary>
    public static readonly StopConditions Stop = new(MaxTokens: 16, AtSentenceEnd: true, AtNewline: true, NoRepeatNgram: 3);
    /// <summary>The server's beams; the length penalty is the engine's default, whatever it is.</summary>
    public static BeamOptions Beams { get; set; } = new(Width: 4, Stop: Stop);

    /// <summary>Where every hint check is written as a TSV row (set, kind, word, p, best, p_best, flagged, misspelling, suggestion, p_suggestion), for calibrating the rule.</summary>
    public TextWriter? CheckDump { get; set; }
    public const int TopK = 5;

    private readonly Dictionary<string, SetTally> _sets = [];

    public SetTally Set(string name)
    {
        if (!_sets.TryGetValue(name, out var t)) _sets[name] = t = new SetTally(name, dictionary, lexicon);
        return t;
    }

    private static T Timed<T>(Samples samples, Func<T> call)
    {
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = call();
        samples.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        return result;
    }

    private static HashSet<string> LeftWords(string left) => new(Words.Of(left).Select(Words.Normal), StringComparer.OrdinalIgnoreCase);

    private static string Pct(int k, int n) => n == 0 ? "–" : (100.0 * k / n).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>The case's document is open in the "editor": the engine's user-text index holds it, as the server's
    /// document handlers do (the text from the cursor on stays hidden from a request's view). One document at a time: a
    /// request sees the other open documents in full.</summary>
    private void Open(string text, string document) => predictor.UserText.Set(document, text);

    private void Forget(params string[] keys)
    {
        foreach (var k in keys)
        {
            predictor.Forget(k);
            predictor.UserText.Remove(k);
        }
    }

    public void RunNextWords(IReadOnlyList<NextWordCase> cases)
    {
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var t = Set(c.Set);
            var left = LeftWords(c.Left);
            // One open document; each kind of call has its own caches ("#…" keys belong to the document).
            string doc = "q-nw-" + c.Id, kw = doc + "#words", kb = doc + "#beam", kg = doc + "#ghost";
            Open(c.Left, doc);

            var next = Timed(t.NextWordMs, () => predictor.NextWords(kw, c.Left, TopK)).Words.Take(TopK).ToList();
            if (c.Next.Count > 0)
            {
                t.NextWordN++;
                if (next.Count > 0 && next[0].Word == c.Next[0]) t.NextWordTop1++;
                if (next.Any(w => w.Word == c.Next[0])) t.NextWordTop5++;
            }
            foreach (var w in next) t.AddSuggestion("next_word", w.Word, left);

            var beams = Timed(t.BeamMs, () => predictor.BeamSearch(kb, c.Left, Beams));
            if (beams.Count > 0)
            {
                t.BeamN++;
                var counts = beams.Select(b => Words.Of(b.Text).Count).ToList();
                t.BeamWords += counts[0];
                if (counts.Distinct().Count() > 1)
                {
                    t.LengthDiffers++;
                    if (counts[0] < counts.Skip(1).Min()) t.BestUniqueShortest++;
                }
                if (c.Next.Count >= 2)
                {
                    t.NextPhraseN++;
                    if (Words.Of(beams[0].Text).Take(2).SequenceEqual(c.Next.Take(2), StringComparer.Ordinal)) t.NextPhraseMatch++;
                }
                foreach (var b in beams) t.AddSuggestion("beam", b.Text, left);
            }

            var ghost = Timed(t.GhostMs, () => predictor.Greedy(kg, c.Left, Stop));
            var ghostWords = Words.Of(ghost.Text);
            t.GhostN++;
            t.GhostWords += ghostWords.Count;
            if (Repeats(ghostWords)) t.GhostRepeats++;
            t.AddSuggestion("ghost", ghost.Text, left);

            // The completion list after the word's first two letters are typed (words of three letters or more), as the
            // editor asks while a word is typed: the document holds the two letters too.
            if (c.Next.Count > 0 && c.Next[0].Length >= 3)
            {
                var typed = c.Left + c.Next[0][..2];
                Open(typed, doc);
                var completions = predictor.NextWords(kw, typed, TopK).Words.Take(TopK).ToList();
                t.TypedN++;
                if (completions.Count > 0 && completions[0].Word == c.Next[0]) t.TypedTop1++;
                if (completions.Any(w => w.Word == c.Next[0])) t.TypedTop5++;
            }

            Forget(doc, kw, kb, kg);
            if ((i + 1) % progressEvery == 0 || i + 1 == cases.Count)
                progress.WriteLine($"[{DateTime.Now:HH:mm:ss}] next word + beams + ghost {i + 1}/{cases.Count}: " + string.Join("; ", _sets.Values.Where(s => s.BeamN > 0).Select(s =>
                    $"{s.Name}: top-1 {Pct(s.NextWordTop1, s.NextWordN)}, top-5 {Pct(s.NextWordTop5, s.NextWordN)}, phrase {Pct(s.NextPhraseMatch, s.NextPhraseN)}, ghost repeats {Pct(s.GhostRepeats, s.GhostN)}, beam {s.BeamMs.Median:F0} ms")));
        }
    }

    /// <summary>Whether a word bigram occurs twice, or a word follows itself ("the the"), ignoring case.</summary>
    public static bool Repeats(IReadOnlyList<string> words)
    {
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i + 1 < words.Count; i++)
        {
            string a = words[i].ToLowerInvariant(), b = words[i + 1].ToLowerInvariant();
            if (a == b || !seen.Add((a, b))) return true;
        }
        return false;
    }

    public void RunFillIn(IReadOnlyList<FillInCase> cases)
    {
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var t = Set(c.Set);
            var left = LeftWords(c.Left);
            // One open document holding a blank where the answer was; each kind of call has its own caches.
            string doc = "q-fill-" + c.Id, kf = doc + "#both", kl = doc + "#left", kc = doc + "#candidates";
            Open(c.Left + "___" + c.Right, doc);
            t.FillInN++;

            var both = Timed(t.FillInMs, () => predictor.FillIn(kf, c.Left, c.Right, TopK)).Take(TopK).ToList();
            if (both.Count > 0 && both[0].Text.Trim() == c.Answer) t.FillTop1++;
            if (both.Any(f => f.Text.Trim() == c.Answer)) t.FillTop5++;
            foreach (var f in both) t.AddSuggestion("fill_in", f.Text, left);

            var leftOnly = Timed(t.LeftOnlyMs, () => predictor.FillIn(kl, c.Left, "", TopK)).Take(TopK).ToList();
            if (leftOnly.Count > 0 && leftOnly[0].Text.Trim() == c.Answer) t.LeftOnlyTop1++;
            if (leftOnly.Any(f => f.Text.Trim() == c.Answer)) t.LeftOnlyTop5++;
            foreach (var f in leftOnly) t.AddSuggestion("fill_in_left_only", f.Text, left);

            if (predictor.FillInCandidates(kc, c.Left, c.Right, TopK).Contains(c.Answer)) t.CandidateRecall++;
            if (c.BigramTop5.Count > 0 && c.BigramTop5[0] == c.Answer) t.BigramTop1++;
            if (c.BigramTop5.Take(TopK).Contains(c.Answer)) t.BigramTop5++;

            Forget(doc, kf, kl, kc);
            if ((i + 1) % progressEvery == 0 || i + 1 == cases.Count)
                progress.WriteLine($"[{DateTime.Now:HH:mm:ss}] fill-in {i + 1}/{cases.Count}: " + string.Join("; ", _sets.Values.Where(s => s.FillInN > 0).Select(s =>
                    $"{s.Name}: top-1 {Pct(s.FillTop1, s.FillInN)}, top-5 {Pct(s.FillTop5, s.FillInN)}, left only {Pct(s.LeftOnlyTop1, s.FillInN)}, recall {Pct(s.CandidateRecall, s.FillInN)}, bigram {Pct(s.BigramTop1, s.FillInN)}, {s.FillInMs.Median:F0} ms")));
        }
    }

    public void RunHints(IReadOnlyList<HintCase> cases)
    {
        var every = Math.Max(1, progressEvery / 10);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var t = Set(c.Set);
            string kc = "q-hint-clean-" + c.Id, kx = "q-hint-corrupted-" + c.Id;
            // One document open at a time: a request sees the other open documents in full, and the clean copy would
            // tell the corrupted one its original words.
            Open(c.Clean, kc);

            foreach (var (start, length) in Words.Spans(c.Clean))
            {
                var word = c.Clean.Substring(start, length);
                if (!Words.IsHinted(word)) continue;
                t.CleanWords++;
                if (Check(t, kc, c.Clean, start, length, "clean")) t.CleanHints++;
            }

            Forget(kc);
            Open(c.Corrupted, kx);
            var errors = c.Errors.Where(e => e.Start >= 0 && e.Length > 0 && e.Start + e.Length <= c.Corrupted.Length).ToList();
            t.SkippedErrors += c.Errors.Count - errors.Count;
            foreach (var e in errors)
            {
                t.Injected.TryGetValue(e.Kind, out var k);
                t.Injected[e.Kind] = (k.N + 1, k.Flagged + (Check(t, kx, c.Corrupted, e.Start, e.Length, e.Kind) ? 1 : 0));
            }
            foreach (var (start, length) in Words.Spans(c.Corrupted))
            {
                if (errors.Any(e => e.Start < start + length && start < e.Start + e.Length)) continue;
                if (!Words.IsHinted(c.Corrupted.Substring(start, length))) continue;
                t.OtherWords++;
                if (Check(t, kx, c.Corrupted, start, length, "other")) t.OtherHints++;
            }

            Forget(kc, kx);
            if ((i + 1) % every == 0 || i + 1 == cases.Count)
                progress.WriteLine($"[{DateTime.Now:HH:mm:ss}] hints {i + 1}/{cases.Count} passages: " + string.Join("; ", _sets.Values.Where(s => s.CleanWords + s.OtherWords > 0).Select(s =>
                    $"{s.Name}: {(s.CleanWords == 0 ? 0 : 100.0 * s.CleanHints / s.CleanWords):F1} hints/100 clean words, injected flagged {Pct(s.Injected.Values.Sum(v => v.Flagged), s.Injected.Values.Sum(v => v.N))}, false hints {Pct(s.OtherHints, s.OtherWords)}, {s.CheckWordMs.Median:F0} ms/word")));
        }
    }

    /// <summary>Whether the word at [start, start+length) of <paramref name="text"/> gets a hint, with everything before it as
    /// the left context and everything after it as the right.</summary>
    private bool Check(SetTally t, string key, string text, int start, int length, string kind)
    {
        string word = text.Substring(start, length), left = text[..start], right = text[(start + length)..];
        var check = Timed(t.CheckWordMs, () => predictor.CheckWord(key, left, word, right));
        CheckDump?.WriteLine(string.Join('\t', t.Name, kind, word, check.Probability.ToString("R", CultureInfo.InvariantCulture), check.Best ?? "",
            check.BestProbability.ToString("R", CultureInfo.InvariantCulture), check.Flagged ? 1 : 0, check.Misspelling ? 1 : 0,
            check.Suggestion ?? "", check.SuggestionProbability.ToString("R", CultureInfo.InvariantCulture)));
        return check.Flagged;
    }

    public IEnumerable<SetTally> Tallies => _sets.Values;
}
