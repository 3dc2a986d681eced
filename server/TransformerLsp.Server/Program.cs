using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TransformerLsp.Server.Hosting;
using TransformerLsp.Server.Terminal;

namespace TransformerLsp.Server;

/// <summary>Entry point: `--stdio` serves LSP; `complete|beam|fill|next "text"` is the terminal mode.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // stdout is the protocol (or, in terminal mode, the results): keep every stray Console.Write off it.
        var stdout = Console.OpenStandardOutput();
        var stdin = Console.OpenStandardInput();
        Console.SetOut(Console.Error);

        if (args.Contains("--version")) { await Console.Error.WriteLineAsync(Handlers.Lifecycle.InitializeHandler.Info.Version); return 0; }
        if (args.Contains("--stdio"))
        {
            DiagnosticsPort.CloseByReexec(Console.Error);
            try
            {
                return await ServeAsync(args, stdin, stdout);
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"transformer-lsp: fatal: {e}");
                return 1;
            }
        }
        if (TerminalMode.IsVerb(args)) return await TerminalMode.RunAsync(args, stdout);
        await Console.Error.WriteLineAsync(TerminalMode.Usage);
        return args.Length == 0 || args.Contains("--help") || args.Contains("-h") ? 0 : 2;
    }

    private static async Task<int> ServeAsync(string[] args, Stream stdin, Stream stdout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(Environment.GetEnvironmentVariable("TRANSFORMER_LSP_LOG") is "debug" ? LogLevel.Debug : LogLevel.Information);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(new StdioStreams(stdin, stdout));
        builder.Services.AddSingleton<LanguageServerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LanguageServerService>());
        using var host = builder.Build();
        var server = host.Services.GetRequiredService<LanguageServerService>();
        await host.RunAsync();
        return server.ExitCode;
    }
}

internal sealed record StdioStreams(Stream Input, Stream Output);

/// <summary>Runs the language server as the host's one service and stops the host when the client exits.</summary>
internal sealed class LanguageServerService(StdioStreams streams, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime) : BackgroundService
{
    public int ExitCode { get; private set; } = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var server = new LanguageServerHost(streams.Input, streams.Output, loggerFactory);
        try
        {
            ExitCode = await server.RunAsync(stoppingToken);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
