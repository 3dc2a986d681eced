// Latency of completion and inline completion as an editor sees it: one keystroke (didChange) then the request,
// over stdio, with the default model when present (the tiny fixture otherwise). Prints p50/p95 and writes
// .e2e/latency.json. Set LATENCY_REQUESTS to change the count (default 120 of each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, initialize, latencyModel, percentile, repoRoot, shutdownAndExit, stopServer } from './server.mjs';

const count = Math.max(100, Number(process.env.LATENCY_REQUESTS ?? 120));
const prose =
  'The weather today is quite pleasant, and many people are walking in the park with their families. ' +
  'In the afternoon the children play near the river while their parents talk about the week. ';

test(`latency: ${count} completion and ${count} inline completion requests`, { timeout: 900_000 }, async () => {
  const model = latencyModel();
  const server = startServer();
  const { connection } = server;
  const uri = 'file:///e2e/latency.md';
  try {
    await initialize(server, model);
    let text = 'Notes from the week.\n\n';
    let version = 1;
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'markdown', version, text },
    });
    const completion = [],
      inline = [];
    let items = 0,
      ghosts = 0;
    for (let i = 0; i < count; i++) {
      const ch = prose[i % prose.length];
      const line = text.split('\n').length - 1;
      const character = text.length - (text.lastIndexOf('\n') + 1);
      text += ch;
      version++;
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: ch }],
      });
      const position = { line, character: character + 1 };
      let t = performance.now();
      const list = await connection.sendRequest('textDocument/completion', { textDocument: { uri }, position });
      completion.push(performance.now() - t);
      items += list.items.length;
      t = performance.now();
      const ghost = await connection.sendRequest('textDocument/inlineCompletion', {
        textDocument: { uri },
        position,
        context: { triggerKind: 2 },
      });
      inline.push(performance.now() - t);
      ghosts += ghost.items.length;
    }
    const summary = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return {
        n: s.length,
        p50: +percentile(s, 50).toFixed(1),
        p95: +percentile(s, 95).toFixed(1),
        max: +s[s.length - 1].toFixed(1),
      };
    };
    const result = {
      model: path.relative(repoRoot, model),
      completion: summary(completion),
      inlineCompletion: summary(inline),
      completionItemsPerRequest: +(items / count).toFixed(1),
      inlineItemsPerRequest: +(ghosts / count).toFixed(1),
      date: new Date().toISOString(),
    };
    console.log(
      `latency (${result.model}): completion p50 ${result.completion.p50} ms, p95 ${result.completion.p95} ms; ` +
        `inline completion p50 ${result.inlineCompletion.p50} ms, p95 ${result.inlineCompletion.p95} ms (n=${count} each)`,
    );
    const out = path.join(repoRoot, 'tests', 'lsp-e2e', '.e2e');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'latency.json'), JSON.stringify(result, null, 2));
    assert.ok(items > 0, 'completion returned items');
    // A generous ceiling: a typing assistant that takes seconds per keystroke is broken.
    assert.ok(result.completion.p95 < 5000 && result.inlineCompletion.p95 < 5000, JSON.stringify(result));
    await shutdownAndExit(server);
  } finally {
    stopServer(server);
  }
});
