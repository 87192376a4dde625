// The BLEU law's start scan runs 41 line fits on every bootstrap replicate (200 a group): it factors the line's
// design once per set of points and takes one logarithm per point and exponent. The starts, and so every fit and
// refit, must be the very ones the former scan gave (test/helpers/formerBleuStarts.ts), bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnsQr, leastSquares } from '../../../src/core/fit/linear';
import { bleuFrame, bleuPoints, bleuStarts } from '../../../src/core/laws/bleu';
import { normal, seededRandom } from '../../../src/core/util/random';
import { formerBleuStarts, formerLeastSquares } from '../../helpers/formerBleuStarts';

const sameBits = (a: ArrayLike<number> | null, b: ArrayLike<number> | null) =>
  a !== null && b !== null && a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

test('one factored design solves any y to the bits of a least-squares solve of its own', () => {
  const random = seededRandom(5);
  for (const [n, k] of [
    [3, 2],
    [20, 2],
    [500, 3],
    [2000, 4],
  ]) {
    const columns = Array.from({ length: k }, (_, j) =>
      Float64Array.from({ length: n + 3 }, (_, i) => (j === 0 ? 1 : Math.log(i + 2) ** j + normal(random))),
    );
    const qr = ColumnsQr.of(columns, n)!;
    for (let trial = 0; trial < 20; trial++) {
      const y = Float64Array.from({ length: n }, () => 10 * random() ** 3 + normal(random));
      const expected = formerLeastSquares(columns, y);
      assert.ok(sameBits(qr.solve(y), expected), `n ${n}, k ${k}, trial ${trial}`);
      assert.ok(sameBits(leastSquares(columns, y)?.coefficients ?? null, expected), `n ${n}, k ${k}`);
    }
  }
  // Rank-deficient: no factor, as no solve.
  const ones = new Float64Array(10).fill(1);
  assert.equal(ColumnsQr.of([ones, ones.map((v) => 2 * v)], 10), null);
  assert.equal(leastSquares([ones, ones.map((v) => 2 * v)], ones), null);
});

test('the start scan gives the former scan starts, bit for bit, on dense and sparse groups and their replicates', () => {
  for (const n of [3, 8, 60, 2000]) {
    for (let seed = 1; seed <= 6; seed++) {
      const random = seededRandom(seed * 100 + n);
      const dp = Array.from({ length: n }, (_, i) => 5e8 * 1.01 ** (i * (600 / n)));
      const beta = 0.5 + 2 * random();
      const data = bleuPoints(dp, bleuFrame(dp));
      // A law with its noise, or flat noise around a level (the grid's lines fit it worse: the ranking decides).
      const level = (u: number) => (seed % 3 === 0 ? 20 : (4 + 0.8 * u) ** beta);
      for (let replicate = 0; replicate < 4; replicate++) {
        const observed = Float64Array.from(data.u, (u) => Math.max(0.05, level(u) + 0.5 * normal(random)));
        for (const keep of [1, 4]) {
          const [now, before] = [bleuStarts(data, observed, keep), formerBleuStarts(data, observed, keep)];
          assert.equal(now.length, before.length, `n ${n}, seed ${seed}`);
          now.forEach((start, i) => assert.ok(sameBits(start, before[i]), `n ${n}, seed ${seed}, start ${i}`));
        }
      }
    }
  }
});
