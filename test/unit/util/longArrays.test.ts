// Arrays as long as a big input (300,000: past the ~100,000 arguments a call takes) through the functions that once
// spread them into Math.min/Math.max or push and threw "Maximum call stack size exceeded". The lint rule in
// eslint.config.mjs keeps new ones out; these show the old ones now run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fittedLrPeaks } from '../../../src/core/analysis/lrPeaks';
import { disambiguateCurveNames, type LossCurve } from '../../../src/core/analysis/lossCurves';
import { ProblemLog } from '../../../src/core/table/problems';
import { table } from '../../../src/cli/text';

const N = 300_000;

test('fittedLrPeaks: the lowest and highest peak LR of 300,000 curves', () => {
  const curves = Array.from(
    { length: N },
    (_, i) => ({ schedule: { steps: Float64Array.of(1, 2), lr: Float64Array.of(1e-4 + i * 1e-9, 0) } }) as LossCurve,
  );
  const peaks = fittedLrPeaks(curves, undefined);
  assert.equal(peaks?.lowest, 1e-4);
  assert.ok(Math.abs(peaks!.highest - (1e-4 + (N - 1) * 1e-9)) < 1e-15);
});

test('disambiguateCurveNames: 300,000 curves of one name, each told apart by its file', () => {
  const curves = Array.from({ length: N }, (_, i) => ({ name: 'loss', file: `runs/r${i}/log.csv` }));
  disambiguateCurveNames(curves);
  assert.equal(curves[N - 1].name, `loss (r${N - 1}/log.csv)`);
});

test('ProblemLog.copy: a log that keeps 300,000 problems copies all of them', () => {
  const log = new ProblemLog('big.csv', N);
  for (let i = 0; i < N; i++) log.add('row-ragged', 'warning', i + 2, 1, 'a short row');
  assert.equal(log.copy().items.length, N);
});

test("the CLI's table of 300,000 rows: each column as wide as its widest cell", () => {
  const rows = Array.from({ length: N }, (_, i) => [`run ${i}`, String(i)]);
  const lines = table(['curve', 'points'], rows).split('\n');
  assert.equal(lines.length, N + 2);
  assert.equal(lines[1], `${'-'.repeat(`run ${N - 1}`.length)}  ${'-'.repeat(String(N - 1).length)}`);
});
