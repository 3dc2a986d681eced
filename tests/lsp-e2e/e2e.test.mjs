// One editing session against the built server over stdio: every feature once, then shutdown and exit code 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import {
  startServer,
  initialize,
  fixtureModel,
  defaultModel,
  shutdownAndExit,
  stopServer,
  isNativeAot,
} from './server.mjs';

const uri = 'file:///e2e/notes.md';
const text = '# Notes\n\nThe cat sat on the ___ and then it went to sl';

test('initialize, edit and use every feature, shutdown, exit 0', { timeout: 180_000 }, async () => {
  const server = startServer();
  const { connection } = server;
  try {
    const init = await initialize(server, fixtureModel);
    const caps = init.capabilities;
    assert.equal(caps.positionEncoding, 'utf-16');
    assert.equal(caps.textDocumentSync.change, 2);
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.inlineCompletionProvider, true);
    assert.deepEqual(caps.executeCommandProvider.commands, [
      'transformerLsp.beamSearch',
      'transformerLsp.fillMask',
      'transformerLsp.nextTokens',
    ]);
    assert.equal(init.serverInfo.name, 'transformer-lsp');
    // Progress was reported for the model load.
    assert.ok(server.notifications.some((n) => n.method === '$/progress' && n.params.value.kind === 'end'));

    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'markdown', version: 1, text },
    });
    const hints = await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri);
    assert.ok(hints.diagnostics.some((d) => d.code === 'blank' && d.severity === 4));

    // Completion at the end, inside the partly typed word "sl".
    const lastLine = text.split('\n')[2];
    const end = { line: 2, character: lastLine.length };
    const completion = await connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: end,
    });
    assert.equal(completion.isIncomplete, true);
    assert.ok(completion.items.length > 0);
    for (const item of completion.items) {
      assert.deepEqual(item.textEdit.range, { start: { line: 2, character: lastLine.length - 2 }, end });
      assert.ok(item.textEdit.newText.startsWith('sl'));
      assert.match(item.labelDetails.description, /%$/);
      assert.equal(item.insertTextFormat, 1);
    }

    const inline = await connection.sendRequest('textDocument/inlineCompletion', {
      textDocument: { uri },
      position: end,
      context: { triggerKind: 2 },
    });
    assert.ok(Array.isArray(inline.items));
    for (const item of inline.items) assert.ok(!item.insertText.includes('\n'));

    const hover = await connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 2, character: 5 },
    });
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /^\*\*cat\*\* — .*% in context/);

    const blank = { start: { line: 2, character: 19 }, end: { line: 2, character: 22 } };
    const actions = await connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: blank.start, end: blank.start },
      context: { diagnostics: [] },
    });
    assert.ok(actions.length > 0);
    for (const action of actions) {
      assert.match(action.title, /^Fill blank with '.*' \(.*%\)$/);
      assert.deepEqual(action.edit.changes[uri][0].range, blank);
    }

    const beams = await connection.sendRequest('workspace/executeCommand', {
      command: 'transformerLsp.beamSearch',
      arguments: [{ textDocument: { uri }, position: end, width: 3, maxTokens: 6 }],
    });
    assert.ok(beams.beams.length >= 1 && beams.beams.length <= 3);
    for (const b of beams.beams) {
      assert.equal(b.tokens.length, b.tokenLogProbabilities.length);
      assert.ok(Math.abs(b.probability - Math.exp(b.logProbability)) < 1e-9);
    }

    // An incremental edit: type "eep. " after "sl", then ask again at the new end.
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: end, end }, text: 'eep. It' }],
    });
    const after = await connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: lastLine.length + 7 },
    });
    assert.ok(after.items.length > 0);
    for (const item of after.items)
      assert.deepEqual(item.textEdit.range.start, { line: 2, character: lastLine.length + 5 });
    await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2);

    await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await server.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0);

    await shutdownAndExit(server);
    assert.match(server.stderr(), /ready/); // logs went to stderr, the protocol alone to stdout
  } finally {
    stopServer(server);
  }
});

test(
  'a made-up name typed earlier is offered later, and the item says it comes from your text',
  { timeout: 180_000 },
  async () => {
    const server = startServer();
    const { connection } = server;
    try {
      await initialize(server, defaultModel);
      const zuri = 'file:///e2e/plan.md';
      const ztext =
        'Our new colleague Zorblat joined the team today. Everyone welcomed Zorblat warmly, and tomorrow Zorblat will present the plan.\n\nAt the meeting, Zor';
      await connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri: zuri, languageId: 'markdown', version: 1, text: ztext },
      });
      const position = { line: 2, character: 'At the meeting, Zor'.length };
      const completion = await connection.sendRequest('textDocument/completion', {
        textDocument: { uri: zuri },
        position,
      });
      const item = completion.items.find((i) => i.label === 'Zorblat');
      assert.ok(item, `Zorblat not offered: ${completion.items.map((i) => i.label).join(', ')}`);
      const resolved = await connection.sendRequest('completionItem/resolve', item);
      assert.match(resolved.documentation.value, /From your text\*\*: seen 3× in plan\.md/);
      await shutdownAndExit(server);
    } finally {
      stopServer(server);
    }
  },
);

test('exit without shutdown ends with code 1', { timeout: 60_000 }, async () => {
  const server = startServer();
  try {
    await server.connection.sendRequest('initialize', {
      processId: null,
      rootUri: null,
      capabilities: {},
      initializationOptions: { modelPath: '/nonexistent' },
    });
    await server.connection.sendNotification('exit');
    assert.equal(await server.exited, 1);
  } finally {
    stopServer(server);
  }
});

// The .NET runtime's diagnostics IPC socket (dumps, traces and the command line for any process of the same user) is
// closed in the shipped server: it re-executes itself with DOTNET_EnableDiagnostics=0 unless the variable is set.
// A Native AOT server has no diagnostics server at all: no socket either way.
test(
  'the .NET diagnostics socket is closed unless DOTNET_EnableDiagnostics asks for it',
  { timeout: 120_000 },
  async () => {
    const sockets = (pid) =>
      readdirSync(process.env.TMPDIR ?? os.tmpdir()).filter((f) => f.startsWith(`dotnet-diagnostic-${pid}-`));
    for (const [setting, expected] of [
      [undefined, 0],
      ['1', isNativeAot() ? 0 : 1],
    ]) {
      const env = { ...process.env };
      delete env.DOTNET_EnableDiagnostics;
      if (setting !== undefined) env.DOTNET_EnableDiagnostics = setting;
      const server = startServer({ env });
      try {
        await initialize(server, fixtureModel);
        assert.equal(
          sockets(server.child.pid).length,
          expected,
          `DOTNET_EnableDiagnostics=${setting ?? '(unset)'}; stderr:\n${server.stderr()}`,
        );
        await shutdownAndExit(server);
      } finally {
        stopServer(server);
      }
    }
  },
);
