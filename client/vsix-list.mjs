// Lists the file names inside a .vsix (a zip) from its central directory, one per line; no unzip needed.
import { readFileSync } from 'node:fs';

const zip = readFileSync(process.argv[2]);
let eocd = zip.length - 22;
while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
if (eocd < 0) throw new Error(`${process.argv[2]}: not a zip file`);
const count = zip.readUInt16LE(eocd + 10);
let offset = zip.readUInt32LE(eocd + 16);
const names = [];
for (let i = 0; i < count; i++) {
  if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt central directory');
  const nameLength = zip.readUInt16LE(offset + 28);
  const extraLength = zip.readUInt16LE(offset + 30);
  const commentLength = zip.readUInt16LE(offset + 32);
  names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
  offset += 46 + nameLength + extraLength + commentLength;
}
console.log(names.join('\n'));
