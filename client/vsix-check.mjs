// Checks what a .vsix carries for its target (client/package.sh runs it on every package it makes): the universal
// package holds transformer-lsp.dll for `dotnet`; a platform package holds the self-contained server's executable and
// ONNX Runtime library, both built for that OS and CPU (read from the files' own headers: ELF, PE or Mach-O), its
// platform.json naming the same target, and no native library of another platform.
// Usage: node client/vsix-check.mjs FILE.vsix TARGET   (TARGET: universal, linux-x64, win32-x64, darwin-arm64, ...)
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** What each platform package must hold: the executable, the ONNX Runtime library, and the binary format they are in. */
export const targets = {
  'linux-x64': { exe: 'transformer-lsp', ort: 'libonnxruntime.so', format: 'elf', cpu: 'x64' },
  'linux-arm64': { exe: 'transformer-lsp', ort: 'libonnxruntime.so', format: 'elf', cpu: 'arm64' },
  'win32-x64': { exe: 'transformer-lsp.exe', ort: 'onnxruntime.dll', format: 'pe', cpu: 'x64' },
  'win32-arm64': { exe: 'transformer-lsp.exe', ort: 'onnxruntime.dll', format: 'pe', cpu: 'arm64' },
  'darwin-arm64': { exe: 'transformer-lsp', ort: 'libonnxruntime.dylib', format: 'macho', cpu: 'arm64' },
};

/** The binary format and CPU of a file from its first bytes, e.g. { format: 'elf', cpu: 'x64' }; undefined if neither. */
export function binaryKind(head) {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head.readUInt16LE(18);
    return { format: 'elf', cpu: machine === 0x3e ? 'x64' : machine === 0xb7 ? 'arm64' : `machine ${machine}` };
  }
  if (head.length >= 64 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 > head.length || head.readUInt32BE(pe) !== 0x50450000) return undefined;
    const machine = head.readUInt16LE(pe + 4);
    return { format: 'pe', cpu: machine === 0x8664 ? 'x64' : machine === 0xaa64 ? 'arm64' : `machine ${machine}` };
  }
  if (head.length >= 8 && head.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = head.readUInt32LE(4);
    return { format: 'macho', cpu: cpu === 0x0100000c ? 'arm64' : cpu === 0x01000007 ? 'x64' : `cputype ${cpu}` };
  }
  return undefined;
}

/** A native library by its name: the ones a package for another OS must not carry. */
const nativeLibrary = /(\.so(\.\d+)*|\.dylib)$|(^|\/)onnxruntime[^/]*\.dll$/i;

/**
 * Problems with a package's contents, [] when it is right. `entries`: [{ name, head }] with names as in the zip
 * (extension/...) and head the first 4 KiB of each native file (others may have an empty head).
 */
export function checkContents(entries, target) {
  const problems = [];
  const names = new Set(entries.map((e) => e.name));
  const need = (name) => names.has(name) || problems.push(`missing ${name}`);
  need('extension/package.json');
  need('extension/dist/extension.js');
  if (target === 'universal') {
    need('extension/server/transformer-lsp.dll');
    need('extension/server/transformer-lsp.runtimeconfig.json');
    if (names.has('extension/server/platform.json')) problems.push('the universal package has a platform.json');
    return problems;
  }
  const t = targets[target];
  if (!t) return [`unknown target ${target}`];
  for (const file of [t.exe, t.ort]) {
    const entry = entries.find((e) => e.name === `extension/server/${file}`);
    if (!entry) {
      problems.push(`missing extension/server/${file}`);
      continue;
    }
    const kind = binaryKind(entry.head);
    if (!kind || kind.format !== t.format || kind.cpu !== t.cpu) {
      problems.push(
        `extension/server/${file} is ${kind ? `${kind.format} ${kind.cpu}` : 'no executable'}, not ${t.format} ${t.cpu}`,
      );
    }
  }
  const platform = entries.find((e) => e.name === 'extension/server/platform.json');
  const [os, cpu] = target.split('-');
  if (!platform) problems.push('missing extension/server/platform.json');
  else if (platform.text !== undefined) {
    const p = JSON.parse(platform.text);
    if (p.platform !== os || p.arch !== cpu)
      problems.push(`platform.json names ${p.platform}-${p.arch}, not ${target}`);
  }
  for (const e of entries) {
    if (!e.name.startsWith('extension/server/') || e.name.startsWith('extension/server/model/')) continue;
    if (e.name.includes('/runtimes/')) problems.push(`${e.name}: a runtimes/ folder (libraries for other platforms)`);
    if (!nativeLibrary.test(e.name)) continue;
    const kind = binaryKind(e.head);
    if (!kind || kind.format !== t.format || kind.cpu !== t.cpu) {
      problems.push(
        `${e.name}: ${kind ? `${kind.format} ${kind.cpu}` : 'not a native library'}, another platform's library`,
      );
    }
  }
  return problems;
}

/** The entries of a zip file: name, plus head (first 4 KiB) and text (for .json) of the files a check reads. */
export function readVsix(zip) {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt central directory');
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    const entry = { name, head: Buffer.alloc(0) };
    const base = name.split('/').pop() ?? '';
    if (
      name.startsWith('extension/server/') &&
      !name.startsWith('extension/server/model/') &&
      (nativeLibrary.test(name) || /^transformer-lsp(\.exe)?$/.test(base) || base === 'platform.json')
    ) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + compressedSize);
      const data = method === 0 ? raw : inflateRawSync(raw);
      entry.head = data.subarray(0, 4096);
      if (base === 'platform.json') entry.text = data.toString('utf8');
    }
    entries.push(entry);
  }
  return entries;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, target] = process.argv.slice(2);
  if (!file || !target) {
    console.error('usage: node client/vsix-check.mjs FILE.vsix TARGET');
    process.exit(2);
  }
  const problems = checkContents(readVsix(readFileSync(file)), target);
  if (problems.length) {
    console.error(`${file} (${target}):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.error(`${file}: right contents for ${target}`);
}
