// A followed run's multi-power refit (multiPowerFit.ts refitGrownMultiPower, mplLoss.ts): the rows appended since
// the last full refinement are fitted on its quadratic model with the drop term's shape held, every earlier row's
// loss-drop sum is carried, and the bootstrap refits move with the optimum. Each against the full computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossRows } from '../../../bench/workloads';
import { runCurve } from '../../helpers/runCurve';
import { prepare } from '../../../src/core/analysis/lossAreas';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import type { LossFitInput, LossLawFit } from '../../../src/core/analysis/lossLaw';
import { mplLossLaw } from '../../../src/core/analysis/mplLoss';
import { fitMultiPower, predictMultiPower, refitGrownMultiPower } from '../../../src/core/analysis/multiPowerFit';
import { DEFAULT_OPTIONS } from '../../../src/core/analysis/options';
import { compressedLossDrop, DropSchedule, sameDropsUpTo } from '../../../src/core/laws/lossDrop';
import { SaturationTable } from '../../../src/core/laws/saturation';

const ROWS = [...lossRows(8000, 11, 0.01)];

/** The run's first `n` rows as a loss curve (its LR logged at every row). */
const curveOf = (n: number): LossCurve => runCurve(ROWS, n);

function inputOf(curve: LossCurve, previous?: LossLawFit): LossFitInput {
  return { prepared: [prepare(curve, [8000])], fitted: [0], options: DEFAULT_OPTIONS, previous };
}

const largestRelative = (a: Float64Array, b: Float64Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / Math.abs(b[i])), 0);

test('a grown run is refitted on the last full refinement: shape held, predictions near a full refinement', () => {
  const before = fitMultiPower([curveOf(3000)]);
  assert.ok(before?.fit.anchor, 'a full refinement leaves an anchor');
  const grown = curveOf(3100);
  const refit = refitGrownMultiPower(before, grown, DEFAULT_OPTIONS.lossDelta);
  assert.ok(refit, '100 rows appended to 3000: refitted on the model');
  assert.deepEqual(Array.from(refit.params.subarray(4)), Array.from(before.params.subarray(4)), 'ln c, beta, gamma');
  assert.notDeepEqual(Array.from(refit.params), Array.from(before.params), 'the other parameters moved');
  assert.equal(refit.points, 3100);
  // One cosine run does not pin the drop term's shape down: a refinement of all seven parameters wanders along its
  // valley (grownFit.ts MODEL_RISE), so the held refit is compared past the early rows, within a few 1e-4.
  const full = fitMultiPower([grown], { warmStart: before.coefficients });
  assert.ok(full);
  const past = grown.steps.subarray(310);
  const gap = largestRelative(
    predictMultiPower(refit, grown.schedule, past),
    predictMultiPower(full, grown.schedule, past),
  );
  console.log(`# model refit vs a refinement of every parameter: predictions within ${gap.toExponential(1)}`);
  assert.ok(gap < 2e-3, `${gap}`);
  assert.equal(refitGrownMultiPower(before, curveOf(3200), DEFAULT_OPTIONS.lossDelta), null, 'over 5 % appended');
});

