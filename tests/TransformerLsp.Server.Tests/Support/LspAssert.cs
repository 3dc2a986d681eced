using StreamJsonRpc;

namespace TransformerLsp.Server.Tests.Support;

internal static class LspAssert
{
    /// <summary>Awaits a request that must fail with the JSON-RPC error <paramref name="code"/>; returns the message.</summary>
    public static async Task<string> FailsWith(int code, Func<Task> request)
    {
        var e = await Assert.ThrowsAnyAsync<RemoteRpcException>(request);
        var actual = e switch
        {
            RemoteInvocationException invocation => invocation.ErrorCode,
            RemoteMethodNotFoundException notFound => (int)notFound.ErrorCode,
            _ => throw new Xunit.Sdk.XunitException($"unexpected {e.GetType().Name}: {e.Message}"),
        };
        Assert.True(code == actual, $"expected error {code}, got {actual}: {e.Message}");
        return e.Message;
    }
}
