// Robust fitting of any Law: minimise the SUMMED Huber loss of log residuals, sum_i huber(ln pred_i - ln obs_i),
// from several starting points, keeping the best. Summed, not averaged: averaging shrinks the gradient by 1/n and
// makes the quasi-Newton stopping tests fire early (the published reference fits depend on this).
import type { Law } from '../laws/law';
import { huberDerivative, huberGivenDerivative } from './huber';
import { minimize, type MinimizeResult, type StopReason } from './lbfgsb';
import { minimizeNewton } from './newton';
import { pick, thinIndices } from '../util/arrays';

export interface RobustFitOptions {
  delta: number;
  starts: Float64Array[];
  maxIterations?: number;
  pgtol?: number;
  ftol?: number;
  ftolFloor?: number;
  /** Per-point weights (default 1); a weight multiplies that point's Huber term. */
  weights?: Float64Array;
  /**
   * refineRobust only: iterations damped Newton gets before L-BFGS finishes from where it got to (default:
   * maxIterations).
   */
  newtonIterations?: number;
}

export interface RobustFit {
  params: Float64Array;
  objective: number;
  converged: boolean;
  reason: StopReason;
  iterations: number;
  evaluations: number;
  startsTried: number;
  /** Index into options.starts of the start that won. */
  bestStart: number;
}

/** Points per block: a block's predictions and Jacobian (k+1 arrays) stay in cache between the two passes over them. */
const BLOCK = 4096;
/** |u| below which ln(1+u) = u - u^2/2 + u^3/3 - u^4/4 has a truncation error under u^5/5 < 2e-16. */
const LOG_SERIES_LIMIT = 1e-3;

/** A view of points [start, end) of a law's data: every law's data is a record of equal-length Float64Arrays. */
export function sliceData<Data>(data: Data, start: number, end: number): Data {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>))
    out[key] = value instanceof Float64Array ? value.subarray(start, end) : value;
  return out as Data;
}

/** The data at points `kept` of n: each of its per-point arrays (length n) picked there, the rest as it is. */
export function pickData<Data>(data: Data, kept: Int32Array, n: number): Data {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>))
    out[key] = value instanceof Float64Array && value.length === n ? pick(value, kept) : value;
  return out as Data;
}

/** The summed log-Huber objective: fills `grad`, and `curvature` (k x k, row-major) when given. */
export type RobustObjective = (params: Float64Array, grad: Float64Array, curvature?: Float64Array) => number;

/**
 * The objective and its gradient for one law on one data set, and on request its Gauss-Newton curvature
 * sum_i huber''(r_i) / p_i^2 * J_i J_i^T (the part of the Hessian that does not cancel over points whose residuals
 * scatter around zero). Points are evaluated block by block with buffers reused across evaluations: on a
 * million-point curve, writing the whole Jacobian to memory and reading it back cost more than the arithmetic.
 */
export function logHuberObjective<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  delta: number,
  weights?: Float64Array,
): RobustObjective {
  const n = law.size(data);
  const k = law.parameterNames.length;
  const invObs = observed.map((o) => 1 / o);
  const blocks = Array.from({ length: Math.ceil(n / BLOCK) }, (_, b) => {
    const start = b * BLOCK;
    const end = Math.min(n, start + BLOCK);
    return { start, end, data: n <= BLOCK ? data : sliceData(data, start, end) };
  });
  const size = Math.min(n, BLOCK);
  const pred = new Float64Array(size);
  const jac = Array.from({ length: k }, () => new Float64Array(size));
  const dPred = new Float64Array(size);
  const inliers = new Int32Array(size);
  const inlierWeight = new Float64Array(size);
  return (params, grad, curvature) => {
    grad.fill(0);
    curvature?.fill(0);
    let total = 0;
    for (const block of blocks) {
      const m = block.end - block.start;
      const blockPred = m === size ? pred : pred.subarray(0, m);
      const blockJac = m === size ? jac : jac.map((column) => column.subarray(0, m));
      law.predict(params, block.data, blockPred, blockJac);
      let inlierCount = 0;
      for (let i = 0; i < m; i++) {
        const p = blockPred[i];
        if (!(p > 0 && p < Infinity)) return Infinity;
        const at = block.start + i;
        const w = weights ? weights[at] : 1;
        const r = logRatio(p * invObs[at]);
        const psi = huberDerivative(r, delta);
        total += w * huberGivenDerivative(r, psi);
        dPred[i] = (w * psi) / p;
        if (psi === r && curvature) {
          inliers[inlierCount] = i;
          inlierWeight[inlierCount++] = w / (p * p);
        }
      }
      for (let j = 0; j < k; j++) {
        const column = blockJac[j];
        let g = 0;
        for (let i = 0; i < m; i++) g += dPred[i] * column[i];
        grad[j] += g;
      }
      if (curvature) accumulateCurvature(curvature, blockJac, inliers, inlierWeight, inlierCount);
    }
    if (curvature) for (let j = 0; j < k; j++) for (let l = 0; l < j; l++) curvature[l * k + j] = curvature[j * k + l];
    return total;
  };
}

