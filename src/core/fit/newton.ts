// Damped Newton (Levenberg-Marquardt) minimiser with box constraints, for objectives that can also return a
// curvature matrix: a handful of parameters fitted to a very large data set, where every evaluation is a pass over
// a million points and the evaluation count is the whole cost.
//
// Why not only L-BFGS: from a start already in the basin (the optimum of a thinned copy), L-BFGS still spends ~20
// evaluations learning the curvature that a Gauss-Newton matrix gives in the same pass as the gradient. Each step
// solves (H + mu * diag H) d = -g on the free variables; mu shrinks while the objective follows its quadratic model
// and grows when it does not, so the method falls back to short, gradient-like steps when the model is poor.
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import {
  freeMask,
  project,
  projectedGradientNorm,
  resultOf,
  settingsOf,
  type MinimizeOptions,
  type MinimizeResult,
  type StopReason,
} from './lbfgsb';

/** Fills `grad` (length k) and `hessian` (k x k, row-major) and returns the objective at x. */
export type ObjectiveWithCurvature = (x: Float64Array, grad: Float64Array, hessian: Float64Array) => number;

/** Damping relative to the diagonal at the first step: the start is expected near the optimum. */
const INITIAL_DAMPING = 1e-4;
const MIN_DAMPING = 1e-12;
const MAX_DAMPING = 1e12;
/** Relative size of f's rounding error over a sum of many terms. */
const ROUNDING = 1e-15;
/** Rejected trial steps per iteration before giving up. */
const MAX_TRIALS = 30;

/** The damped Newton step on the free variables (0 on fixed ones), or null if the damped matrix is not positive. */
function dampedStep(g: Float64Array, h: Float64Array, free: Uint8Array, damping: number): Float64Array | null {
  const n = g.length;
  const index = Array.from({ length: n }, (_, i) => i).filter((i) => free[i]);
  const step = new Float64Array(n);
  if (index.length === 0) return step;
  // A curvature or gradient that overflowed (losses near 1e300 square to Infinity, and Infinity - Infinity is NaN)
  // gives no model to step on: treated as a matrix that is not positive, so the step is refused (and the caller falls
  // back to L-BFGS) instead of the factorisation throwing, since NaN fails its symmetry test.
  if (!index.every((i) => Number.isFinite(g[i]) && index.every((j) => Number.isFinite(h[i * n + j])))) return null;
  // A zero diagonal (a parameter no point constrains to second order) is still damped: relative to the largest, or
  // with no curvature at all, to the gradient, so that damping 1 means a step of about one unit of the (scaled)
  // parameters.
  const largest = index.reduce((m, i) => Math.max(m, Math.abs(h[i * n + i])), 0);
  const floor = largest > 0 ? 1e-12 * largest : index.reduce((m, i) => Math.max(m, Math.abs(g[i])), 0) || 1;
  const matrix = new Matrix(index.length, index.length);
  index.forEach((i, a) =>
    index.forEach((j, b) => {
      const diagonal = a === b ? damping * Math.max(h[i * n + i], floor) : 0;
      matrix.set(a, b, h[i * n + j] + diagonal);
    }),
  );
  const cholesky = new CholeskyDecomposition(matrix);
  if (!cholesky.isPositiveDefinite()) return null;
  const solution = cholesky.solve(Matrix.columnVector(index.map((i) => -g[i])));
  for (let a = 0; a < index.length; a++) step[index[a]] = solution.get(a, 0);
  return step.every(Number.isFinite) ? step : null;
}

/** g.s + s.H.s / 2: the decrease the quadratic model promises for the (projected) step s. */
function modelChange(g: Float64Array, h: Float64Array, s: Float64Array): number {
  const n = g.length;
  let linear = 0;
  let quadratic = 0;
  for (let i = 0; i < n; i++) {
    linear += g[i] * s[i];
    for (let j = 0; j < n; j++) quadratic += s[i] * h[i * n + j] * s[j];
  }
  return linear + quadratic / 2;
}

