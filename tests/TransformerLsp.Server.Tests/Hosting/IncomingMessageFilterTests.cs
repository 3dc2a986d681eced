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
        var verdict = IncomingMessageFilter.Classify(Encoding.UTF8.GetBytes(body), awaitingResponses: false);
        Assert.Null(verdict.Forward);
        Assert.False(string.IsNullOrEmpty(verdict.Problem));
    }

    [Theory]
    [InlineData("{not json", null, -32700)]
    [InlineData("[]", null, -32600)]
    [InlineData("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}]", null, -32600)]
    [InlineData("42", null, -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\"}", null, -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":4}", "4", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", "1", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":7}", null, -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}", "1.5", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"x\"}", null, -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":\"s\"}", "\"a\"", -32600)]
    public void InvalidRequestsAreAnsweredWithTheirIdWhenOneCanBeRead(string body, string? idRaw, int code)
    {
        var verdict = IncomingMessageFilter.Classify(Encoding.UTF8.GetBytes(body), awaitingResponses: false);
        Assert.Null(verdict.Forward);
        Assert.NotNull(verdict.Response);
        using var response = System.Text.Json.JsonDocument.Parse(verdict.Response);
        var root = response.RootElement;
        Assert.Equal("2.0", root.GetProperty("jsonrpc").GetString());
        Assert.Equal(idRaw ?? "null", root.GetProperty("id").GetRawText());
        Assert.Equal(code, root.GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("error").GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":5}")]       // a notification: never answered
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}")]              // a response: answers nothing
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,\"message\":\"m\"}}")]
    public void NotificationsAndResponsesAreNeverAnswered(string body)
    {
        var verdict = IncomingMessageFilter.Classify(Encoding.UTF8.GetBytes(body), awaitingResponses: false);
        Assert.Null(verdict.Forward);
        Assert.Null(verdict.Response);
    }

    [Theory]
    [InlineData("Content-Length: 12", 12L, null)]
    [InlineData("content-length: 12\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8", 12L, null)]
    [InlineData("Content-Type: x\r\nContent-Length: 3", 3L, null)]
    [InlineData("{\"jsonrpc\":\"2.0\"}Content-Length: 7", 7L, "{\"jsonrpc\":\"2.0\"}")]
    [InlineData("rest of a body\r\nContent-Length: 9", 9L, "rest of a body")]
    [InlineData("Content-Type: text/plain", null, null)]
    [InlineData("Content-Length: -1", null, null)]
    [InlineData("Content-Length: 5x", null, null)]
    public void TheLastContentLengthInAHeaderBlockCountsAndWhatPrecedesItIsJunk(string block, long? length, string? junk)
    {
        var header = IncomingMessageFilter.ParseHeader(Encoding.ASCII.GetBytes(block));
        Assert.Equal(length, header.Length);
        Assert.Equal(length is null, header.Problem is not null);
        Assert.Equal(junk, header.Junk is null ? null : Encoding.ASCII.GetString(header.Junk));
    }

    [Fact]
    public void AHeaderAfterACompleteObjectIsFoundAndOneInsideAStringIsNot()
    {
        var inString = Encoding.ASCII.GetBytes("{\"text\":\"}Content-Length: 4\"}");
        long scanned = 0;
        Assert.Equal(-1, IncomingMessageFilter.FindHeaderAfterObject(new System.Buffers.ReadOnlySequence<byte>(inString), ref scanned));
        var after = Encoding.ASCII.GetBytes("{\"text\":\"a\"}Content-Length: 4\r\n\r\n");
        scanned = 0;
        Assert.Equal(12, IncomingMessageFilter.FindHeaderAfterObject(new System.Buffers.ReadOnlySequence<byte>(after), ref scanned));
    }

    [Fact]
    public void ResponsesPassOnlyWhileTheServerAwaitsOne()
    {
        var response = Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}");
        Assert.NotNull(IncomingMessageFilter.Classify(response, awaitingResponses: true).Forward);
        Assert.Null(IncomingMessageFilter.Classify(response, awaitingResponses: false).Forward);
    }

    [Fact]
    public void LoneSurrogateEscapesAreRepairedAndPairsKept()
    {
        var body = """{"jsonrpc":"2.0","method":"m","params":{"text":"a\ud800b\udc00c\ud83d\ude00d\\ud800"}}""";
        var clean = IncomingMessageFilter.Classify(Encoding.UTF8.GetBytes(body), awaitingResponses: false).Forward;
        Assert.NotNull(clean);
        var text = System.Text.Json.JsonDocument.Parse(clean).RootElement.GetProperty("params").GetProperty("text").GetString()!;
        Assert.Equal("a\uFFFDb\uFFFDc😀d\\ud800", text);
    }

    [Fact]
    public void InvalidUtf8IsReplacedNotDropped()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"text\":\"a"), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("b\"}}")];
        var clean = IncomingMessageFilter.Classify(body, awaitingResponses: false).Forward;
        Assert.NotNull(clean);
        Assert.Contains("\uFFFD", Encoding.UTF8.GetString(clean));
    }
}