/**
 * ln(ratio), ratio = p / obs. Near a fit |ratio - 1| is ~1e-3, where four terms of ln(1+u) are exact to ~1e-16 and
 * cost a fraction of Math.log, the most expensive call of an evaluation; elsewhere the logarithm itself.
 */
function logRatio(ratio: number): number {
  const u = ratio - 1;
  if (u > LOG_SERIES_LIMIT || u < -LOG_SERIES_LIMIT) return Math.log(ratio);
  const u2 = u * u;
  return u - u2 / 2 + (u2 * u) / 3 - (u2 * u2) / 4;
}

/**
 * Lower triangle of sum_t weight_t * J_i J_i^T over the points i = inliers[t] of one block. Only points inside the
 * Huber threshold have curvature, and on real logs (per-step noise well above delta) they are a small minority:
 * gathering them first makes the k(k+1)/2 passes cheap enough to run at every evaluation.
 */
function accumulateCurvature(
  curvature: Float64Array,
  jac: Float64Array[],
  inliers: Int32Array,
  weight: Float64Array,
  count: number,
): void {
  const k = jac.length;
  for (let j = 0; j < k; j++) {
    const a = jac[j];
    for (let l = 0; l <= j; l++) {
      const b = jac[l];
      let sum = 0;
      for (let t = 0; t < count; t++) {
        const i = inliers[t];
        sum += weight[t] * a[i] * b[i];
      }
      curvature[j * k + l] += sum;
    }
  }
}

export function fitRobust<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  options: RobustFitOptions,
): RobustFit | null {
  const objective = logHuberObjective(law, data, observed, options.delta, options.weights);
  let best: MinimizeResult | null = null;
  let bestStart = -1;
  let evaluations = 0;
  options.starts.forEach((start, s) => {
    const result = minimizeScaled(objective, start, law, options, 'quasi-newton');
    evaluations += result.evaluations;
    if (Number.isFinite(result.f) && (!best || result.f < best.f)) {
      best = result;
      bestStart = s;
    }
  });
  const winner = best as MinimizeResult | null;
  if (!winner) return null;
  return fitFrom(winner, evaluations, options.starts.length, bestStart);
}

/** Above this many points, starts are searched on an evenly thinned copy and only the best is refined on all. */
export const THIN_FIT_POINTS = 5000;

/**
 * fitRobust for data of any size: every start is a full minimisation, so past THIN_FIT_POINTS points (a log of a
 * million rows, BLEU at every checkpoint) the starts run on THIN_FIT_POINTS evenly spaced points and the best one's
 * optimum is refined on all of them, reaching the same optimum at a fraction of the passes.
 */
export function fitRobustThinned<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  delta: number,
  startsOf: (data: Data, observed: Float64Array) => Float64Array[],
): (RobustFit & { atOptimum?: Evaluation }) | null {
  const n = observed.length;
  if (n <= THIN_FIT_POINTS) return fitRobust(law, data, observed, { delta, starts: startsOf(data, observed) });
  const kept = thinIndices(n, THIN_FIT_POINTS);
  const thin = pickData(data, kept, n);
  const thinObserved = pick(observed, kept);
  const coarse = fitRobust(law, thin, thinObserved, { delta, starts: startsOf(thin, thinObserved) });
  if (!coarse) return null;
  const fine = refineRobust(law, data, observed, coarse.params, { delta });
  return fine && { ...fine, startsTried: coarse.startsTried, bestStart: coarse.bestStart };
}

