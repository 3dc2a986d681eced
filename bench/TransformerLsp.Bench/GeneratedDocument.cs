using System.Text;

namespace TransformerLsp.Bench;

/// <summary>A Markdown page whose top part a benchmark regenerates: everything below the marker line is written by hand and
/// kept. Shared by the speed (docs/benchmarks.md) and quality (docs/quality.md) benchmarks.</summary>
internal static class GeneratedDocument
{
    /// <summary>Writes <paramref name="generated"/>, then <paramref name="marker"/>, then the text below the marker in the existing file.</summary>
    public static void Write(string path, StringBuilder generated, string marker)
    {
        generated.AppendLine(marker);
        var kept = File.Exists(path) ? File.ReadAllText(path) : "";
        var at = kept.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0) generated.Append(kept[(at + marker.Length)..].TrimStart('\r', '\n').Insert(0, "\n"));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, generated.ToString());
    }
}
