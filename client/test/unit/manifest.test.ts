// The manifest (root package.json): the settings the client forwards, scopes, activation and commands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readServerSettings, serverSettingKeys } from '../../src/settings';

interface Property {
  type: string;
  default: unknown;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  scope?: string;
}
interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, Property> }; commands: { command: string }[] };
}
const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

// The manifest is the settings contract's one source: the server's SettingsManifestContractTests check every server key's
// default and range against what the server reads; here, that the client forwards exactly those keys.
const clientOnly = ['server.path', 'trace.server'];

test('every contributed server setting is forwarded to the server, and nothing else', () => {
  const contributed = Object.keys(properties)
    .map((k) => k.slice('transformerLsp.'.length))
    .filter((k) => !clientOnly.includes(k))
    .sort();
  assert.deepEqual([...serverSettingKeys].sort(), contributed);
  for (const key of clientOnly) assert.ok(properties[`transformerLsp.${key}`], key);
  assert.deepEqual(properties['transformerLsp.trace.server'].enum, ['off', 'messages', 'verbose']);
});

test('settings that choose an executable or a model are machine-scoped', () => {
  for (const key of ['modelPath', 'server.path'])
    assert.equal(properties[`transformerLsp.${key}`].scope, 'machine', key);
});

test('settings that choose an executable or a model are restricted in untrusted workspaces', () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [
    'transformerLsp.modelPath',
    'transformerLsp.server.path',
  ]);
});

test('the extension activates on the contract languages and its commands are contributed', () => {
  for (const language of properties['transformerLsp.languages'].default as string[]) {
    assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
  }
  const commands = manifest.contributes.commands.map((c) => c.command);
  for (const c of ['suggestContinuations', 'fillBlank', 'showNextTokenDistribution', 'restartServer']) {
    assert.ok(commands.includes(`transformerLsp.${c}`), c);
  }
  // The server's own command names are registered by vscode-languageclient; contributing them too would clash.
  for (const c of ['beamSearch', 'fillMask', 'nextTokens']) assert.ok(!commands.includes(`transformerLsp.${c}`), c);
  assert.equal(manifest.main, './dist/extension.js');
});

test('readServerSettings nests dotted keys the way the server reads them', () => {
  const values: Record<string, unknown> = {
    modelPath: '/m',
    beamWidth: 8,
    'diagnostics.enable': false,
    'server.path': '/ignored',
  };
  assert.deepEqual(readServerSettings({ get: <T>(key: string) => values[key] as T | undefined }), {
    modelPath: '/m',
    beamWidth: 8,
    diagnostics: { enable: false },
  });
});

test('the Marketplace fields are present: icon, categories, keywords, no "*" activation', () => {
  const m = manifest as unknown as Record<string, unknown> & Manifest;
  assert.equal(m.icon, 'icon.png');
  assert.ok(
    readFileSync(join(process.cwd(), 'client', 'icon.png'))
      .subarray(1, 4)
      .toString() === 'PNG',
  );
  assert.ok(Array.isArray(m.categories) && (m.categories as string[]).length > 0);
  assert.ok(Array.isArray(m.keywords) && (m.keywords as string[]).length <= 30);
  assert.ok(manifest.activationEvents.length > 0 && !manifest.activationEvents.includes('*'));
  assert.match((m.engines as { vscode: string }).vscode, /^\^1\.\d+\.\d+$/);
});
