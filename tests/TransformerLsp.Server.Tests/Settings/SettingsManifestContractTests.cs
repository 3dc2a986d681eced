using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using TransformerLsp.Server.Settings;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Settings;

/// <summary>
/// The settings contract has one source: the extension manifest (package.json, contributes.configuration). Every server
/// key there is read by <see cref="SettingsReader"/> into the <see cref="ServerSettings"/> property of the same name
/// ("userText.maxFiles" → UserTextMaxFiles), with the manifest's default as the record's default and the manifest's range
/// as the reader's; and every setting the server has is in the manifest.
/// </summary>
public sealed class SettingsManifestContractTests
{
    /// <summary>Keys only the client reads (the server never sees them).</summary>
    private static readonly string[] ClientOnly = ["server.path", "trace.server"];

    private static Dictionary<string, JsonObject> Manifest()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(TestModels.RepositoryRoot, "package.json")))!;
        var configuration = root["contributes"]!["configuration"]!;
        var sections = configuration is JsonArray array ? array.Select(a => a!) : [configuration];
        return sections.SelectMany(s => s["properties"]!.AsObject())
            .ToDictionary(p => p.Key["transformerLsp.".Length..], p => p.Value!.AsObject());
    }

    private static PropertyInfo? Property(string key) =>
        typeof(ServerSettings).GetProperty(string.Concat(key.Split('.').Select(part => char.ToUpperInvariant(part[0]) + part[1..])));

    /// <summary>The settings object for one key with one value, nested as VS Code sends it ("a.b" → { "a": { "b": v } }).</summary>
    private static (ServerSettings Settings, List<string> Problems) Apply(string key, JsonNode? value)
    {
        var parts = key.Split('.');
        JsonNode node = new JsonObject { [parts[^1]] = value?.DeepClone() };
        for (var i = parts.Length - 2; i >= 0; i--) node = new JsonObject { [parts[i]] = node };
        var problems = new List<string>();
        var settings = SettingsReader.Apply(new ServerSettings(), JsonSerializer.SerializeToElement(new JsonObject { ["transformerLsp"] = node }), problems);
        return (settings, problems);
    }

    private static JsonNode? AsJson(object? value) => value switch
    {
        null => null,
        Engine.ExecutionProviderKind => JsonValue.Create(new ServerSettings { ExecutionProvider = (Engine.ExecutionProviderKind)value }.ProviderName),
        IEnumerable<string> list => new JsonArray([.. list.Select(s => (JsonNode?)JsonValue.Create(s))]),
        _ => JsonSerializer.SerializeToNode(value),
    };

    public static TheoryData<string> ServerKeys() => [.. Manifest().Keys.Where(k => !ClientOnly.Contains(k))];

    [Theory]
    [MemberData(nameof(ServerKeys))]
    public void EachManifestKeyIsReadWithTheManifestsDefaultAndRange(string key)
    {
        var schema = Manifest()[key];
        var property = Property(key);
        Assert.True(property is not null, $"package.json has transformerLsp.{key}, but ServerSettings has no {key} property");
        var fallback = property!.GetValue(new ServerSettings());
        Assert.True(JsonNode.DeepEquals(schema["default"], AsJson(fallback)),
            $"transformerLsp.{key}: package.json's default {schema["default"]?.ToJsonString()} differs from the server's {AsJson(fallback)?.ToJsonString()}");

        var (read, problems) = Apply(key, schema["default"]);
        Assert.Empty(problems);
        Assert.True(JsonNode.DeepEquals(AsJson(property.GetValue(read)), schema["default"]));

        if (schema["minimum"] is { } min && schema["maximum"] is { } max)
        {
            var (lo, hi) = (min.GetValue<double>(), max.GetValue<double>());
            var step = schema["type"]!.GetValue<string>() == "integer" ? 1 : 0.5;
            Assert.Empty(Apply(key, lo).Problems);
            Assert.Empty(Apply(key, hi).Problems);
            Assert.Single(Apply(key, lo - step).Problems);
            Assert.Single(Apply(key, hi + step).Problems);
        }
        foreach (var option in schema["enum"]?.AsArray() ?? [])
            Assert.Empty(Apply(key, option).Problems);
    }

    [Fact]
    public void EverySettingTheServerHasIsInTheManifest()
    {
        var manifest = Manifest().Keys.Select(k => Property(k)?.Name).ToHashSet();
        var settable = typeof(ServerSettings).GetProperties().Where(p => p.SetMethod is not null).Select(p => p.Name);
        var missing = settable.Where(name => !manifest.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "ServerSettings has settings package.json does not list: " + string.Join(", ", missing));
    }
}
