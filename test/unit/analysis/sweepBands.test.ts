// A sweep of many short runs (a W&B export of a sweep: a run column, 20 rows each) bands each loss-curve law with
// bootstrap refits whose points are capped over all fit curves, not per curve only: 2,000 runs of 20 rows took over
// a minute under auto, each refit costing the whole sweep. Counted, not timed: the points each refit takes (what a
// band's residuals are drawn from) stay the same as the sweep grows, and a fit set of up to 10 curves keeps them all.
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

/** Each law, its cap, and two sweeps past it (runs of 20 rows: 1,600 and 3,200 points, 8,000 and 16,000). */
const CASES = [
  { law: mplLossLaw, name: 'the multi-power law', cap: 1200, runs: [80, 160] },
  { law: tissueLossLaw, name: 'the LR-annealing law', cap: 6000, runs: [400, 800] },
];

for (const { law, name, cap, runs } of CASES)
  test(`${name}: each bootstrap refit takes at most ${cap} points, however many runs are fitted`, () => {
    assert.equal(pointsPerRefit(law, 3), 3 * ROWS, 'a few runs: every point');
    const [some, more] = runs.map((n) => pointsPerRefit(law, n));
    assert.ok(
      some <= cap && more <= cap,
      `${some} and ${more} points (${runs[0] * ROWS} and ${runs[1] * ROWS} before)`,
    );
    assert.ok(more >= 0.8 * cap, `about the cap: ${more}`);
  });
