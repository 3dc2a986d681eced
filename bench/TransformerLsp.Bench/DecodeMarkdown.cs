using System.Text;
using System.Text.Json.Nodes;

namespace TransformerLsp.Bench;

/// <summary>docs/decode.md from a <c>--decode</c> run's JSON, and issue 12's targets checked against it.</summary>
internal static class DecodeMarkdown
{
    public static List<Target> Targets(JsonObject r)
    {
        var targets = new List<Target>();
        foreach (var c in r["head_to_head"]?.AsArray() ?? [])
        {
            var name = (string)c!["case"]!;
            if (name.StartsWith("first token", StringComparison.Ordinal)) continue;
            targets.Add(new($"{name}: engine / GenAI, worst round", $"head_to_head[{name}].ratio_worst_round", Get(c, "ratio_worst_round"), "<=", 0.9));
            targets.Add(new($"{name}: engine / GenAI CPU per request", $"head_to_head[{name}].cpu_ratio", Get(c, "cpu_ratio"), "<=", 1));
        }
        foreach (var e in r["editor"]?.AsArray() ?? [])
        {
            var doc = (string)e!["document"]!;
            targets.Add(new($"editor, {doc}: engine / GenAI", $"editor[{doc}].ratio", Get(e, "ratio"), "<=", doc == "paragraph" ? 0.5 : 0.2));
        }
        targets.Add(new("decode step / the floor that applies", "decode_floor_ratio", Get(r, "decode_floor_ratio"), "<=", 1.5));
        return targets;
    }

    private static double Get(JsonNode? node, string key) =>
        node is JsonObject o && o.TryGetPropertyValue(key, out var v) && v is JsonValue j && j.TryGetValue(out double d) ? d : double.NaN;

