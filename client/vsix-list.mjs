// Lists the file names inside a .vsix (a zip) from its central directory, one per line; no unzip needed.
import { readFileSync } from 'node:fs';
import { readVsix } from './vsix-check.mjs';

console.log(
  readVsix(readFileSync(process.argv[2]))
    .map((e) => e.name)
    .join('\n'),
);
