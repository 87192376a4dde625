// Runs every test layer with node's built-in test runner (TypeScript through the tsx loader).
// Usage: node scripts/run-tests.mjs [layer...]   layers: unit server vscode e2e (default: all that exist)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const all = ['unit', 'server', 'vscode', 'e2e'];
const layers = process.argv.slice(2).length ? process.argv.slice(2) : all;

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return collect(path);
    return /\.test\.ts$/.test(name) ? [path] : [];
  });
}

// The server tests run the bundled analysis worker, and the VS Code tests the bundled extension: build first.
const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = layers.flatMap((layer) => collect(join('test', layer))).sort();
if (files.length === 0) {
  console.error(`no test files found for layers: ${layers.join(', ')}`);
  process.exit(1);
}
// Files that start a VS Code host (code-server + Chromium) must not run two at a time on a 2-core machine.
const hostLayers = layers.some((l) => l === 'vscode' || l === 'e2e');
const concurrency = hostLayers ? 1 : 2;
// A test file whose process never exits (a handle left open: a watcher, a timer, a fit started after its server was
// disposed) fails after this long instead of holding the run until CI's own limit; the longest e2e file takes minutes.
const TIMEOUT_MS = 20 * 60 * 1000;
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${TIMEOUT_MS}`, ...files],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
