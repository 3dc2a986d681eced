using System.Globalization;
using System.Text.Json;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Protocol;

/// <summary>
/// How a probability is shown has one source for the server and the VS Code client: the cases of
/// tests/fixtures/probability-format/cases.json, which the client's format.test.ts reads too.
/// </summary>
public sealed class FormattingTests
{
    public static TheoryData<string, string> Cases()
    {
        var path = Path.Combine(TestModels.RepositoryRoot, "tests", "fixtures", "probability-format", "cases.json");
        using var fixture = JsonDocument.Parse(File.ReadAllText(path));
        var data = new TheoryData<string, string>();
        foreach (var c in fixture.RootElement.GetProperty("cases").EnumerateArray())
        {
            var p = c.GetProperty("p");
            data.Add(p.ValueKind == JsonValueKind.String ? p.GetString()! : p.GetRawText(), c.GetProperty("text").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PercentShowsEachSharedCase(string probability, string expected) =>
        Assert.Equal(expected, Formatting.Percent(double.Parse(probability, NumberStyles.Float, CultureInfo.InvariantCulture)));
}
