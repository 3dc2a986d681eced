using TransformerLsp.Engine.Model;

namespace TransformerLsp.Engine.Tokenization;

/// <summary>Opens the tokenizer a config.json names, turning every failure into a <see cref="ModelLoadException"/> naming the file.</summary>
internal static class TokenizerLoader
{
    public static TextTokenizer Load(string folder, ModelConfig config)
    {
        TextTokenizer tokenizer;
        string described;
        switch (config.Tokenizer)
        {
            case TokenizerSpec.SentencePiece sp:
                var path = Require(folder, sp.File, "the SentencePiece model named by config.json's tokenizer.file");
                described = path;
                try
                {
                    tokenizer = new SentencePieceTextTokenizer(File.ReadAllBytes(path));
                }
                catch (Exception e) when (e is not ModelLoadException)
                {
                    throw new ModelLoadException($"{path}: not a readable SentencePiece BPE model ({e.Message}); expected the tokenizer.model written by spm_train --model_type=bpe.", e);
                }
                break;
            case TokenizerSpec.Gpt2Bpe bpe:
                var vocab = Require(folder, bpe.Vocab, "the GPT-2 vocabulary (vocab.json)");
                var merges = Require(folder, bpe.Merges, "the GPT-2 merges (merges.txt)");
                described = vocab;
                try
                {
                    tokenizer = new Gpt2TextTokenizer(vocab, merges);
                }
                catch (Exception e) when (e is not ModelLoadException)
                {
                    throw new ModelLoadException($"{vocab} / {merges}: not a readable GPT-2 byte-level BPE tokenizer ({e.Message}).", e);
                }
                break;
            default:
                throw new ModelLoadException($"{Path.Combine(folder, "config.json")}: unknown tokenizer kind {config.Tokenizer.GetType().Name}.");
        }
        if (tokenizer.Count > config.VocabSize)
            throw new ModelLoadException($"{described}: has {tokenizer.Count} tokens, but config.json's vocab_size is {config.VocabSize}; expected at most vocab_size.");
        return tokenizer;
    }

    private static string Require(string folder, string file, string what) =>
        ModelFiles.Require(folder, file, what, ModelFiles.TokenizerMaxBytes);
}
