// The scores of a prediction (metrics.ts): a followed run scores a million points on each update, so the passes are
// fused and the squares scaled by a product; the numbers are the definition's to the bit, at any scale of the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scorePredictions } from '../../../src/core/analysis/metrics';
import { seededRandom } from '../../../src/core/util/random';

/** The definitions as written: a pass for the mean, one for the scale, the squares divided by it. */
function byDefinition(observed: Float64Array, predicted: Float64Array) {
  const n = observed.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += observed[i] / n;
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(observed[i]));
  const scale = largest > 0 && Number.isFinite(largest) ? 2 ** Math.floor(Math.log2(largest)) : 1;
  let [sumRel, worst, sumAbs, sumSq, total] = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const err = predicted[i] - observed[i];
    const rel = Math.abs(err) / Math.abs(observed[i]);
    sumRel += rel;
    worst = Math.max(worst, rel);
    sumAbs += Math.abs(err);
    sumSq += (err / scale) ** 2;
    total += ((observed[i] - mean) / scale) ** 2;
  }
  return {
    predE: sumRel / n,
    worstE: worst,
    r2: total > 0 ? 1 - sumSq / total : NaN,
    mae: sumAbs / n,
    rmse: Math.sqrt(sumSq / n) * scale,
    points: n,
  };
}

test('scorePredictions gives the defined numbers to the bit, for losses near 1 and near both ends of the doubles', () => {
  const random = seededRandom(3);
  for (const level of [3, 1e-300, 1e300, 1.7e308, 2 ** -1030, 5e-324 * 2 ** 12]) {
    const observed = Float64Array.from({ length: 2000 }, () => level * (0.5 + random() * 0.5));
    const predicted = observed.map((o) => o * (1 + (random() - 0.5) * 0.01));
    const got = scorePredictions(observed, predicted);
    const want = byDefinition(observed, predicted);
    for (const key of Object.keys(want) as (keyof typeof want)[])
      assert.ok(Object.is(got[key], want[key]), `${key} at ${level}: ${got[key]} against ${want[key]}`);
  }
});
