using System.Buffers.Binary;
using TransformerLsp.Engine.NGrams;

namespace TransformerLsp.Engine.Tests.NGrams;

public sealed class CorpusIndexFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("infinigram").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Theory]
    [InlineData(7, 2)]          // 2-byte token ids
    [InlineData(70_000, 4)]     // 4-byte token ids
    public void AWrittenFileAnswersLikeTheInMemoryIndex(int vocab, int tokenWidth)
    {
        var random = new Random(vocab);
        var tokens = SuffixArrayIndexTests.RandomCorpus(random, 7, 3000);
        if (vocab > 7) tokens = [.. tokens.Select(t => t * 9_999)]; // ids up to 59,994 and a vocabulary over 65536
        var path = Path.Combine(_folder, CorpusIndexFile.FileName);
        CorpusIndexFile.Write(path, tokens, vocab);
        Assert.Equal(32 + tokens.Length * (tokenWidth + 3), new FileInfo(path).Length);

        using var file = SuffixArrayIndex.Open(path);
        var memory = new SuffixArrayIndex(tokens, vocab);
        Assert.Equal(memory.Unigrams.ToArray(), file.Unigrams.ToArray());
        Assert.Equal(memory.Total, file.Total);
        Assert.Equal(vocab, file.VocabSize);
        foreach (var context in BruteForceCounts.Contexts(tokens, vocab, random, 200))
        {
            BruteForceCounts.AssertSame(memory.Continuations(context, 12), file.Continuations(context, 12), context);
            Assert.Equal(memory.Count(context), file.Count(context));
        }
    }

    [Fact]
    public void AnEmptyCorpusRoundTrips()
    {
        var path = Path.Combine(_folder, "empty.infinigram");
        CorpusIndexFile.Write(path, [], 4);
        using var index = SuffixArrayIndex.Open(path);
        Assert.Equal(0, index.Total);
        Assert.Empty(index.Continuations([1, 2], 4));
    }

    public static TheoryData<string> Corruptions =>
    [
        "empty", "short header", "truncated", "padded", "bad magic", "version", "token width", "suffix width",
        "huge count", "token out of range", "suffix out of range", "suffix repeated", "suffixes misordered",
    ];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void ACorruptFileIsAModelLoadError(string corruption)
    {
        var path = Path.Combine(_folder, "corrupt.infinigram");
        int[] tokens = [0, 1, 2, 0, 1, 3, 0, 1];   // n = 8, vocab 4: 2-byte tokens at 32.., 3-byte suffixes at 48..
        CorpusIndexFile.Write(path, tokens, 4);
        var bytes = File.ReadAllBytes(path);
        bytes = corruption switch
        {
            "empty" => [],
            "short header" => bytes[..20],
            "truncated" => bytes[..^1],
            "padded" => [.. bytes, 0],
            "bad magic" => Set(bytes, 0, (byte)'X'),
            "version" => Set(bytes, 8, 2),
            "token width" => Set(bytes, 24, 4),
            "suffix width" => Set(bytes, 28, 4),
            "huge count" => SetInt64(bytes, 16, long.MaxValue / 4),
            "token out of range" => Set(bytes, 32 + 2 * 5, 4),            // token 5 becomes id 4 = vocab
            "suffix out of range" => Set(bytes, 48 + 3 * 2, 8),           // suffix entry 2 becomes position 8 = n
            "suffix repeated" => Set(Set(bytes, 48, bytes[51]), 49, bytes[52]),
            "suffixes misordered" => Swap3(bytes, 48, 48 + 3 * 7),        // the smallest and the largest suffix
            _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
        };
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelLoadException>(() => SuffixArrayIndex.Open(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void AMissingFileIsAModelLoadError()
    {
        var path = Path.Combine(_folder, "missing.infinigram");
        var e = Assert.Throws<ModelLoadException>(() => SuffixArrayIndex.Open(path));
        Assert.Contains(path, e.Message);
    }

    private static byte[] Set(byte[] bytes, int offset, byte value)
    {
        bytes[offset] = value;
        return bytes;
    }

    private static byte[] SetInt64(byte[] bytes, int offset, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), value);
        return bytes;
    }

    private static byte[] Swap3(byte[] bytes, int a, int b)
    {
        for (var i = 0; i < 3; i++) (bytes[a + i], bytes[b + i]) = (bytes[b + i], bytes[a + i]);
        return bytes;
    }
}
