using System.Text;
using TransformerLsp.Engine.Decoding;
using TransformerLsp.Engine.Words;

namespace TransformerLsp.Engine;

/// <summary>
/// The context after backing off a partly typed word, and what generation must spell first.
/// </summary>
/// <param name="Context">Context tokens with the tokens covering the typed word removed.</param>
/// <param name="Constraint">The removed tokens' bytes, which generated tokens must reproduce (e.g. " whal").</param>
/// <param name="TypedPrefix">The characters of the current word already typed ("" at a word boundary).</param>
internal sealed record HealedContext(int[] Context, PrefixConstraint Constraint, string TypedPrefix)
{
    /// <summary>Bytes of <see cref="Constraint"/> before the typed word (usually the space that starts the word).</summary>
    public int LeadBytes => Constraint.Required.Length - Encoding.UTF8.GetByteCount(TypedPrefix);
}

/// <summary>
/// Token healing: "The whal" is tokenized "▁The ▁wh al"; continuing after "al" would start a new word, so we back off to
/// "▁The" and require the first generated tokens to spell " whal" — "▁whale" then wins. A trailing space is healed the same
/// way, so "The " continues with "▁dog" rather than after a lone "▁".
/// </summary>
internal static class TokenHealing
{
    /// <summary>The typed part of the word at the end of <paramref name="text"/>.</summary>
    public static string TypedWord(string text)
    {
        var i = text.Length;
        while (i > 0 && WordChars.IsTypedWordChar(text[i - 1])) i--;
        return text[i..];
    }

    public static HealedContext Heal(int[] window, TokenVocabulary vocab, string text)
    {
        var typed = TypedWord(text);
        // Heal the space before the word too, so "looked " and "looked o" back off to the same context ("▁o" or "▁" "o").
        var before = text[..^typed.Length];
        var heal = (before.EndsWith(' ') && !before.EndsWith("  ", StringComparison.Ordinal) ? " " : "") + typed;
        var need = Encoding.UTF8.GetByteCount(heal);
        var removed = 0;
        var k = 0;
        // Keep at least one token (bos) so the model has a position to predict from.
        while (removed < need && k < window.Length - 1 && vocab.Bytes[window[^(k + 1)]].Length > 0)
            removed += vocab.Bytes[window[^++k]].Length;
        if (removed < need) // window too short to cover the word: no healing
            return new HealedContext(window, PrefixConstraint.None, "");
        var required = window[^k..].SelectMany(t => vocab.Bytes[t]).ToArray();
        return new HealedContext(window[..^k], new PrefixConstraint(required), typed);
    }
}
