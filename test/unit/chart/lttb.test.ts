import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lttbIndices, windowRange } from '../../../src/core/chart/lttb';

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
