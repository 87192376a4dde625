// A sweep of many short runs (a W&B export of a sweep: a run column, 20 rows each) bands each loss-curve law with
// bootstrap refits whose points are capped over all fit curves, not per curve only: 2,000 runs of 20 rows took over
// a minute under auto, each refit costing the whole sweep. Counted, not timed: the points each refit takes (what a
// band's residuals are drawn from) stay the same as the sweep grows, and a fit set of a few curves keeps them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepare } from '../../../src/core/analysis/lossAreas';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import type { LossCurveLaw, LossFitInput } from '../../../src/core/analysis/lossLaw';
import { mplLossLaw } from '../../../src/core/analysis/mplLoss';
import { DEFAULT_OPTIONS } from '../../../src/core/analysis/options';
import { tissueLossLaw } from '../../../src/core/analysis/tissueLoss';

const ROWS = 20;

/** Run r of a sweep: a cosine LR to step 4000, 20 loss rows from step 200, a peak LR and a floor of its own. */
function sweepRun(r: number): LossCurve {
  const steps = Float64Array.from({ length: ROWS }, (_, i) => Math.round(200 + (3800 * i) / (ROWS - 1)));
  const peak = 1e-3 * (0.5 + (r % 7) / 7);
  const lr = steps.map((s) => peak * 0.5 * (1 + Math.cos((Math.PI * s) / 4000)));
  const loss = steps.map((s, i) => 2 + (r % 5) * 0.05 + 3 * s ** -0.3 + 0.005 * Math.sin(r * 13 + i));
  return {
    name: `r${r}`,
    file: 'sweep.csv',
    steps,
    loss,
    lines: Int32Array.from(steps, (_, i) => r * ROWS + i + 2),
    schedule: { steps, lr },
    firstLine: 2,
  };
}

/** The points each of the law's 24 bootstrap refits took, fitted on a sweep of `runs` runs. */
function pointsPerRefit(law: LossCurveLaw, runs: number): number {
  const curves = Array.from({ length: runs }, (_, r) => sweepRun(r));
  const input: LossFitInput = {
    prepared: curves.map((c) => prepare(c, [8000])),
    fitted: curves.map((_, i) => i),
    options: DEFAULT_OPTIONS,
  };
  const fit = law.fit(input);
  assert.ok(fit, `${law.id} fitted on ${runs} runs`);
  const replicates = fit.bootstrap(24);
  assert.ok(replicates.count >= 2, 'refits made');
  return replicates.residuals.length;
}

test('the multi-power law: each bootstrap refit takes at most 480 points, however many runs are fitted', () => {
  assert.equal(pointsPerRefit(mplLossLaw, 3), 3 * ROWS, 'a few runs: every point');
  const some = pointsPerRefit(mplLossLaw, 40);
  const more = pointsPerRefit(mplLossLaw, 80);
  assert.ok(some <= 480 && more <= 480, `${some} and ${more} points (800 and 1,600 before the cap)`);
  assert.ok(more >= 400, `about the cap: ${more}`);
});

test('the LR-annealing law: each bootstrap refit takes at most 2,400 points, however many runs are fitted', () => {
  assert.equal(pointsPerRefit(tissueLossLaw, 3), 3 * ROWS, 'a few runs: every point');
  const some = pointsPerRefit(tissueLossLaw, 200);
  const more = pointsPerRefit(tissueLossLaw, 400);
  assert.ok(some <= 2400 && more <= 2400, `${some} and ${more} points (4,000 and 8,000 before the cap)`);
  assert.ok(more >= 2000, `about the cap: ${more}`);
});
