// The .vsix contents check (client/vsix-check.mjs) on hand-made listings with real header bytes of each format.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryKind, checkContents } from '../vsix-check.mjs';

function elf(machine) {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b.writeUInt16LE(machine, 18);
  return b;
}
function pe(machine) {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.writeUInt32BE(0x50450000, 0x80);
  b.writeUInt16LE(machine, 0x84);
  return b;
}
function macho(cpu) {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(cpu, 4);
  return b;
}
const ELF_X64 = elf(0x3e),
  ELF_ARM64 = elf(0xb7),
  PE_X64 = pe(0x8664),
  MACHO_ARM64 = macho(0x0100000c);
const none = Buffer.alloc(0);

function pkg(files, platform) {
  const entries = [
    { name: 'extension/package.json', head: none },
    { name: 'extension/dist/extension.js', head: none },
    ...Object.entries(files).map(([name, head]) => ({ name: `extension/server/${name}`, head })),
  ];
  if (platform) entries.push({ name: 'extension/server/platform.json', head: none, text: JSON.stringify(platform) });
  return entries;
}

test('headers name their format and CPU', () => {
  assert.deepEqual(binaryKind(ELF_X64), { format: 'elf', cpu: 'x64' });
  assert.deepEqual(binaryKind(ELF_ARM64), { format: 'elf', cpu: 'arm64' });
  assert.deepEqual(binaryKind(PE_X64), { format: 'pe', cpu: 'x64' });
  assert.deepEqual(binaryKind(MACHO_ARM64), { format: 'macho', cpu: 'arm64' });
  assert.equal(binaryKind(Buffer.from('{"a":1}')), undefined);
});

test('a right package for each platform passes', () => {
  const linux = { 'transformer-lsp': ELF_X64, 'libonnxruntime.so': ELF_X64, 'libSystem.Native.so': ELF_X64 };
  assert.deepEqual(checkContents(pkg(linux, { platform: 'linux', arch: 'x64' }), 'linux-x64'), []);
  const win = { 'transformer-lsp.exe': PE_X64, 'onnxruntime.dll': PE_X64, 'System.Private.CoreLib.dll': none };
  assert.deepEqual(checkContents(pkg(win, { platform: 'win32', arch: 'x64' }), 'win32-x64'), []);
  const mac = { 'transformer-lsp': MACHO_ARM64, 'libonnxruntime.dylib': MACHO_ARM64 };
  assert.deepEqual(checkContents(pkg(mac, { platform: 'darwin', arch: 'arm64' }), 'darwin-arm64'), []);
  const universal = { 'transformer-lsp.dll': none, 'transformer-lsp.runtimeconfig.json': none };
  assert.deepEqual(checkContents(pkg(universal), 'universal'), []);
});

test('another platform’s library, a wrong CPU, a missing executable and a runtimes/ folder are each reported', () => {
  const files = {
    'transformer-lsp': ELF_ARM64,
    'libonnxruntime.so': ELF_X64,
    'libonnxruntime.dylib': MACHO_ARM64,
    'runtimes/win-x64/native/onnxruntime.dll': PE_X64,
  };
  const problems = checkContents(pkg(files, { platform: 'linux', arch: 'x64' }), 'linux-x64');
  assert.ok(
    problems.some((p) => p.includes('transformer-lsp is elf arm64, not elf x64')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('libonnxruntime.dylib: macho arm64')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('runtimes/ folder')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.includes('onnxruntime.dll: pe x64')),
    problems.join('\n'),
  );
  assert.deepEqual(checkContents(pkg({ 'onnxruntime.dll': PE_X64 }, { platform: 'win32', arch: 'x64' }), 'win32-x64'), [
    'missing extension/server/transformer-lsp.exe',
  ]);
});

test('a platform.json naming another target is reported', () => {
  const files = { 'transformer-lsp': ELF_X64, 'libonnxruntime.so': ELF_X64 };
  assert.deepEqual(checkContents(pkg(files, { platform: 'linux', arch: 'arm64' }), 'linux-x64'), [
    'platform.json names linux-arm64, not linux-x64',
  ]);
  assert.deepEqual(checkContents(pkg(files), 'linux-x64'), ['missing extension/server/platform.json']);
});