/**
 * The objective with its gradient and curvature at some parameters, over some points: a refinement's evaluation at
 * its optimum, whose quadratic model stands for those points in a grown data set's next refinement (a followed run,
 * refineOnModel) instead of a pass over them.
 */
export interface Evaluation {
  params: Float64Array;
  f: number;
  grad: Float64Array;
  curvature: Float64Array;
}

/** Whether two parameter vectors are the same bits. */
function sameParams(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, j) => Object.is(v, b[j]));
}

/** The objective and curvature at `params` over some points (a part of a grown data set). */
export function evaluateAt<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  params: Float64Array,
  delta: number,
): Evaluation {
  const k = params.length;
  const grad = new Float64Array(k);
  const curvature = new Float64Array(k * k);
  const f = observed.length ? logHuberObjective(law, data, observed, delta)(params, grad, curvature) : 0;
  return { params, f, grad, curvature };
}

/**
 * Polishes a start that is already in the optimum's basin (typically the fit of a thinned copy) on all points with
 * damped Gauss-Newton steps, which on a million points need a fraction of L-BFGS's evaluations. When the curvature
 * model stalls, L-BFGS finishes from wherever Newton got to, so the result is never worse than L-BFGS alone.
 */
export function refineRobust<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  start: Float64Array,
  options: Omit<RobustFitOptions, 'starts'>,
): (RobustFit & { atOptimum?: Evaluation }) | null {
  const full = logHuberObjective(law, data, observed, options.delta, options.weights);
  // The best evaluation with curvature is Newton's at the point it returns (it only moves to a lower objective).
  let best: Evaluation | undefined;
  const objective: RobustObjective = (params, grad, curvature) => {
    const f = full(params, grad, curvature);
    if (curvature && Number.isFinite(f) && !(best && best.f <= f))
      best = { params: params.slice(), f, grad: grad.slice(), curvature: curvature.slice() };
    return f;
  };
  const newton = minimizeScaled(objective, start, law, { ...options, maxIterations: newtonCap(options) }, 'newton');
  if (newton.converged) {
    const atOptimum = best && sameParams(best.params, newton.x) ? best : undefined;
    return { ...fitFrom(newton, newton.evaluations, 1, 0), ...(atOptimum && { atOptimum }) };
  }
  const from = Number.isFinite(newton.f) ? newton.x : start;
  const rest = minimizeScaled(objective, from, law, options, 'quasi-newton');
  const winner = Number.isFinite(rest.f) ? rest : Number.isFinite(newton.f) ? newton : null;
  if (!winner) return null;
  const fit = fitFrom(winner, newton.evaluations + rest.evaluations, 1, 0);
  // Newton stopped by its own cap, L-BFGS converged: the optimum is anchored as Newton's would be (a grown run's
  // refit reads its curvature there), one more pass, so a capped Newton does not cost a followed run its cheap refits.
  const capped = newton.reason === 'max-iterations' && newtonCap(options) !== options.maxIterations;
  if (!(capped && winner === rest && rest.converged)) return fit;
  const atOptimum = evaluationAt(full, rest.x);
  return { ...fit, evaluations: fit.evaluations + 1, ...(atOptimum && { atOptimum }) };
}

/** The objective, gradient and curvature at `params`; undefined when not finite. */
function evaluationAt(objective: RobustObjective, params: Float64Array): Evaluation | undefined {
  const k = params.length;
  const grad = new Float64Array(k);
  const curvature = new Float64Array(k * k);
  const f = objective(params, grad, curvature);
  return Number.isFinite(f) ? { params: params.slice(), f, grad, curvature } : undefined;
}

/** Newton's iteration cap in refineRobust: its own when set, within the overall cap. */
function newtonCap(options: Omit<RobustFitOptions, 'starts'>): number | undefined {
  const { newtonIterations, maxIterations } = options;
  return newtonIterations === undefined ? maxIterations : Math.min(newtonIterations, maxIterations ?? Infinity);
}

