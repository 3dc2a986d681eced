// The status bar item: model, execution provider and last latency from `transformerLsp/status`; a click opens the log.
import * as vscode from 'vscode';
import type { ServerStatus } from './protocol';
import { mergeStatus, statusView } from './statusView';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'transformerLsp.status',
    vscode.StatusBarAlignment.Right,
    100,
  );
  private last: ServerStatus | undefined;

  constructor(showOutputCommand: string) {
    this.item.name = 'TransformerLsp';
    this.item.command = showOutputCommand;
    this.render();
    this.item.show();
  }

  /** A notification from the server. */
  update(status: ServerStatus): void {
    this.last = mergeStatus(this.last, status);
    this.render();
  }

  /** A state the client itself knows (starting, failed to start, stopped). */
  set(status: ServerStatus | undefined): void {
    this.last = status;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const view = statusView(this.last);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    // Screen readers (and the end-to-end test) read the state in words, without the icon syntax.
    this.item.accessibilityInformation = { label: view.label };
    this.item.backgroundColor =
      view.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
}
