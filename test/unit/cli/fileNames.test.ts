// File and folder names are the user's, and Linux allows every byte but `/` and NUL in them: a newline, a tab, an
// escape sequence, Markdown and HTML, a leading `-`. The command line prints each name on its line, as visible text,
// and `--json` keeps it whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

const POSIX = process.platform !== 'win32';
// Raw controls a terminal acts on or that break a line: all of C0 (tab and newline too), DEL, C1, bidi overrides.
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const NAMES = [
  'nl\n  error forged\tx',
  'esc\u001b[2J\u001b]0;owned\u0007',
  'rtl\u202egpj',
  '-weird',
  '[x](command:workbench.action.quit) <img src=x onerror=alert(1)> $(alert) %20#?&"\'`',
  'e\u0301\u05d0\ud83d\ude00 space',
];

const TSX = pathToFileURL(join(REPO, 'node_modules/tsx/dist/loader.mjs')).toString();

/** The CLI run in `cwd` (the runs' folder, so that names are given as they are): tsx found from the repository. */
function cli(args: string[], cwd: string) {
  const run = spawnSync(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd,
  });
  return { ...run, out: run.stdout + run.stderr };
}

/** A folder of runs named NAMES, in folders named NAMES too. */
function hostileRuns(): string {
  const dir = scratchDir('scaling-lens-names-');
  for (const name of NAMES) {
    copyFileSync(join(REPO, 'examples/loss/cosine.csv'), join(dir, `${name}.csv`));
    mkdirSync(join(dir, 'runs', name), { recursive: true });
    copyFileSync(join(REPO, 'examples/loss/constant.csv'), join(dir, 'runs', name, 'log.csv'));
  }
  return dir;
}

test(
  'fit, inspect and a folder fit print hostile file names on their own line, as visible text',
  { skip: !POSIX },
  () => {
    const dir = hostileRuns();
    const files = NAMES.map((n) => `${n}.csv`);
    for (const args of [
      ['fit', '--bootstrap', '0', '--', ...files],
      ['inspect', '--', ...files],
      ['fit', '--bootstrap', '0', 'runs'],
    ]) {
      const run = cli(args, dir);
      assert.equal(run.status, 0, run.out);
      const lines = run.out.split('\n');
      for (const line of lines) assert.doesNotMatch(line, RAW, `${args[0]}: ${JSON.stringify(line)}`);
      assert.ok(!lines.some((l) => /^\s*error forged/.test(l)), `no line starts with a file name's text:\n${run.out}`);
      assert.match(run.out, /nl\\x0a {2}error forged\\x09x/, run.out);
      assert.match(run.out, /esc\\x1b\[2J\\x1b\]0;owned\\x07/, run.out);
    }
  },
);

test('fit --json names hostile files whole, in valid JSON', { skip: !POSIX }, () => {
  const dir = hostileRuns();
  const run = cli(['fit', '--bootstrap', '0', '--json', '--', ...NAMES.map((n) => `${n}.csv`)], dir);
  assert.equal(run.status, 0, run.stderr);
  const document = JSON.parse(run.stdout) as { curves: { name: string; file: string }[] };
  assert.deepEqual(document.curves.map((c) => c.name).sort(), [...NAMES].sort());
  assert.deepEqual(document.curves.map((c) => c.file).sort(), NAMES.map((n) => `${n}.csv`).sort());
});

test('watch names a hostile file on its update line, as visible text', { skip: !POSIX, timeout: 60_000 }, async () => {
  const dir = hostileRuns();
  const child = spawn(
    process.execPath,
    ['--import', TSX, join(REPO, 'src/cli/main.ts'), 'watch', '--bootstrap', '0', '--', `${NAMES[0]}.csv`],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^Predictions? \(/m.test(out)) resolve();
    }),
  );
  child.kill('SIGINT');
  const update = out.split('\n').find((l) => l.startsWith('== '));
  assert.match(update ?? '', /nl\\x0a {2}error forged\\x09x\.csv: read/, out);
});
