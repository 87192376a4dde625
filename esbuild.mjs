// One bundle per runtime: the CLI (node). The extension client, language server and webview join here
// as they are built; each is a separate entry so no runtime pulls in another's dependencies.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
};
const entries = [
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/client/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js' },
  { ...node, entryPoints: ['src/server/analysisWorker.ts'], outfile: 'dist/analysisWorker.js' },
  { ...node, entryPoints: ['src/server/runsWorker.ts'], outfile: 'dist/runsWorker.js' },
  // Parses the second half of a large file for readTable (src/core/table/parallel.ts), from any of the bundles above.
  { ...node, entryPoints: ['src/core/table/parseWorker.ts'], outfile: 'dist/parseWorker.js' },
  // Reads the later part of a large TensorBoard event file (src/core/sources/tensorboard/split.ts).
  { ...node, entryPoints: ['src/core/sources/tensorboard/eventsWorker.ts'], outfile: 'dist/eventsWorker.js' },
  // The in-host test suite (runs inside VS Code's extension host); not part of the package.
  { ...node, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'out/test/vscode/suite.js', external: ['vscode'] },
  // The webview bundle is fetched on every panel open: always minified (chart.js is most of it).
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: true,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
  },
].filter((e) => existsSync(e.entryPoints[0]));

if (watch) {
  for (const e of entries) await (await esbuild.context(e)).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
}
