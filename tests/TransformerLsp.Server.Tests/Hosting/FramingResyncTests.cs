using System.Text;
using TransformerLsp.Server.Protocol;
using TransformerLsp.Server.Tests.Support;

namespace TransformerLsp.Server.Tests.Hosting;

/// <summary>
/// Issue 13, item 1 and 2: a malformed frame costs that message and no other; every request whose id can be read is
/// answered. Each case sends the bad bytes and then, in the same write, a valid request that must still be answered.
/// </summary>
public class FramingResyncTests
{
    private const string Shutdown = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}";

    private static string Frame(string body) => $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    public static TheoryData<string, string> BrokenFrames => new()
    {
        // The issue's two cases: a header without Content-Length (VS Code's Content-Type alone), and a Content-Length
        // that understates the body. Each once made the server deaf for good.
        { "no Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\"}" },
        { "understated length", "Content-Length: 5\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"$/noSuchNotification\"}" },
        { "overstated length", "Content-Length: 400\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"$/noSuchNotification\"}" },
        { "no header at all", "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}" },
        { "header junk", "junk\r\nmore junk: \r\n\r\n" },
        { "bad length then body", "Content-Length: -7\r\n\r\n{\"a\":1}" },
        { "huge length", $"Content-Length: {long.MaxValue}\r\n\r\n{{}}" },
        { "lone line breaks", "\r\n\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(BrokenFrames))]
    public async Task TheNextValidMessageIsStillAnswered(string name, string broken)
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.SendRawAsync(broken + Frame(Shutdown));
        var response = await raw.ResponseAsync(2);
        Assert.True(response["error"] is null, $"{name}: {response}");
        await raw.NotifyAsync("exit", null);
        Assert.Equal(0, await raw.ServerRun.WaitAsync(LspTestClient.Timeout));
    }

    [Fact]
    public async Task ARequestWithAnOverstatedLengthIsAnsweredAndTheNextOneRuns()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        var hover = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"textDocument/hover\",\"params\":{}}";
        await raw.SendRawAsync($"Content-Length: {hover.Length + 30}\r\n\r\n{hover}" + Frame(Shutdown));
        var rejected = await raw.ResponseAsync(7);
        Assert.Equal(LspErrorCodes.InvalidRequest, (int)rejected["error"]!["code"]!);
        Assert.Contains("overstates", (string)rejected["error"]!["message"]!);
        Assert.True((await raw.ResponseAsync(2))["error"] is null);
    }

    [Fact]
    public async Task ARequestWithoutAContentLengthIsAnsweredWithItsId()
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.SendRawAsync("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" +
                               "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"textDocument/hover\",\"params\":{}}" + Frame(Shutdown));
        var rejected = await raw.ResponseAsync(9);
        Assert.Equal(LspErrorCodes.InvalidRequest, (int)rejected["error"]!["code"]!);
        Assert.True((await raw.ResponseAsync(2))["error"] is null);
    }

    public static TheoryData<string, string?, int> Unanswerable => new()
    {
        { "{not json", null, LspErrorCodes.ParseError },
        { "[]", null, LspErrorCodes.InvalidRequest },
        { "[{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"shutdown\"}]", null, LspErrorCodes.InvalidRequest },
        { "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"textDocument/hover\",\"params\":\"here\"}", "4", LspErrorCodes.InvalidRequest },
        { "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"textDocument/hover\",\"params\":{}}", "1.5", LspErrorCodes.InvalidRequest },
        { "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"textDocument/hover\",\"params\":{}}", null, LspErrorCodes.InvalidRequest },
        { "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":5}", "5", LspErrorCodes.InvalidRequest },
    };

    [Theory]
    [MemberData(nameof(Unanswerable))]
    public async Task BodiesStreamJsonRpcCannotTakeGetExactlyOneErrorResponse(string body, string? id, int code)
    {
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        await raw.SendRawAsync(Frame(body) + Frame(Shutdown));
        Assert.True((await raw.ResponseAsync(2))["error"] is null);
        var errors = raw.Received(m => m["error"] is not null);
        var error = Assert.Single(errors);
        Assert.Equal(id ?? "null", error["id"]?.ToJsonString() ?? "null");
        Assert.Equal(code, (int)error["error"]!["code"]!);
    }

    [Fact]
    public async Task ErrorAnswersNeverInterleaveWithTheServersOwnMessages()
    {
        // Many bad requests, each answered by the filter, between many good ones answered by StreamJsonRpc: every frame
        // the client reads must parse, and every request gets exactly one response.
        await using var raw = new RawLspConnection();
        await raw.InitializeAsync();
        var bytes = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            bytes.Append(Frame($"{{\"jsonrpc\":\"2.0\",\"id\":{1000 + i},\"method\":\"textDocument/hover\",\"params\":\"bad\"}}"));
            bytes.Append(Frame($"{{\"jsonrpc\":\"2.0\",\"id\":{2000 + i},\"method\":\"textDocument/noSuchMethod\",\"params\":{{}}}}"));
        }
        await raw.SendRawAsync(bytes.ToString() + Frame(Shutdown));
        await raw.ResponseAsync(2);
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(LspErrorCodes.InvalidRequest, (int)(await raw.ResponseAsync(1000 + i))["error"]!["code"]!);
            Assert.Equal(LspErrorCodes.MethodNotFound, (int)(await raw.ResponseAsync(2000 + i))["error"]!["code"]!);
        }
        var ids = raw.Received(m => m["method"] is null && m["id"] is not null).Select(m => m["id"]!.ToJsonString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
