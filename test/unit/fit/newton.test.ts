import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimizeNewton } from '../../../src/core/fit/newton';
import {
  addQuadraticModel,
  evaluateAt,
  fitRobust,
  logHuberObjective,
  refineOnModel,
  refineRobust,
} from '../../../src/core/fit/robust';
import { lrAnnealingLaw } from '../../../src/core/laws/lrAnnealing';
import { seededRandom } from '../../../src/core/util/random';

/** Rosenbrock with its exact Hessian: far from quadratic, so the damping has to do real work. */
const rosenbrock = (x: Float64Array, g: Float64Array, h: Float64Array) => {
  const [a, b] = x;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  h[0] = 2 - 400 * (b - 3 * a * a);
  h[1] = h[2] = -400 * a;
  h[3] = 200;
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

test('damped Newton finds the Rosenbrock minimum from a far start, in few evaluations', () => {
  const r = minimizeNewton(rosenbrock, [-1.2, 1], { pgtol: 1e-10, ftolFloor: 1e-300 });
  assert.ok(r.converged, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6, `got ${r.x}`);
  assert.ok(r.evaluations < 60, `${r.evaluations} evaluations`);
});

test('damped Newton stops at the constrained optimum when the minimum lies outside the box', () => {
  const r = minimizeNewton(rosenbrock, [0, 0], { upper: [0.5, 10], pgtol: 1e-10, ftolFloor: 1e-300 });
  assert.ok(r.x[0] <= 0.5);
  assert.ok(Math.abs(r.x[0] - 0.5) < 1e-6, `got ${r.x}`);
  assert.ok(Math.abs(r.x[1] - 0.25) < 1e-5, `got ${r.x}`);
});

test('damped Newton backs off from regions where the objective is not finite, and reports a non-finite start', () => {
  // x - log(x): undefined for x <= 0, minimum at 1; a Newton step from x = 3 lands at negative x.
  const barrier = (x: Float64Array, g: Float64Array, h: Float64Array) => {
    if (x[0] <= 0) return Infinity;
    g[0] = 1 - 1 / x[0];
    h[0] = 1 / (x[0] * x[0]);
    return x[0] - Math.log(x[0]);
  };
  const r = minimizeNewton(barrier, [3], { pgtol: 1e-12, ftol: 0 });
  assert.ok(r.converged, r.reason);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6, `got ${r.x}`);
  const bad = minimizeNewton(
    (x, g) => {
      g[0] = 0;
      return NaN;
    },
    [1],
  );
  assert.equal(bad.reason, 'non-finite-objective');
});

test('a curvature matrix with no information (all zero) still yields a descent, not a false convergence', () => {
  // The model matrix is useless here; the damping must turn steps into short gradient-like ones.
  const quadratic = (x: Float64Array, g: Float64Array, h: Float64Array) => {
    g[0] = 2 * (x[0] - 3);
    h[0] = 0;
    return (x[0] - 3) ** 2;
  };
  const r = minimizeNewton(quadratic, [0], { pgtol: 1e-8, ftolFloor: 1e-300 });
  assert.ok(r.f < 9, `objective did not decrease: ${r.f}`);
  if (r.converged) assert.ok(Math.abs(r.x[0] - 3) < 1e-3, `claimed convergence at ${r.x}`);
});

test('a curvature or gradient that overflowed (NaN, Infinity) refuses the Newton step instead of throwing', () => {
  // Losses near 1e300 square to Infinity in the Gauss-Newton sum; the factorisation threw on the NaN this makes.
  for (const bad of [NaN, Infinity]) {
    const overflowed = (x: Float64Array, g: Float64Array, h: Float64Array) => {
      g[0] = 2 * (x[0] - 3);
      g[1] = 2 * x[1];
      h.set([2, bad, bad, 2]);
      return (x[0] - 3) ** 2 + x[1] ** 2;
    };
    const r = minimizeNewton(overflowed, [0, 1], { pgtol: 1e-8, ftolFloor: 1e-300 });
    assert.equal(r.reason, 'line-search-failed', `${bad}`);
    assert.deepEqual(Array.from(r.x), [0, 1], 'no step taken on a model that does not exist');
  }
});

/** A noisy LR-annealing curve: per-step noise well above the Huber threshold, as in real logs. */
function noisyCurve(n: number, noise: number, seed: number) {
  const random = seededRandom(seed);
  const s1 = Float64Array.from({ length: n }, (_, i) => 0.5 + i);
  const s2 = Float64Array.from({ length: n }, (_, i) => (i > 0.8 * n ? Math.sqrt(i - 0.8 * n) : 0));
  const truth = Float64Array.of(2.5, 3, 0.45, 2e-3);
  const clean = new Float64Array(n);
  lrAnnealingLaw.predict(truth, { s1, s2 }, clean);
  const observed = clean.map((p) => p * Math.exp(noise * (random() + random() + random() - 1.5)));
  return { data: { s1, s2 }, observed, truth };
}

