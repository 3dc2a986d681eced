// The editor commands: each asks the server (workspace/executeCommand) and renders the answer natively.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';
import { buildBarChartHtml } from './barChart';
import { formatProbability, oneLine, pickLabel, sharesOf } from './format';
import {
  BeamSearchArgs,
  BeamSearchResult,
  FillMaskArgs,
  FillMaskResult,
  NextTokensArgs,
  NextTokensResult,
  ServerCommand,
} from './protocol';
import { ServerConnection } from './serverConnection';
import { defaultBlankMarkers, defaultLanguages, section, stringList } from './settings';

export const ClientCommand = {
  suggestContinuations: 'transformerLsp.suggestContinuations',
  fillBlank: 'transformerLsp.fillBlank',
  showNextTokenDistribution: 'transformerLsp.showNextTokenDistribution',
  restartServer: 'transformerLsp.restartServer',
  showOutput: 'transformerLsp.showOutput',
} as const;

export function registerCommands(server: ServerConnection, output: vscode.LogOutputChannel): vscode.Disposable[] {
  const distribution = new DistributionView();
  const inEnabledDocument = (editor: vscode.TextEditor, action: () => Promise<void>) => () => {
    const languages = stringList(vscode.workspace.getConfiguration(section).get('languages'), defaultLanguages);
    if (!languages.includes(editor.document.languageId)) {
      void vscode.window.showInformationMessage(
        `TransformerLsp works in ${languages.join(', ')} documents (setting transformerLsp.languages); this one is ${editor.document.languageId}.`,
      );
      return Promise.resolve();
    }
    return action();
  };
  return [
    distribution,
    vscode.commands.registerTextEditorCommand(
      ClientCommand.suggestContinuations,
      (editor) =>
        void reportErrors(
          output,
          inEnabledDocument(editor, () => suggestContinuations(server, editor)),
        ),
    ),
    vscode.commands.registerTextEditorCommand(
      ClientCommand.fillBlank,
      (editor) =>
        void reportErrors(
          output,
          inEnabledDocument(editor, () => fillBlank(server, editor)),
        ),
    ),
    vscode.commands.registerTextEditorCommand(
      ClientCommand.showNextTokenDistribution,
      (editor) =>
        void reportErrors(
          output,
          inEnabledDocument(editor, () => distribution.show(server, editor)),
        ),
    ),
    vscode.commands.registerCommand(ClientCommand.restartServer, () => reportErrors(output, () => server.restart())),
    vscode.commands.registerCommand(ClientCommand.showOutput, () => output.show(true)),
  ];
}

/** How long a command waits for the server; answers normally take well under a second. */
const commandTimeoutMs = 30_000;

interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

async function suggestContinuations(server: ServerConnection, editor: vscode.TextEditor): Promise<void> {
  const client = await server.ready();
  if (!client) return;
  const document = editor.document;
  const position = editor.selection.active;
  const version = document.version;
  const args: BeamSearchArgs = {
    textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
    position: asPosition(position),
  };
  const result = await ask<BeamSearchResult>(client, ServerCommand.beamSearch, args, 'searching continuations');
  const beams = result?.beams ?? [];
  if (beams.length === 0) {
    void vscode.window.showInformationMessage('TransformerLsp: the model offered no continuation here.');
    return;
  }
  const shares = sharesOf(beams.map((b) => b.logProbability));
  // A long continuation's own probability is tiny (1e-16 for 16 tokens), so the quick pick leads with each
  // beam's share of the beams found and gives the raw probability and the mean per-token probability after it.
  const items: PickItem<string>[] = beams.map((beam, i) => ({
    label: pickLabel(beam.text),
    description: formatProbability(shares[i]),
    detail:
      `p = ${formatProbability(beam.probability)} · ${beam.tokens.length} token${beam.tokens.length === 1 ? '' : 's'}` +
      (beam.tokens.length > 0
        ? ` · ${formatProbability(Math.exp(beam.logProbability / beam.tokens.length))} per token`
        : ''),
    value: beam.text,
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: 'TransformerLsp: continuations (beam search)',
    placeHolder: 'Choose a continuation to insert at the cursor',
  });
  if (!pick) return;
  // If the user typed while the search ran, insert at the cursor as it is now.
  const at = document.version === version ? position : editor.selection.active;
  const inserted = await editor.edit((edit) => edit.insert(at, pick.value));
  if (inserted) {
    const end = document.positionAt(document.offsetAt(at) + pick.value.length);
    editor.selection = new vscode.Selection(end, end);
  }
}

async function fillBlank(server: ServerConnection, editor: vscode.TextEditor): Promise<void> {
  const document = editor.document;
  const client = await server.ready();
  if (!client) return;
  const version = document.version;
  // A selection is the text to fill; a caret asks the server for the blank near it (the server defines a blank).
  const textDocument = { uri: client.code2ProtocolConverter.asUri(document.uri) };
  const args: FillMaskArgs = editor.selection.isEmpty
    ? { textDocument, position: asPosition(editor.selection.active) }
    : { textDocument, range: { start: asPosition(editor.selection.start), end: asPosition(editor.selection.end) } };
  const result = await ask<FillMaskResult>(client, ServerCommand.fillMask, args, 'ranking words for the blank');
  if (!result) return;
  if (!result.range) {
    const markers = stringList(
      vscode.workspace.getConfiguration(section, document).get('blankMarkers'),
      defaultBlankMarkers,
    );
    void vscode.window.showInformationMessage(
      `TransformerLsp: no blank near the cursor. Type ${markers.map((m) => `“${m}”`).join(' or ')} where a word is missing, or select the words to replace.`,
    );
    return;
  }
  const { start, end } = result.range;
  const range = new vscode.Range(start.line, start.character, end.line, end.character);
  if (editor.selection.isEmpty && document.version === version) {
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range);
  }
  const candidates = result.candidates ?? [];
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('TransformerLsp: the model offered no word for this blank.');
    return;
  }
  // One number per candidate: the server's share among every candidate it ranked (case variants already merged).
  const items: PickItem<string>[] = candidates.map((c) => ({
    label: pickLabel(c.text),
    description: formatProbability(c.probability),
    value: c.text,
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: 'TransformerLsp: fill the blank',
    placeHolder: `Choose the text for “${oneLine(document.getText(range))}”`,
  });
  if (!pick) return;
  if (document.version !== version) {
    void vscode.window.showWarningMessage('TransformerLsp: the document changed meanwhile; run Fill blank again.');
    return;
  }
  const replaced = await editor.edit((edit) => edit.replace(range, pick.value));
  if (replaced) {
    const end = document.positionAt(document.offsetAt(range.start) + pick.value.length);
    editor.selection = new vscode.Selection(end, end);
  }
}

