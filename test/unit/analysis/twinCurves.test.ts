// Runs of a sweep on one schedule, logged at the same steps, have the same multi-power predictions and replicate
// ratios: the fit sums them for the first such run and copies them for the others (twinCurves in mplLoss.ts). Each
// run's predictions stay what the law gives for its own schedule, to the bit, twin or not, and a run on the same
// schedule predicted at other targets is summed for itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepare } from '../../../src/core/analysis/lossAreas';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import type { LossFitInput } from '../../../src/core/analysis/lossLaw';
import { mplLossLaw } from '../../../src/core/analysis/mplLoss';
import { predictMultiPower, type MultiPowerModel } from '../../../src/core/analysis/multiPowerFit';
import { DEFAULT_OPTIONS } from '../../../src/core/analysis/options';

/** A run on a cosine of `total` steps (its own arrays), 30 loss rows, a loss level of its own. */
function run(name: string, total: number, level: number): LossCurve {
  const steps = Float64Array.from({ length: 30 }, (_, i) => Math.round(((i + 1) * total) / 30));
  const lr = steps.map((s) => 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / total))));
  const loss = steps.map((s, i) => level + 3 * s ** -0.3 - 300 * (3e-4 - lr[i]) + 0.003 * Math.sin(7 * i));
  const lines = Int32Array.from(steps, (_, i) => i + 2);
  return { name, file: `${name}.csv`, steps, loss, lines, schedule: { steps, lr }, firstLine: 2 };
}

test('twin runs: every run predicts what the law gives for its own schedule, and twins share replicate ratios', () => {
  const curves = [run('a', 3000, 2.1), run('b', 3000, 2.2), run('c', 4000, 2.1), run('d', 3000, 2.3)];
  // d: a's schedule and steps, predicted at another target, so not a's twin.
  const targets = [[6000], [6000], [8000], [7000]];
  const input: LossFitInput = {
    prepared: curves.map((c, i) => prepare(c, targets[i])),
    fitted: [0, 1, 2, 3],
    options: DEFAULT_OPTIONS,
  };
  const fit = mplLossLaw.fit(input);
  assert.ok(fit);
  const { model } = fit as unknown as { model: MultiPowerModel };
  input.prepared.forEach((p, i) => {
    const own = predictMultiPower(model, p.curve.schedule, p.queries);
    assert.ok(
      fit.predict(i).every((v, k) => Object.is(v, own[k])),
      `${p.curve.name}`,
    );
  });
  const replicates = fit.bootstrap(24);
  const at = Int32Array.from({ length: 10 }, (_, k) => 3 * k);
  const [a, b] = [replicates.at(0, at), replicates.at(1, at)];
  assert.ok(a.length >= 2 && a.every((r, j) => r.every((v, k) => Object.is(v, b[j][k]))), 'b reads as a');
});
