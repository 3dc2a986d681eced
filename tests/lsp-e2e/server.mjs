// Starts the built transformer-lsp server as a process and connects to it over stdio with
// vscode-languageserver-protocol, the library VS Code's own client uses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const fixtureModel = path.join(repoRoot, 'tests', 'fixtures', 'tiny-model');
export const defaultModel = path.join(repoRoot, 'models', 'default');

/**
 * The server under test: TRANSFORMER_LSP_SERVER (a published executable, e.g. the Native AOT `transformer-lsp`, or a
 * `.dll`), TRANSFORMER_LSP_DLL, else the Release build's transformer-lsp.dll.
 */
export function serverPath() {
  const server =
    process.env.TRANSFORMER_LSP_SERVER ??
    process.env.TRANSFORMER_LSP_DLL ??
    path.join(repoRoot, 'server', 'TransformerLsp.Server', 'bin', 'Release', 'net10.0', 'transformer-lsp.dll');
  if (!existsSync(server)) throw new Error(`server not built: ${server} (run tests/lsp-e2e/run.sh)`);
  return server;
}

/** A Native AOT server is an executable with no transformer-lsp.dll beside it (it has no .NET diagnostics socket). */
export function isNativeAot() {
  const server = serverPath();
  return !server.endsWith('.dll') && !existsSync(path.join(path.dirname(server), 'transformer-lsp.dll'));
}

/** The command line that starts the server: `dotnet x.dll --stdio`, or the executable itself. */
export function serverCommand() {
  const server = serverPath();
  return server.endsWith('.dll') ? ['dotnet', [server, '--stdio']] : [server, ['--stdio']];
}

/** The model for latency runs: the default model when present, the tiny fixture otherwise. */
export function latencyModel() {
  return existsSync(path.join(defaultModel, 'config.json')) ? defaultModel : fixtureModel;
}

/** Ends the session the LSP way (shutdown, then exit) and checks that the server exits with 0. */
export async function shutdownAndExit(server) {
  await server.connection.sendRequest('shutdown');
  await server.connection.sendNotification('exit');
  assert.equal(await server.exited, 0);
}

/** Closes the connection and kills the process, whatever happened before (a test's finally block). */
export function stopServer(server) {
  server.connection.dispose();
  server.child.kill();
}

/** Spawns the server (with `env`, default this process's); returns the connection, the process, its exit promise and collected notifications. */
export function startServer({ env = process.env } = {}) {
  const [command, args] = serverCommand();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const notifications = [];
  const waiters = [];
  const record = (method, params) => {
    notifications.push({ method, params });
    for (const w of [...waiters]) {
      if (w.method === method && w.match(params)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  };
  for (const method of [
    'transformerLsp/status',
    'textDocument/publishDiagnostics',
    'window/showMessage',
    'window/logMessage',
    '$/progress',
  ]) {
    connection.onNotification(method, (params) => record(method, params));
  }
  connection.onRequest('window/workDoneProgress/create', (params) => {
    record('window/workDoneProgress/create', params);
    return null;
  });
  connection.listen();

  /** Resolves with the first notification (past or future) of `method` matching `match`. */
  const waitFor = (method, match = () => true, timeoutMs = 120_000) => {
    const seen = notifications.find((n) => n.method === method && match(n.params));
    if (seen) return Promise.resolve(seen.params);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${method}; stderr:\n${stderr}`)),
        timeoutMs,
      );
      waiters.push({
        method,
        match,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  };
  return { connection, child, exited, notifications, waitFor, stderr: () => stderr };
}

export async function initialize(server, modelPath, extraSettings = {}) {
  const result = await server.connection.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'lsp-e2e' },
    rootUri: null,
    capabilities: {
      window: { workDoneProgress: true },
      general: { positionEncodings: ['utf-16'] },
      textDocument: { completion: { completionItem: { snippetSupport: false } }, inlineCompletion: {} },
    },
    initializationOptions: { transformerLsp: { modelPath, ...extraSettings } },
  });
  await server.connection.sendNotification('initialized', {});
  const status = await server.waitFor('transformerLsp/status', (p) => p.state === 'ready' || p.state === 'error');
  if (status.state !== 'ready') throw new Error(`model did not load: ${JSON.stringify(status)}`);
  return result;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