test('the curvature matrix equals the Gauss-Newton sum over points inside the Huber threshold', () => {
  const { data, observed } = noisyCurve(9000, 4e-3, 3);
  const params = Float64Array.of(2.49, 3.1, 0.44, 2.1e-3);
  const grad = new Float64Array(4);
  const curvature = new Float64Array(16);
  logHuberObjective(lrAnnealingLaw, data, observed, 1e-3)(params, grad, curvature);
  const n = observed.length;
  const pred = new Float64Array(n);
  const jac = Array.from({ length: 4 }, () => new Float64Array(n));
  lrAnnealingLaw.predict(params, data, pred, jac);
  let inside = 0;
  for (let j = 0; j < 4; j++)
    for (let l = 0; l < 4; l++) {
      let expected = 0;
      for (let i = 0; i < n; i++) {
        if (Math.abs(Math.log(pred[i] / observed[i])) > 1e-3) continue;
        if (j === 0 && l === 0) inside++;
        expected += (jac[j][i] * jac[l][i]) / (pred[i] * pred[i]);
      }
      assert.ok(
        Math.abs(curvature[j * 4 + l] - expected) <= 1e-9 * Math.abs(expected),
        `H[${j}][${l}] ${curvature[j * 4 + l]} vs ${expected}`,
      );
    }
  assert.ok(inside > 100 && inside < n / 2, `test data should mix inliers and outliers (${inside} inside)`);
});

test('refining a thinned fit on all points reaches an objective no worse than L-BFGS, in far fewer evaluations', () => {
  const { data, observed } = noisyCurve(60_000, 1e-2, 11);
  const start = Float64Array.of(2.4, 2.5, 0.5, 1e-3);
  const lbfgs = fitRobust(lrAnnealingLaw, data, observed, { delta: 1e-3, starts: [start] })!;
  const newton = refineRobust(lrAnnealingLaw, data, observed, start, { delta: 1e-3 })!;
  assert.ok(newton.converged, newton.reason);
  assert.ok(
    newton.objective <= lbfgs.objective * (1 + 1e-9),
    `newton ${newton.objective} vs L-BFGS ${lbfgs.objective}`,
  );
  assert.ok(
    newton.evaluations < lbfgs.evaluations,
    `newton ${newton.evaluations} vs L-BFGS ${lbfgs.evaluations} evaluations`,
  );
});

test('refineRobust falls back to L-BFGS when the curvature model cannot make progress', () => {
  // Every point far outside delta: no point has curvature, the model matrix is zero.
  const { data, observed } = noisyCurve(5000, 0, 5);
  const far = observed.map((o, i) => o * (i % 2 ? 1.5 : 0.7));
  const start = Float64Array.of(2.5, 3, 0.45, 2e-3);
  const fit = refineRobust(lrAnnealingLaw, data, far, start, { delta: 1e-3 });
  assert.ok(fit, 'a result, not null');
  const atStart = logHuberObjective(lrAnnealingLaw, data, far, 1e-3)(start, new Float64Array(4));
  assert.ok(fit.objective <= atStart, `${fit.objective} vs ${atStart} at the start`);
});

test('the quadratic model of an evaluation is it at its parameters, and the objective to second order nearby', () => {
  const { data, observed } = noisyCurve(20_000, 0.01, 11);
  const optimum = refineRobust(lrAnnealingLaw, data, observed, Float64Array.of(2.5, 3, 0.45, 2e-3), { delta: 1e-3 })!;
  const at = optimum.atOptimum!;
  assert.deepEqual(at.params, optimum.params, 'the evaluation at its optimum is kept');
  const grad = new Float64Array(4);
  assert.equal(addQuadraticModel(at, at.params, grad), at.f);
  assert.deepEqual(grad, at.grad);
  for (const move of [1e-5, 1e-4]) {
    const params = at.params.map((v, j) => v * (1 + (j % 2 ? move : -move)));
    const exact = evaluateAt(lrAnnealingLaw, data, observed, params, 1e-3);
    const model = addQuadraticModel(at, params, new Float64Array(4));
    // Second order: the model's error is a small part of the objective's change from the optimum.
    const change = exact.f - at.f;
    assert.ok(change > 0 && Math.abs(model - exact.f) < 0.1 * change, `move ${move}: ${model} vs ${exact.f} (${at.f})`);
  }
});

test("refineOnModel: a grown data set's fit from its anchor's quadratic model and the appended points equals a full refinement", () => {
  const { data, observed } = noisyCurve(100_000, 0.01, 11);
  const head = (end: number) => ({ s1: data.s1.subarray(0, end), s2: data.s2.subarray(0, end) });
  const n = 95_000;
  const anchorFit = refineRobust(
    lrAnnealingLaw,
    head(n),
    observed.subarray(0, n),
    Float64Array.of(2.5, 3, 0.45, 2e-3),
    {
      delta: 1e-3,
    },
  )!;
  const anchor = anchorFit.atOptimum!;
  let params = anchorFit.params;
  // Several appends, each started from the last one's optimum, all modelled around the same anchor.
  for (const end of [95_100, 95_200, 96_000, 100_000]) {
    const added = { s1: data.s1.subarray(n, end), s2: data.s2.subarray(n, end) };
    const model = refineOnModel(lrAnnealingLaw, added, observed.subarray(n, end), anchor, params, { delta: 1e-3 })!;
    assert.ok(model?.converged, 'converged on the model');
    const full = refineRobust(lrAnnealingLaw, head(end), observed.subarray(0, end), params, { delta: 1e-3 })!;
    model.params.forEach((v, j) =>
      assert.ok(
        Math.abs(v - full.params[j]) <= 1e-5 * Math.abs(full.params[j]),
        `${end}: ${model.params} vs ${full.params}`,
      ),
    );
    assert.ok(
      Math.abs(model.objective - full.objective) <= 1e-9 * full.objective,
      `${model.objective} vs ${full.objective}`,
    );
    params = model.params;
  }
});
