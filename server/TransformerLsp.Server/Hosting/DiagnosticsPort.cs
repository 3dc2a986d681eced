using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TransformerLsp.Server.Hosting;

/// <summary>
/// Keeps the .NET diagnostics IPC socket closed in the language server. The runtime opens that socket
/// (<c>/tmp/dotnet-diagnostic-PID-…-socket</c>: dumps, traces, the command line, for any process of the same user) unless
/// <c>DOTNET_EnableDiagnostics=0</c> is in the environment it starts with, and no runtimeconfig.json setting can switch it
/// off. So the server, started on Linux without that variable, replaces itself before it reads a byte: <c>execve</c> of
/// the same executable and command line with the variable set to 0 (same process id, same stdin and stdout). Setting
/// <c>DOTNET_EnableDiagnostics=1</c> (or any value) keeps the socket, for dotnet-trace and dotnet-counters.
/// </summary>
/// <remarks>Elsewhere (macOS has no /proc/self/cmdline; Windows uses a named pipe and has no execve) the socket stays
/// unless the launcher sets the variable, as the VS Code extension does.</remarks>
internal static partial class DiagnosticsPort
{
    public const string Variable = "DOTNET_EnableDiagnostics";

    /// <summary>Returns only if the process keeps running as it is: the variable is set, the platform is not Linux, the
    /// server is Native AOT (which has no diagnostics server, so nothing to close and no start to pay twice), or the
    /// re-exec failed (then <paramref name="log"/> says why).</summary>
    public static void CloseByReexec(TextWriter log)
    {
        if (!OperatingSystem.IsLinux() || !RuntimeFeature.IsDynamicCodeSupported || Environment.GetEnvironmentVariable(Variable) is not null) return;
        var path = Environment.ProcessPath;
        string[] argv;
        try
        {
            // NUL-separated, NUL-terminated; an empty argument is an empty string between two NULs.
            var cmdline = File.ReadAllText("/proc/self/cmdline");
            argv = cmdline.EndsWith('\0') ? cmdline[..^1].Split('\0') : cmdline.Split('\0');
        }
        catch (IOException e)
        {
            log.WriteLine($"transformer-lsp: the .NET diagnostics socket stays open: cannot read /proc/self/cmdline ({e.Message}); set {Variable}=0 to close it");
            return;
        }
        if (path is null || argv.Length == 0) return;
        var environment = new List<string?>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables()) environment.Add($"{e.Key}={e.Value}");
        environment.Add($"{Variable}=0");
        environment.Add(null);
        // The socket this runtime already opened outlives the exec as a file nobody answers: remove it first.
        RemoveOwnSockets();
        Execve(path, [.. argv, null], [.. environment]);
        log.WriteLine($"transformer-lsp: the .NET diagnostics socket stays open: execve failed (errno {Marshal.GetLastPInvokeError()}); set {Variable}=0 to close it");
    }

    private static void RemoveOwnSockets()
    {
        var folder = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        try
        {
            foreach (var socket in Directory.EnumerateFiles(folder, $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
                File.Delete(socket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal: a stale socket file is a name, and nothing listens on it after the exec.
        }
    }

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
