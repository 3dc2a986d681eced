// What the status bar item shows for a server status: pure, unit-tested.
import type { ServerStatus } from './protocol';

export interface StatusView {
  text: string;
  tooltip: string;
  /** The state in words for screen readers: "TransformerLsp: ready, model m on cpu, last 42 ms". */
  label: string;
  /** "error" paints the item with the theme's error background. */
  severity: 'normal' | 'error';
}

export function statusView(status: ServerStatus | undefined): StatusView {
  if (!status) {
    return {
      text: '$(loading~spin) TransformerLsp',
      tooltip: 'TransformerLsp: starting the server… (click for the log)',
      label: 'TransformerLsp: starting',
      severity: 'normal',
    };
  }
  const model = status.model ?? 'model';
  const provider = status.provider ?? 'cpu';
  switch (status.state) {
    case 'loading':
      return {
        text: `$(loading~spin) TransformerLsp: loading ${model}`,
        tooltip: `TransformerLsp: loading the model ${model}${status.message ? `\n${status.message}` : ''}\n(click for the log)`,
        label: `TransformerLsp: loading, model ${model}`,
        severity: 'normal',
      };
    case 'error':
      return {
        text: '$(error) TransformerLsp',
        tooltip: `TransformerLsp: ${status.message ?? 'the server reported an error'}\n(click for the log)`,
        label: `TransformerLsp: error, ${status.message ?? 'the server reported an error'}`,
        severity: 'error',
      };
    case 'ready': {
      const latency = formatLatency(status.lastLatencyMs);
      return {
        text: `$(sparkle) ${model} · ${provider}${latency ? ` · ${latency}` : ''}`,
        tooltip:
          `TransformerLsp: model ${model} on ${provider}` +
          (latency ? `, last suggestion in ${latency}` : '') +
          (status.message ? `\n${status.message}` : '') +
          '\n(click for the log)',
        label: `TransformerLsp: ready, model ${model} on ${provider}${latency ? `, last ${latency}` : ''}`,
        severity: 'normal',
      };
    }
    default:
      return {
        text: '$(question) TransformerLsp',
        tooltip: `TransformerLsp: unknown state ${String(status.state)}`,
        label: `TransformerLsp: unknown state ${String(status.state)}`,
        severity: 'normal',
      };
  }
}

/** Merges a notification into the last status: a latency-only update keeps the model and provider. */
export function mergeStatus(last: ServerStatus | undefined, next: ServerStatus): ServerStatus {
  if (!last || next.state !== last.state) return { ...next };
  return {
    state: next.state,
    model: next.model ?? last.model,
    provider: next.provider ?? last.provider,
    message: next.message ?? (next.state === 'ready' ? undefined : last.message),
    lastLatencyMs: next.lastLatencyMs ?? last.lastLatencyMs,
  };
}

export function formatLatency(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
