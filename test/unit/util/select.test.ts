// Order statistics without sorting (src/core/util/select.ts) give what a sort gives, whatever the order of the values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kthSmallest, medianOf } from '../../../src/core/util/select';
import { seededRandom } from '../../../src/core/util/random';

function sortedMedian(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

test('the k-th smallest and the median equal a sort on random, sorted, reversed, repeated and organ-pipe values', () => {
  const random = seededRandom(3);
  const shapes: Record<string, (n: number) => Float64Array> = {
    random: (n) => Float64Array.from({ length: n }, () => random() * 100 - 50),
    sorted: (n) => Float64Array.from({ length: n }, (_, i) => i),
    reversed: (n) => Float64Array.from({ length: n }, (_, i) => n - i),
    repeated: (n) => Float64Array.from({ length: n }, () => Math.floor(random() * 3)),
    constant: (n) => new Float64Array(n).fill(7),
    organ: (n) => Float64Array.from({ length: n }, (_, i) => Math.min(i, n - i)),
  };
  for (const [shape, make] of Object.entries(shapes))
    for (const n of [1, 2, 3, 31, 32, 33, 100, 1001, 20_000]) {
      const values = make(n);
      const copy = values.slice();
      const sorted = values.slice().sort();
      assert.equal(medianOf(values), sortedMedian(values), `${shape} ${n}: median`);
      for (const k of [0, n >> 2, n >> 1, n - 1])
        assert.equal(kthSmallest(values, k), sorted[k], `${shape} ${n}: k=${k}`);
      assert.deepEqual(values, copy, 'the input is left as it was');
    }
  assert.ok(Number.isNaN(medianOf([])));
  assert.ok(Number.isNaN(kthSmallest([1, 2], 2)));
});
