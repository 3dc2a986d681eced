using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace TransformerLsp.Server.Workspace;

/// <summary>Reads a workspace file as text, or says why not (too large, binary, unreadable).</summary>
internal static class TextFileReader
{
    /// <summary>How much of a file is looked at to tell text from binary (as git and ripgrep do with their first block).</summary>
    public const int SniffBytes = 8 * 1024;

    public static SkipReason? TryRead(FileInfo file, long maxBytes, out string text, out long bytes)
    {
        text = "";
        bytes = 0;
        byte[] content;
        try
        {
            if (file.Length > maxBytes) return SkipReason.TooLarge;
            content = File.ReadAllBytes(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return SkipReason.Unreadable;
        }
        bytes = content.Length;
        if (content.Length > maxBytes) return SkipReason.TooLarge; // it grew since it was listed
        if (LooksBinary(content)) return SkipReason.Binary;
        text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(content);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        return null;
    }

    /// <summary>A NUL byte or invalid UTF-8 in the first <see cref="SniffBytes"/> (a sequence cut by that limit is not invalid).</summary>
    public static bool LooksBinary(ReadOnlySpan<byte> content)
    {
        var head = content[..Math.Min(content.Length, SniffBytes)];
        if (head.IndexOf((byte)0) >= 0) return true;
        var chars = ArrayPool<char>.Shared.Rent(head.Length);
        try
        {
            var status = Utf8.ToUtf16(head, chars, out _, out _, replaceInvalidSequences: false, isFinalBlock: head.Length == content.Length);
            return status == OperationStatus.InvalidData;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
