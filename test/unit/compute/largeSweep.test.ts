// An (N, D) sweep of hundreds of thousands of runs: its starts are searched on a thinned copy and refined on every
// row, and its case bootstrap refits BOOTSTRAP_POINTS resampled rows narrowed to the sweep's spread, so its cost
// follows the rows (a 300,000-row sweep took over 300 s). The answers: the same optimum as the starts searched on
// every row (within the solver's tolerance), and intervals as wide as a bootstrap of every row gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { BOOTSTRAP_POINTS } from '../../../src/core/analysis/bands';
import { bootstrapIntervals, bootstrapParams, narrowedSpread, resampleIndices } from '../../../src/core/fit/bootstrap';
import { fitRobust, THIN_FIT_POINTS } from '../../../src/core/fit/robust';
import {
  chinchillaCoefficients,
  chinchillaLaw,
  chinchillaPoints,
  chinchillaStarts,
  fitChinchilla,
  type ChinchillaPoints,
} from '../../../src/core/laws/chinchilla';
import { parseText } from '../../../src/core/table';
import { CHINCHILLA_TRUTH, largeSweep } from '../../helpers/largeSweeps';

/** The sweep's points and losses, read as the CLI reads the file. */
function sweep(rows: number): { points: ChinchillaPoints; observed: Float64Array } {
  const table = parseText(largeSweep('compute', rows), { fileName: 'sweep.csv' });
  const column = (j: number) => table.columns[j].values.subarray(0, table.rowCount);
  return { points: chinchillaPoints(column(0), column(1)), observed: Float64Array.from(column(2)) };
}

const relative = (a: number, b: number) => Math.abs(a / b - 1);

test('past THIN_FIT_POINTS rows the fit is the optimum of the starts searched on every row', () => {
  const rows = THIN_FIT_POINTS + 3000;
  const { points, observed } = sweep(rows);
  const full = fitRobust(chinchillaLaw, points, observed, { delta: 1e-3, starts: chinchillaStarts(points, observed) })!;
  const thinned = fitChinchilla(points, observed, { delta: 1e-3 })!;
  // Both stop by the relative-reduction rule (ftol 2.2e-9): objectives agree to 1e-11, coefficients to 1e-5 (measured).
  assert.ok(relative(thinned.objective, full.objective) < 1e-9, `objective ${thinned.objective} vs ${full.objective}`);
  thinned.params.forEach((v, j) =>
    assert.ok(relative(v, full.params[j]) < 2e-5, `parameter ${j}: ${v} vs ${full.params[j]}`),
  );
  const [ours, theirs] = [new Float64Array(rows), new Float64Array(rows)];
  chinchillaLaw.predict(thinned.params, points, ours);
  chinchillaLaw.predict(full.params, points, theirs);
  const worst = ours.reduce((w, v, i) => Math.max(w, relative(v, theirs[i])), 0);
  assert.ok(worst < 1e-6, `predictions differ by up to ${worst}`);
});

test('refits on BOOTSTRAP_POINTS resampled rows, narrowed, give the intervals of a bootstrap of every row', () => {
  const rows = 3 * BOOTSTRAP_POINTS;
  const { points, observed } = sweep(rows);
  const fit = fitChinchilla(points, observed, { delta: 1e-3 })!;
  const widths = (m: number) => {
    const sets = bootstrapParams(
      chinchillaLaw,
      fit.params,
      (random) => {
        const idx = resampleIndices(rows, random, m);
        const at = (values: Float64Array) => Float64Array.from(idx, (i) => values[i]);
        return { data: { lnN: at(points.lnN), lnD: at(points.lnD) }, observed: at(observed) };
      },
      { samples: 100, seed: 5, delta: 1e-3, maxIterations: 300 },
    );
    const estimate = chinchillaCoefficients(fit.params);
    const intervals = bootstrapIntervals(
      estimate,
      narrowedSpread(fit.params, sets, m, rows).map(chinchillaCoefficients),
    );
    return Object.fromEntries(Object.entries(intervals).map(([name, [low, high]]) => [name, high - low]));
  };
  const [every, narrowed] = [widths(rows), widths(BOOTSTRAP_POINTS)];
  // Measured: within 5 % of each other; 100 refits' 95 % percentiles are themselves uncertain by about 15 %.
  for (const name of Object.keys(every)) {
    const ratio = narrowed[name] / every[name];
    assert.ok(ratio > 0.7 && ratio < 1.4, `${name}: width ${narrowed[name]} against ${every[name]} (ratio ${ratio})`);
  }
});

test("a 300,000-row sweep's fit: the law it was drawn from, its bootstrap on BOOTSTRAP_POINTS rows per refit", () => {
  const rows = 300_000;
  const table = parseText(largeSweep('compute', rows), { fileName: 'sweep.csv' });
  const analysis = analyseTables([table], {});
  const fit = analysis.fits[0];
  assert.equal(fit.law, 'chinchilla');
  assert.equal(fit.points, rows);
  for (const [name, truth] of Object.entries(CHINCHILLA_TRUTH)) {
    const value = fit.params[name];
    assert.ok(relative(value, truth) < 0.05, `${name} = ${value}, drawn from ${truth}`);
    const [low, high] = fit.intervals![name];
    assert.ok(low <= value && value <= high && high - low < 0.05 * value, `${name} interval [${low}, ${high}]`);
  }
  assert.match(String(fit.settings.band), new RegExp(`refits on ${BOOTSTRAP_POINTS} of the ${rows} rows`));
  assert.match(String(fit.settings.starts), new RegExp(`on ${THIN_FIT_POINTS} evenly spaced rows`));
  const budget = analysis.predictions.find((p) => p.xName === 'C')!;
  assert.equal(budget.status, 'ok');
  assert.ok(budget.low < budget.value && budget.value < budget.high, `${budget.low} ${budget.value} ${budget.high}`);
  // Every run's prediction has its band (a curve per quarter decade of N, 12 of them over 1e7..1e10).
  const fitted = analysis.curves.filter((c) => c.role === 'fit');
  assert.equal(fitted.length, 12);
  assert.equal(
    fitted.reduce((sum, c) => sum + c.points.x.length, 0),
    rows,
  );
  for (const { points } of fitted)
    points.predicted.forEach((v, i) => assert.ok(points.low[i] <= v && v <= points.high[i], `band at point ${i}`));
});