/** The model's change for an undamped Newton step; -Infinity (no claim of convergence) when there is none. */
function newtonDecrease(
  g: Float64Array,
  h: Float64Array,
  free: Uint8Array,
  x: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
): number {
  const step = dampedStep(g, h, free, MIN_DAMPING);
  if (!step) return -Infinity;
  const target = x.map((v, i) => v + step[i]);
  project(target, lo, hi);
  const change = modelChange(
    g,
    h,
    target.map((v, i) => v - x[i]),
  );
  return change <= 0 ? change : -Infinity;
}

/**
 * Minimises within [lower, upper] from x0. Stops on the same tests as `minimize` (projected gradient, relative
 * decrease), so the two solvers' results read alike; a stall is reported as 'line-search-failed' and the caller
 * may fall back to L-BFGS.
 */
export function minimizeNewton(
  fgh: ObjectiveWithCurvature,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const { lo, hi, maxIterations, pgtol, ftol, ftolFloor } = settingsOf(n, options, 200);

  let x = Float64Array.from(x0);
  project(x, lo, hi);
  let g = new Float64Array(n);
  let h = new Float64Array(n * n);
  let f = fgh(x, g, h);
  let evaluations = 1;
  const done = (reason: StopReason, iterations: number) => resultOf(x, f, iterations, evaluations, reason);
  if (!Number.isFinite(f)) return done('non-finite-objective', 0);

  let damping = INITIAL_DAMPING;
  let growth = 2;
  // Rejections compound (x2, x4, x8, ...): a model with no curvature information reaches gradient-sized steps in a
  // handful of trials instead of dozens.
  const reject = () => {
    damping *= growth;
    growth *= 2;
  };
  let modelTrusted = false;
  for (let iter = 0; iter < maxIterations; iter++) {
    if (projectedGradientNorm(x, g, lo, hi) <= pgtol) return done('projected-gradient-small', iter);
    const free = freeMask(x, g, lo, hi);
    // The Newton decrement: when a model that just predicted well promises less than ftol from a full step, that
    // step's evaluation (a whole pass over the data) would only confirm convergence; and a promise below the
    // rounding of f cannot be told from noise whatever the model's record.
    const promised = -newtonDecrease(g, h, free, x, lo, hi);
    if (promised <= ROUNDING * Math.abs(f) || (modelTrusted && promised <= ftol * Math.max(Math.abs(f), ftolFloor))) {
      return done('relative-reduction-small', iter);
    }
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    const hNew = new Float64Array(n * n);
    let fNew = NaN;
    let accepted = false;
    for (let trial = 0; trial < MAX_TRIALS && damping <= MAX_DAMPING; trial++) {
      const step = dampedStep(g, h, free, damping);
      if (!step) {
        reject();
        continue;
      }
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step[i];
      project(xNew, lo, hi);
      const taken = xNew.map((v, i) => v - x[i]);
      const predicted = modelChange(g, h, taken);
      if (!(predicted < 0)) {
        reject();
        continue;
      }
      fNew = fgh(xNew, gNew, hNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew < f) {
        // Nielsen's update: damping eases smoothly as the model's prediction proves right, and the growth factor
        // resets, so one bad step does not slow the steps after it.
        const agreement = (f - fNew) / -predicted;
        modelTrusted = agreement > 0.5 && agreement < 2;
        damping = Math.max(MIN_DAMPING, damping * Math.max(1 / 3, 1 - (2 * agreement - 1) ** 3));
        growth = 2;
        accepted = true;
        break;
      }
      reject();
    }
    if (!accepted) return done('line-search-failed', iter);
    const reduction = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), ftolFloor);
    x = xNew;
    g = gNew;
    h = hNew;
    f = fNew;
    if (reduction <= ftol) return done('relative-reduction-small', iter + 1);
  }
  return done('max-iterations', maxIterations);
}
