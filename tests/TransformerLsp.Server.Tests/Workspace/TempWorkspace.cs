using System.Text;
using TransformerLsp.Server.Workspace;

namespace TransformerLsp.Server.Tests.Workspace;

/// <summary>A temporary folder with files, deleted after the test.</summary>
internal sealed class TempWorkspace : IDisposable
{
    public TempWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "tlsp-ws-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Root = FileUri.RealPath(Root);
    }

    public string Root { get; }
    public string Uri => new Uri(Root + "/").AbsoluteUri.TrimEnd('/');
    public WorkspaceFolderRef Folder => new(Uri, Root);

    public string Write(string relative, string text) => WriteBytes(relative, Encoding.UTF8.GetBytes(text));

    public string WriteBytes(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string UriOf(string relative) => FileUri.Child(Uri, relative);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
