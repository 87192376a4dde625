// Temporary folders are made through test/helpers/scratch.ts only, which removes each when the test that made it
// ends, pass or fail: a direct call elsewhere is how a run of the suite once left thousands of folders in /tmp.
// Here: the helper removes its folder after a failing test and only after the teardowns registered before it; and
// no source of the repo calls the OS temp dir functions directly unless the allow-list below says why it may.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { scratchDir } from '../helpers/scratch';
import { REPO } from '../helpers/shared';

/** The folders scanned, and the folders in them that hold no sources of ours (built, generated or installed). */
const ROOTS = ['test', 'bench', 'scripts', 'src'];
const SKIPPED = new Set(['node_modules', 'results', 'workloads', 'fixtures']);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** A call of mkdtemp, mkdtempSync or tmpdir (spelt in pieces so this file does not match itself). */
const TEMP_CALL = new RegExp(['mkdtemp', 'tmpdir'].map((name) => `\\b${name}(Sync)?\\s*\\(`).join('|'));

/** Files that may call them directly, each with why they still leave nothing behind. */
const ALLOWED: Record<string, string> = {
  'test/helpers/scratch.ts': 'the helper itself',
  'scripts/vscode-host/host.mjs':
    'plain Node, no TypeScript loader: stop(), the exit handler and the watchdog remove the per-host folder (kept only ' +
    'when VSCODE_HOST_KEEP_TEMP asks), runExtensionTests removes its results folder in a finally',
  'scripts/vscode-host/selftest.mjs': 'plain Node, no TypeScript loader: removes its folder in a finally',
  'test/server/hostile.test.ts': 'names a document in the temp dir that is never written: it lives only in the editor',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') || SKIPPED.has(entry.name) ? [] : sources(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

/** The file's code lines that call a temp dir function (comment lines left out). */
function tempCalls(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line) && TEMP_CALL.test(line));
}

const repoPath = (path: string) => relative(REPO, path).split(sep).join('/');

test('no source makes a temporary folder or file but through test/helpers/scratch.ts, unless allowed with a reason', () => {
  const files = ROOTS.flatMap((root) => sources(join(REPO, root)));
  const offenders = files
    .filter((path) => !(repoPath(path) in ALLOWED))
    .flatMap((path) => tempCalls(path).map((line) => `${repoPath(path)}: ${line.trim()}`));
  assert.deepEqual(offenders, [], 'use scratchDir (or makeScratch + removeScratch) from test/helpers/scratch.ts');
  // An entry whose file no longer calls them goes, so the list does not outlive its reasons.
  const stale = Object.keys(ALLOWED).filter(
    (file) => !existsSync(join(REPO, file)) || !tempCalls(join(REPO, file)).length,
  );
  assert.deepEqual(stale, [], 'allow-list entries that no longer make temporary folders');
});

/** Runs a test file of `body` lines (scratchDir, after, test and existsSync in scope) in a node:test process of its own. */
function probe(body: string[]): { output: string; status: number | null; signal: NodeJS.Signals | null } {
  const file = join(scratchDir('sl-scratch-test-'), 'probe.test.ts');
  const helper = JSON.stringify(join(REPO, 'test', 'helpers', 'scratch.ts'));
  const imports = [
    "import { after, test } from 'node:test';",
    "import { existsSync } from 'node:fs';",
    `import { scratchDir } from ${helper};`,
  ];
  writeFileSync(file, [...imports, ...body].join('\n'));
  // Without this runner's context, which would make the probe skip its tests.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=tap', file], {
    cwd: REPO,
    encoding: 'utf8',
    env,
  });
  return { output: run.stdout + run.stderr, status: run.status, signal: run.signal };
}

const madeIn = (output: string): string => {
  const made = /made (\S+)/.exec(output)?.[1];
  assert.ok(made, output);
  return made;
};

test('a scratch folder is removed after its test fails, and only after the teardowns registered before it', () => {
  const run = probe([
    "test('fails', () => {",
    "  let folder = '';",
    '  after(() => console.log(`teardown sees it: ${existsSync(folder)}`));',
    "  folder = scratchDir('sl-scratch-probe-');",
    '  console.log(`made ${folder}`);',
    "  throw new Error('on purpose');",
    '});',
  ]);
  assert.notEqual(run.status, 0, run.output);
  assert.match(run.output, /teardown sees it: true/);
  const made = madeIn(run.output);
  assert.equal(existsSync(made), false, `${made} is left behind`);
});

test('a scratch folder is removed when the run is interrupted (Ctrl-C) before its after hooks, and the run still ends', () => {
  const run = probe([
    "test('interrupted', async () => {",
    "  console.log(`made ${scratchDir('sl-scratch-probe-')}`);",
    "  process.kill(process.pid, 'SIGINT');",
    '  await new Promise((resolve) => setTimeout(resolve, 10_000));',
    '});',
  ]);
  assert.equal(run.signal, 'SIGINT', run.output);
  const made = madeIn(run.output);
  assert.equal(existsSync(made), false, `${made} is left behind`);
});
