namespace TransformerLsp.Server;

/// <summary>Entry point: `--stdio` serves LSP; `complete|beam|fill|next "text"` is the terminal mode.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("transformer-lsp: skeleton");
        return 0;
    }
}
