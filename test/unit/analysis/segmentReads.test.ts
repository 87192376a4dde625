// The reads that run at every row of a followed run's curve on each update (a mean's weighted predictions, the band's
// ends at every point) walk the knots a segment at a time: the same bits as reading each row on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandAt } from '../../../src/core/analysis/lossBands';
import { weightedAt, weightsAt, type LawWeights } from '../../../src/core/analysis/spreadWeights';

/** Steps 1..n, then a few past the last knot, then some below the one before (a restart of the search). */
function stepsToRead(n: number): Float64Array {
  return Float64Array.from([...Array.from({ length: n }, (_, i) => i + 1), 3 * n, 5 * n, 7, 2, 0.5, n / 2, n]);
}

/** Knots over 1..n, one repeated (a segment of no width). */
function knotsOver(n: number, count: number): Float64Array {
  const knots = Float64Array.from({ length: count }, (_, i) => 1 + Math.round((i * (n - 1)) / (count - 1)));
  knots[count >> 1] = knots[(count >> 1) - 1];
  return knots;
}

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

test('weightedAt: a pair of laws by step, or laws of fixed weights beside them, sum to the bits of a row-by-row read', () => {
  const n = 5000;
  const steps = stepsToRead(n);
  const knots = knotsOver(n, 40);
  const weight = Float64Array.from(knots, (_, i) => 0.5 + 0.3 * Math.sin(i));
  const a = { steps: knots, weight };
  const b = { steps: knots, weight: weight.map((w) => 1 - w) };
  const values = [steps.map((s) => 3 + 1 / s), steps.map((s) => 3.1 + 2 / s), steps.map((s) => 2.9 + 1 / s)];
  const cases: LawWeights[][] = [
    [a, b],
    [a, 0.25],
    [0.6, 0.4],
    [a, b, 0.1],
  ];
  for (const weights of cases) {
    const terms = weights.map((w, m) => ({ values: values[m], weights: w }));
    // Each law's weight array times its values, summed law by law from 0.
    const expected = new Float64Array(steps.length);
    for (const { values: v, weights: w } of terms) {
      const at = typeof w === 'number' ? new Float64Array(steps.length).fill(w) : weightsAt(w, steps);
      for (let j = 0; j < steps.length; j++) expected[j] += at[j] * v[j];
    }
    assert.ok(same(weightedAt(terms, steps), expected), `${weights.map((w) => typeof w).join(', ')}`);
  }
});

test("bandAt: the band's ends at every point are the bits of a point-by-point read", () => {
  const n = 5000;
  const queries = stepsToRead(n).slice(0, n + 2);
  const predicted = queries.map((s) => 3 + 1 / s);
  const steps = knotsOver(n, 60);
  const band = {
    steps,
    lo: steps.map((_, i) => -0.01 - 0.002 * Math.sin(i)),
    hi: steps.map((_, i) => 0.01 + 0.002 * Math.cos(i)),
  };
  const [lo, hi] = [band.lo.map(Math.exp), band.hi.map(Math.exp)];
  const everyPoint = Int32Array.from(queries, (_, q) => q);
  for (const at of [everyPoint, Int32Array.of(5, 10, n + 1, 3, 2, n, 7, 4000, 0)]) {
    // One point at a time: its segment searched on (from the start after a step back), its factors interpolated.
    const last = steps.length - 1;
    const expected = { low: new Float64Array(at.length), high: new Float64Array(at.length) };
    let k = 0;
    at.forEach((q, j) => {
      const s = queries[q];
      if (j > 0 && s < queries[at[j - 1]]) k = 0;
      while (k < last - 1 && steps[k + 1] < s) k++;
      const next = Math.min(k + 1, last);
      const t = steps[next] > steps[k] ? Math.min(1, Math.max(0, (s - steps[k]) / (steps[next] - steps[k]))) : 0;
      expected.low[j] = predicted[q] * (lo[k] + t * (lo[next] - lo[k]));
      expected.high[j] = predicted[q] * (hi[k] + t * (hi[next] - hi[k]));
    });
    const got = bandAt(band, queries, predicted, at);
    assert.ok(same(got.low, expected.low) && same(got.high, expected.high), `${at.length} points`);
  }
});