    private static string F(JsonNode? node, string key, string format = "F1")
    {
        var v = Get(node, key);
        return double.IsNaN(v) ? "–" : v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Write(JsonObject r)
    {
        var md = new StringBuilder();
        md.AppendLine("# Decode speed against ONNX Runtime GenAI (generated)");
        md.AppendLine();
        md.AppendLine($"Written by `dotnet run -c Release --project bench/TransformerLsp.Bench -- {r["command_args"]}` on {r["timestamp"]} " +
            $"({r["machine"]!["cores"]} cores, {r["machine"]!["runtime"]}, model {r["model"]}, {r["threads"]} intra-op threads on both sides, " +
            $"{F(r, "duration_s", "F0")} s). How each figure is made: [benchmarks.md](benchmarks.md#how-the-decode-figures-are-made).");
        md.AppendLine();
        md.AppendLine("## Targets (issue 12)");
        md.AppendLine();
        md.AppendLine("| figure | value | target | met |");
        md.AppendLine("|---|---:|---:|:---:|");
        foreach (var t in Targets(r))
            md.AppendLine($"| {t.Name} | {(double.IsNaN(t.Value) ? "–" : t.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))} | {t.Comparison} {t.Limit} | {(t.Met is null ? "n/a" : t.Met.Value ? "yes" : "**no**")} |");
        var f = r["floors"];
        md.AppendLine();
        md.AppendLine("## Floors");
        md.AppendLine();
        var llc = f?["last_level_cache_mb"] is null
            ? "the last-level cache's size is not in sysfs, and the weights read more than 1.2× faster than DRAM says whether a cache holds them"
            : $"last-level cache {F(f, "last_level_cache_mb", "F0")} MB";
        md.AppendLine($"The weights a decode step reads: {F(f, "weight_mb_per_token")} MB; {llc}. So the **{f?["applies"]}** floor applies.");
        md.AppendLine();
        md.AppendLine("| floor | read bandwidth (GB/s, all cores) | ms per token |");
        md.AppendLine("|---|---:|---:|");
        md.AppendLine($"| DRAM (a 256 MB buffer) | {F(f, "dram_gbps")} | {F(f, "dram_floor_ms", "F3")} |");
        md.AppendLine($"| cache-resident (a buffer the size of the weights) | {F(f, "resident_gbps")} | {F(f, "cache_floor_ms", "F3")} |");
        if (f?["resident_gbps_probes"] is JsonArray probes && probes.Count > 1)
        {
            md.AppendLine();
            md.AppendLine($"Each floor is the fastest of {probes.Count} probes (before the thread policy, after the head-to-head): DRAM " +
                $"{string.Join(", ", ((JsonArray)f["dram_gbps_probes"]!).Select(p => $"{(double)p!:F1}"))} GB/s, cache-resident " +
                $"{string.Join(", ", probes.Select(p => $"{(double)p!:F1}"))} GB/s.");
        }
        md.AppendLine();
        md.AppendLine($"Decode step (greedy 32 less greedy 1, per further token): engine **{F(r, "engine_decode_step_ms", "F3")} ms**, GenAI {F(r, "genai_decode_step_ms", "F3")} ms; " +
            $"engine / floor = **{F(r, "decode_floor_ratio", "F2")}** ({F(r, "dram_floor_ratio", "F2")} against the DRAM floor).");
        if (r["thread_policy"] is JsonArray policy)
        {
            md.AppendLine();
            md.AppendLine("## Thread policy: the engine under each spin bound");
            md.AppendLine();
            md.AppendLine($"Fresh requests (a {r["head_to_head"]?[0]?["case"]} and beam request each), medians. CPU is the whole process's from the call to the end of a " +
                "settle gap after it, so a spinning pool's tail is counted. *Loaded*: one busy process per two cores beside the bench. " +
                $"The engine's default: **spin {r["default_spin_us"]} µs**.");
            md.AppendLine();
            md.AppendLine("| condition | policy | greedy (ms) | greedy CPU (ms) | beam (ms) | beam CPU (ms) |");
            md.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var row in policy)
                md.AppendLine($"| {row!["condition"]} | {row["policy"]} | {F(row, "greedy_ms")} | {F(row, "greedy_cpu_ms")} | {F(row, "beam_ms")} | {F(row, "beam_cpu_ms")} |");
        }
        md.AppendLine();
        md.AppendLine("## Head-to-head: fresh requests, interleaved rounds");
        md.AppendLine();
        md.AppendLine("Each round runs the two sides alternately (engine first in even rounds, GenAI first in odd ones); a round's ratio is the " +
            "ratio of its medians. Ratios are per token when the engine stopped before the token count GenAI was held to.");
        md.AppendLine();
        md.AppendLine("| case | engine (ms) | engine CPU (ms) | GenAI (ms) | GenAI CPU (ms) | engine / GenAI | rounds: best – worst | CPU ratio | engine tokens |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in r["head_to_head"]?.AsArray() ?? [])
            md.AppendLine($"| {c!["case"]} | {F(c, "engine_ms")} | {F(c, "engine_cpu_ms")} | {F(c, "genai_ms")} | {F(c, "genai_cpu_ms")} | **{F(c, "ratio", "F2")}** | " +
                $"{F(c, "ratio_best_round", "F2")} – {F(c, "ratio_worst_round", "F2")} | {F(c, "cpu_ratio", "F2")} | {c["engine_tokens"]} of {c["genai_tokens"]} |");
        md.AppendLine();
        md.AppendLine("## Editor: typing a paragraph, next words on every key");
        md.AppendLine();
        md.AppendLine("The engine answers ten next words with its prefix cache; GenAI computes the next token from scratch on the same window. " +
            "Totals over the keys, the two sides alternating key by key.");
        md.AppendLine();
        md.AppendLine("| document before the paragraph | keys | context tokens at the end | engine (ms) | engine CPU (ms) | GenAI (ms) | GenAI CPU (ms) | engine / GenAI | CPU ratio |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var e in r["editor"]?.AsArray() ?? [])
            md.AppendLine($"| {e!["document"]} | {e["keys"]} | {e["context_tokens"]} | {F(e, "engine_ms", "F0")} | {F(e, "engine_cpu_ms", "F0")} | {F(e, "genai_ms", "F0")} | " +
                $"{F(e, "genai_cpu_ms", "F0")} | **{F(e, "ratio", "F2")}** | {F(e, "cpu_ratio", "F2")} |");
        md.AppendLine();
        md.AppendLine("Where the engine's time goes, by the key typed: after a space it searches the next word; after a word's first letter it " +
            "filters the words it found, or searches again when fewer than 3 start with the letter; later letters mostly filter. " +
            "In brackets: the share of the engine's total, and the part of the kind's time spent inside ONNX Runtime's runs.");
        md.AppendLine();
        md.AppendLine("| document before the paragraph | " + string.Join(" | ", DecodeBench.KeyKinds.Select(k => $"{k}: keys, engine ms (share)")) + " |");
        md.AppendLine("|---|" + string.Concat(DecodeBench.KeyKinds.Select(_ => "---:|")));
        foreach (var e in r["editor"]?.AsArray() ?? [])
        {
            if (e!["engine_by_key"] is not JsonObject byKey) continue;
            var total = DecodeBench.KeyKinds.Sum(k => (double?)byKey[k]?["engine_ms"] ?? 0);
            md.AppendLine($"| {e["document"]} | " + string.Join(" | ", DecodeBench.KeyKinds.Select(k =>
                byKey[k] is { } v ? $"{v["keys"]}, {(double)v["engine_ms"]!:F0} ({100 * (double)v["engine_ms"]! / Math.Max(total, 1e-9):F0}%{OrtShare(v)})" : "–")) + " |");
        }
        return md.ToString();
    }

    /// <summary>", ONNX Runtime n%" for a key kind that records its time in the runs (older results do not).</summary>
    private static string OrtShare(JsonNode v) =>
        v["engine_ort_ms"] is JsonValue o && o.TryGetValue(out double ort) ? $", ONNX Runtime {100 * ort / Math.Max((double)v["engine_ms"]!, 1e-9):F0}%" : "";
}
