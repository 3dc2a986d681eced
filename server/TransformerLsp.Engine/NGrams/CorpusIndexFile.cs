using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace TransformerLsp.Engine.NGrams;

/// <summary>
/// The corpus index shipped in the model folder (<c>corpus.infinigram</c>): the training tokens and their suffix
/// array, packed, read through a read-only memory mapping.
/// </summary>
/// <remarks>
/// <para>Layout, little-endian: a 32-byte header — magic <c>"TLSPINF1"</c> (8 bytes), format version (int32),
/// vocabulary size (int32), token count n (int64), token width in bytes (int32: 2 if the vocabulary is at most 65536,
/// else 4), suffix-array entry width in bytes (int32: 3 if n &lt; 2^24, else 4) — then the n tokens, then the n
/// suffix-array entries. The file is exactly 32 + n·(token width + entry width) bytes.</para>
/// <para><see cref="Open"/> checks everything a search relies on before the first query: the header, the length,
/// every token id below the vocabulary size, and the suffix array a permutation of [0, n). The order of the suffixes
/// on their first two tokens is checked by <see cref="SuffixArrayIndex"/> as it builds its level-1 table; a deeper
/// misorder gives wrong counts but never an out-of-range read or an endless loop. Any failure is a
/// <see cref="ModelLoadException"/> naming the file. Opening reads the whole file once (a few milliseconds for 2M
/// tokens); the pages stay in the OS file cache, shared and reclaimable, not in the managed heap.</para>
/// <para>Not thread-safe to dispose while reading; reads from several threads are safe.</para>
/// </remarks>
internal sealed unsafe class CorpusIndexFile : ISuffixArrayData, IDisposable
{
    /// <summary>The file's name in a model folder.</summary>
    public const string FileName = "corpus.infinigram";

    /// <summary>The format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private const int HeaderSize = 32;

    private static ReadOnlySpan<byte> Magic => "TLSPINF1"u8;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _tokens;
    private readonly byte* _suffixes;
    private readonly int _tokenWidth;
    private readonly int _suffixWidth;
    private bool _disposed;

    private CorpusIndexFile(MemoryMappedFile map, MemoryMappedViewAccessor view, byte* start, int length, int vocabSize,
        int tokenWidth, int suffixWidth)
    {
        _map = map;
        _view = view;
        _tokens = start + HeaderSize;
        _suffixes = _tokens + (long)length * tokenWidth;
        Length = length;
        VocabSize = vocabSize;
        _tokenWidth = tokenWidth;
        _suffixWidth = suffixWidth;
    }

    /// <summary>The file it was opened from (for messages).</summary>
    public string Path { get; private init; } = "";

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <summary>Bytes per token id for a vocabulary of <paramref name="vocabSize"/>.</summary>
    public static int TokenWidthFor(int vocabSize) => vocabSize <= 65536 ? 2 : 4;

    /// <summary>Bytes per suffix-array entry for <paramref name="length"/> tokens.</summary>
    public static int SuffixWidthFor(long length) => length < 1 << 24 ? 3 : 4;

