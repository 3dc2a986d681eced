// The manifest (root package.json) against the contract: every setting the server reads is contributed with
// the contract's default and range, and settings that choose programs or models are machine-scoped.
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
const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
const properties: Record<string, Property> = manifest.contributes.configuration.properties;

const contract: Record<string, Partial<Property>> = {
  modelPath: { type: 'string', default: '', scope: 'machine' },
  executionProvider: { type: 'string', default: 'cpu', enum: ['cpu', 'auto', 'cuda', 'directml'] },
  threads: { type: 'integer', default: 0, minimum: 0, maximum: 64 },
  contextTokens: { type: 'integer', default: 160, minimum: 0, maximum: 1000000 },
  beamWidth: { type: 'integer', default: 4, minimum: 1, maximum: 16 },
  maxSuggestionTokens: { type: 'integer', default: 16, minimum: 1, maximum: 64 },
  temperature: { type: 'number', default: 0, minimum: 0, maximum: 2 },
  blankMarkers: { type: 'array', default: ['___', '[MASK]'] },
  languages: { type: 'array', default: ['plaintext', 'markdown', 'latex', 'restructuredtext', 'git-commit'] },
  'diagnostics.enable': { type: 'boolean', default: true },
  'userText.openDocuments': { type: 'boolean', default: true },
  'userText.workspaceFiles': { type: 'boolean', default: false },
  'userText.extensions': { type: 'array', default: ['.md', '.markdown', '.txt', '.text', '.rst', '.tex', '.adoc', '.asciidoc', '.org'] },
  'userText.maxFiles': { type: 'integer', default: 2000, minimum: 1, maximum: 100000 },
  'userText.maxFileSizeKb': { type: 'integer', default: 512, minimum: 1, maximum: 10240 },
  'userText.maxTotalMb': { type: 'integer', default: 8, minimum: 1, maximum: 256 },
  'server.path': { type: 'string', default: '', scope: 'machine' },
  'trace.server': { type: 'string', default: 'off', enum: ['off', 'messages', 'verbose'] },
};

for (const [key, expected] of Object.entries(contract)) {
  test(`setting transformerLsp.${key} is contributed as the contract says`, () => {
    const property = properties[`transformerLsp.${key}`];
    assert.ok(property, `transformerLsp.${key} missing from contributes.configuration`);
    for (const [field, value] of Object.entries(expected)) {
      assert.deepEqual(property[field as keyof Property], value, `transformerLsp.${key}.${field}`);
    }
  });
}

test('every contributed setting is in the contract and every server key is forwarded', () => {
  assert.deepEqual(Object.keys(properties).sort(), Object.keys(contract).map((k) => `transformerLsp.${k}`).sort());
  for (const key of serverSettingKeys) assert.ok(contract[key], key);
});

test('settings that choose an executable or a model are restricted in untrusted workspaces', () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), ['transformerLsp.modelPath', 'transformerLsp.server.path']);
});

test('the extension activates on the contract languages and its commands are contributed', () => {
  for (const language of contract.languages.default as string[]) {
    assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
  }
  const commands = manifest.contributes.commands.map((c: { command: string }) => c.command);
  for (const c of ['suggestContinuations', 'fillBlank', 'showNextTokenDistribution', 'restartServer']) {
    assert.ok(commands.includes(`transformerLsp.${c}`), c);
  }
  // The server's own command names are registered by vscode-languageclient; contributing them too would clash.
  for (const c of ['beamSearch', 'fillMask', 'nextTokens']) assert.ok(!commands.includes(`transformerLsp.${c}`), c);
  assert.equal(manifest.main, './dist/extension.js');
});

test('readServerSettings nests dotted keys the way the server reads them', () => {
  const values: Record<string, unknown> = { modelPath: '/m', beamWidth: 8, 'diagnostics.enable': false, 'server.path': '/ignored' };
  assert.deepEqual(readServerSettings({ get: <T>(key: string) => values[key] as T | undefined }), {
    modelPath: '/m',
    beamWidth: 8,
    diagnostics: { enable: false },
  });
});
