// A file with step, loss, params (model size N) and tokens is decided by its data: several steps per model size (and
// run) are loss curves of several sizes, fitted by the model-size law; one final loss per (N, D) run is an (N, D)
// sweep, fitted by the Chinchilla law. Checked on the roles, and on the CLI's inspect and fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectRoles, parseText } from '../../../src/core/table';
import { log, SIZES } from '../../helpers/sizedRuns';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

const TOKENS_PER_STEP = 524288;

/** Curves of the three sizes under two schedules: run (if asked), step, lr, loss, params, tokens seen so far. */
function curvesCsv(withRun: boolean): string {
  const rows: string[] = [];
  for (const [name, n] of Object.entries(SIZES))
    for (const kind of withRun ? (['cosine', 'wsd'] as const) : (['cosine'] as const))
      for (const line of log(kind, n, true, 0.002).trim().split('\n').slice(1)) {
        const step = Number(line.split(',')[0]);
        rows.push(`${withRun ? `${name}-${kind},` : ''}${line},${step * TOKENS_PER_STEP}`);
      }
  return `${withRun ? 'run,' : ''}step,lr,loss,params,tokens\n${rows.join('\n')}\n`;
}

/** Curves whose tokens column is each run's token budget, the same on every row of the run. */
function budgetCsv(): string {
  const text = curvesCsv(true);
  return text.replace(/,(\d+)$/gm, ',1e10');
}

/** An (N, D) sweep with the final step of each run: 4 sizes x 3 budgets, one row per run. */
function sweepCsv(withRun: boolean): string {
  const rows: string[] = [];
  let i = 0;
  for (const n of [1e8, 2e8, 4e8, 8e8])
    for (const d of [2e9, 4e9, 8e9]) {
      const loss = 1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28);
      rows.push(`${withRun ? `run_${i++},` : ''}${d / TOKENS_PER_STEP},${loss},${n},${d}`);
    }
  return `${withRun ? 'run,' : ''}step,loss,params,tokens\n${rows.join('\n')}\n`;
}

const kindOf = (text: string) => {
  const assignment = detectRoles(parseText(text, { fileName: 'x.csv' }));
  return { kind: assignment.kind, note: assignment.notes.find((n) => n.startsWith('kind:')) ?? '' };
};

test('several steps per model size are loss curves of several sizes, with or without a run column', () => {
  for (const text of [curvesCsv(true), curvesCsv(false), budgetCsv()]) {
    const { kind, note } = kindOf(text);
    assert.equal(kind, 'loss-curve', note);
    assert.match(note, /several model sizes \(params\), each logged at several steps/);
  }
});

test('one final loss per (N, D) run is an (N, D) sweep, though the file has a step column', () => {
  for (const text of [sweepCsv(true), 'step,params,tokens,loss\n1,1e8,1e6,3\n2,2e8,2e6,2.9\n']) {
    const { kind, note } = kindOf(text);
    assert.equal(kind, 'compute', note);
    assert.match(note, /one final loss per \(N, D\) run/);
  }
});

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: REPO,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('CLI: curves of three sizes in one file are inspected as loss curves and fitted by the model-size law', () => {
  const dir = scratchDir('scaling-lens-sized-');
  for (const [name, text] of [
    ['runs.csv', curvesCsv(true)],
    ['sizes.csv', curvesCsv(false)],
  ]) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const inspect = cli(['inspect', path]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /kind loss-curve/);
    const fit = cli(['fit', path, '--bootstrap', '0', '--json']);
    assert.equal(fit.code, 0, fit.stderr);
    const report = JSON.parse(fit.stdout);
    assert.equal(report.kind, 'loss-curve');
    assert.equal(report.fits[0].law, 'lr-annealing-size');
    assert.equal(report.fits[0].settings.sizesFitted, '25M, 100M, 400M');
    // Without a run column each size is its own curve, named by the file and N.
    const names = report.curves.map((c: { name: string }) => c.name);
    if (name === 'sizes.csv') assert.deepEqual(names, ['sizes N=25M', 'sizes N=100M', 'sizes N=400M']);
    else assert.equal(names.length, 6);
    // The truth of the synthetic curves: beta 0.35, gamma 0.2.
    assert.ok(Math.abs(report.fits[0].params.beta - 0.35) < 0.03, `beta ${report.fits[0].params.beta}`);
  }
});

test('CLI: an (N, D) sweep with a step column is inspected as a sweep and fitted by the Chinchilla law', () => {
  const path = join(scratchDir('scaling-lens-sweep-'), 'sweep.csv');
  writeFileSync(path, sweepCsv(true));
  const inspect = cli(['inspect', path]);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /kind compute/);
  const fit = cli(['fit', path, '--bootstrap', '0', '--json']);
  assert.equal(fit.code, 0, fit.stderr);
  const report = JSON.parse(fit.stdout);
  assert.equal(report.fits[0].law, 'chinchilla');
});
