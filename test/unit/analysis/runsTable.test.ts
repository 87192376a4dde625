// A table of runs' final results (one row per run, as a W&B runs-table export writes it) is no set of loss curves:
// each run is a curve of one point, and a loss-curve law fitted over them took the runs' differences for its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';

/** The analysis of a CSV of 16 runs, one row each: `row(i)` gives the cells after the run's name. */
function analyseRuns(header: string, row: (i: number) => string) {
  const rows = Array.from({ length: 16 }, (_, i) => `run_${i},${row(i)}`);
  const table = parseText([header, ...rows].join('\n') + '\n', { fileName: 'export.csv', displayName: 'export.csv' });
  return analyseTables([table], { law: 'auto', bootstrapSamples: 0 });
}

const singlePoint = /Each of the 16 curves has a single loss point \(([^)]*)\).*runs-table export/;

test('runs of a few model sizes at one final step: the size law is not fitted, and the table is named', () => {
  const out = analyseRuns(
    'Name,n_params,iter,lr,val/loss',
    (i) => `${10_650_000 + (i % 4) * 60_000},5000,1e-4,${1.5 + i / 40}`,
  );
  const found = out.findings.filter((f) => f.code === 'too-few-points');
  assert.equal(found.length, 1);
  assert.match(found[0].message, singlePoint);
  assert.equal(singlePoint.exec(found[0].message)?.[1], 'all at step 5000');
  assert.equal(found[0].line, 2);
  assert.equal(out.fits.length, 0);
  assert.equal(out.predictions.length, 0);
});

test('runs without a size at two final steps: the loss law is not fitted either', () => {
  const out = analyseRuns('Name,iter,lr,val/loss', (i) => `${i % 3 ? 60000 : 125000},1e-4,${1.5 + i / 40}`);
  const found = out.findings.filter((f) => f.code === 'too-few-points');
  assert.equal(found.length, 1);
  assert.equal(singlePoint.exec(found[0].message)?.[1], 'at 2 steps from 60000 to 125000');
  assert.equal(out.fits.length, 0);
});

test('a run with two points or more among one-point runs is fitted as before', () => {
  const table = parseText(
    'Name,iter,lr,loss\n' +
      Array.from({ length: 12 }, (_, i) => `long,${(i + 1) * 100},1e-3,${2 + 4 * Math.pow((i + 1) * 100, -0.4)}`).join(
        '\n',
      ) +
      '\nshort,500,1e-3,2.6\n',
    { fileName: 'runs.csv', displayName: 'runs.csv' },
  );
  const out = analyseTables([table], { law: 'lr-annealing', bootstrapSamples: 0 });
  assert.ok(!out.findings.some((f) => singlePoint.test(f.message)));
  assert.equal(out.fits.length, 1);
});

/** A runs table of a data-size sweep, written from its largest training set down, as W&B lists runs newest first. */
function sweepTable() {
  const rows = Array.from({ length: 10 }, (_, i) => {
    const samples = 3400 - 340 * i;
    return `trainsample_${samples},${30 + i},${samples},${(0.05 + 4 * Math.pow(samples, -0.45)).toFixed(5)}`;
  });
  const text = ['name,_step,train_samples,val_loss', ...rows].join('\n') + '\n';
  return parseText(text, { fileName: 'export.csv', displayName: 'export.csv' });
}

test('the power law over a column of a runs table (--power-x train_samples) fits the runs as one sweep', () => {
  const out = analyseTables([sweepTable()], { law: 'power', powerX: 'train_samples', bootstrapSamples: 0 });
  assert.equal(out.fits.length, 1);
  assert.equal(out.fits[0].points, 10);
  assert.equal(out.fits[0].group, undefined);
  // The rows are named in file order, not in x order ("11–2").
  assert.equal(out.fits[0].settings.fittedRows, '2–11 (10 rows)');
  assert.ok(!out.findings.some((f) => f.code === 'too-few-points'));
});

test('the power law on the step axis keeps the runs of a runs table apart', () => {
  const out = analyseTables([sweepTable()], { law: 'power', bootstrapSamples: 0 });
  assert.equal(out.fits.length, 0);
  assert.ok(out.findings.some((f) => f.code === 'too-few-points'));
});
