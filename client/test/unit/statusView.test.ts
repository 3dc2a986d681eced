import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLatency, mergeStatus, statusView } from '../../src/statusView';

test('before any notification the item says the server is starting', () => {
  const view = statusView(undefined);
  assert.match(view.text, /TransformerLsp/);
  assert.match(view.tooltip, /starting/);
  assert.equal(view.severity, 'normal');
});

test('ready shows model, provider and last latency', () => {
  const view = statusView({ state: 'ready', model: 'transformerlsp-default', provider: 'cpu', lastLatencyMs: 42.4 });
  assert.equal(view.text, '$(sparkle) transformerlsp-default · cpu · 42 ms');
  assert.match(view.tooltip, /last suggestion in 42 ms/);
  assert.equal(view.label, 'TransformerLsp: ready, model transformerlsp-default on cpu, last 42 ms');
});

test('ready without a latency yet leaves it out', () => {
  assert.equal(statusView({ state: 'ready', model: 'm', provider: 'cuda' }).text, '$(sparkle) m · cuda');
});

test('loading spins and names the model', () => {
  assert.equal(statusView({ state: 'loading', model: 'm' }).text, '$(loading~spin) TransformerLsp: loading m');
});

test('error is painted as an error and the tooltip carries the message', () => {
  const view = statusView({ state: 'error', message: 'model.onnx not found' });
  assert.equal(view.severity, 'error');
  assert.match(view.tooltip, /model\.onnx not found/);
  assert.equal(view.label, 'TransformerLsp: error, model.onnx not found');
});

test('a latency-only update keeps the model and provider', () => {
  const ready = mergeStatus(undefined, { state: 'ready', model: 'm', provider: 'cpu' });
  assert.deepEqual(mergeStatus(ready, { state: 'ready', lastLatencyMs: 12 }), {
    state: 'ready',
    model: 'm',
    provider: 'cpu',
    message: undefined,
    lastLatencyMs: 12,
  });
});

test('a change of state replaces the previous status', () => {
  const ready = { state: 'ready' as const, model: 'm', provider: 'cpu', lastLatencyMs: 5 };
  assert.deepEqual(mergeStatus(ready, { state: 'loading', model: 'n' }), { state: 'loading', model: 'n' });
});

test('formatLatency picks a readable unit', () => {
  assert.equal(formatLatency(3.25), '3.3 ms');
  assert.equal(formatLatency(250.4), '250 ms');
  assert.equal(formatLatency(12_345), '12.3 s');
  assert.equal(formatLatency(undefined), undefined);
  assert.equal(formatLatency(-1), undefined);
});
