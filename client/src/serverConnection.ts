// Starts, stops and restarts the language server (one LanguageClient at a time) and explains failures to start.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { ServerStatus, StatusNotification } from './protocol';
import { dotnetDownloadUrl, resolveLaunch, serverEnvironment } from './serverLaunch';
import { defaultLanguages, readServerSettings, section, stringList } from './settings';
import { StatusBar } from './statusBar';

export class ServerConnection implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.LogOutputChannel,
    private readonly statusBar: StatusBar,
  ) {}

  /** Starts the server unless it is running or starting; resolves to the client, or undefined when it could not start. */
  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.dispose(5000);
      } catch (error) {
        this.output.warn(`stopping the server: ${String(error)}`);
      }
    }
  }

  /** The running client, started on demand; undefined (after telling the user why) when there is none. */
  async ready(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) return this.client;
    return this.start();
  }

  dispose(): void {
    void this.stop();
  }

  private async doStart(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) return this.client;
    const config = vscode.workspace.getConfiguration(section);
    const launch = resolveLaunch({
      extensionPath: this.extensionPath,
      serverPathSetting: config.get<string>('server.path') ?? '',
      platform: process.platform,
      arch: process.arch,
      env: process.env,
      homeDir: os.homedir(),
      isFile: (file) => {
        try {
          return fs.statSync(file).isFile();
        } catch {
          return false;
        }
      },
      readText: (file) => {
        try {
          return fs.readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      },
    });
    if (launch.kind === 'wrong-platform') {
      const message = `TransformerLsp: this package's language server was built for ${launch.builtFor}, and this machine is ${launch.running}. Install the extension's package for ${launch.running} (the Marketplace picks it by itself), or the universal package with the .NET 10 runtime.`;
      this.fail(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    if (launch.kind === 'server-missing') {
      const message = `TransformerLsp: the language server was not found (looked for ${launch.tried.join(', ')}). Reinstall the extension or fix the setting transformerLsp.server.path.`;
      this.fail(message);
      void vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'transformerLsp.server.path');
      });
      return undefined;
    }
    if (launch.kind === 'dotnet-missing') {
      const message =
        'TransformerLsp needs the .NET 10 runtime to run its language server, and no `dotnet` command was found ' +
        '(PATH, DOTNET_ROOT and the usual install folders). Install .NET 10, then restart the server.';
      this.fail(`${message} Looked in: ${launch.tried.join(', ')}`);
      void vscode.window.showErrorMessage(message, 'Install .NET', 'Restart Server').then((choice) => {
        if (choice === 'Install .NET') void vscode.env.openExternal(vscode.Uri.parse(dotnetDownloadUrl));
        if (choice === 'Restart Server') void vscode.commands.executeCommand('transformerLsp.restartServer');
      });
      return undefined;
    }

    this.output.info(`starting ${launch.command} ${launch.args.join(' ')}`);
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: launch.args,
      transport: TransportKind.stdio,
      options: { env: serverEnvironment(process.env) },
    };
    const languages = stringList(config.get('languages'), defaultLanguages);
    const clientOptions: LanguageClientOptions = {
      documentSelector: languages.map((language) => ({ language })),
      synchronize: { configurationSection: section },
      // workspaceTrusted: in an untrusted workspace the server reads no workspace files (open documents only).
      initializationOptions: { [section]: readServerSettings(config), workspaceTrusted: vscode.workspace.isTrusted },
      outputChannel: this.output,
    };
    const client = new LanguageClient(section, 'TransformerLsp', serverOptions, clientOptions);
    client.onNotification(StatusNotification, (status: ServerStatus) => this.statusBar.update(status));
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.statusBar.set({ state: 'error', message: 'the server stopped; run "TransformerLsp: Restart server"' });
      }
    });
    this.client = client;
    this.statusBar.set(undefined);
    try {
      await client.start();
      return client;
    } catch (error) {
      if (this.client === client) this.client = undefined;
      void client.dispose(2000).catch(() => undefined);
      const message = `TransformerLsp: the language server failed to start: ${error instanceof Error ? error.message : String(error)}`;
      this.fail(message);
      void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
        if (choice) this.output.show(true);
      });
      return undefined;
    }
  }

  private fail(message: string): void {
    this.output.error(message);
    this.statusBar.set({ state: 'error', message });
  }
}
