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

    public ContextWindow(TextTokenizer tokenizer, ModelConfig config)
    {
        _tokenizer = tokenizer;
        _config = config;
        Reserve = Math.Min(64, config.NPositions / 2);
        MaxTokens = config.NPositions - Reserve;
        _chunkTokens = Math.Max(1, MaxTokens / 4);
        _tailChars = MaxTokens * 8;
        _chunkChars = MaxTokens * 2;
    }

    /// <summary>Positions kept free after the context for generated tokens and fill-in passages.</summary>
    public int Reserve { get; }

    /// <summary>Most context tokens fed to the model.</summary>
    public int MaxTokens { get; }

    /// <summary>Context tokens for <paramref name="text"/>; never empty (a bare BOS, or eos for models without one, at an empty document).</summary>
    public int[] Tokens(string text)
    {
        int[] ids;
        if (text.Length <= _tailChars)
        {
            var body = _tokenizer.Encode(text, atDocumentStart: true);
            ids = _config.AddBos || body.Length == 0 ? [_config.AddBos ? _config.BosTokenId : _config.EosTokenId, .. body] : body;
        }
        else
        {
            var grid = (text.Length - _tailChars) / _chunkChars * _chunkChars;
            var cut = grid;
            // Start at a space before a word: inside a document that is a token boundary for both tokenizers.
            for (var i = Math.Max(grid, 1); i < Math.Min(text.Length, grid + _chunkChars / 2); i++)
                if (text[i] == ' ' && i + 1 < text.Length && text[i + 1] != ' ' && text[i - 1] != ' ') { cut = i; break; }
            ids = _tokenizer.Encode(text[cut..], atDocumentStart: false);
        }
        if (ids.Length > MaxTokens)
        {
            var start = (ids.Length - MaxTokens + _chunkTokens - 1) / _chunkTokens * _chunkTokens;
            ids = ids[start..];
        }
        return ids;
    }
}