test("a grown run's earlier loss-drop sums are carried: the same numbers as summed afresh", () => {
  const first = mplLossLaw.fit(inputOf(curveOf(3000)));
  assert.ok(first);
  first.predict(0);
  first.bootstrap(8);
  const grown = curveOf(3100);
  const input = inputOf(grown, first);
  const second = mplLossLaw.fit(input) as LossLawFit & { model: Parameters<typeof predictMultiPower>[0] };
  assert.ok(second);
  const held = (f: LossLawFit) => Array.from((f as typeof second).model.params.subarray(4));
  assert.deepEqual(held(second), held(first), 'refitted on the model, shape held: the sums carry');
  const queries = input.prepared[0].queries;
  const fresh = predictMultiPower(second.model, grown.schedule, queries, 'exact');
  assert.ok(largestRelative(second.predict(0), fresh) < 1e-12, 'carried sums are the exact sums');
  // Carried again: now into the last fit's own arrays, lengthened in place.
  const again = inputOf(curveOf(3140), second);
  const third = mplLossLaw.fit(again) as typeof second;
  const summed = predictMultiPower(third.model, curveOf(3140).schedule, again.prepared[0].queries, 'exact');
  assert.ok(largestRelative(third.predict(0), summed) < 1e-12, 'carried twice: still the exact sums');
  // The refits moved with the optimum: a band around the new prediction, not the old one.
  const replicates = second.bootstrap(8);
  assert.equal(replicates.count, 8);
  const last = Int32Array.of(input.prepared[0].pointIndex[3099]);
  const draws = replicates.at(0, last).map((d) => d[0]);
  const predicted = second.predict(0)[last[0]];
  assert.ok(Math.min(...draws) < predicted * 1.01 && Math.max(...draws) > predicted * 0.99, `${draws} ${predicted}`);
});

test('two schedules give the same loss-drop sums up to the step before their LRs first differ', () => {
  const steps = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  const lr = steps.map((s) => 1e-3 * (1 - s / 200));
  const options = { etaRef: 1e-3, convention: 'paper' as const };
  const at = (n: number, change?: number) => {
    const l = lr.slice(0, n);
    if (change !== undefined) l[change - 1] *= 0.5;
    return new DropSchedule({ steps: steps.slice(0, n), lr: l }, options);
  };
  assert.equal(sameDropsUpTo(at(60), at(100)), 60, 'grown: up to the shorter log');
  assert.equal(sameDropsUpTo(at(100), at(100, 40)), 39, 'an LR changed at step 40');
  assert.equal(sameDropsUpTo(at(100), at(100)), Infinity, 'the same schedule');
});

test("a grown run's schedule extends the last one's: the same LRs, sums and compressed loss-drop sums, bit for bit", () => {
  const options = { etaRef: 1e-3, convention: 'paper' as const };
  const before = new DropSchedule(curveOf(3000).schedule, options);
  // Its per-step sums made, as a fit makes them: the grown schedule takes them over.
  const probe = Float64Array.of(500, 2999);
  const table = new SaturationTable();
  table.prepare(0.5);
  compressedLossDrop(before, probe, -2, 0.6, table);
  const grown = curveOf(3100).schedule;
  const extended = new DropSchedule(grown, options, before);
  const fresh = new DropSchedule(grown, options);
  assert.deepEqual(Array.from(extended.eta), Array.from(fresh.eta));
  assert.deepEqual(Array.from(extended.cum), Array.from(fresh.cum));
  const steps = Float64Array.from({ length: 60 }, (_, i) => 100 + i * 50);
  assert.deepEqual(
    Array.from(compressedLossDrop(extended, steps, -2, 0.6, table)),
    Array.from(compressedLossDrop(fresh, steps, -2, 0.6, table)),
  );
  // Another LR at an earlier row: nothing is taken over.
  const changed = { steps: grown.steps, lr: grown.lr.slice() };
  changed.lr[1000] *= 0.9;
  assert.deepEqual(
    Array.from(new DropSchedule(changed, options, before).eta),
    Array.from(new DropSchedule(changed, options).eta),
  );
});

test('appended rows below every earlier loss: the refit starts inside the lowered bound of L0, or refines in full', () => {
  const before = fitMultiPower([curveOf(3000)]);
  assert.ok(before);
  const dropped = runCurve(ROWS, 3010, 0.7, 3000);
  const refit = refitGrownMultiPower(before, dropped, DEFAULT_OPTIONS.lossDelta);
  const lowest = Math.min(...dropped.loss);
  if (refit) assert.ok(refit.params[0] <= lowest, `L0 ${refit.params[0]} under the lowest loss ${lowest}`);
  const fit = mplLossLaw.fit(inputOf(dropped));
  assert.ok(fit && fit.predict(0).every(Number.isFinite));
});
