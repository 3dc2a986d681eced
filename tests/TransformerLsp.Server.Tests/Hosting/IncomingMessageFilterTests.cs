using System.Text;
using TransformerLsp.Server.Hosting;

namespace TransformerLsp.Server.Tests.Hosting;

public class IncomingMessageFilterTests
{
    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("{\"jsonrpc\":\"2.0\"}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":5}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"x\"}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}")]
    public void MalformedBodiesAreDroppedWithAReason(string body)
    {
        Assert.Null(IncomingMessageFilter.Validate(Encoding.UTF8.GetBytes(body), awaitingResponses: false, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void ResponsesPassOnlyWhileTheServerAwaitsOne()
    {
        byte[] response = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}");
        Assert.NotNull(IncomingMessageFilter.Validate(response, awaitingResponses: true, out _));
        Assert.Null(IncomingMessageFilter.Validate(response, awaitingResponses: false, out _));
    }

    [Fact]
    public void LoneSurrogateEscapesAreRepairedAndPairsKept()
    {
        string body = """{"jsonrpc":"2.0","method":"m","params":{"text":"a\ud800b\udc00c\ud83d\ude00d\\ud800"}}""";
        var clean = IncomingMessageFilter.Validate(Encoding.UTF8.GetBytes(body), awaitingResponses: false, out _);
        Assert.NotNull(clean);
        string text = System.Text.Json.JsonDocument.Parse(clean).RootElement.GetProperty("params").GetProperty("text").GetString()!;
        Assert.Equal("a\uFFFDb\uFFFDc😀d\\ud800", text);
    }

    [Fact]
    public void InvalidUtf8IsReplacedNotDropped()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"text\":\"a"), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("b\"}}")];
        var clean = IncomingMessageFilter.Validate(body, awaitingResponses: false, out _);
        Assert.NotNull(clean);
        Assert.Contains("\uFFFD", Encoding.UTF8.GetString(clean));
    }
}
