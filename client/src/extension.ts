// Entry point of the VS Code extension. It stays thin (as in lsp-sample): start the server, forward
// settings, show the server's status, and offer the commands; every suggestion comes from the server.
import * as vscode from 'vscode';
import { ClientCommand, registerCommands } from './commands';
import { ServerConnection } from './serverConnection';
import { restartKeys, section } from './settings';
import { StatusBar } from './statusBar';

let server: ServerConnection | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('TransformerLsp', { log: true });
  const statusBar = new StatusBar(ClientCommand.showOutput);
  server = new ServerConnection(context.extensionPath, output, statusBar);
  const connection = server;
  context.subscriptions.push(
    output,
    statusBar,
    connection,
    ...registerCommands(connection, output),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // The other settings reach the running server through workspace/didChangeConfiguration.
      if (restartKeys.some((key) => event.affectsConfiguration(`${section}.${key}`))) {
        output.info('settings that choose the server or its documents changed: restarting the server');
        void connection.restart();
      }
    }),
    // Trust is sent in initializationOptions; granting it (it cannot be revoked without a reload) matters only when
    // the server is to read the workspace's files.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (vscode.workspace.getConfiguration(section).get<boolean>('userText.workspaceFiles')) {
        output.info('workspace trusted: restarting the server so that it reads the workspace files');
        void connection.restart();
      }
    }),
  );
  void connection.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
