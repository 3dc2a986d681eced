using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace TransformerLsp.Bench;

/// <summary>
/// The <c>--memory</c> run: <see cref="MemoryProbe"/>'s figures as JSON (<c>--json</c>), and unless <c>--no-docs</c>,
/// <c>docs/memory.md</c> (tables) and <c>docs/memory-soak.svg</c> (the soak's RSS curve). <c>--from-json FILE</c> writes
/// the docs from an earlier run's JSON instead of running; <c>--before-json FILE</c> (and <c>--before-label TEXT</c>) draws
/// another run's soak curve next to this one.
/// </summary>
internal static class MemoryReport
{
    public static async Task<int> RunAsync(ModelInfo info, Args options, string modelFolder)
    {
        var log = Console.Out;
        var quick = options.Has("--quick");
        var corpus = Corpus.Load(info, options.Value("--text"));
        var server = options.Value("--server") ?? RepoPaths.Find("server/TransformerLsp.Server/bin/Release/net10.0/transformer-lsp.dll")
            ?? throw new FileNotFoundException("transformer-lsp.dll not built: dotnet build -c Release server/TransformerLsp.Server (or pass --server)");
        log.WriteLine($"TransformerLsp memory benchmark ({(quick ? "quick" : "full")}): model {info.Name} at {modelFolder}; text: {corpus.Source}");
        var probe = new MemoryProbe(info, corpus, server, quick, log);
        JsonObject result;
        if (options.Value("--from-json") is { } previous)
        {
            // Re-render the docs from an earlier run's JSON, without running anything.
            result = JsonNode.Parse(File.ReadAllText(previous))!.AsObject();
            var rss = result["soak"]!["rss_mb_every_100_keys"]!.AsArray();
            for (var i = 0; i < rss.Count; i++) probe.Soak.Add((i * 100, (double)rss[i]!));
            WriteDocs(options, result, probe, log);
            return 0;
        }
        await probe.RunAsync();
        result = probe.Result;
        result["timestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        result["command_args"] = "--memory " + (quick ? "--quick" : "");
        result["machine"] = new JsonObject { ["cores"] = Environment.ProcessorCount, ["os"] = RuntimeInformation.OSDescription, ["runtime"] = RuntimeInformation.FrameworkDescription };
        result["model"] = info.Name;
        var jsonPath = options.Value("--json") ?? Path.Combine(Path.GetTempPath(), "transformerlsp-memory.json");
        Report.WriteJson(result, jsonPath);
        log.WriteLine($"wrote {jsonPath}");
        if (!options.Has("--no-docs")) WriteDocs(options, result, probe, log);
        return 0;
    }

    private static void WriteDocs(Args options, JsonObject result, MemoryProbe probe, TextWriter log)
    {
        var docs = options.Value("--docs") ?? Path.Combine(RepoPaths.Root, "docs");
        // --before-json FILE: an earlier run (another build, --server) drawn next to this one.
        var before = new List<(int, double)>();
        var beforeLabel = "before";
        if (options.Value("--before-json") is { } beforePath)
        {
            var earlier = JsonNode.Parse(File.ReadAllText(beforePath))!;
            var rss = earlier["soak"]!["rss_mb_every_100_keys"]!.AsArray();
            for (var i = 0; i < rss.Count; i++) before.Add((i * 100, (double)rss[i]!));
            beforeLabel = options.Value("--before-label") ?? beforeLabel;
        }
        File.WriteAllText(Path.Combine(docs, "memory-soak.svg"), probe.SoakSvg(before, beforeLabel));
        File.WriteAllText(Path.Combine(docs, "memory.md"), Markdown(result, before.Count > 0 ? $"Dashed grey: {beforeLabel}, the same soak (`--before-json`)." : ""));
        log.WriteLine($"wrote {Path.Combine(docs, "memory.md")} and memory-soak.svg");
    }

    private static string Markdown(JsonObject r, string beforeNote)
    {
        var md = new StringBuilder();
        md.AppendLine("# Memory and load (generated)");
        md.AppendLine();
        md.AppendLine($"Written by `dotnet run -c Release --project bench/TransformerLsp.Bench -- {r["command_args"]}` on {r["timestamp"]} " +
            $"({r["machine"]!["cores"]} cores, {r["machine"]!["runtime"]}, model {r["model"]}). What the figures mean and the targets: " +
            "[reliability.md](reliability.md#memory).");
        md.AppendLine();
        md.AppendLine("## The improbable-word diagnostics pass, one document, a fresh server each");
        md.AppendLine();
        md.AppendLine("| document | pass | diagnostics | RSS ready (MB) | peak RSS (MB) | RSS after (MB) |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|");
        foreach (var row in r["diagnostics_pass"]!.AsArray())
        {
            var chars = (int)row!["chars"]!;
            var pass = (bool)row["pass"]! ? $"{(double)row["pass_s"]!:F0} s" : "none (over maxDocumentSize)";
            md.AppendLine($"| {Size(chars)} | {pass} | {row["diagnostics"]} | {row["rss_ready_mb"]} | **{row["peak_rss_mb"]}** | {row["rss_after_mb"]} |");
        }
        var soak = r["soak"]!;
        md.AppendLine();
        md.AppendLine($"## Soak: {(int)soak["keys"]!:N0} keys, a completion and an inline completion on every key");
        md.AppendLine();
        md.AppendLine("![RSS while typing](memory-soak.svg)");
        md.AppendLine();
        if (beforeNote.Length > 0) md.AppendLine(beforeNote + " ");
        md.AppendLine($"RSS {soak["rss_start_mb"]} MB at the first key, {soak["rss_end_mb"]} MB at the last, peak {soak["peak_rss_mb"]} MB; " +
            $"the second half's least-squares trend is **{(double)soak["second_half_mb_per_1000_keys"]!:F1} MB per 1,000 keys** ({(double)soak["wall_s"]!:F0} s).");
        var load = r["load"]!;
        md.AppendLine();
        md.AppendLine("## Load");
        md.AppendLine();
        var codes = load["errors_by_code"]!.AsObject().Select(kv => $"{kv.Value} × {kv.Key}{CodeName(kv.Key)}");
        md.AppendLine($"{(int)load["completions"]!:N0} completions over {load["documents"]} documents, {load["edits"]} edits and {(int)load["cancels"]!:N0} cancels sent " +
            $"without waiting: **{(int)load["answered"]!:N0} of {(int)load["completions"]!:N0} answered**, {load["results"]} with a result, the others with an error " +
            $"({string.Join(", ", codes)}), in {(double)load["all_answered_s"]!:F1} s; a completion sent after them was answered in **{(double)load["probe_after_ms"]!:F0} ms**; " +
            $"peak RSS {load["peak_rss_mb"]} MB.");
        return md.ToString();
    }

    private static string CodeName(string code) => code switch
    {
        "-32800" => " RequestCancelled (the client's cancel)",
        "-32801" => " ContentModified (a newer request for the same document superseded it)",
        "-32802" => " ServerCancelled",
        _ => "",
    };

    private static string Size(int chars) => chars >= 1_000_000 ? $"{chars / 1_000_000} MB" : $"{chars / 1_000} KB";
}
