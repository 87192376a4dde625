// Robust fitting of any Law: minimise the SUMMED Huber loss of log residuals, sum_i huber(ln pred_i - ln obs_i),
// from several starting points, keeping the best. Summed, not averaged: averaging shrinks the gradient by 1/n and
// makes the quasi-Newton stopping tests fire early (the published reference fits depend on this).
import type { Law } from '../laws/law';
import { huber, huberDerivative } from './huber';
import { minimize, type MinimizeResult, type StopReason } from './lbfgsb';

export interface RobustFitOptions {
  delta: number;
  starts: Float64Array[];
  maxIterations?: number;
  pgtol?: number;
  ftol?: number;
  ftolFloor?: number;
  /** Per-point weights (default 1); a weight multiplies that point's Huber term. */
  weights?: Float64Array;
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
function sliceData<Data>(data: Data, start: number, end: number): Data {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) out[key] = value instanceof Float64Array ? value.subarray(start, end) : value;
  return out as Data;
}

/**
 * The objective and its gradient for one law on one data set. Points are evaluated block by block with buffers
 * reused across evaluations: on a million-point curve, writing the whole Jacobian to memory and reading it back
 * cost more than the arithmetic.
 */
export function logHuberObjective<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  delta: number,
  weights?: Float64Array,
): (params: Float64Array, grad: Float64Array) => number {
  const n = law.size(data);
  const k = law.parameterNames.length;
  const logObs = observed.map(Math.log);
  const invObs = observed.map((o) => 1 / o);
  /**
   * ln(p / obs). Near a fit |p/obs - 1| is ~1e-3, where four terms of ln(1+u) are exact to ~1e-16 and cost a
   * fraction of Math.log, the most expensive call of an evaluation; elsewhere the logarithm itself.
   */
  const logRatio = (p: number, i: number): number => {
    const u = p * invObs[i] - 1;
    if (u > LOG_SERIES_LIMIT || u < -LOG_SERIES_LIMIT) return Math.log(p) - logObs[i];
    const u2 = u * u;
    return u - u2 / 2 + (u2 * u) / 3 - (u2 * u2) / 4;
  };
  const blocks = Array.from({ length: Math.ceil(n / BLOCK) }, (_, b) => {
    const start = b * BLOCK;
    const end = Math.min(n, start + BLOCK);
    return { start, end, data: n <= BLOCK ? data : sliceData(data, start, end) };
  });
  const size = Math.min(n, BLOCK);
  const pred = new Float64Array(size);
  const jac = Array.from({ length: k }, () => new Float64Array(size));
  const dPred = new Float64Array(size);
  return (params, grad) => {
    grad.fill(0);
    let total = 0;
    for (const block of blocks) {
      const m = block.end - block.start;
      const blockPred = m === size ? pred : pred.subarray(0, m);
      const blockJac = m === size ? jac : jac.map((column) => column.subarray(0, m));
      law.predict(params, block.data, blockPred, blockJac);
      for (let i = 0; i < m; i++) {
        const p = blockPred[i];
        if (!(p > 0) || !Number.isFinite(p)) return Infinity;
        const w = weights ? weights[block.start + i] : 1;
        const r = logRatio(p, block.start + i);
        total += w * huber(r, delta);
        dPred[i] = (w * huberDerivative(r, delta)) / p;
      }
      for (let j = 0; j < k; j++) {
        const column = blockJac[j];
        let g = 0;
        for (let i = 0; i < m; i++) g += dPred[i] * column[i];
        grad[j] += g;
      }
    }
    return total;
  };
}

export function fitRobust<Data>(law: Law<Data>, data: Data, observed: Float64Array, options: RobustFitOptions): RobustFit | null {
  const objective = logHuberObjective(law, data, observed, options.delta, options.weights);
  let best: MinimizeResult | null = null;
  let bestStart = -1;
  let evaluations = 0;
  options.starts.forEach((start, s) => {
    const result = minimizeScaled(objective, start, law, options);
    evaluations += result.evaluations;
    if (Number.isFinite(result.f) && (!best || result.f < best.f)) {
      best = result;
      bestStart = s;
    }
  });
  const winner = best as MinimizeResult | null;
  if (!winner) return null;
  return {
    params: winner.x,
    objective: winner.f,
    converged: winner.converged,
    reason: winner.reason,
    iterations: winner.iterations,
    evaluations,
    startsTried: options.starts.length,
    bestStart,
  };
}

/**
 * Runs the solver on parameters divided by their starting magnitudes. Law parameters span many orders of magnitude
 * (an amplitude of 500 beside an exponent of 0.5 and a coefficient of 1e-4); one diagonal rescaling makes the
 * quasi-Newton steps comparable in every direction without changing the optimum.
 */
function minimizeScaled<Data>(
  objective: (params: Float64Array, grad: Float64Array) => number,
  start: Float64Array,
  law: Law<Data>,
  options: RobustFitOptions,
): MinimizeResult {
  const k = start.length;
  const scale = Float64Array.from(start, (v) => (Math.abs(v) > 1e-300 ? Math.abs(v) : 1));
  const params = new Float64Array(k);
  const scaled: (x: Float64Array, grad: Float64Array) => number = (x, grad) => {
    for (let j = 0; j < k; j++) params[j] = x[j] * scale[j];
    const f = objective(params, grad);
    for (let j = 0; j < k; j++) grad[j] *= scale[j];
    return f;
  };
  const result = minimize(
    scaled,
    Float64Array.from(start, (v, j) => v / scale[j]),
    {
      lower: law.lower.map((v, j) => v / scale[j]),
      upper: law.upper.map((v, j) => v / scale[j]),
      maxIterations: options.maxIterations ?? 2000,
      ftol: options.ftol,
      ftolFloor: options.ftolFloor ?? 1e-300,
      pgtol: options.pgtol ?? 1e-12,
    },
  );
  return { ...result, x: Float64Array.from(result.x, (v, j) => v * scale[j]) };
}
