import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimize } from '../../../src/core/fit/lbfgsb';
import { huber, huberDerivative } from '../../../src/core/fit/huber';
import { boundedLeastSquares, leastSquares } from '../../../src/core/fit/linear';

const rosenbrock = (x: Float64Array, g: Float64Array) => {
  const [a, b] = x;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

test('minimize finds the Rosenbrock minimum from a far start', () => {
  const r = minimize(rosenbrock, [-1.2, 1], { pgtol: 1e-10, ftolFloor: 1e-300 });
  assert.ok(r.converged, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-5 && Math.abs(r.x[1] - 1) < 1e-5, `got ${r.x}`);
});

test('minimize respects bounds and stops at the constrained optimum (KKT)', () => {
  // Unconstrained minimum (1,1) lies outside x <= 0.5: the answer is on the bound.
  const r = minimize(rosenbrock, [0, 0], { upper: [0.5, 10], pgtol: 1e-10, ftolFloor: 1e-300 });
  assert.ok(r.x[0] <= 0.5);
  assert.ok(Math.abs(r.x[0] - 0.5) < 1e-6);
  assert.ok(Math.abs(r.x[1] - 0.25) < 1e-5);
});

test('minimize reports a non-finite objective instead of looping', () => {
  const r = minimize(
    (x, g) => {
      g[0] = 0;
      return NaN;
    },
    [1],
  );
  assert.equal(r.converged, false);
  assert.equal(r.reason, 'non-finite-objective');
});

test('minimize backs off from regions where the objective is not finite', () => {
  // log barrier: undefined for x <= 0; the minimum of x - log(x) is at x = 1.
  const f = (x: Float64Array, g: Float64Array) => {
    if (x[0] <= 0) return Infinity;
    g[0] = 1 - 1 / x[0];
    return x[0] - Math.log(x[0]);
  };
  const r = minimize(f, [20], { pgtol: 1e-9, ftolFloor: 1e-300 });
  assert.ok(Math.abs(r.x[0] - 1) < 1e-4, `got ${r.x[0]}`);
});

test('huber matches scipy.special.huber and its derivative', () => {
  assert.equal(huber(0.5e-3, 1e-3), 0.5 * 0.25e-6);
  assert.ok(Math.abs(huber(3e-3, 1e-3) - 1e-3 * (3e-3 - 0.5e-3)) < 1e-18);
  assert.equal(huberDerivative(5, 1), 1);
  assert.equal(huberDerivative(-5, 1), -1);
  assert.equal(huberDerivative(0.3, 1), 0.3);
});

test('least squares solves an exact linear system and bounded LS keeps constrained coefficients >= 0', () => {
  const x = Float64Array.from({ length: 10 }, (_, i) => i);
  const ones = new Float64Array(10).fill(1);
  const y = x.map((v) => 2 + 3 * v);
  const exact = leastSquares([ones, x], y)!;
  assert.ok(Math.abs(exact.coefficients[0] - 2) < 1e-9 && Math.abs(exact.coefficients[1] - 3) < 1e-9);
  const falling = x.map((v) => 5 - v);
  const bounded = boundedLeastSquares([ones, x], falling, [false, true])!;
  assert.equal(bounded.coefficients[1], 0);
  assert.ok(Math.abs(bounded.coefficients[0] - falling.reduce((a, b) => a + b) / 10) < 1e-9);
  assert.equal(leastSquares([ones, ones], y), null, 'rank-deficient design is refused, not solved wrongly');
});

test('the log-Huber objective (series for ln near 1, blocks of points) equals the textbook sum', async () => {
  const { logHuberObjective } = await import('../../../src/core/fit/robust');
  const { lrAnnealingLaw } = await import('../../../src/core/laws/lrAnnealing');
  const n = 10_000;
  const s1 = Float64Array.from({ length: n }, (_, i) => i + 1);
  const s2 = Float64Array.from({ length: n }, (_, i) => Math.sqrt(i));
  const params = Float64Array.of(2.4, 4, 0.5, 1e-4);
  const pred = new Float64Array(n);
  lrAnnealingLaw.predict(params, { s1, s2 }, pred);
  // Residuals from 1e-7 to 5e-2 in log terms: both sides of the series' 1e-3 limit.
  const observed = pred.map((p, i) => p * Math.exp(-(1e-7 + (5e-2 * ((i * 7919) % n)) / n) * (i % 2 ? 1 : -1)));
  const grad = new Float64Array(4);
  const f = logHuberObjective(lrAnnealingLaw, { s1, s2 }, observed, 1e-3)(params, grad);
  let expected = 0;
  for (let i = 0; i < n; i++) expected += huber(Math.log(pred[i]) - Math.log(observed[i]), 1e-3);
  assert.ok(Math.abs(f - expected) <= 1e-12 * expected, `${f} vs ${expected}`);
});