/**
 * The quadratic model of an evaluation's objective at `params` (d = params - its params): f + g.d + d.H.d / 2, its
 * gradient g + H.d and its curvature H, added to `grad` and `curvature`.
 */
export function addQuadraticModel(
  at: Evaluation,
  params: Float64Array,
  grad: Float64Array,
  curvature?: Float64Array,
): number {
  const k = params.length;
  let f = at.f;
  for (let j = 0; j < k; j++) {
    const dj = params[j] - at.params[j];
    let hd = 0;
    for (let l = 0; l < k; l++) hd += at.curvature[j * k + l] * (params[l] - at.params[l]);
    f += dj * (at.grad[j] + hd / 2);
    grad[j] += at.grad[j] + hd;
  }
  if (curvature) for (let j = 0; j < k * k; j++) curvature[j] += at.curvature[j];
  return f;
}

/**
 * A grown data set refined without a pass over its earlier points: their objective is the quadratic model around
 * `anchor` (their exact evaluation there: objective, gradient, Gauss-Newton curvature), the points added since are
 * evaluated exactly. Damped Newton on that sum, stopped by the options' rule. Near the anchor this is the
 * full objective to second order in the move from it; how far to trust it is the caller's decision (a full pass,
 * refineRobust, when the move or the points added are large). Null when Newton does not converge on the model.
 */
export function refineOnModel<Data>(
  law: Law<Data>,
  added: Data,
  addedObserved: Float64Array,
  anchor: Evaluation,
  start: Float64Array,
  options: Omit<RobustFitOptions, 'starts'>,
): RobustFit | null {
  const exact = logHuberObjective(law, added, addedObserved, options.delta, options.weights);
  const objective: RobustObjective = (params, grad, curvature) => {
    const f = exact(params, grad, curvature);
    return Number.isFinite(f) ? f + addQuadraticModel(anchor, params, grad, curvature) : f;
  };
  const newton = minimizeScaled(objective, start, law, options, 'newton');
  return newton.converged ? fitFrom(newton, newton.evaluations, 1, 0) : null;
}

function fitFrom(result: MinimizeResult, evaluations: number, startsTried: number, bestStart: number): RobustFit {
  return {
    params: result.x,
    objective: result.f,
    converged: result.converged,
    reason: result.reason,
    iterations: result.iterations,
    evaluations,
    startsTried,
    bestStart,
  };
}

/**
 * Runs a solver on parameters divided by their starting magnitudes. Law parameters span many orders of magnitude
 * (an amplitude of 500 beside an exponent of 0.5 and a coefficient of 1e-4); one diagonal rescaling makes the
 * steps comparable in every direction without changing the optimum.
 */
function minimizeScaled<Data>(
  objective: RobustObjective,
  start: Float64Array,
  law: Law<Data>,
  options: Omit<RobustFitOptions, 'starts'>,
  solver: 'quasi-newton' | 'newton',
): MinimizeResult {
  const k = start.length;
  const scale = Float64Array.from(start, (v) => (Math.abs(v) > 1e-300 ? Math.abs(v) : 1));
  const params = new Float64Array(k);
  const scaled = (x: Float64Array, grad: Float64Array, curvature?: Float64Array): number => {
    for (let j = 0; j < k; j++) params[j] = x[j] * scale[j];
    const f = objective(params, grad, curvature);
    for (let j = 0; j < k; j++) grad[j] *= scale[j];
    if (curvature) for (let j = 0; j < k; j++) for (let l = 0; l < k; l++) curvature[j * k + l] *= scale[j] * scale[l];
    return f;
  };
  const x0 = Float64Array.from(start, (v, j) => v / scale[j]);
  const settings = {
    lower: law.lower.map((v, j) => v / scale[j]),
    upper: law.upper.map((v, j) => v / scale[j]),
    maxIterations: options.maxIterations ?? 2000,
    ftol: options.ftol,
    ftolFloor: options.ftolFloor ?? 1e-300,
    pgtol: options.pgtol ?? 1e-12,
  };
  const result = solver === 'newton' ? minimizeNewton(scaled, x0, settings) : minimize(scaled, x0, settings);
  return { ...result, x: Float64Array.from(result.x, (v, j) => v * scale[j]) };
}