    /// <inheritdoc/>
    public int Token(int position)
    {
        var p = _tokens + (long)position * _tokenWidth;
        return _tokenWidth == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(p, 2))
            : BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(p, 4));
    }

    /// <inheritdoc/>
    public int Suffix(int rank)
    {
        var p = _suffixes + (long)rank * _suffixWidth;
        return _suffixWidth == 3
            ? p[0] | p[1] << 8 | p[2] << 16
            : BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(p, 4));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless every token is in [0, <paramref name="vocabSize"/>).</summary>
    internal static void CheckTokens(ReadOnlySpan<int> tokens, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        for (var i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabSize)
                throw new ArgumentException($"token {tokens[i]} at position {i} is outside the vocabulary [0, {vocabSize})", nameof(tokens));
        }
    }

    /// <summary>
    /// Builds the suffix array of <paramref name="tokens"/> (ids in [0, <paramref name="vocabSize"/>)) and writes the
    /// index to <paramref name="path"/>, through a temporary file so a reader never sees half a file.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<int> tokens, int vocabSize)
    {
        CheckTokens(tokens, vocabSize);
        var suffixes = SuffixArray.Build(tokens);
        int tokenWidth = TokenWidthFor(vocabSize), suffixWidth = SuffixWidthFor(tokens.Length);

        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], FormatVersion);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], vocabSize);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], tokens.Length);
            BinaryPrimitives.WriteInt32LittleEndian(header[24..], tokenWidth);
            BinaryPrimitives.WriteInt32LittleEndian(header[28..], suffixWidth);
            stream.Write(header);
            WritePacked(stream, tokens, tokenWidth);
            WritePacked(stream, suffixes, suffixWidth);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes each value as its low <paramref name="width"/> bytes, little-endian.</summary>
    private static void WritePacked(Stream stream, ReadOnlySpan<int> values, int width)
    {
        var buffer = new byte[width * 8192];
        while (values.Length > 0)
        {
            var count = Math.Min(values.Length, 8192);
            for (var i = 0; i < count; i++)
            {
                var v = (uint)values[i];
                for (var b = 0; b < width; b++) buffer[i * width + b] = (byte)(v >> (8 * b));
            }
            stream.Write(buffer, 0, count * width);
            values = values[count..];
        }
    }

    /// <summary>Maps <paramref name="path"/> read-only and validates it (see the remarks); throws <see cref="ModelLoadException"/>.</summary>
    public static CorpusIndexFile Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"{path}: cannot be read ({e.Message}).", e);
        }

        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        CorpusIndexFile? file = null;
        try
        {
            var fileLength = stream.Length;
            if (fileLength < HeaderSize)
                throw Invalid(path, $"truncated: {fileLength} bytes, shorter than the {HeaderSize}-byte header");
            Span<byte> header = stackalloc byte[HeaderSize];
            stream.ReadExactly(header);
            if (!header[..8].SequenceEqual(Magic)) throw Invalid(path, "not a corpus index (bad magic; expected \"TLSPINF1\")");
            var version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            if (version != FormatVersion) throw Invalid(path, $"format version {version}; this build reads version {FormatVersion}");
            var vocabSize = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
            var length = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
            var tokenWidth = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
            var suffixWidth = BinaryPrimitives.ReadInt32LittleEndian(header[28..]);
            if (vocabSize < 1) throw Invalid(path, $"vocabulary size {vocabSize} must be positive");
            if (length < 0 || length > int.MaxValue) throw Invalid(path, $"token count {length} is outside [0, {int.MaxValue}]");
            if (tokenWidth != TokenWidthFor(vocabSize))
                throw Invalid(path, $"token width {tokenWidth} bytes; a vocabulary of {vocabSize} needs {TokenWidthFor(vocabSize)}");
            if (suffixWidth != SuffixWidthFor(length))
                throw Invalid(path, $"suffix-array entry width {suffixWidth} bytes; {length} tokens need {SuffixWidthFor(length)}");
            var expected = HeaderSize + length * (tokenWidth + suffixWidth);
            if (fileLength != expected)
                throw Invalid(path, $"{fileLength} bytes; a header for {length} tokens implies {expected} (truncated or padded)");

            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            file = new CorpusIndexFile(map, view, start + view.PointerOffset, (int)length, vocabSize, tokenWidth, suffixWidth) { Path = path };
            file.Validate();
            return file;
        }
        catch (Exception e)
        {
            if (file is not null) file.Dispose();
            else
            {
                view?.Dispose();
                map?.Dispose();
                stream.Dispose();
            }
            if (e is IOException or UnauthorizedAccessException) throw new ModelLoadException($"{path}: cannot be read ({e.Message}).", e);
            throw;
        }
    }

    /// <summary>Every token below the vocabulary size; the suffix array a permutation of [0, n).</summary>
    private void Validate()
    {
        for (var i = 0; i < Length; i++)
        {
            var t = Token(i);
            if ((uint)t >= (uint)VocabSize) throw Invalid(Path, $"token {t} at position {i} is outside the vocabulary [0, {VocabSize})");
        }
        var seen = new ulong[(Length + 63) / 64];
        for (var r = 0; r < Length; r++)
        {
            var s = Suffix(r);
            if ((uint)s >= (uint)Length) throw Invalid(Path, $"suffix-array entry {r} is {s}, outside [0, {Length})");
            ref var word = ref seen[s >> 6];
            var bit = 1UL << (s & 63);
            if ((word & bit) != 0) throw Invalid(Path, $"suffix-array entry {r} repeats position {s}");
            word |= bit;
        }
    }

    internal static ModelLoadException Invalid(string path, string problem) =>
        new($"{path}: invalid corpus index: {problem}. Rebuild it with `TransformerLsp.ModelEval build-index`.");

    /// <summary>Unmaps the file. The index must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