/** One webview beside the editor, reused, showing the distribution for the latest request. */
class DistributionView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  async show(server: ServerConnection, editor: vscode.TextEditor): Promise<void> {
    const client = await server.ready();
    if (!client) return;
    const document = editor.document;
    const position = editor.selection.active;
    const args: NextTokensArgs = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
      position: asPosition(position),
      count: 20,
    };
    const result = await ask<NextTokensResult>(
      client,
      ServerCommand.nextTokens,
      args,
      'computing the next-token distribution',
    );
    if (!result) return;
    const contextStart = new vscode.Position(Math.max(0, position.line - 3), 0);
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'transformerLsp.nextTokens',
        'Next-token distribution',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false, enableFindWidget: true },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    this.panel.webview.html = buildBarChartHtml({
      context: document.getText(new vscode.Range(contextStart, position)),
      tokens: result.tokens ?? [],
      cspSource: this.panel.webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
    });
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

/** workspace/executeCommand with a progress indicator. */
async function ask<T>(client: LanguageClient, command: string, args: object, what: string): Promise<T | undefined> {
  return vscode.window.withProgress(
    // A spinner in the status bar: answers take tens of milliseconds, too short for a notification.
    { location: vscode.ProgressLocation.Window, title: `TransformerLsp: ${what}…` },
    async () => {
      // A server that stops answering must not leave a spinner forever: give up, cancel, and offer a restart.
      const cancel = new vscode.CancellationTokenSource();
      const timer = setTimeout(() => cancel.cancel(), commandTimeoutMs);
      try {
        const result: unknown = await client.sendRequest(
          ExecuteCommandRequest.type,
          { command, arguments: [args] },
          cancel.token,
        );
        return (result ?? undefined) as T | undefined;
      } catch (error) {
        if (!cancel.token.isCancellationRequested) throw error;
        const choice = await vscode.window.showErrorMessage(
          `TransformerLsp: the server did not answer within ${commandTimeoutMs / 1000} s (${what}).`,
          'Restart Server',
          'Show Output',
        );
        if (choice === 'Restart Server') void vscode.commands.executeCommand(ClientCommand.restartServer);
        if (choice === 'Show Output') void vscode.commands.executeCommand(ClientCommand.showOutput);
        return undefined;
      } finally {
        clearTimeout(timer);
        cancel.dispose();
      }
    },
  );
}

function asPosition(position: vscode.Position): { line: number; character: number } {
  return { line: position.line, character: position.character };
}

async function reportErrors(output: vscode.LogOutputChannel, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof vscode.CancellationError || (error as { code?: number })?.code === -32800) return;
    const message = error instanceof Error ? error.message : String(error);
    output.error(message);
    void vscode.window.showErrorMessage(`TransformerLsp: ${message}`, 'Show Output').then((choice) => {
      if (choice) output.show(true);
    });
  }
}
