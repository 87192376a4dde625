// Coefficients the fit curves do not determine (unseenDrop.ts, markUndetermined): on curves that never lower their
// LR, a law's loss-drop term is 0 at every fitted point, so its coefficients stay where the fit started and every
// refit returns them (a band of zero width). The multi-power law printed B, C, beta and gamma with such bands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { formatAnalysis } from '../../../src/cli/text';
import { buildChart } from '../../../src/core/chart/series';

/** A constant-LR run after a warmup, a power law in steps with a little deterministic noise. */
function constantRun(): string {
  const rows = ['step,lr,loss'];
  for (let step = 100; step <= 20_000; step += 100) {
    const lr = step < 500 ? (3e-4 * step) / 500 : 3e-4;
    const loss = 2.4 + 1.1 * Math.pow(step, -0.3) + 0.002 * Math.sin(step * 0.37);
    rows.push(`${step},${lr},${loss.toFixed(5)}`);
  }
  return rows.join('\n') + '\n';
}

test('the multi-power law on a constant LR: B, C, beta and gamma not determined, no band, no number', () => {
  const analysis = analyseTables([parseText(constantRun(), { fileName: 'constant.csv' })], { law: 'mpl' });
  const fit = analysis.fits[0];
  assert.equal(fit.law, 'mpl');
  assert.deepEqual(Object.keys(fit.undetermined ?? {}).sort(), ['B', 'C', 'beta', 'gamma']);
  for (const name of ['B', 'C', 'beta', 'gamma']) assert.equal(fit.intervals?.[name], undefined, name);
  for (const name of ['L0', 'A', 'alpha']) assert.ok(fit.intervals?.[name], name);
  const text = formatAnalysis(analysis);
  assert.match(text, /^ {2}B +not determined/m);
  assert.match(text, /b~ not determined, c~ not determined, beta~ not determined, gamma~ not determined/);
  // The solver's scales read as numbers a user can type, not a float's noise (S1max = 5.9251499999999995).
  const scales = /LRs divided by eta_ref = (\S+) and S1 by S1max = (\S+):/.exec(text);
  assert.ok(scales, text);
  for (const value of scales.slice(1)) assert.ok(value.length <= 12, value);
});

test('under law auto, the runner-up (MPL alone beside the mean) and the chart mark the same coefficients', () => {
  const analysis = analyseTables([parseText(constantRun(), { fileName: 'constant.csv' })], { law: 'auto' });
  const fit = analysis.fits[0];
  assert.ok(fit.selection?.weights, 'a constant LR takes the mean of both laws');
  const runnerUp = fit.runnerUpFit;
  assert.equal(runnerUp?.law, 'mpl');
  assert.deepEqual(Object.keys(runnerUp.undetermined ?? {}).sort(), ['B', 'C', 'beta', 'gamma']);
  for (const name of ['B', 'C', 'beta', 'gamma']) assert.equal(runnerUp.intervals?.[name], undefined, name);
  assert.ok(runnerUp.intervals?.L0);
  // The chart's list of fitted laws shows the mean's own (the LR-annealing law's C) as not determined, no number.
  const [chartFit] = buildChart(analysis).data.fits;
  assert.deepEqual(chartFit.undetermined, Object.keys(fit.undetermined ?? {}));
  assert.ok(chartFit.undetermined?.includes('C'));
});
