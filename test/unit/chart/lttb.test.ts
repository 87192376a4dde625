import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisValues, lttbIndices, MAX_POINTS_PER_SERIES, pointBudget, windowRange } from '../../../src/core/chart/lttb';

test('lttb: keeps every point under the threshold and drops non-finite y', () => {
  assert.deepEqual(lttbIndices([1, 2, 3, 4], [1, NaN, 3, 4], 10, false), [0, 2, 3]);
});

test('lttb: returns exactly `threshold` ascending indices with both ends kept', () => {
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const y = x.map((v) => Math.sin(v / 1000));
  const keep = lttbIndices(x, y, 500, false);
  assert.equal(keep.length, 500);
  assert.equal(keep[0], 0);
  assert.equal(keep[keep.length - 1], n - 1);
  for (let i = 1; i < keep.length; i++) assert.ok(keep[i] > keep[i - 1]);
});

test('lttb: keeps a spike that even thinning would miss', () => {
  const x = Array.from({ length: 10_000 }, (_, i) => i + 1);
  const y = x.map(() => 1);
  y[4321] = 50;
  assert.ok(lttbIndices(x, y, 100, false).includes(4321));
});

test('lttb in log x: the first decade keeps points in proportion to its width on a log axis', () => {
  // Steps 1..1e6: on a log axis the decade 1..10 is 1/6 of the width but holds 9 of a million points.
  const n = 1_000_000;
  const x = Float64Array.from({ length: n }, (_, i) => i + 1);
  const y = Float64Array.from(x, (s) => 2 + 3 * Math.pow(s, -0.3));
  const logKeep = lttbIndices(x, y, 600, true);
  const linKeep = lttbIndices(x, y, 600, false);
  const early = (keep: number[]) => keep.filter((i) => x[i] <= 1000).length;
  assert.ok(early(logKeep) > 100, `log-space LTTB keeps ${early(logKeep)} points below step 1000`);
  assert.ok(early(linKeep) < 5, `linear LTTB keeps ${early(linKeep)} points below step 1000`);
});

test('lttb in log x: leaves out x <= 0, which a log axis cannot show', () => {
  assert.deepEqual(lttbIndices([0, 1, 2], [5, 4, 3], 10, true), [1, 2]);
});

test('windowRange: covers the window plus one point either side', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8];
  assert.deepEqual(windowRange(x, 3.5, 5.5), [2, 6]);
  assert.deepEqual(windowRange(x, 0, 100), [0, 8]);
});

/**
 * The textbook algorithm, written plainly (copies, closures, tuples): the typed-array version must pick exactly the
 * same points, on any input, in either x space, on any window.
 */
function referenceLttb(x: number[], y: number[], threshold: number, logX: boolean, from: number, to: number): number[] {
  const candidates: number[] = [];
  for (let i = from; i < to; i++)
    if (Number.isFinite(y[i]) && Number.isFinite(x[i]) && (!logX || x[i] > 0)) candidates.push(i);
  const n = candidates.length;
  if (n <= threshold || threshold < 3) return candidates;
  const t = candidates.map((i) => (logX ? Math.log(x[i]) : x[i]));
  const v = candidates.map((i) => y[i]);
  const count = threshold - 2;
  const width = (t[n - 2] - t[1]) / count;
  const buckets: [number, number][] = [];
  let start = 1;
  for (let b = 1; b <= count && start < n - 1; b++) {
    const edge = b === count || !(width > 0) ? Infinity : t[1] + b * width;
    let end = start;
    while (end < n - 1 && t[end] < edge) end++;
    if (end > start) buckets.push([start, end]);
    start = end;
  }
  const kept = [candidates[0]];
  let a = 0;
  buckets.forEach(([s, e], b) => {
    const [ns, ne] = b + 1 < buckets.length ? buckets[b + 1] : [n - 1, n];
    const avgT = t.slice(ns, ne).reduce((p, q) => p + q, 0) / (ne - ns);
    const avgV = v.slice(ns, ne).reduce((p, q) => p + q, 0) / (ne - ns);
    let best = s;
    for (let k = s; k < e; k++) {
      const area = (j: number) => Math.abs((t[a] - avgT) * (v[j] - v[a]) - (t[a] - t[j]) * (avgV - v[a]));
      if (area(k) > area(best)) best = k;
    }
    kept.push(candidates[best]);
    a = best;
  });
  kept.push(candidates[n - 1]);
  return kept;
}

test('lttb: picks what the textbook algorithm picks, with gaps, x <= 0, windows and a precomputed axis', () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const n of [5, 50, 3000, 20_000]) {
    // Irregular steps from -3 (x <= 0 rows a log axis drops), a few NaN losses and one Infinity.
    const x = Array.from({ length: n }, (_, i) => i - 3 + (i % 7 === 0 ? 0 : random() * 0.5));
    const y = x.map((s) => 2 + Math.exp(-Math.abs(s) / 500) + 0.05 * random());
    for (let k = 0; k < n; k += 97) y[k] = NaN;
    y[Math.floor(n / 2)] = Infinity;
    for (const logX of [true, false]) {
      for (const [from, to] of [
        [0, n],
        [Math.floor(n / 3), Math.floor((2 * n) / 3)],
      ]) {
        for (const threshold of [3, 10, 257]) {
          const expected = referenceLttb(x, y, threshold, logX, from, to);
          assert.deepEqual(
            lttbIndices(x, y, threshold, logX, from, to),
            expected,
            `n ${n}, log ${logX}, [${from}, ${to}), ${threshold}`,
          );
          assert.deepEqual(
            lttbIndices(x, y, threshold, logX, from, to, axisValues(x, logX)),
            expected,
            `with axis: n ${n}, log ${logX}`,
          );
        }
      }
    }
  }
});

test('lttb: every point finite is sampled in place and matches the copying path', () => {
  const n = 10_000;
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const y = x.map((s) => 2 + Math.pow(s, -0.3) * (1 + 0.01 * Math.sin(s)));
  assert.deepEqual(lttbIndices(x, y, 400, true, 0, n, axisValues(x, true)), referenceLttb(x, y, 400, true, 0, n));
});

test('pointBudget: about two points per pixel, within [200, MAX_POINTS_PER_SERIES]', () => {
  assert.equal(pointBudget(650), 1300);
  assert.equal(pointBudget(10), 200);
  assert.equal(pointBudget(10_000), MAX_POINTS_PER_SERIES);
});
