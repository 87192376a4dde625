// Under --json every way the command can end prints one JSON document on stdout (a script piping it into jq reads
// it): usage errors, inputs without data, nothing fitted, the deadline, and an internal error thrown from anywhere,
// with the exit codes and the stderr message of the text mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

const MAIN = join(REPO, 'src/cli/main.ts');
const COSINE = join(REPO, 'examples/loss/cosine.csv');

function cli(args: string[], script?: string) {
  const argv = script === undefined ? [MAIN, ...args] : ['--input-type=module', '-e', script, '--', ...args];
  const run = spawnSync(process.execPath, ['--import', 'tsx', ...argv], { encoding: 'utf8', cwd: REPO });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface ErrorDocument {
  tool: string;
  findings: { code: string }[];
  error?: { kind: string; message: string; exitCode: number };
  fits?: unknown[];
  files?: unknown[];
}

/** The run's stdout as the one JSON document it must be, without the NaN or Infinity JSON has not. */
function documentOf(run: { stdout: string; stderr: string }): ErrorDocument {
  assert.doesNotMatch(run.stdout, /NaN|Infinity/);
  return JSON.parse(run.stdout) as ErrorDocument;
}

test('usage errors, missing, empty and unreadable inputs each end in one JSON document with their exit code', () => {
  const dir = scratchDir('scaling-lens-jsonerr-');
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  const nothing = join(dir, 'nothing');
  mkdirSync(nothing);
  writeFileSync(join(nothing, 'notes.txt'), 'a,b\n');
  const cases: [string[], number, string][] = [
    [['fit', '--json', '--bogus'], 2, 'usage'],
    [['fit', '--json'], 2, 'usage'],
    [['fit', 'x.csv', '--json', '--law', 'nope'], 2, 'usage'],
    [['inspect', '--json', '--bogus'], 2, 'usage'],
    [['fit', '--json', '/nonexistent.csv'], 1, 'nothing-fitted'],
    [['fit', '--json', empty], 1, 'nothing-fitted'],
    [['fit', '--json', nothing], 1, 'nothing-fitted'],
    [['inspect', '--json', '/nonexistent.csv'], 1, 'no-data'],
    [['inspect', '--json', empty], 1, 'no-data'],
    [['inspect', '--json', nothing], 1, 'no-data'],
    [['fit', '--json', COSINE, '--deadline', '0.01'], 3, 'deadline'],
  ];
  for (const [args, code, kind] of cases) {
    const run = cli(args);
    const label = args.join(' ');
    assert.equal(run.code, code, label);
    const document = documentOf(run);
    assert.equal(document.tool, 'scaling-lens', label);
    assert.deepEqual([document.error?.kind, document.error?.exitCode], [kind, code], label);
    assert.ok(Array.isArray(document.findings), label);
    if (kind !== 'no-data') assert.ok(run.stderr.includes(document.error!.message), `${label}: ${run.stderr}`);
  }
  // Under watch every document is one line, a usage error's too.
  const watch = cli(['watch', '--json', '--bogus']);
  assert.equal(watch.code, 2);
  assert.equal(watch.stdout.trim().split('\n').length, 1);
  assert.equal(documentOf(watch).error?.kind, 'usage');
  // The report made so far comes with the error: the missing file's finding.
  const missing = documentOf(cli(['fit', '--json', '/nonexistent.csv']));
  assert.deepEqual(missing.fits, []);
  assert.ok(missing.findings.some((f) => f.code === 'file-unreadable'));
});

test('a successful fit has no error in its document', () => {
  const run = cli(['fit', '--json', COSINE, '--bootstrap', '0']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal('error' in documentOf(run), false);
});

/** main() in a process of its own, with the core's analyseFiles made to throw (before or after it analysed). */
function failing(body: string): string {
  const load = (path: string) => `await import(${JSON.stringify(join(REPO, path))}).then((m) => m.default ?? m)`;
  return `
    const { main } = ${load('src/cli/main.ts')};
    const { analyseFiles, inspectFiles } = { ...${load('src/core/analysis/analyse.ts')}, ...${load('src/core/analysis/inspect.ts')} };
    const work = { inspectFiles, analyseFiles: async (...args) => { ${body} } };
    process.exitCode = await main(process.argv.slice(1).filter((a) => a !== '--'), work);
  `;
}

test('an internal error thrown from anywhere ends in the internal document, with the report made so far', () => {
  const before = cli(['fit', COSINE, '--json'], failing(`throw new Error('boom in the core');`));
  assert.equal(before.code, 1);
  assert.match(before.stderr, /scaling-lens: internal error: boom in the core/);
  const early = documentOf(before);
  assert.deepEqual(early.error, { kind: 'internal', message: 'internal error: boom in the core', exitCode: 1 });
  assert.deepEqual(early.findings, []);

  // Thrown while the document is made, after the analysis: its files and findings come with the error.
  const late = cli(
    ['fit', COSINE, '--json', '--bootstrap', '0'],
    failing(`const a = await analyseFiles(...args);
      a.curves = [{ get points() { throw new Error('boom in a curve'); } }];
      return a;`),
  );
  assert.equal(late.code, 1);
  const document = documentOf(late);
  assert.equal(document.error?.kind, 'internal');
  assert.equal(document.files?.length, 1);
  assert.ok(Array.isArray(document.findings));

  // Without --json the text mode is unchanged: nothing on stdout, the message on stderr.
  const text = cli(['fit', COSINE], failing(`throw new Error('boom');`));
  assert.equal(text.code, 1);
  assert.equal(text.stdout, '');
  assert.match(text.stderr, /internal error: boom/);
});
