using System.Text.Json;
using TransformerLsp.Engine;

namespace TransformerLsp.Server.Settings;

/// <summary>
/// Overlays a `transformerLsp` settings object on the current settings, key by key. A bad value is reported and the
/// previous value kept; unknown keys are ignored (clients may send their own, such as trace.server).
/// </summary>
internal static class SettingsReader
{
    /// <summary>
    /// Accepts `{ "transformerLsp": {...} }`, the bare object, or `{ "settings": { "transformerLsp": {...} } }`.
    /// </summary>
    public static ServerSettings Apply(ServerSettings current, JsonElement? root, List<string> problems)
    {
        if (root is not { } element || element.ValueKind != JsonValueKind.Object) return current;
        if (element.TryGetProperty("settings", out var inner) && inner.ValueKind == JsonValueKind.Object) element = inner;
        if (element.TryGetProperty("transformerLsp", out var section))
        {
            if (section.ValueKind != JsonValueKind.Object) { problems.Add("transformerLsp: expected an object of settings"); return current; }
            element = section;
        }

        var s = current;
        foreach (var property in element.EnumerateObject())
        {
            var v = property.Value;
            switch (property.Name)
            {
                case "modelPath":
                    if (String(v, property.Name, problems) is { } path) s = s with { ModelPath = path.Trim() };
                    break;
                case "executionProvider":
                    if (String(v, property.Name, problems) is { } provider)
                    {
                        ExecutionProviderKind? kind = provider.Trim().ToLowerInvariant() switch
                        {
                            "cpu" => ExecutionProviderKind.Cpu,
                            "auto" => ExecutionProviderKind.Auto,
                            "cuda" => ExecutionProviderKind.Cuda,
                            "directml" => ExecutionProviderKind.DirectMl,
                            _ => null,
                        };
                        if (kind is { } k) s = s with { ExecutionProvider = k };
                        else problems.Add($"executionProvider: \"{provider}\" is not one of cpu, auto, cuda, directml");
                    }
                    break;
                case "threads":
                    if (Int(v, property.Name, 0, 64, problems) is { } threads) s = s with { Threads = threads };
                    break;
                case "contextTokens":
                    if (Int(v, property.Name, 0, 1_000_000, problems) is { } contextTokens) s = s with { ContextTokens = contextTokens };
                    break;
                case "beamWidth":
                    if (Int(v, property.Name, 1, 16, problems) is { } width) s = s with { BeamWidth = width };
                    break;
                case "maxSuggestionTokens":
                    if (Int(v, property.Name, 1, 64, problems) is { } max) s = s with { MaxSuggestionTokens = max };
                    break;
                case "temperature":
                    if (Number(v, property.Name, 0, 2, problems) is { } t) s = s with { Temperature = t };
                    break;
                case "blankMarkers":
                    if (StringList(v, property.Name, problems, allowEmpty: true) is { } markers) s = s with { BlankMarkers = markers };
                    break;
                case "languages":
                    if (StringList(v, property.Name, problems, allowEmpty: true) is { } languages) s = s with { Languages = languages };
                    break;
                case "diagnostics":
                    if (v.ValueKind != JsonValueKind.Object) { problems.Add("diagnostics: expected an object such as { \"enable\": true }"); break; }
                    if (v.TryGetProperty("enable", out var enable))
                    {
                        if (enable.ValueKind is JsonValueKind.True or JsonValueKind.False) s = s with { DiagnosticsEnable = enable.GetBoolean() };
                        else problems.Add($"diagnostics.enable: expected true or false, got {Describe(enable)}");
                    }
                    break;
                case "diagnostics.enable": // flattened form some clients send
                    if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) s = s with { DiagnosticsEnable = v.GetBoolean() };
                    else problems.Add($"diagnostics.enable: expected true or false, got {Describe(v)}");
                    break;
                case "maxDocumentSize":
                    if (Int(v, property.Name, 1_000, 100_000_000, problems) is { } size) s = s with { MaxDocumentSize = size };
                    break;
                case "userText":
                    if (v.ValueKind != JsonValueKind.Object) { problems.Add("userText: expected an object such as { \"openDocuments\": true }"); break; }
                    foreach (var nested in v.EnumerateObject()) s = UserText(s, "userText." + nested.Name, nested.Value, problems);
                    break;
                case var flattened when flattened.StartsWith("userText.", StringComparison.Ordinal): // flattened form some clients send
                    s = UserText(s, flattened, v, problems);
                    break;
            }
        }
        return s;
    }

    /// <summary>One `userText.*` key (nested or flattened); unknown ones are ignored like other unknown keys.</summary>
    private static ServerSettings UserText(ServerSettings s, string key, JsonElement v, List<string> problems)
    {
        switch (key)
        {
            case "userText.openDocuments":
                if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return s with { UserTextOpenDocuments = v.GetBoolean() };
                problems.Add($"userText.openDocuments: expected true or false, got {Describe(v)}");
                break;
            case "userText.workspaceFiles":
                if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return s with { UserTextWorkspaceFiles = v.GetBoolean() };
                problems.Add($"userText.workspaceFiles: expected true or false, got {Describe(v)}");
                break;
            case "userText.extensions":
                if (StringList(v, key, problems, allowEmpty: false) is not { } list) break;
                var extensions = list.Select(e => e.Trim().ToLowerInvariant()).Select(e => e.StartsWith('.') ? e : "." + e).Distinct().ToArray();
                if (extensions.All(e => e.Length > 1 && e[1..].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+') && !e.EndsWith('.')))
                    return s with { UserTextExtensions = extensions };
                problems.Add($"userText.extensions: expected file extensions such as \".md\" (letters, digits, dots; no wildcards or paths), got {Describe(v)}");
                break;
            case "userText.maxFiles":
                if (Int(v, key, 1, 100_000, problems) is { } files) return s with { UserTextMaxFiles = files };
                break;
            case "userText.maxFileSizeKb":
                if (Int(v, key, 1, 10_240, problems) is { } kb) return s with { UserTextMaxFileSizeKb = kb };
                break;
            case "userText.maxTotalMb":
                if (Int(v, key, 1, 256, problems) is { } mb) return s with { UserTextMaxTotalMb = mb };
                break;
        }
        return s;
    }

    private static string? String(JsonElement v, string key, List<string> problems)
    {
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind == JsonValueKind.Null) return null;
        problems.Add($"{key}: expected a string, got {Describe(v)}");
        return null;
    }

    private static int? Int(JsonElement v, string key, int min, int max, List<string> problems)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= min && i <= max) return i;
        if (v.ValueKind == JsonValueKind.Null) return null;
        problems.Add($"{key}: expected a whole number from {min} to {max}, got {Describe(v)}");
        return null;
    }

    private static double? Number(JsonElement v, string key, double min, double max, List<string> problems)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) && d >= min && d <= max) return d;
        if (v.ValueKind == JsonValueKind.Null) return null;
        problems.Add($"{key}: expected a number from {min} to {max}, got {Describe(v)}");
        return null;
    }

    private static string[]? StringList(JsonElement v, string key, List<string> problems, bool allowEmpty)
    {
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString())))
        {
            var list = v.EnumerateArray().Select(e => e.GetString()!).Distinct().ToArray();
            if (list.Length > 0 || allowEmpty) return list;
        }
        problems.Add($"{key}: expected a list of non-empty strings, got {Describe(v)}");
        return null;
    }

    private static string Describe(JsonElement v)
    {
        var raw = v.GetRawText();
        return raw.Length > 60 ? raw[..60] + "…" : raw;
    }
}
