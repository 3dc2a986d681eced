namespace TransformerLsp.Quality;

/// <summary>How a figure reads: a share (shown as %), a latency in ms, or a plain number.</summary>
internal enum FigureKind { Share, Ms, Number }

/// <summary>Which way is better, for the before/after table.</summary>
internal enum Better { Higher, Lower, Neither }

/// <summary>One reported figure: its JSON key under <c>sets.&lt;set&gt;</c>, its label, the key of its count of cases.</summary>
internal sealed record Figure(string Key, string Label, string CountKey, FigureKind Kind, Better Better);

/// <summary>The catalogue of figures: one home for the JSON keys, the Markdown rows, the stdout summary and the comparison.</summary>
internal static class Figures
{
    public static readonly Figure[] All =
    [
        new("next_word_top1", "next word: top-1", "next_word_n", FigureKind.Share, Better.Higher),
        new("next_word_top5", "next word: top-5", "next_word_n", FigureKind.Share, Better.Higher),
        new("next_word_typed2_top1", "next word, first two letters typed: top-1", "next_word_typed2_n", FigureKind.Share, Better.Higher),
        new("next_word_typed2_top5", "next word, first two letters typed: top-5", "next_word_typed2_n", FigureKind.Share, Better.Higher),
        new("next_word_ms_p50", "next word: ms per call, median", "next_word_n", FigureKind.Ms, Better.Lower),
        new("next_word_ms_p95", "next word: ms per call, p95", "next_word_n", FigureKind.Ms, Better.Lower),
        new("fill_in_top1", "fill-in, both sides: top-1", "fill_in_n", FigureKind.Share, Better.Higher),
        new("fill_in_top5", "fill-in, both sides: top-5", "fill_in_n", FigureKind.Share, Better.Higher),
        new("fill_in_left_only_top1", "fill-in, left side only: top-1", "fill_in_n", FigureKind.Share, Better.Higher),
        new("fill_in_left_only_top5", "fill-in, left side only: top-5", "fill_in_n", FigureKind.Share, Better.Higher),
        new("fill_in_candidate_recall", "fill-in: answer among the candidates ranked (recall)", "fill_in_n", FigureKind.Share, Better.Higher),
        new("fill_in_bigram_top1", "fill-in, bigram baseline: top-1", "fill_in_n", FigureKind.Share, Better.Neither),
        new("fill_in_bigram_top5", "fill-in, bigram baseline: top-5", "fill_in_n", FigureKind.Share, Better.Neither),
        new("fill_in_ms_p50", "fill-in, both sides: ms per call, median", "fill_in_n", FigureKind.Ms, Better.Lower),
        new("fill_in_ms_p95", "fill-in, both sides: ms per call, p95", "fill_in_n", FigureKind.Ms, Better.Lower),
        new("beam_best_unique_shortest", "beams: best beam is the unique shortest (words), where lengths differ", "beam_length_differs_n", FigureKind.Share, Better.Lower),
        new("beam_next_phrase_match", "beams: best beam's first two words = the text's", "beam_next_phrase_n", FigureKind.Share, Better.Higher),
        new("beam_mean_words", "beams: words in the best beam, mean", "beam_n", FigureKind.Number, Better.Neither),
        new("beam_ms_p50", "beams: ms per search, median", "beam_n", FigureKind.Ms, Better.Lower),
        new("beam_ms_p95", "beams: ms per search, p95", "beam_n", FigureKind.Ms, Better.Lower),
        new("ghost_repeat_rate", "ghost text: repeats a word bigram (or a word at once)", "ghost_n", FigureKind.Share, Better.Lower),
        new("ghost_mean_words", "ghost text: words, mean", "ghost_n", FigureKind.Number, Better.Neither),
        new("ghost_ms_p50", "ghost text: ms per call, median", "ghost_n", FigureKind.Ms, Better.Lower),
        new("ghost_ms_p95", "ghost text: ms per call, p95", "ghost_n", FigureKind.Ms, Better.Lower),
        new("nonword_rate_dictionary", "non-words among suggested words: not in wamerican + wbritish", "nonword_dictionary_words_n", FigureKind.Share, Better.Lower),
        new("nonword_rate_lexicon", "non-words among suggested words: not in the model's lexicon", "nonword_lexicon_words_n", FigureKind.Share, Better.Lower),
        new("hints_per_100_words", "hints per 100 words of clean text", "hints_clean_words_n", FigureKind.Number, Better.Lower),
        new("injected_flagged", "injected errors flagged", "injected_n", FigureKind.Share, Better.Higher),
        new("injected_flagged_random_word", "injected errors flagged: random word", "injected_random_word_n", FigureKind.Share, Better.Higher),
        new("injected_flagged_misspelling", "injected errors flagged: misspelling", "injected_misspelling_n", FigureKind.Share, Better.Higher),
        new("false_hint_rate", "hints on the other words of corrupted text", "false_hint_words_n", FigureKind.Share, Better.Lower),
        new("check_word_ms_p50", "hints: ms per word checked, median", "check_word_n", FigureKind.Ms, Better.Lower),
        new("check_word_ms_p95", "hints: ms per word checked, p95", "check_word_n", FigureKind.Ms, Better.Lower),
    ];

    /// <summary>The figures shown in the headline chart and the stdout summary's first lines.</summary>
    public static readonly string[] Headline =
        ["next_word_top1", "fill_in_top1", "beam_next_phrase_match", "ghost_repeat_rate", "nonword_rate_dictionary", "injected_flagged", "false_hint_rate"];
}
