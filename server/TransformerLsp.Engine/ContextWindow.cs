using TransformerLsp.Engine.Model;
using TransformerLsp.Engine.Tokenization;

namespace TransformerLsp.Engine;

/// <summary>
/// Turns the text before the cursor into the context tokens the model sees: at most <see cref="MaxTokens"/> tokens,
/// leaving room in the position table for generation and fill-in passages.
/// </summary>
/// <remarks>
/// <b>Invariant:</b> the window start is stable. Only a tail of the text is tokenized, cut on a grid of
/// <c>chunkChars</c> characters at a space, and the token window drops whole chunks of tokens from the left. So successive
/// keystrokes share a token prefix (the prefix cache reuses it) and the window moves in jumps, not on every key;
/// the cost per request does not grow with the document.
/// </remarks>
internal sealed class ContextWindow
{
    private readonly TextTokenizer _tokenizer;
    private readonly ModelConfig _config;
    private readonly int _tailChars;
    private readonly int _chunkChars;
    private readonly int _chunkTokens;

    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="config">The model's config (n_positions bounds the window).</param>
    /// <param name="contextTokens">Most context tokens wanted; 0 (or more than the model allows) = what the model allows.</param>
    public ContextWindow(TextTokenizer tokenizer, ModelConfig config, int contextTokens = 0)
    {
        _tokenizer = tokenizer;
        _config = config;
        Reserve = Math.Min(64, config.NPositions / 2);
        MaxTokens = config.NPositions - Reserve;
        if (contextTokens > 0) MaxTokens = Math.Clamp(contextTokens, Math.Min(8, MaxTokens), MaxTokens);
        _chunkTokens = Math.Max(1, MaxTokens / 4);
        _tailChars = MaxTokens * 8;
        _chunkChars = MaxTokens * 2;
    }

    /// <summary>Positions kept free after the context for generated tokens and fill-in passages.</summary>
    public int Reserve { get; }

    /// <summary>Most context tokens fed to the model.</summary>
    public int MaxTokens { get; }

    /// <summary>Context tokens for <paramref name="text"/>; never empty (a bare BOS, or eos for models without one, at an empty document).</summary>
    /// <param name="text">Text before the cursor.</param>
    /// <param name="cacheKey">Document key: the previous tokenization of the same document is reused up to the last word boundary before the first change.</param>
    public int[] Tokens(string text, string cacheKey)
    {
        int cut;
        var atStart = text.Length <= _tailChars;
        if (atStart) cut = 0;
        else
        {
            var grid = (text.Length - _tailChars) / _chunkChars * _chunkChars;
            cut = grid;
            // Start at a space before a word: inside a document that is a token boundary for both tokenizers.
            for (var i = Math.Max(grid, 1); i < Math.Min(text.Length, grid + _chunkChars / 2); i++)
                if (text[i] == ' ' && i + 1 < text.Length && text[i + 1] != ' ' && text[i - 1] != ' ') { cut = i; break; }
        }
        var tail = text[cut..];
        var prefix = atStart && (_config.AddBos || tail.Length == 0) ? [_config.AddBos ? _config.BosTokenId : _config.EosTokenId] : Array.Empty<int>();
        var body = EncodeReusing(cacheKey, tail, cut, atStart);
        int[] ids = [.. prefix, .. body];
        if (ids.Length > MaxTokens)
        {
            var start = (ids.Length - MaxTokens + _chunkTokens - 1) / _chunkTokens * _chunkTokens;
            ids = ids[start..];
        }
        return ids;
    }

    /// <summary>The last tokenization per document: its tail start, text and body tokens.</summary>
    private sealed record Tokenized(int Cut, bool AtStart, string Tail, int[] Body);
    private readonly Dictionary<string, Tokenized> _last = [];

    public void Forget(string cacheKey) => _last.Remove(cacheKey);

    /// <summary>Tokens taken from a previous tokenization instead of re-encoded, since creation (for tests).</summary>
    public long ReusedTokens { get; private set; }

    /// <summary>
    /// Encodes <paramref name="tail"/>, reusing the tokens of the previous tail of the same document up to the last word
    /// boundary (a single space after a non-space, before a non-space) in front of the first changed character. Such a
    /// space starts a token for both tokenizers, so the result equals a full encode; typing costs one word, not the window.
    /// </summary>
    private int[] EncodeReusing(string cacheKey, string tail, int cut, bool atStart)
    {
        int[] body;
        if (_tokenizer.SplitsBeforeWords && _last.TryGetValue(cacheKey, out var last) && last.Cut == cut && last.AtStart == atStart
            && ReusableTokens(last, tail) is var (keep, from) && keep > 0)
        {
            body = [.. last.Body.AsSpan(0, keep), .. _tokenizer.Encode(tail[from..], atDocumentStart: false)];
            ReusedTokens += keep;
        }
        else
            body = _tokenizer.Encode(tail, atStart);
        if (_last.Count > 32 && !_last.ContainsKey(cacheKey)) _last.Clear();
        _last[cacheKey] = new Tokenized(cut, atStart, tail, body);
        return body;
    }

    /// <summary>How many leading tokens of <paramref name="last"/> stay valid for <paramref name="tail"/>, and the character where encoding resumes.</summary>
    private (int Keep, int From)? ReusableTokens(Tokenized last, string tail)
    {
        var common = last.Tail.AsSpan().CommonPrefixLength(tail);
        var b = common - 2;
        while (b > 0 && !(tail[b] == ' ' && tail[b - 1] != ' ' && !char.IsWhiteSpace(tail[b + 1]))) b--;
        if (b <= 0) return null;
        var bytes = System.Text.Encoding.UTF8.GetByteCount(tail.AsSpan(0, b)) + (last.AtStart ? _tokenizer.DocumentStartPrefixBytes : 0);
        var sum = 0;
        for (var k = 0; k < last.Body.Length; k++)
        {
            if (sum == bytes) return (k, b);
            if (sum > bytes) return null;
            sum += _tokenizer.TokenBytes(last.Body[k]).Length;
        }
        return null;
    }
}
