// How probabilities and model text are shown to a person: pure functions, unit-tested.

/**
 * "37%", "3.7%", "<0.1%", "0%"; "–" for what is not a probability. The server's Formatting.Percent shows
 * probabilities the same way: both are tested on tests/fixtures/probability-format.
 */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p) || p < 0) return '–';
  const percent = p * 100;
  if (percent >= 9.95) return `${percent.toFixed(0)}%`;
  if (percent >= 0.05) return `${percent.toFixed(1)}%`;
  return p === 0 ? '0%' : '<0.1%';
}

/**
 * Each candidate's share of the probability mass of all shown candidates, from log-probabilities
 * (log-sum-exp, so long continuations whose probabilities underflow still compare).
 */
export function sharesOf(logProbabilities: readonly number[]): number[] {
  const finite = logProbabilities.filter((x) => Number.isFinite(x));
  if (finite.length === 0) return logProbabilities.map(() => 0);
  const max = Math.max(...finite);
  const weights = logProbabilities.map((x) => (Number.isFinite(x) ? Math.exp(x - max) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Model text on one line: newlines and tabs become visible symbols, nothing is trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '⏎').replace(/\t/g, '⇥');
}

/** A single token made fully visible: spaces become "␣" so " the" and "the" differ on screen. */
export function visibleToken(text: string): string {
  return oneLine(text).replace(/ /g, '␣');
}

/** A suggestion as a quick-pick label: one line, leading spaces dropped, whitespace-only text made visible. */
export function pickLabel(text: string): string {
  if (text.length === 0) return '(nothing)';
  const line = oneLine(text).trimStart();
  return line.trim().length > 0 ? line : visibleToken(text);
}

/** The last `max` characters of `text` on one line, with an ellipsis when cut: the context a view is about. */
export function contextTail(text: string, max = 80): string {
  const line = oneLine(text);
  return line.length <= max ? line : `…${line.slice(line.length - max + 1)}`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
