// The "next-token distribution" view: a self-contained HTML bar chart (no scripts), pure and unit-tested.
import { contextTail, escapeHtml, formatProbability, visibleToken } from './format';
import type { NextToken } from './protocol';

export interface BarChartInput {
  /** Text before the caret; its tail titles the chart. */
  context: string;
  tokens: readonly NextToken[];
  /** The webview's CSP source and a fresh nonce, so only our inline style runs. */
  cspSource: string;
  nonce: string;
}

/** Bars sorted by probability, each as wide as its probability relative to the most likely token. */
export function buildBarChartHtml(input: BarChartInput): string {
  const tokens = [...input.tokens].sort((a, b) => b.probability - a.probability);
  const top = tokens.length > 0 ? Math.max(tokens[0].probability, 1e-12) : 1;
  const shown = tokens.reduce((sum, t) => sum + (Number.isFinite(t.probability) ? t.probability : 0), 0);
  // Bar widths are rules in the nonce-tagged style block: the CSP forbids inline style attributes.
  const widths = tokens
    .map((t, i) => `#bar${i} { width: ${Math.max(0, Math.min(100, (t.probability / top) * 100)).toFixed(1)}%; }`)
    .join('\n  ');
  const rows = tokens
    .map((t, i) => {
      return (
        `<tr><td class="token" title="token id ${t.id}"><code>${escapeHtml(visibleToken(t.text))}</code></td>` +
        `<td class="bar"><div id="bar${i}"></div></td>` +
        `<td class="p">${escapeHtml(formatProbability(t.probability))}</td></tr>`
      );
    })
    .join('\n');
  const body =
    tokens.length === 0
      ? '<p class="empty">The server returned no tokens.</p>'
      : `<table>\n${rows}\n</table>\n<p class="note">These ${tokens.length} tokens hold ${escapeHtml(formatProbability(shown))} of the probability. ␣ is a space, ⏎ a line break.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${input.cspSource} 'nonce-${input.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Next-token distribution</title>
<style nonce="${input.nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1em; }
  h1 { font-size: 1.2em; font-weight: 600; }
  .context { font-family: var(--vscode-editor-font-family); opacity: 0.8; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; max-width: 48em; }
  td { padding: 2px 6px; }
  td.token { white-space: nowrap; font-family: var(--vscode-editor-font-family); }
  td.bar { width: 100%; }
  td.bar div { height: 1em; background: var(--vscode-charts-blue, #3794ff); border-radius: 2px; min-width: 1px; }
  td.p { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  .note, .empty { opacity: 0.8; }
  ${widths}
</style>
</head>
<body>
<h1>Next-token distribution</h1>
<p class="context">after “${escapeHtml(contextTail(input.context))}”</p>
${body}
</body>
</html>`;
}
