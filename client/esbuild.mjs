// Bundles the extension (and, with --unit-tests / --e2e, the tests) with esbuild.
// The extension is one CommonJS file with vscode-languageclient inlined, so the .vsix needs no node_modules.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

if (args.has('--unit-tests')) {
  const dir = 'client/test/unit';
  const entryPoints = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
  await build({ ...common, entryPoints, outdir: 'out/unit', sourcemap: 'inline' });
} else if (args.has('--e2e')) {
  await build({
    ...common,
    entryPoints: ['client/test/e2e/e2e.test.ts'],
    outdir: 'out/e2e',
    external: ['playwright-core'],
  });
} else {
  await build({
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    sourcemap: args.has('--production') ? false : 'linked',
    minify: args.has('--production'),
  });
}
